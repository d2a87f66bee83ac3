"""Checks of single numbers, and the conversion of attacker numbers to ``Distribution``s."""

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from riskapp.engines.distributions import MAX_PIECEWISE_POINTS, Distribution
from riskapp.scenarios.format._errors import NonFinite, join_path

# Parameter names of each distribution family, in the order the file writes them.
FAMILIES: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "truncated_normal": ("loc", "scale", "low", "high"),
    "lognormal": ("mu", "sigma"),
    "beta": ("a", "b"),
    "piecewise_cdf": ("points",),
}
BETA_BOUNDS = ("low", "high")

# A distribution function given by its points [x, F] and linear between them, the form of pooled
# expert judgements. Its parameters are a list of points, not a fixed number of numbers.
PIECEWISE = "piecewise_cdf"

Fail = Callable[[str, Any, str], None]


def number_problem(value: Any) -> str | None:
    """Return why ``value`` is not a usable finite number, or None when it is one."""
    if isinstance(value, bool):
        return "is a boolean; write a number"
    if isinstance(value, NonFinite):
        return "is not a finite number; NaN and infinities are not allowed"
    if value is None:
        return "is null; write a number"
    if isinstance(value, str):
        try:
            finite = Decimal(value.strip()).is_finite()
        except ArithmeticError:
            finite = False
        return "is text; write the number without quotes" if finite else "is text; write a number"
    if not isinstance(value, Decimal):
        return "is not a number; write a number"
    if not value.is_finite():
        return "is not a finite number; NaN and infinities are not allowed"
    as_float = float(value)
    if math.isinf(as_float):
        return "is too large; numbers must fit in double precision (magnitude below 1.8e308)"
    if as_float == 0.0 and value != 0:
        return "is too small to tell from 0 in double precision; write 0 or a larger number"
    return None


def attacker_distribution(path: str, value: Any, fail: Fail) -> Distribution | None:
    """Convert an attacker number (a plain number or one distribution) to a ``Distribution``.

    Degenerate forms (an interval with low = high, a standard deviation of 0) become point
    masses. Every other form is built as ``Distribution`` and its own check decides, so that
    anything accepted here is accepted by the engines too. ``fail`` receives each problem.
    """
    if not isinstance(value, dict):
        problem = number_problem(value)
        if problem:
            fail(path, value, problem + " or a distribution such as {\"uniform\": [low, high]}")
            return None
        return Distribution.point(float(value))

    families = [key for key in value if key in FAMILIES]
    if len(families) != 1:
        fail(path, value, "must name exactly one distribution: " + ", ".join(FAMILIES))
        return None
    kind = families[0]
    allowed = (kind, *BETA_BOUNDS) if kind == "beta" else (kind,)
    valid = True
    for key in value:
        if key not in allowed:
            fail(join_path(path, key), value[key], f"is not a field of a {kind} distribution; "
                                                   f"the fields are {', '.join(allowed)}")
            valid = False

    if kind == PIECEWISE:
        distribution = _piecewise(join_path(path, kind), value[kind], fail)
        return distribution if valid else None

    parameters = _parameters(join_path(path, kind), value[kind], kind, fail)
    if kind == "beta":
        for name, default in zip(BETA_BOUNDS, (Decimal(0), Decimal(1)), strict=True):
            bound = value.get(name, default)
            problem = number_problem(bound)
            if problem:
                fail(join_path(path, name), bound, problem)
                valid = False
            elif parameters is not None:
                parameters.append(bound)
    if parameters is None or not valid:
        return None
    return _build(join_path(path, kind), kind, parameters, fail)


def _piecewise(path: str, value: Any, fail: Fail) -> Distribution | None:
    """Check the points [[x0, 0], [x1, F1], ..., [xn, 1]] of a piecewise-linear distribution function.

    Points with equal x are a jump of F, which is a point mass. When every x is equal, the
    result is a point distribution.
    """
    if not isinstance(value, list) or len(value) < 2:
        fail(path, value, "must be a list of at least 2 points [x, F], from F = 0 to F = 1")
        return None
    if len(value) > MAX_PIECEWISE_POINTS:
        fail(path, len(value), f"is more points than the limit of {MAX_PIECEWISE_POINTS}")
        return None

    points: list[tuple[Decimal, Decimal]] = []
    for index, point in enumerate(value):
        point_path = join_path(path, index)
        if not isinstance(point, list) or len(point) != 2:
            fail(point_path, point, "must be a point [x, F] of 2 numbers")
            continue
        problems = [(name, number_problem(item)) for name, item in zip(("x", "F"), point, strict=True)]
        for (name, problem), item in zip(problems, point, strict=True):
            if problem:
                fail(join_path(point_path, 0 if name == "x" else 1), item, f"{problem} (the {name})")
        if not any(problem for _, problem in problems):
            points.append((point[0], point[1]))
    if len(points) < len(value):
        return None
    if not _piecewise_shape_valid(path, points, fail):
        return None

    if points[0][0] == points[-1][0]:
        return Distribution.point(float(points[0][0]))
    return Distribution(PIECEWISE, tuple(float(number) for point in points for number in point))


def _piecewise_shape_valid(path: str, points: list[tuple[Decimal, Decimal]], fail: Fail) -> bool:
    """Report ends other than F = 0 and F = 1 and decreasing x or F; return whether there were none."""
    valid = True
    if points[0][1] != 0:
        fail(join_path(join_path(path, 0), 1), points[0][1], "is the first F; the distribution function must "
                                                           "start at F = 0")
        valid = False
    last = len(points) - 1
    if points[last][1] != 1:
        fail(join_path(join_path(path, last), 1), points[last][1], "is the last F; the distribution function must "
                                                                 "end at F = 1")
        valid = False
    for index in range(1, len(points)):
        (x0, f0), (x1, f1) = points[index - 1], points[index]
        if x1 < x0:
            fail(join_path(join_path(path, index), 0), x1, f"is less than the previous x {x0}; "
                                                           "x must be non-decreasing")
            valid = False
        if f1 < f0:
            fail(join_path(join_path(path, index), 1), f1, f"is less than the previous F {f0}; "
                                                           "F must be non-decreasing")
            valid = False
    return valid


def _parameters(path: str, value: Any, kind: str, fail: Fail) -> list[Decimal | None] | None:
    names = FAMILIES[kind]
    if not isinstance(value, list) or len(value) != len(names):
        fail(path, value, f"must be a list of {len(names)} numbers: [{', '.join(names)}]")
        return None
    parameters: list[Decimal | None] = []
    valid = True
    for index, item in enumerate(value):
        # The parent normal may be cut on one side only: an open bound is written as null.
        if item is None and kind == "truncated_normal" and index >= 2:
            parameters.append(None)
            continue
        problem = number_problem(item)
        if problem:
            fail(join_path(path, index), item, f"{problem} (the {names[index]})")
            valid = False
        parameters.append(item)
    return parameters if valid else None


def _build(path: str, kind: str, p: list[Any], fail: Fail) -> Distribution | None:
    rule = _shape_problem(kind, p)
    if rule:
        fail(path, p[:len(FAMILIES[kind])] if kind == "beta" else p, rule)
        return None

    point = _degenerate_point(kind, p)
    try:
        if point is not None:
            return Distribution.point(float(point))
        return Distribution(kind, tuple(None if x is None else float(x) for x in p))
    except ValueError as error:
        fail(path, p, f"is rejected: {error}")
        return None


def _shape_problem(kind: str, p: list[Any]) -> str | None:
    """Return the broken rule for inverted intervals and negative spreads, in the file's words."""
    match kind:
        case "uniform" if p[0] > p[1]:
            return "is an inverted interval; write [low, high] with low <= high"
        case "triangular" | "pert" if not p[0] <= p[1] <= p[2]:
            return "must satisfy low <= mode <= high; write [low, mode, high]"
        case "normal" if p[1] < 0:
            return "has a negative standard deviation; sd must be >= 0"
        case "truncated_normal" if p[1] < 0:
            return "has a negative scale; the parent normal's scale must be >= 0"
        case "truncated_normal" if p[2] is not None and p[3] is not None and p[2] > p[3]:
            return "is an inverted interval; the lower bound must be <= the upper bound"
        case "lognormal" if p[1] <= 0:
            return "must have sigma > 0"
        case "beta" if p[0] <= 0 or p[1] <= 0:
            return "must have shape parameters a > 0 and b > 0"
        case "beta" if not p[2] < p[3]:
            return f"has low = {p[2]} and high = {p[3]}; beta needs low < high"
    return None


def _degenerate_point(kind: str, p: list[Any]) -> Decimal | None:
    """Return the single value of a degenerate form, or None for a proper distribution."""
    match kind:
        case "uniform" | "triangular" | "pert" if p[0] == p[-1]:
            return p[0]
        case "normal" if p[1] == 0:
            return p[0]
        case "truncated_normal" if p[2] is not None and p[2] == p[3]:
            return p[2]
        case "truncated_normal" if p[1] == 0:
            # As the scale shrinks to 0 the mass gathers at the point of [low, high] nearest loc.
            loc = p[0]
            if p[2] is not None:
                loc = max(loc, p[2])
            if p[3] is not None:
                loc = min(loc, p[3])
            return loc
    return None

