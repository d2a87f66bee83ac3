from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def attacker_number(value, default: str = "—") -> str:
    """Render a plain number or a distribution such as ``{"triangular": [1, 2, 5]}``.

    An absent value (None, or the empty text a template gives for a missing key) is shown as
    ``default``: the format's default where it has one.
    """
    if value is None or value == "":
        return default
    if isinstance(value, dict) and "piecewise_cdf" in value:
        points = value["piecewise_cdf"]
        return (f"piecewise cdf on [{_plain(points[0][0])}, {_plain(points[-1][0])}] "
                f"({len(points)} points)")
    if isinstance(value, dict):
        parts = []
        for name, parameters in value.items():
            if name in ("low", "high"):
                continue
            if isinstance(parameters, list):
                shown = ", ".join("—" if p is None else _plain(p) for p in parameters)
                parts.append(f"{name.replace('_', ' ')}({shown})")
            else:
                parts.append(f"{name} {_plain(parameters)}")
        if "low" in value or "high" in value:
            parts.append(f"on [{_plain(value.get('low', 0))}, {_plain(value.get('high', 1))}]")
        return " ".join(parts)
    return _plain(value)


@register.filter
def lookup(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


def _plain(number) -> str:
    if isinstance(number, Decimal):
        return str(number)
    return str(number)
