"""Pooling of expert judgements from elicitation workshops.

The functions here turn the judgements of one round into group estimates and into the feedback
that Delphi and IDEA rounds show the panel. They import no Django and compute everything
exactly: mixtures and quantile averages of piecewise-linear distribution functions are again
piecewise linear, so they are built on the union of the experts' breakpoints, never sampled.

Judgements:

* a four-step interval (lowest plausible, highest plausible, best guess and the confidence
  that the truth lies in the interval) of the IDEA protocol, Hemming et al. (2018), "A
  practical guide to structured expert elicitation using the IDEA protocol", Methods in
  Ecology and Evolution 9:169-180, https://doi.org/10.1111/2041-210X.12857;
* a point value, pooled by its weighted mean;
* an ordinal category (a band of the risk matrix), pooled by its weighted median.

Pools of distributions:

* the linear opinion pool, the weighted mixture of the experts' distribution functions, as in
  the SHELF framework (O'Hagan et al., https://shelf.sites.sheffield.ac.uk/) and Cooke's
  classical model (Cooke 1991, "Experts in Uncertainty"; ANDURYL,
  https://github.com/grongen/anduryl);
* quantile averaging (Vincentisation), the weighted mean of the experts' quantile functions,
  whose variance never exceeds the linear pool's.

An interval becomes a distribution by the minimum-information rule of Cooke's classical
model: given the quantiles that the interval states, the density is uniform between them and
on a common background range that extends every expert's interval by a fixed overshoot.

Weights are non-negative and normalised to sum to 1; equal weights are the default. Every
function raises ``PoolingError`` (a ``ValueError``) that names the field, the value and the
broken rule, and a round without judgements is an error.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np

from riskapp.engines.distributions import MAX_PIECEWISE_POINTS, piecewise_quantile

# Two cumulative shares of the (normalised) weight closer than this count as equal when the
# weighted median decides a tie.
TIE_TOLERANCE = 1e-12

Bounds = tuple[float | None, float | None]


class PoolingError(ValueError):
    """Invalid judgements or options: the message names the field, the value and the rule."""


def _empty_round(field: str) -> PoolingError:
    return PoolingError(f"{field}: the round is empty; at least one judgement is needed to pool")


# Judgements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """An IDEA four-step judgement: the truth lies in [low, high] with probability ``confidence``."""

    low: float
    best: float
    high: float
    confidence: float


def check_interval(low: float, best: float, high: float, confidence: float, *,
                   bounds: Bounds = (None, None)) -> Interval:
    """Validate a four-step judgement and return it as an ``Interval``.

    ``confidence`` lies in (0, 1]. A confidence of 1 is allowed for every interval and means
    that the expert rules out any value outside [low, high]; ``interval_distribution`` then
    puts no probability outside it. ``bounds`` are the values the quantity can take, each end
    ``None`` when open: (0, 1) for probabilities, (0, None) for losses and costs.

    Raises ``PoolingError`` for a non-finite value, low above high, a best guess outside
    [low, high], a confidence outside (0, 1] or a value outside ``bounds``.
    """
    values = {"low": low, "best": best, "high": high, "confidence": confidence}
    for name, value in values.items():
        _check_finite(name, value)
    lower, upper = _check_bounds(bounds)

    if low > high:
        raise PoolingError(f"low: {low} exceeds high {high}; the lowest plausible value must be <= the highest")
    if not low <= best <= high:
        raise PoolingError(f"best: {best} lies outside [low, high] = [{low}, {high}]; "
                           "the best guess must lie in the interval")
    if not 0 < confidence <= 1:
        raise PoolingError(f"confidence: {confidence} lies outside (0, 1]; give the probability "
                           "that the interval holds the true value, as a fraction above 0 and at most 1")
    for name in ("low", "best", "high"):
        value = values[name]
        if lower is not None and value < lower:
            raise PoolingError(f"{name}: {value} is below the lower bound {lower} of this quantity")
        if upper is not None and value > upper:
            raise PoolingError(f"{name}: {value} is above the upper bound {upper} of this quantity")
    return Interval(low=float(low), best=float(best), high=float(high), confidence=float(confidence))


def _check_finite(field: str, value: float) -> None:
    # Decimal is accepted because Django's DecimalField returns it.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        raise PoolingError(f"{field}: {value!r} is not a number")
    if not math.isfinite(value):
        raise PoolingError(f"{field}: {value} is not a finite number")


def _check_bounds(bounds: Bounds) -> Bounds:
    lower, upper = bounds
    if lower is not None:
        _check_finite("bounds[0]", lower)
    if upper is not None:
        _check_finite("bounds[1]", upper)
    if lower is not None and upper is not None and lower > upper:
        raise PoolingError(f"bounds: {list(bounds)} is an inverted range; the lower bound must be <= the upper")
    return lower, upper


# Piecewise-linear distributions -------------------------------------------------------------


@dataclass(frozen=True)
class PiecewiseLinearCdf:
    """A distribution whose distribution function F is linear between the given points.

    ``points`` are ``(x, F(x))`` pairs with x and F non-decreasing, the first F exactly 0 and
    the last exactly 1. Two consecutive points with the same x are a jump of F, that is a
    point mass of their difference in F; a distribution with a single x is a point mass.
    F is right-continuous and the quantile function is its left-continuous inverse.
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        problem = piecewise_problem(self.points)
        if problem:
            raise PoolingError(f"points: {problem}")
        # Lists and numpy numbers become a tuple of float pairs, so equal distributions compare equal.
        object.__setattr__(self, "points", tuple((float(x), float(f)) for x, f in self.points))

    @classmethod
    def point_mass(cls, value: float) -> "PiecewiseLinearCdf":
        return cls(((float(value), 0.0), (float(value), 1.0)))

    @property
    def xs(self) -> np.ndarray:
        return np.array([x for x, _ in self.points])

    @property
    def fs(self) -> np.ndarray:
        return np.array([f for _, f in self.points])

    @property
    def is_point_mass(self) -> bool:
        return self.points[0][0] == self.points[-1][0]

    def support(self) -> tuple[float, float]:
        """Return the smallest interval that contains all the probability."""
        return _support(self.xs, self.fs)

    def cdf(self, x):
        """Return F(x) = P(X <= x) for a number or an array of numbers; x may be infinite."""
        values = np.asarray(x, dtype=np.float64)
        if np.any(np.isnan(values)):
            raise PoolingError(f"x: {x} is not a number")
        return _scalar_or_array(_cdf(self.xs, self.fs, values), x)

    def quantile(self, p):
        """Return the smallest x with F(x) >= p for p in [0, 1]; quantile(0) is the support's lower end."""
        levels = np.asarray(p, dtype=np.float64)
        if np.any(~(levels >= 0) | ~(levels <= 1)):
            raise PoolingError(f"p: {p} must lie in [0, 1]")
        return _scalar_or_array(piecewise_quantile(self.xs, self.fs, levels), p)

    def mean(self) -> float:
        """Return the exact mean: each segment is uniform and each jump a point mass."""
        xs, fs = self.xs, self.fs
        masses = np.diff(fs)
        return float(np.sum(masses * (xs[:-1] + xs[1:]) / 2))

    def variance(self) -> float:
        """Return the exact variance, summed segment by segment around the mean."""
        xs, fs = self.xs, self.fs
        masses = np.diff(fs)
        left = xs[:-1] - self.mean()
        right = xs[1:] - self.mean()
        # A uniform variable on [a, b] has E[X^2] = (a^2 + ab + b^2) / 3.
        return float(max(0.0, np.sum(masses * (left**2 + left * right + right**2) / 3)))

    def median(self) -> float:
        return float(self.quantile(0.5))


def piecewise_problem(points: Sequence[Sequence[float]]) -> str | None:
    """Return why ``points`` do not define a piecewise-linear distribution function, or None."""
    if len(points) < 2:
        return f"has {len(points)} point(s); a distribution function needs at least 2"
    for index, point in enumerate(points):
        if len(point) != 2:
            return f"point {index} is {point!r}; write each point as (x, F)"
        for value in point:
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value):
                return f"point {index} is {tuple(point)!r}; x and F must be finite numbers"
    if points[0][1] != 0:
        return f"starts at F = {points[0][1]}; the first point must have F = 0"
    if points[-1][1] != 1:
        return f"ends at F = {points[-1][1]}; the last point must have F = 1"
    for index in range(1, len(points)):
        (x0, f0), (x1, f1) = points[index - 1], points[index]
        if x1 < x0:
            return f"x decreases from {x0} to {x1} at point {index}; x must be non-decreasing"
        if f1 < f0:
            return f"F decreases from {f0} to {f1} at point {index}; F must be non-decreasing"
    return None


def _scalar_or_array(values: np.ndarray, argument):
    return float(values) if np.ndim(argument) == 0 else values


def _support(xs: np.ndarray, fs: np.ndarray) -> tuple[float, float]:
    # Flat stretches at F = 0 or F = 1 carry no probability.
    first = int(np.searchsorted(fs, 0.0, side="right")) - 1
    last = int(np.searchsorted(fs, 1.0, side="left"))
    return float(xs[first]), float(xs[last])


def _cdf(xs: np.ndarray, fs: np.ndarray, x: np.ndarray) -> np.ndarray:
    # i is the last point at or left of x. The next point lies strictly right of x, so the
    # slope never divides by zero, and a jump at x counts in full (right-continuity).
    i = np.searchsorted(xs, x, side="right") - 1
    inside = (i >= 0) & (i < len(xs) - 1)
    left = np.clip(i, 0, len(xs) - 2)
    x0, x1, f0, f1 = xs[left], xs[left + 1], fs[left], fs[left + 1]
    width = np.where(inside, x1 - x0, 1.0)
    interpolated = f0 + (f1 - f0) * np.clip((x - x0) / width, 0.0, 1.0)
    return np.where(i < 0, 0.0, np.where(inside, interpolated, 1.0))


def _cdf_left(xs: np.ndarray, fs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return the left limit F(x-) = P(X < x)."""
    # j is the first point at or right of x. When it sits exactly at x, its F is the left
    # limit. Otherwise x lies strictly inside a segment, where F is continuous.
    j = np.searchsorted(xs, x, side="left")
    beyond = j >= len(xs)
    right = np.clip(j, 1, len(xs) - 1)
    x0, x1, f0, f1 = xs[right - 1], xs[right], fs[right - 1], fs[right]
    width = np.where(x1 > x0, x1 - x0, 1.0)
    interpolated = f0 + (f1 - f0) * np.clip((x - x0) / width, 0.0, 1.0)
    at_point = ~beyond & (xs[np.minimum(j, len(xs) - 1)] == x)
    value = np.where(at_point, fs[np.minimum(j, len(xs) - 1)], interpolated)
    return np.where(beyond, 1.0, np.where(j == 0, 0.0, value))


def _quantile_right(xs: np.ndarray, fs: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Return inf{x : F(x) > p}, the right limit of the quantile function; p = 1 gives quantile(1)."""
    j = np.searchsorted(fs, p, side="right")
    at_top = j >= len(xs)
    right = np.clip(j, 1, len(xs) - 1)
    x0, x1, f0, f1 = xs[right - 1], xs[right], fs[right - 1], fs[right]
    rise = np.where(f1 > f0, f1 - f0, 1.0)
    interpolated = x0 + (x1 - x0) * np.clip((p - f0) / rise, 0.0, 1.0)
    return np.where(at_top, piecewise_quantile(xs, fs, p), interpolated)


def _from_points(xs: Sequence[float] | np.ndarray, fs: Sequence[float] | np.ndarray) -> PiecewiseLinearCdf:
    """Build a distribution from computed points, removing redundant ones.

    Rounding in weighted sums can break monotonicity by an ulp, so both coordinates are made
    non-decreasing, F is clipped to [0, 1], and the ends are set to exactly 0 and 1.
    """
    x = np.maximum.accumulate(np.asarray(xs, dtype=np.float64))
    f = np.maximum.accumulate(np.clip(np.asarray(fs, dtype=np.float64), 0.0, 1.0))
    f[0] = 0.0
    f[-1] = 1.0
    return PiecewiseLinearCdf(_compact(list(zip(x.tolist(), f.tolist(), strict=True))))


def _compact(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Drop repeated points and the inner points of flat and vertical runs; F is unchanged."""
    kept: list[tuple[float, float]] = []
    for point in points:
        if kept and point == kept[-1]:
            continue
        if len(kept) >= 2:
            (xa, fa), (xb, fb) = kept[-2], kept[-1]
            if (xa == xb == point[0]) or (fa == fb == point[1]):
                kept[-1] = point
                continue
        kept.append(point)
    if len(kept) == 1:
        kept.append(kept[0])
    return tuple(kept)


# Intervals to distributions -----------------------------------------------------------------


def background_range(intervals: Sequence[Interval], *, overshoot: float = 0.1,
                     bounds: Bounds = (None, None)) -> tuple[float, float]:
    """Return the common support of a round's interval distributions.

    The range [min low, max high] of all intervals is widened on each side by ``overshoot``
    times its length, Cooke's intrinsic range (10% by default, as in ANDURYL's settings,
    https://github.com/grongen/anduryl), and then clipped to ``bounds``. When every interval
    is the same single point, the range is that point.
    """
    if not intervals:
        raise _empty_round("intervals")
    _check_finite("overshoot", overshoot)
    if overshoot < 0:
        raise PoolingError(f"overshoot: {overshoot} is negative; the overshoot must be >= 0")
    lower, upper = _check_bounds(bounds)

    low = min(interval.low for interval in intervals)
    high = max(interval.high for interval in intervals)
    margin = overshoot * (high - low)
    low, high = low - margin, high + margin
    if lower is not None:
        low = max(low, lower)
    if upper is not None:
        high = min(high, upper)
    return low, high


def interval_distribution(interval: Interval, *, support: tuple[float, float]) -> PiecewiseLinearCdf:
    """Return the minimum-information distribution of a four-step judgement.

    With confidence c, the distribution function takes the values F(support low) = 0,
    F(low) = (1 - c) / 2, F(best) = 1/2, F(high) = (1 + c) / 2 and F(support high) = 1, and is
    linear in between: the best guess is the median and the interval is central. Points that
    coincide (low = best, low at the edge of the support, a single-point interval) make F jump
    there, so the probability between them becomes a point mass at that value; this is the limit
    of the distribution as the points approach each other and needs no division by a width.
    With c = 1 the distribution lies within [low, high].

    Raises ``PoolingError`` when the support does not contain the interval.
    """
    support_low, support_high = support
    _check_finite("support[0]", support_low)
    _check_finite("support[1]", support_high)
    if not support_low <= interval.low <= interval.high <= support_high:
        raise PoolingError(f"support: [{support_low}, {support_high}] does not contain the interval "
                           f"[{interval.low}, {interval.high}]; use background_range of the whole round")

    c = interval.confidence
    xs = [support_low, interval.low, interval.best, interval.high, support_high]
    fs = [0.0, (1 - c) / 2, 0.5, (1 + c) / 2, 1.0]
    return _from_points(xs, fs)


# Weights and pools --------------------------------------------------------------------------


def normalise_weights(weights: Sequence[float] | None, count: int) -> tuple[float, ...]:
    """Return ``count`` non-negative weights that sum to 1; ``None`` gives equal weights.

    Raises ``PoolingError`` for an empty round, a wrong number of weights, or weights that are
    negative, not finite or all zero.
    """
    if count == 0:
        raise _empty_round("weights")
    if weights is None:
        return (1.0 / count,) * count
    if len(weights) != count:
        raise PoolingError(f"weights: {len(weights)} weights given for {count} judgements; "
                           "give one weight per judgement")
    for index, weight in enumerate(weights):
        _check_finite(f"weights[{index}]", weight)
        if weight < 0:
            raise PoolingError(f"weights[{index}]: {weight} is negative; weights must be >= 0")
    total = math.fsum(weights)
    if total == 0:
        raise PoolingError(f"weights: {list(weights)} are all zero; at least one weight must be positive")
    return tuple(float(weight) / total for weight in weights)


def _weighted(distributions: Sequence[PiecewiseLinearCdf],
              weights: Sequence[float] | None) -> list[tuple[PiecewiseLinearCdf, float]]:
    """Pair each distribution with its normalised weight, leaving out those of weight 0."""
    normalised = normalise_weights(weights, len(distributions))
    return [(d, w) for d, w in zip(distributions, normalised, strict=True) if w > 0]


def linear_pool(distributions: Sequence[PiecewiseLinearCdf],
                weights: Sequence[float] | None = None) -> PiecewiseLinearCdf:
    """Return the linear opinion pool F(x) = sum of w_i F_i(x), exactly.

    Between two consecutive breakpoints of all the experts every F_i is linear, so the mixture
    is too. At each breakpoint both the left limit and the value enter, which keeps the jumps of
    point masses. Experts of weight 0 do not widen the support.
    """
    pairs = _weighted(distributions, weights)
    breakpoints = np.unique(np.concatenate([d.xs for d, _ in pairs]))

    left = sum(w * _cdf_left(d.xs, d.fs, breakpoints) for d, w in pairs)
    value = sum(w * _cdf(d.xs, d.fs, breakpoints) for d, w in pairs)
    xs = np.repeat(breakpoints, 2)
    fs = np.column_stack([left, value]).ravel()
    return _from_points(xs, fs)


def quantile_average(distributions: Sequence[PiecewiseLinearCdf],
                     weights: Sequence[float] | None = None) -> PiecewiseLinearCdf:
    """Return the distribution whose quantile function is the mean of w_i Q_i(p) (Vincentisation).

    Each Q_i is linear in p between the F values of its points, so the average is linear between
    the union of those levels. A flat stretch of some F_i makes Q_i jump, which appears as a flat
    stretch of the pooled F; both the value and the right limit of Q enter at each level. The
    pooled mean is the weighted mean of the experts' means.
    """
    pairs = _weighted(distributions, weights)
    levels = np.unique(np.concatenate([d.fs for d, _ in pairs]))

    value = sum(w * piecewise_quantile(d.xs, d.fs, levels) for d, w in pairs)
    right = sum(w * _quantile_right(d.xs, d.fs, levels) for d, w in pairs)
    xs = np.column_stack([value, right]).ravel()
    fs = np.repeat(levels, 2)
    return _from_points(xs, fs)


def pool_points(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Return the weighted arithmetic mean of point judgements (their linear pool)."""
    normalised = normalise_weights(weights, len(values))
    for index, value in enumerate(values):
        _check_finite(f"values[{index}]", value)
    return math.fsum(w * float(v) for v, w in zip(values, normalised, strict=True))


def pool_ordinal(categories: Sequence[int], weights: Sequence[float] | None = None) -> int:
    """Return the weighted median of ordinal categories (indices of risk-matrix bands, say).

    The median is a category c with at least half the weight at or below c and at least half at
    or above. When the weight splits exactly in half between two categories, the higher one is
    returned: with bands ordered from lowest to highest risk, as riskapp's matrices order them,
    a tie resolves to the more precautionary rating. Shares of the weight are compared with a
    tolerance of ``TIE_TOLERANCE``.
    """
    normalised = normalise_weights(weights, len(categories))
    _check_categories(categories, None)

    by_category: dict[int, float] = {}
    for category, weight in zip(categories, normalised, strict=True):
        if weight > 0:
            by_category[int(category)] = by_category.get(int(category), 0.0) + weight

    # Return the highest category with at least half the weight at or above it. The normalised
    # weights sum to 1 up to rounding, which the tolerance absorbs.
    above = 0.0
    for category in sorted(by_category, reverse=True):
        above += by_category[category]
        if above >= 0.5 - TIE_TOLERANCE:
            return category
    raise AssertionError("the weights sum to 1, so some category has half of them at or above it")


def _check_categories(categories: Sequence[int], category_count: int | None) -> None:
    for index, category in enumerate(categories):
        if isinstance(category, bool) or not isinstance(category, (int, np.integer)):
            raise PoolingError(f"categories[{index}]: {category!r} is not a whole number; "
                               "give the index of the category")
        if category < 0 or (category_count is not None and category >= category_count):
            top = "" if category_count is None else f" and < {category_count}"
            raise PoolingError(f"categories[{index}]: {category} is not a category index; "
                               f"indices must be >= 0{top}")


# Feedback statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """The spread of a round's numbers, as Delphi feedback shows it.

    Quartiles use numpy's default "linear" method (type 7 of Hyndman and Fan 1996).
    ``outliers`` are the indices of the values outside Tukey's fences q1 - 1.5·iqr and
    q3 + 1.5·iqr.
    """

    count: int
    median: float
    q1: float
    q3: float
    iqr: float
    low: float
    high: float
    outliers: tuple[int, ...]


def spread(values: Sequence[float]) -> Spread:
    """Return the count, median, quartiles, range and Tukey outliers of ``values``."""
    if len(values) == 0:
        raise _empty_round("values")
    for index, value in enumerate(values):
        _check_finite(f"values[{index}]", value)

    array = np.asarray(values, dtype=np.float64)
    q1, median, q3 = (float(q) for q in np.percentile(array, [25, 50, 75], method="linear"))
    iqr = q3 - q1
    low_fence, high_fence = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    outliers = tuple(int(i) for i in np.flatnonzero((array < low_fence) | (array > high_fence)))
    return Spread(count=len(array), median=median, q1=q1, q3=q3, iqr=iqr,
                  low=float(array.min()), high=float(array.max()), outliers=outliers)


def outside_iqr(value: float, spread: Spread) -> bool:
    """Tell whether ``value`` lies outside the interquartile range [q1, q3] of a round.

    A revised judgement outside it is asked for a rationale.
    """
    return value < spread.q1 or value > spread.q3


@dataclass(frozen=True)
class OrdinalAgreement:
    """Agreement of a panel's ordinal votes (Delphi feedback and stopping rules).

    ``counts[k]`` is the number of votes for category k. ``modal_categories`` lists every
    category with the maximum number of votes, lowest first, and ``modal_share`` is the share
    of votes in one modal category. ``median`` follows ``pool_ordinal`` with equal weights and the quartiles
    follow ``spread``.
    """

    count: int
    counts: tuple[int, ...]
    median: int
    modal_categories: tuple[int, ...]
    modal_share: float
    q1: float
    q3: float
    iqr: float


def ordinal_agreement(categories: Sequence[int], category_count: int) -> OrdinalAgreement:
    """Return the median, modal share and interquartile range of ordinal votes.

    Categories are indices 0 to ``category_count`` - 1. Delphi panels often stop when the
    modal share reaches a threshold fixed in advance (70 to 80%) or the IQR is at most 1.
    """
    if isinstance(category_count, bool) or not isinstance(category_count, int) or category_count < 1:
        raise PoolingError(f"category_count: {category_count!r} must be a whole number >= 1")
    if len(categories) == 0:
        raise _empty_round("categories")
    _check_categories(categories, category_count)

    counts = np.bincount(np.asarray(categories, dtype=np.int64), minlength=category_count)
    most = int(counts.max())
    quartiles = spread([float(c) for c in categories])
    return OrdinalAgreement(
        count=len(categories),
        counts=tuple(int(n) for n in counts),
        median=pool_ordinal(categories),
        modal_categories=tuple(int(k) for k in np.flatnonzero(counts == most)),
        modal_share=most / len(categories),
        q1=quartiles.q1,
        q3=quartiles.q3,
        iqr=quartiles.iqr,
    )


@dataclass(frozen=True)
class IntervalConsensus:
    """How far a round's four-step intervals agree.

    ``best`` is the spread of the best guesses. ``common_low`` and ``common_high`` are the
    largest low and the smallest high: every interval contains [common_low, common_high] when
    ``all_overlap`` is true. ``overlap_share`` is that common part's length over the length of
    the range [min low, max high] of all intervals (0 when they do not all overlap, 1 when every
    interval is the same single point). ``median_coverage`` is the share of intervals that
    contain the median best guess.
    """

    count: int
    best: Spread
    common_low: float
    common_high: float
    all_overlap: bool
    overlap_share: float
    median_coverage: float


def interval_consensus(intervals: Sequence[Interval]) -> IntervalConsensus:
    """Return the spread of the best guesses and the overlap of a round's intervals."""
    if len(intervals) == 0:
        raise _empty_round("intervals")

    best = spread([interval.best for interval in intervals])
    common_low = max(interval.low for interval in intervals)
    common_high = min(interval.high for interval in intervals)
    all_overlap = common_low <= common_high
    total_length = max(i.high for i in intervals) - min(i.low for i in intervals)
    if not all_overlap:
        overlap_share = 0.0
    elif total_length == 0:
        overlap_share = 1.0
    else:
        overlap_share = (common_high - common_low) / total_length
    covering = sum(1 for i in intervals if i.low <= best.median <= i.high)
    return IntervalConsensus(
        count=len(intervals),
        best=best,
        common_low=common_low,
        common_high=common_high,
        all_overlap=all_overlap,
        overlap_share=overlap_share,
        median_coverage=covering / len(intervals),
    )


# Scenario file ------------------------------------------------------------------------------


def to_scenario_number(cdf: PiecewiseLinearCdf, *, digits: int = 10) -> dict[str, list[list[Decimal]]] | Decimal:
    """Write a distribution as an attacker number of the scenario file.

    Returns ``{"piecewise_cdf": [[x0, 0], ..., [xn, 1]]}`` with every number a ``Decimal``
    rounded to ``digits`` significant digits, so that the file states exactly what is stored.
    Rounding to significant digits is monotone, so x and F stay non-decreasing. The first F is
    exactly 0 and the last exactly 1, and points that rounding makes equal are merged. A point
    mass becomes a plain number.

    Raises ``PoolingError`` when ``digits`` is not in 1..17 or the distribution has more than
    ``MAX_PIECEWISE_POINTS`` points after rounding.
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise PoolingError(f"digits: {digits!r} must be a whole number from 1 to 17")
    if cdf.is_point_mass:
        return _rounded(cdf.points[0][0], digits)

    rounded = [(_rounded(x, digits), _rounded(f, digits)) for x, f in cdf.points]
    rounded[0] = (rounded[0][0], Decimal(0))
    rounded[-1] = (rounded[-1][0], Decimal(1))
    points: list[tuple[Decimal, Decimal]] = []
    for point in rounded:
        if not points or point != points[-1]:
            points.append(point)

    if len({x for x, _ in points}) == 1:
        return points[0][0]
    if len(points) > MAX_PIECEWISE_POINTS:
        raise PoolingError(f"points: {len(points)} points exceed the limit of {MAX_PIECEWISE_POINTS} "
                           "for a piecewise_cdf in a scenario file")
    return {"piecewise_cdf": [[x, f] for x, f in points]}


def _rounded(value: float, digits: int) -> Decimal:
    """Round a float to ``digits`` significant digits, without trailing zeros or exponent where possible."""
    with localcontext() as context:
        context.prec = digits
        number = context.plus(Decimal(value))
    if number == 0:
        return Decimal(0)
    number = number.normalize()
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > 0 and abs(number) < Decimal("1e17"):
        # Write 1E+2 as 100, which reads better in a scenario file; both are exact.
        number = number.quantize(Decimal(1))
    return number
