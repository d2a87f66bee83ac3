from django import template

register = template.Library()


@register.filter
def significant(value: float | None, digits: int = 4) -> str:
    """Format a number with ``digits`` significant digits; an em dash for a missing value."""
    if value is None:
        return "—"
    return f"{value:.{int(digits)}g}"


@register.filter
def percent_width(fraction: float) -> str:
    """Return a CSS width for a progress bar from a fraction in [0, 1]."""
    return f"{100 * min(max(fraction, 0.0), 1.0):.1f}%"
