"""Probability distributions for the attacker's uncertain numbers.

Every distribution is sampled by inverse transform from uniform variates. Two consequences
follow: a draw is a monotone function of its uniform, so raising a distribution's parameters
raises every draw (the coupling that the monotonicity properties of ARA rely on), and the
draws of one input depend only on that input's own random stream.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

KINDS = ("point", "uniform", "triangular", "pert", "normal", "truncated_normal", "lognormal", "beta",
         "piecewise_cdf")

# The maximum number of points of a piecewise-linear distribution function. It bounds the work
# per draw and the size of a scenario file's attacker number.
MAX_PIECEWISE_POINTS = 200

# PERT's shape parameter: weight of the mode in the mean (low + 4·mode + high) / 6.
PERT_LAMBDA = 4.0

# exp() overflows a float64 just above this argument.
LOG_FLOAT_MAX = math.log(np.finfo(np.float64).max)

# The extreme variates that sampling passes to a quantile function: half the spacing of
# Generator.random() in place of 0, and the largest double below 1.
SMALLEST_UNIFORM = 2.0**-54
LARGEST_UNIFORM = 1.0 - 2.0**-53


@dataclass(frozen=True)
class Distribution:
    """One attacker number: a point mass or a named parametric family.

    ``parameters`` follow the scenario file: ``point (value,)``, ``uniform (low, high)``,
    ``triangular`` and ``pert (low, mode, high)``, ``normal (mean, sd)``,
    ``truncated_normal (loc, scale, low, high)`` with ``None`` for an open bound,
    ``lognormal (mu, sigma)`` in log space, ``beta (a, b, low, high)`` and
    ``piecewise_cdf (x0, F0, x1, F1, ..., xn, Fn)``: the points of a distribution function
    that is linear between them, with x and F non-decreasing, F0 = 0 and Fn = 1. Two points
    with the same x are a jump of F, a point mass.
    """

    kind: str
    parameters: tuple[float | None, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown distribution {self.kind!r}; expected one of {', '.join(KINDS)}")
        problem = _parameter_problem(self.kind, self.parameters)
        if problem:
            raise ValueError(f"{self.kind} {list(self.parameters)}: {problem}")

    @classmethod
    def point(cls, value: float) -> "Distribution":
        return cls("point", (float(value),))

    @property
    def is_point(self) -> bool:
        return self.kind == "point"

    def mean(self) -> float:
        p = self.parameters
        match self.kind:
            case "point":
                return p[0]
            case "uniform":
                return (p[0] + p[1]) / 2
            case "triangular":
                return (p[0] + p[1] + p[2]) / 3
            case "pert":
                return (p[0] + PERT_LAMBDA * p[1] + p[2]) / (PERT_LAMBDA + 2)
            case "normal":
                return p[0]
            case "truncated_normal":
                return float(_truncated_normal(p).mean())
            case "lognormal":
                return math.exp(p[0] + p[1] ** 2 / 2)
            case "beta":
                a, b, low, high = p
                return low + (high - low) * a / (a + b)
            case "piecewise_cdf":
                # Each segment is uniform, or a point mass where x repeats.
                xs, fs = piecewise_points(p)
                return float(np.sum(np.diff(fs) * (xs[:-1] + xs[1:]) / 2))
        raise AssertionError(self.kind)

    def support(self) -> tuple[float, float]:
        """Return the smallest interval holding every draw (bounds may be infinite)."""
        p = self.parameters
        match self.kind:
            case "point":
                return p[0], p[0]
            case "uniform":
                return p[0], p[1]
            case "triangular" | "pert":
                return p[0], p[2]
            case "normal":
                return -math.inf, math.inf
            case "truncated_normal":
                low = -math.inf if p[2] is None else p[2]
                high = math.inf if p[3] is None else p[3]
                return low, high
            case "lognormal":
                return 0.0, math.inf
            case "beta":
                return p[2], p[3]
            case "piecewise_cdf":
                # Flat stretches at F = 0 and F = 1 carry no probability.
                xs, fs = piecewise_points(p)
                first = int(np.searchsorted(fs, 0.0, side="right")) - 1
                last = int(np.searchsorted(fs, 1.0, side="left"))
                return float(xs[first]), float(xs[last])
        raise AssertionError(self.kind)

    def quantile(self, uniforms: np.ndarray) -> np.ndarray:
        """Map uniform variates in (0, 1) to draws by the inverse distribution function.

        NOTE: for PERT and beta, scipy's betaincinv returns NaN for some shapes below about
        1e-150; ``sample`` never passes a variate below ``SMALLEST_UNIFORM``.
        """
        u = np.asarray(uniforms, dtype=np.float64)
        p = self.parameters
        match self.kind:
            case "point":
                return np.full_like(u, p[0])
            case "uniform":
                return p[0] + (p[1] - p[0]) * u
            case "triangular":
                return _triangular_quantile(u, p[0], p[1], p[2])
            case "pert":
                low, mode, high = p
                alpha = 1 + PERT_LAMBDA * (mode - low) / (high - low)
                beta = 1 + PERT_LAMBDA * (high - mode) / (high - low)
                return low + (high - low) * special.betaincinv(alpha, beta, u)
            case "normal":
                return p[0] + p[1] * special.ndtri(u)
            case "truncated_normal":
                # The inverse can land a rounding error outside the bounds; clip it back.
                low, high = self.support()
                return np.clip(_truncated_normal(p).ppf(u), low, high)
            case "lognormal":
                return np.exp(p[0] + p[1] * special.ndtri(u))
            case "beta":
                a, b, low, high = p
                return low + (high - low) * special.betaincinv(a, b, u)
            case "piecewise_cdf":
                return piecewise_quantile(*piecewise_points(p), u)
        raise AssertionError(self.kind)

    def sample(self, generator: np.random.Generator, size: int) -> np.ndarray:
        if self.is_point:
            return np.full(size, self.parameters[0])
        return self.quantile(_open_uniforms(generator, size))


def _open_uniforms(generator: np.random.Generator, size: int) -> np.ndarray:
    # Generator.random() returns multiples of 2**-53 in [0, 1); 0 would map to -inf for
    # unbounded families. Half a step keeps the order and stays far from the subnormal
    # range, where scipy's betaincinv returns NaN.
    u = generator.random(size)
    return np.where(u == 0.0, SMALLEST_UNIFORM, u)


def _triangular_quantile(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    width = high - low
    split = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < split, left, right)


def piecewise_points(parameters: tuple[float | None, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Split the flattened parameters (x0, F0, x1, F1, ...) into the arrays of x and of F."""
    flat = np.asarray(parameters, dtype=np.float64)
    return flat[0::2], flat[1::2]


def piecewise_quantile(xs: np.ndarray, fs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return inf{x : F(x) >= u}, the left-continuous inverse of a piecewise-linear F.

    The result is non-decreasing in u, and u = 0 gives the lower end of the support, the last x
    with F = 0. For u > 0 the point before the first point with F >= u has F < u, so the
    segment between them rises and the division is safe.
    """
    u = np.asarray(u, dtype=np.float64)
    j = np.searchsorted(fs, u, side="left")
    right = np.clip(j, 1, len(xs) - 1)
    x0, x1, f0, f1 = xs[right - 1], xs[right], fs[right - 1], fs[right]
    rise = np.where(f1 > f0, f1 - f0, 1.0)
    interpolated = x0 + (x1 - x0) * np.clip((u - f0) / rise, 0.0, 1.0)
    lowest = xs[np.searchsorted(fs, 0.0, side="right") - 1]
    return np.where(j == 0, lowest, interpolated)


def _truncated_normal(p: tuple[float | None, ...]):
    loc, scale, low, high = p
    a = -np.inf if low is None else (low - loc) / scale
    b = np.inf if high is None else (high - loc) / scale
    return stats.truncnorm(a, b, loc=loc, scale=scale)


def _parameter_problem(kind: str, p: tuple[float | None, ...]) -> str | None:
    """Return why the parameters are invalid for the family, or None when they are valid."""
    if kind == "piecewise_cdf":
        return _piecewise_problem(p)
    expected_counts = {"point": 1, "uniform": 2, "triangular": 3, "pert": 3, "normal": 2,
                       "truncated_normal": 4, "lognormal": 2, "beta": 4}
    if len(p) != expected_counts[kind]:
        return f"expected {expected_counts[kind]} parameters, got {len(p)}"
    nullable = {2, 3} if kind == "truncated_normal" else set()
    for index, value in enumerate(p):
        if value is None and index in nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"parameter {index + 1} must be a finite number, got {value!r}"

    match kind:
        case "uniform":
            if not p[0] < p[1]:
                return "low must be less than high"
        case "triangular" | "pert":
            if not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
                return "expected low <= mode <= high with low < high"
        case "normal":
            if not p[1] > 0:
                return "the standard deviation must be positive"
        case "truncated_normal":
            if not p[1] > 0:
                return "the scale must be positive"
            if p[2] is not None and p[3] is not None and not p[2] < p[3]:
                return "the lower bound must be less than the upper bound"
            if not math.isfinite(_truncated_normal(p).mean()):
                return "the interval carries no probability mass of the parent normal"
        case "lognormal":
            if not p[1] > 0:
                return "sigma must be positive"
            if p[0] + p[1] ** 2 / 2 >= LOG_FLOAT_MAX:
                return "the mean exp(mu + sigma^2 / 2) is not finite in double precision"
            if p[0] + p[1] * float(special.ndtri(LARGEST_UNIFORM)) >= LOG_FLOAT_MAX:
                return "the largest draw exp(mu + 8.2·sigma) is not finite in double precision"
        case "beta":
            if not (p[0] > 0 and p[1] > 0):
                return "the shape parameters a and b must be positive"
            if not p[2] < p[3]:
                return "low must be less than high"
    return None


def _piecewise_problem(p: tuple[float | None, ...]) -> str | None:
    if len(p) % 2 or not 4 <= len(p) <= 2 * MAX_PIECEWISE_POINTS:
        return f"expected 2 to {MAX_PIECEWISE_POINTS} points (x, F) as an even number of parameters, got {len(p)}"
    for index, value in enumerate(p):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"parameter {index + 1} must be a finite number, got {value!r}"
    xs, fs = piecewise_points(p)
    if fs[0] != 0 or fs[-1] != 1:
        return "F must start at 0 and end at 1"
    if np.any(np.diff(xs) < 0):
        return "x must be non-decreasing"
    if np.any(np.diff(fs) < 0):
        return "F must be non-decreasing"
    return None
