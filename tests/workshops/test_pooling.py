"""Pooling of expert judgements: intervals, linear pool, quantile averaging and feedback statistics.

The expected values are computed by hand in the comments. Means are checked a second time by
scipy's quadrature of 1 - F, which does not use the piecewise structure.
"""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate

from riskapp.engines.distributions import MAX_PIECEWISE_POINTS
from riskapp.workshops.pooling import (
    Interval,
    PiecewiseLinearCdf,
    PoolingError,
    background_range,
    check_interval,
    interval_consensus,
    interval_distribution,
    linear_pool,
    normalise_weights,
    ordinal_agreement,
    outside_iqr,
    pool_ordinal,
    pool_points,
    quantile_average,
    spread,
    to_scenario_number,
)

# Two experts on a common support [0, 12]: the range [2, 10] widened by 25% of its length.
EXPERT_A = check_interval(2, 4, 8, 0.8)
EXPERT_B = check_interval(3, 5, 10, 0.6)
SUPPORT = (0.0, 12.0)


def expert_a() -> PiecewiseLinearCdf:
    # F: (0, 0), (2, 0.1), (4, 0.5), (8, 0.9), (12, 1).
    return interval_distribution(EXPERT_A, support=SUPPORT)


def expert_b() -> PiecewiseLinearCdf:
    # F: (0, 0), (3, 0.2), (5, 0.5), (10, 0.8), (12, 1).
    return interval_distribution(EXPERT_B, support=SUPPORT)


def quadrature_mean(distribution: PiecewiseLinearCdf) -> float:
    """Return E[X] = integral of 1 - F over [0, upper end] for X >= 0."""
    low, high = distribution.support()
    assert low >= 0
    breakpoints = sorted({x for x, _ in distribution.points if 0 < x < high})
    value, _ = integrate.quad(lambda x: 1 - distribution.cdf(x), 0, high, points=breakpoints or None, limit=500)
    return value


# Four-step judgements ---------------------------------------------------------------------


def test_check_interval_returns_floats():
    interval = check_interval(1, 2, 3, 0.8)
    assert interval == Interval(low=1.0, best=2.0, high=3.0, confidence=0.8)


def test_check_interval_accepts_decimal():
    interval = check_interval(Decimal("0.1"), Decimal("0.2"), Decimal("0.5"), Decimal("0.9"), bounds=(0, 1))
    assert interval == Interval(low=0.1, best=0.2, high=0.5, confidence=0.9)


def test_check_interval_low_above_high():
    with pytest.raises(PoolingError, match=r"^low: 9 exceeds high 3"):
        check_interval(9, 5, 3, 0.8)


@pytest.mark.parametrize(("arguments", "bounds", "message"), [
    ((1, 5, 3, 0.8), (None, None), r"^best: 5 lies outside \[low, high\] = \[1, 3\]"),
    ((1, 2, 3, 0.0), (None, None), r"^confidence: 0.0 lies outside \(0, 1\]"),
    ((1, 2, 3, 1.5), (None, None), r"^confidence: 1.5 lies outside \(0, 1\]"),
    ((float("nan"), 2, 3, 0.5), (None, None), r"^low: nan is not a finite number"),
    ((1, 2, float("inf"), 0.5), (None, None), r"^high: inf is not a finite number"),
    ((1, True, 3, 0.5), (None, None), r"^best: True is not a number"),
    ((-0.1, 0.2, 0.5, 0.5), (0, 1), r"^low: -0.1 is below the lower bound 0"),
    ((0.1, 0.2, 1.5, 0.5), (0, 1), r"^high: 1.5 is above the upper bound 1"),
    ((1, 2, 3, 0.5), (2, 1), r"^bounds: \[2, 1\] is an inverted range"),
])
def test_check_interval_rejects(arguments, bounds, message):
    with pytest.raises(PoolingError, match=message):
        check_interval(*arguments, bounds=bounds)


def test_check_interval_allows_full_confidence_and_single_point():
    assert check_interval(1, 2, 3, 1).confidence == 1.0
    assert check_interval(0, 0, 0, 0.5, bounds=(0, 1)).high == 0.0


def test_pooling_error_is_value_error():
    assert issubclass(PoolingError, ValueError)


# Background range and interval distributions ---------------------------------------------


def test_background_range_widens_by_overshoot():
    # [2, 10] has length 8; 10% of it on each side.
    low, high = background_range([EXPERT_A, EXPERT_B])
    assert low == pytest.approx(1.2, abs=1e-15)
    assert high == pytest.approx(10.8, abs=1e-15)
    assert background_range([EXPERT_A, EXPERT_B], overshoot=0.25) == SUPPORT


def test_background_range_clipped_to_bounds():
    intervals = [check_interval(0.0, 0.1, 0.5, 0.9, bounds=(0, 1)), check_interval(0.2, 0.6, 1.0, 0.9, bounds=(0, 1))]
    assert background_range(intervals, bounds=(0, 1)) == (0.0, 1.0)


def test_background_range_of_one_point():
    assert background_range([check_interval(4, 4, 4, 0.5)]) == (4.0, 4.0)


def test_background_range_rejects():
    with pytest.raises(PoolingError, match=r"^intervals: the round is empty"):
        background_range([])
    with pytest.raises(PoolingError, match=r"^overshoot: -0.1 is negative"):
        background_range([EXPERT_A], overshoot=-0.1)


def test_interval_distribution_points():
    assert expert_a().points == ((0.0, 0.0), (2.0, 0.09999999999999998), (4.0, 0.5), (8.0, 0.9), (12.0, 1.0))
    assert_allclose(expert_b().fs, [0, 0.2, 0.5, 0.8, 1], rtol=0, atol=1e-15)


def test_interval_distribution_quantiles_are_the_judgement():
    distribution = expert_a()
    assert distribution.median() == 4.0
    assert distribution.quantile(0.1) == pytest.approx(2.0, abs=1e-14)
    assert distribution.quantile(0.9) == pytest.approx(8.0, abs=1e-14)


def test_interval_distribution_mean_by_hand():
    # A: 0.1·1 + 0.4·3 + 0.4·6 + 0.1·10 = 4.7; B: 0.2·1.5 + 0.3·4 + 0.3·7.5 + 0.2·11 = 5.95.
    assert expert_a().mean() == pytest.approx(4.7, rel=1e-14)
    assert expert_b().mean() == pytest.approx(5.95, rel=1e-14)
    assert quadrature_mean(expert_a()) == pytest.approx(4.7, rel=1e-10)
    assert quadrature_mean(expert_b()) == pytest.approx(5.95, rel=1e-10)


def test_interval_distribution_at_bound_is_point_mass():
    # low = best = 0 = the support's lower end: the tail 0.05 and the 0.45 between low and best
    # become a point mass of 0.5 at 0. Support [0, 0.22]; mean 0.45·0.1 + 0.05·0.21 = 0.0555.
    interval = check_interval(0, 0, 0.2, 0.9, bounds=(0, 1))
    support = background_range([interval], bounds=(0, 1))
    distribution = interval_distribution(interval, support=support)
    assert distribution.points == ((0.0, 0.0), (0.0, 0.5), (0.2, 0.95), (0.22000000000000003, 1.0))
    assert distribution.cdf(0.0) == 0.5
    assert distribution.cdf(-1e-12) == 0.0
    assert distribution.quantile(0.5) == 0.0
    assert distribution.mean() == pytest.approx(0.0555, rel=1e-14)
    assert quadrature_mean(distribution) == pytest.approx(0.0555, rel=1e-9)


def test_interval_distribution_full_confidence():
    # c = 1: uniform 0.5 on [2, 4] and on [4, 8], nothing outside; mean 0.5·3 + 0.5·6 = 4.5.
    distribution = interval_distribution(check_interval(2, 4, 8, 1.0), support=SUPPORT)
    assert distribution.support() == (2.0, 8.0)
    assert distribution.cdf(1.9) == 0.0
    assert distribution.cdf(8.0) == 1.0
    assert distribution.mean() == pytest.approx(4.5, rel=1e-15)


def test_interval_distribution_single_point_in_wider_round():
    # A point judgement with c = 0.6 among wider ones: a point mass of 0.6 at 5 and tails of
    # 0.2 uniform on [0, 5] and on [5, 12]; mean 0.2·2.5 + 0.6·5 + 0.2·8.5 = 5.2.
    distribution = interval_distribution(check_interval(5, 5, 5, 0.6), support=SUPPORT)
    assert distribution.cdf(5.0) == pytest.approx(0.8, abs=1e-15)
    assert distribution.cdf(np.nextafter(5.0, 0)) == pytest.approx(0.2, abs=1e-12)
    assert distribution.mean() == pytest.approx(5.2, rel=1e-15)


def test_interval_distribution_point_round_is_point_mass():
    interval = check_interval(5, 5, 5, 0.6)
    distribution = interval_distribution(interval, support=background_range([interval]))
    assert distribution.is_point_mass
    assert distribution.points == ((5.0, 0.0), (5.0, 1.0))


def test_interval_distribution_support_too_narrow():
    with pytest.raises(PoolingError, match=r"^support: \[3, 12\] does not contain the interval \[2.0, 8.0\]"):
        interval_distribution(EXPERT_A, support=(3, 12))


# The distribution class ---------------------------------------------------------------------


@pytest.mark.parametrize(("points", "message"), [
    (((0, 0),), r"has 1 point\(s\); a distribution function needs at least 2"),
    (((0, 0.1), (1, 1)), r"starts at F = 0.1"),
    (((0, 0), (1, 0.9)), r"ends at F = 0.9"),
    (((0, 0), (2, 0.5), (1, 1)), r"x decreases from 2 to 1 at point 2"),
    (((0, 0), (1, 0.6), (2, 0.5), (3, 1)), r"F decreases from 0.6 to 0.5 at point 2"),
    (((0, 0), (float("nan"), 1)), r"point 1 is \(nan, 1\); x and F must be finite"),
])
def test_piecewise_cdf_rejects(points, message):
    with pytest.raises(PoolingError, match=r"^points: " + message):
        PiecewiseLinearCdf(points)


def test_piecewise_cdf_normalises_points():
    distribution = PiecewiseLinearCdf([[0, 0], [np.float64(2), 1]])
    assert distribution.points == ((0.0, 0.0), (2.0, 1.0))
    assert distribution == PiecewiseLinearCdf(((0.0, 0.0), (2.0, 1.0)))


def test_piecewise_cdf_infinite_and_nan_x():
    assert expert_a().cdf(-np.inf) == 0.0
    assert expert_a().cdf(np.inf) == 1.0
    with pytest.raises(PoolingError, match=r"^x: nan is not a number"):
        expert_a().cdf(float("nan"))


def test_piecewise_cdf_vectorised():
    distribution = expert_a()
    assert_allclose(distribution.cdf(np.array([-1, 0, 1, 3, 6, 10, 12, 13])),
                    [0, 0, 0.05, 0.3, 0.7, 0.95, 1, 1], rtol=0, atol=1e-15)
    assert_allclose(distribution.quantile(np.array([0, 0.05, 0.3, 0.7, 0.95, 1])), [0, 1, 3, 6, 10, 12], atol=1e-14)


def test_piecewise_cdf_quantile_rejects_level():
    with pytest.raises(PoolingError, match=r"^p: 1.5 must lie in \[0, 1\]"):
        expert_a().quantile(1.5)


def test_point_mass_everywhere():
    distribution = PiecewiseLinearCdf.point_mass(3)
    assert_allclose(distribution.cdf(np.array([2.999, 3, 4])), [0, 1, 1])
    assert_allclose(distribution.quantile(np.array([0, 0.5, 1])), [3, 3, 3])
    assert distribution.mean() == 3.0
    assert distribution.median() == 3.0
    assert distribution.variance() == 0.0
    assert distribution.support() == (3.0, 3.0)


def test_variance_uniform():
    # Uniform on [0, 12]: 144 / 12 = 12.
    assert PiecewiseLinearCdf(((0, 0), (12, 1))).variance() == pytest.approx(12.0, rel=1e-14)


def test_support_skips_flat_ends():
    distribution = PiecewiseLinearCdf(((0, 0), (1, 0), (2, 1), (5, 1)))
    assert distribution.support() == (1.0, 2.0)
    assert distribution.quantile(0.0) == 1.0
    assert distribution.quantile(1.0) == 2.0


# Weights -----------------------------------------------------------------------------------


def test_normalise_weights():
    assert normalise_weights(None, 4) == (0.25, 0.25, 0.25, 0.25)
    assert normalise_weights([3, 1], 2) == (0.75, 0.25)
    assert normalise_weights([0, 2], 2) == (0.0, 1.0)


@pytest.mark.parametrize(("weights", "count", "message"), [
    (None, 0, r"^weights: the round is empty"),
    ([1, 2], 3, r"^weights: 2 weights given for 3 judgements"),
    ([1, -1], 2, r"^weights\[1\]: -1 is negative"),
    ([1, float("inf")], 2, r"^weights\[1\]: inf is not a finite number"),
    ([0, 0], 2, r"^weights: \[0, 0\] are all zero"),
])
def test_normalise_weights_rejects(weights, count, message):
    with pytest.raises(PoolingError, match=message):
        normalise_weights(weights, count)


# Linear pool and quantile averaging ----------------------------------------------------------


@pytest.mark.parametrize("pool", [linear_pool, quantile_average])
def test_pool_of_one_expert_is_their_distribution(pool):
    assert pool([expert_a()]) == expert_a()


@pytest.mark.parametrize("pool", [linear_pool, quantile_average])
def test_pool_of_identical_experts_is_each(pool):
    pooled = pool([expert_b(), expert_b(), expert_b()], [1, 2, 3])
    assert_allclose(pooled.xs, expert_b().xs, rtol=1e-15)
    assert_allclose(pooled.fs, expert_b().fs, atol=1e-15)


@pytest.mark.parametrize("pool", [linear_pool, quantile_average])
def test_pool_of_empty_round(pool):
    with pytest.raises(PoolingError, match=r"^weights: the round is empty"):
        pool([])


def test_linear_pool_two_experts_by_hand():
    pooled = linear_pool([expert_a(), expert_b()])
    # F_A(3) = 0.1 + 0.4/2 = 0.3 and F_B(3) = 0.2; F_A(6) = 0.7 and F_B(6) = 0.5 + 0.3/5 = 0.56.
    assert pooled.cdf(3.0) == pytest.approx(0.25, abs=1e-15)
    assert pooled.cdf(6.0) == pytest.approx(0.63, abs=1e-15)
    assert pooled.mean() == pytest.approx((4.7 + 5.95) / 2, rel=1e-14)
    assert quadrature_mean(pooled) == pytest.approx(5.325, rel=1e-10)
    # The breakpoints are the union {0, 2, 3, 4, 5, 8, 10, 12}.
    assert_allclose(pooled.xs, [0, 2, 3, 4, 5, 8, 10, 12])


def test_linear_pool_weights_by_hand():
    pooled = linear_pool([expert_a(), expert_b()], [3, 1])
    assert pooled.cdf(6.0) == pytest.approx(0.75 * 0.7 + 0.25 * 0.56, abs=1e-15)
    assert pooled.mean() == pytest.approx(0.75 * 4.7 + 0.25 * 5.95, rel=1e-14)


def test_linear_pool_zero_weight_does_not_widen():
    pooled = linear_pool([expert_a(), PiecewiseLinearCdf.point_mass(100)], [1, 0])
    assert pooled == expert_a()


def test_quantile_average_two_experts_by_hand():
    pooled = quantile_average([expert_a(), expert_b()])
    # Q_A(0.2) = 2 + 2·(0.1/0.4) = 2.5 and Q_B(0.2) = 3; Q_B(0.9) = 10 + 2·(0.1/0.2) = 11.
    assert pooled.quantile(0.2) == pytest.approx(2.75, abs=1e-14)
    assert pooled.quantile(0.5) == pytest.approx(4.5, abs=1e-14)
    assert pooled.quantile(0.9) == pytest.approx((8 + 11) / 2, abs=1e-14)
    assert pooled.mean() == pytest.approx(5.325, rel=1e-14)
    assert quadrature_mean(pooled) == pytest.approx(5.325, rel=1e-10)


def test_quantile_average_weights_by_hand():
    pooled = quantile_average([expert_a(), expert_b()], [1, 3])
    assert pooled.quantile(0.2) == pytest.approx(0.25 * 2.5 + 0.75 * 3, abs=1e-14)
    assert pooled.mean() == pytest.approx(0.25 * 4.7 + 0.75 * 5.95, rel=1e-14)


def test_pools_of_point_masses():
    three, five = PiecewiseLinearCdf.point_mass(3), PiecewiseLinearCdf.point_mass(5)

    mixture = linear_pool([three, five])
    assert mixture.points == ((3.0, 0.0), (3.0, 0.5), (5.0, 0.5), (5.0, 1.0))
    assert mixture.cdf(4.0) == 0.5
    assert mixture.quantile(0.5) == 3.0
    assert mixture.quantile(0.5000001) == 5.0
    assert mixture.mean() == 4.0
    assert mixture.variance() == 1.0

    average = quantile_average([three, five], [1, 3])
    assert average.is_point_mass
    assert average.mean() == 4.5


def test_quantile_average_with_point_mass_and_spread():
    # Q = (3 + Q_uniform(p)) / 2 with the uniform on [0, 12]: uniform on [1.5, 7.5].
    pooled = quantile_average([PiecewiseLinearCdf.point_mass(3), PiecewiseLinearCdf(((0, 0), (12, 1)))])
    assert_allclose(pooled.points, [(1.5, 0), (7.5, 1)])


def test_quantile_average_of_gap_keeps_gap():
    # Both experts put no probability in (1, 2); neither does their quantile average.
    gapped = PiecewiseLinearCdf(((0, 0), (1, 0.5), (2, 0.5), (3, 1)))
    pooled = quantile_average([gapped, gapped])
    assert pooled.cdf(1.5) == 0.5
    assert pooled.quantile(0.5) == 1.0


# Point and ordinal judgements ----------------------------------------------------------------


def test_pool_points():
    assert pool_points([1, 2, 6]) == pytest.approx(3.0, rel=1e-15)
    assert pool_points([1, 5], [3, 1]) == 2.0
    with pytest.raises(PoolingError, match=r"^weights: the round is empty"):
        pool_points([])
    with pytest.raises(PoolingError, match=r"^values\[1\]: nan is not a finite number"):
        pool_points([1, float("nan")])


@pytest.mark.parametrize(("categories", "weights", "expected"), [
    ([2], None, 2),
    ([1, 2, 3], None, 2),
    ([0, 1, 1, 4], None, 1),
    # A tie: half the votes at or below 1, half at or above 2. The higher category wins.
    ([1, 2], None, 2),
    ([2, 1, 1, 2], None, 2),
    ([0, 0, 3], [1, 1, 2], 3),
    ([0, 4], [3, 1], 0),
    ([0, 4], [1, 3], 4),
    ([0, 3, 4], [1, 0, 1], 4),
])
def test_pool_ordinal(categories, weights, expected):
    assert pool_ordinal(categories, weights) == expected


def test_pool_ordinal_rejects():
    with pytest.raises(PoolingError, match=r"^weights: the round is empty"):
        pool_ordinal([])
    with pytest.raises(PoolingError, match=r"^categories\[1\]: 1.5 is not a whole number"):
        pool_ordinal([1, 1.5])
    with pytest.raises(PoolingError, match=r"^categories\[0\]: -1 is not a category index"):
        pool_ordinal([-1, 2])


# Feedback statistics -----------------------------------------------------------------------


def test_spread_hand_example():
    # numpy "linear": the quartile positions are 0.25·4 = 1, 2 and 3 in the sorted values.
    result = spread([4, 1, 100, 3, 2])
    assert (result.count, result.q1, result.median, result.q3, result.iqr) == (5, 2.0, 3.0, 4.0, 2.0)
    assert (result.low, result.high) == (1.0, 100.0)
    # Fences 2 - 3 = -1 and 4 + 3 = 7: only 100, at index 2, is outside.
    assert result.outliers == (2,)


def test_spread_interpolates_quartiles():
    # Positions 0.75, 1.5 and 2.25 in [1, 2, 3, 4].
    result = spread([1, 2, 3, 4])
    assert (result.q1, result.median, result.q3, result.iqr) == (1.75, 2.5, 3.25, 1.5)
    assert result.outliers == ()


def test_spread_low_outlier_and_single_value():
    assert spread([-50, 10, 11, 12, 13]).outliers == (0,)
    single = spread([7])
    assert (single.median, single.iqr, single.outliers) == (7.0, 0.0, ())


def test_spread_rejects():
    with pytest.raises(PoolingError, match=r"^values: the round is empty"):
        spread([])
    with pytest.raises(PoolingError, match=r"^values\[0\]: inf is not a finite number"):
        spread([float("inf")])


def test_outside_iqr():
    result = spread([1, 2, 3, 4])
    assert outside_iqr(1.7, result)
    assert not outside_iqr(1.75, result)
    assert not outside_iqr(3.25, result)
    assert outside_iqr(3.3, result)


def test_ordinal_agreement_hand_example():
    result = ordinal_agreement([1, 1, 2, 3], 5)
    assert result.count == 4
    assert result.counts == (0, 2, 1, 1, 0)
    # Half the votes at or above 2 and half at or below 1: the tie goes to 2.
    assert result.median == 2
    assert result.modal_categories == (1,)
    assert result.modal_share == 0.5
    assert (result.q1, result.q3, result.iqr) == (1.0, 2.25, 1.25)


def test_ordinal_agreement_two_modes():
    result = ordinal_agreement([0, 0, 4, 4, 2], 5)
    assert result.modal_categories == (0, 4)
    assert result.modal_share == 0.4


def test_ordinal_agreement_rejects():
    with pytest.raises(PoolingError, match=r"^categories: the round is empty"):
        ordinal_agreement([], 5)
    with pytest.raises(PoolingError, match=r"^categories\[1\]: 5 is not a category index; indices must be >= 0 "
                                           r"and < 5"):
        ordinal_agreement([1, 5], 5)
    with pytest.raises(PoolingError, match=r"^category_count: 0 must be a whole number >= 1"):
        ordinal_agreement([0], 0)


def test_interval_consensus_overlapping():
    result = interval_consensus([EXPERT_A, EXPERT_B])
    assert result.count == 2
    assert result.best.median == 4.5
    assert (result.common_low, result.common_high, result.all_overlap) == (3.0, 8.0, True)
    # The common part [3, 8] over the range [2, 10].
    assert result.overlap_share == 5 / 8
    assert result.median_coverage == 1.0


def test_interval_consensus_disjoint():
    result = interval_consensus([check_interval(0, 1, 2, 0.8), check_interval(3, 4, 5, 0.8),
                                 check_interval(4, 6, 9, 0.5)])
    assert result.all_overlap is False
    assert result.overlap_share == 0.0
    # The median best guess 4 lies in the second and third intervals.
    assert result.median_coverage == pytest.approx(2 / 3, rel=1e-15)


def test_interval_consensus_single_point_and_empty():
    assert interval_consensus([check_interval(2, 2, 2, 1), check_interval(2, 2, 2, 0.5)]).overlap_share == 1.0
    with pytest.raises(PoolingError, match=r"^intervals: the round is empty"):
        interval_consensus([])


# Scenario numbers ----------------------------------------------------------------------------


def test_to_scenario_number_rounds_and_keeps_ends():
    number = to_scenario_number(expert_a())
    assert number == {"piecewise_cdf": [[Decimal(0), Decimal(0)], [Decimal(2), Decimal("0.1")],
                                         [Decimal(4), Decimal("0.5")], [Decimal(8), Decimal("0.9")],
                                         [Decimal(12), Decimal(1)]]}
    assert [str(x) for x, _ in number["piecewise_cdf"]] == ["0", "2", "4", "8", "12"]


def test_to_scenario_number_significant_digits():
    distribution = PiecewiseLinearCdf(((1 / 3, 0.0), (123456.789, 1 / 3), (2e20, 1.0)))
    number = to_scenario_number(distribution, digits=4)
    assert [[str(x), str(f)] for x, f in number["piecewise_cdf"]] == [
        ["0.3333", "0"], ["123500", "0.3333"], ["2E+20", "1"]]


def test_to_scenario_number_merges_points_equal_after_rounding():
    distribution = PiecewiseLinearCdf(((0, 0), (1, 0.5), (1.00000000001, 0.50000000001), (2, 1)))
    assert to_scenario_number(distribution) == {"piecewise_cdf": [[0, 0], [1, Decimal("0.5")], [2, 1]]}


def test_to_scenario_number_point_mass_is_plain_number():
    assert to_scenario_number(PiecewiseLinearCdf.point_mass(0.1)) == Decimal("0.1")
    nearly = PiecewiseLinearCdf(((2.0, 0.0), (2.0000000000001, 1.0)))
    assert to_scenario_number(nearly) == Decimal(2)


def test_to_scenario_number_rejects():
    with pytest.raises(PoolingError, match=r"^digits: 0 must be a whole number from 1 to 17"):
        to_scenario_number(expert_a(), digits=0)
    count = MAX_PIECEWISE_POINTS + 1
    many = PiecewiseLinearCdf(tuple((float(i), i / (count - 1)) for i in range(count)))
    with pytest.raises(PoolingError, match=rf"^points: {count} points exceed the limit of {MAX_PIECEWISE_POINTS}"):
        to_scenario_number(many)


# Properties ----------------------------------------------------------------------------------


@st.composite
def rounds(draw, min_experts=1, max_experts=6):
    """Draw a round of four-step judgements on a common support, with positive weights."""
    count = draw(st.integers(min_experts, max_experts))
    intervals = []
    for _ in range(count):
        low = draw(st.floats(0, 100, allow_subnormal=False))
        best = low + draw(st.floats(0, 50, allow_subnormal=False))
        high = best + draw(st.floats(0, 50, allow_subnormal=False))
        confidence = draw(st.floats(0.05, 1.0))
        intervals.append(check_interval(low, best, high, confidence, bounds=(0, None)))
    overshoot = draw(st.sampled_from([0.0, 0.1, 0.5]))
    support = background_range(intervals, overshoot=overshoot, bounds=(0, None))
    distributions = [interval_distribution(interval, support=support) for interval in intervals]
    weights = draw(st.lists(st.floats(0.01, 10), min_size=count, max_size=count))
    return distributions, weights


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_pooled_mean_is_weighted_mean_of_means(round_):
    distributions, weights = round_
    expected = pool_points([d.mean() for d in distributions], weights)
    scale = max(1.0, max(d.support()[1] for d in distributions))
    for pool in (linear_pool, quantile_average):
        assert pool(distributions, weights).mean() == pytest.approx(expected, rel=1e-9, abs=1e-11 * scale)


@settings(max_examples=200, deadline=None)
@given(rounds(), st.floats(0, 1))
def test_quantile_average_lies_between_experts(round_, level):
    distributions, weights = round_
    quantiles = [d.quantile(level) for d in distributions]
    pooled = quantile_average(distributions, weights).quantile(level)
    tolerance = 1e-9 * max(1.0, max(quantiles))
    assert min(quantiles) - tolerance <= pooled <= max(quantiles) + tolerance


@settings(max_examples=200, deadline=None)
@given(rounds(), st.floats(0, 1))
def test_quantile_average_is_mean_of_quantiles(round_, level):
    distributions, weights = round_
    expected = pool_points([d.quantile(level) for d in distributions], weights)
    pooled = quantile_average(distributions, weights).quantile(level)
    assert pooled == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(rounds(), st.floats(-10, 260))
def test_linear_pool_cdf_is_mixture(round_, x):
    distributions, weights = round_
    expected = pool_points([d.cdf(x) for d in distributions], weights)
    assert linear_pool(distributions, weights).cdf(x) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(rounds(min_experts=2))
def test_linear_pool_variance_at_least_quantile_average(round_):
    # Var(mixture) = mean of variances + variance of means >= (mean of sd)^2 >= Var(quantile average).
    distributions, weights = round_
    mixture = linear_pool(distributions, weights).variance()
    average = quantile_average(distributions, weights).variance()
    assert mixture >= average - 1e-9 * max(1.0, mixture)


@settings(max_examples=100, deadline=None)
@given(rounds())
def test_pooled_mean_matches_quadrature(round_):
    distributions, weights = round_
    for pool in (linear_pool, quantile_average):
        pooled = pool(distributions, weights)
        if pooled.is_point_mass:
            continue
        scale = max(1.0, pooled.support()[1])
        assert quadrature_mean(pooled) == pytest.approx(pooled.mean(), rel=1e-7, abs=1e-9 * scale)


@settings(max_examples=100, deadline=None)
@given(rounds())
def test_scenario_number_keeps_mean(round_):
    distributions, weights = round_
    pooled = linear_pool(distributions, weights)
    number = to_scenario_number(pooled, digits=12)
    if isinstance(number, Decimal):
        assert float(number) == pytest.approx(pooled.mean(), rel=1e-9)
        return
    points = tuple((float(x), float(f)) for x, f in number["piecewise_cdf"])
    scale = max(1.0, pooled.support()[1])
    assert PiecewiseLinearCdf(points).mean() == pytest.approx(pooled.mean(), rel=1e-9, abs=1e-10 * scale)
