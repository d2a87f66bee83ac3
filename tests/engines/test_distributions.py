"""Distributions of the attacker's numbers: means, quantiles, sampling and validation.

Means and quantiles are checked against scipy.stats and numerical quadrature, which compute
them independently of the closed forms in the module.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special, stats

from riskapp.engines.distributions import LARGEST_UNIFORM, MAX_PIECEWISE_POINTS, SMALLEST_UNIFORM, Distribution
from riskapp.engines.sensitivity import scale_distribution, shift_distribution


def scipy_equivalent(distribution: Distribution):
    """The same distribution as a frozen scipy.stats object."""
    p = distribution.parameters
    match distribution.kind:
        case "uniform":
            return stats.uniform(loc=p[0], scale=p[1] - p[0])
        case "triangular":
            return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
        case "pert":
            width = p[2] - p[0]
            return stats.beta(1 + 4 * (p[1] - p[0]) / width, 1 + 4 * (p[2] - p[1]) / width, loc=p[0], scale=width)
        case "normal":
            return stats.norm(loc=p[0], scale=p[1])
        case "truncated_normal":
            low = -np.inf if p[2] is None else (p[2] - p[0]) / p[1]
            high = np.inf if p[3] is None else (p[3] - p[0]) / p[1]
            return stats.truncnorm(low, high, loc=p[0], scale=p[1])
        case "lognormal":
            return stats.lognorm(p[1], scale=math.exp(p[0]))
        case "beta":
            return stats.beta(p[0], p[1], loc=p[2], scale=p[3] - p[2])
        case "piecewise_cdf":
            # A histogram density has a piecewise-linear distribution function. It cannot express
            # a point mass or a flat stretch inside the support, so the cases here have neither.
            xs, fs = np.array(p[0::2]), np.array(p[1::2])
            return stats.rv_histogram((np.diff(fs) / np.diff(xs), xs), density=True)
    raise AssertionError(distribution.kind)


CASES = [
    Distribution("uniform", (-3.0, 7.0)),
    Distribution("triangular", (1.0, 2.0, 5.0)),
    Distribution("triangular", (1.0, 1.0, 5.0)),
    Distribution("triangular", (1.0, 5.0, 5.0)),
    Distribution("pert", (0.0, 3.0, 10.0)),
    Distribution("pert", (0.0, 0.0, 10.0)),
    Distribution("pert", (0.0, 10.0, 10.0)),
    Distribution("normal", (5.0, 2.0)),
    Distribution("truncated_normal", (2.0, 4.0, 0.0, None)),
    Distribution("truncated_normal", (2.0, 4.0, None, 3.0)),
    Distribution("truncated_normal", (0.0, 1.0, -1.0, 2.0)),
    Distribution("lognormal", (1.0, 0.5)),
    Distribution("lognormal", (0.0, 5.0)),
    Distribution("beta", (2.0, 5.0, 10.0, 20.0)),
    Distribution("beta", (0.5, 0.5, 0.0, 1.0)),
    Distribution("piecewise_cdf", (0.0, 0.0, 2.0, 0.1, 4.0, 0.5, 8.0, 0.9, 12.0, 1.0)),
    Distribution("piecewise_cdf", (-5.0, 0.0, 1.0, 0.25, 1.5, 0.5, 100.0, 1.0)),
]
IDS = [f"{d.kind}{list(d.parameters)}" for d in CASES]


@pytest.mark.parametrize("distribution", CASES, ids=IDS)
def test_mean_matches_scipy(distribution):
    assert distribution.mean() == pytest.approx(scipy_equivalent(distribution).mean(), rel=1e-12)


@pytest.mark.parametrize("distribution", [d for d in CASES if d.kind != "lognormal"],
                         ids=[i for i, d in zip(IDS, CASES, strict=True) if d.kind != "lognormal"])
def test_mean_matches_quadrature(distribution):
    # The mean is the integral of the quantile function over (0, 1).
    integral, error = integrate.quad(lambda u: float(distribution.quantile(np.array(u))), 0, 1, limit=200)
    assert distribution.mean() == pytest.approx(integral, rel=1e-7, abs=1e-9)


def test_lognormal_huge_spread_mean():
    # σ = 5: the mean e^{12.5} is far in the right tail, beyond every typical draw.
    distribution = Distribution("lognormal", (0.0, 5.0))
    assert distribution.mean() == pytest.approx(math.exp(12.5), rel=1e-15)
    u = np.array([SMALLEST_UNIFORM, 0.5, LARGEST_UNIFORM])
    draws = distribution.quantile(u)
    assert np.all(np.isfinite(draws))
    assert draws[1] == pytest.approx(1.0, rel=1e-15)
    assert np.mean(distribution.sample(np.random.default_rng(1), 100_000) < distribution.mean()) > 0.99


@pytest.mark.parametrize("distribution", CASES, ids=IDS)
def test_quantile_matches_scipy(distribution):
    u = np.linspace(0.001, 0.999, 199)
    assert_allclose(distribution.quantile(u), scipy_equivalent(distribution).ppf(u), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("distribution", CASES, ids=IDS)
def test_quantile_monotone_within_support(distribution):
    u = np.concatenate([[SMALLEST_UNIFORM], np.linspace(1e-6, 1 - 1e-6, 2001), [LARGEST_UNIFORM]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = distribution.quantile(u)
    low, high = distribution.support()
    assert np.all(np.diff(draws) >= 0)
    assert np.all(np.isfinite(draws))
    assert np.all((draws >= low) & (draws <= high))


@pytest.mark.parametrize("distribution", CASES, ids=IDS)
def test_sample_mean_within_four_errors(distribution):
    draws = distribution.sample(np.random.default_rng(2026), 200_000)
    if distribution.kind == "lognormal" and distribution.parameters[1] > 2:
        # The sample mean of a heavy lognormal converges too slowly; compare the median of the
        # logarithm instead, whose standard error is about 1.2533·σ/√n.
        median_error = 1.2533 * distribution.parameters[1] / math.sqrt(len(draws))
        assert abs(np.median(np.log(draws)) - distribution.parameters[0]) <= 4 * median_error
        return
    error = draws.std() / math.sqrt(len(draws))
    assert abs(draws.mean() - distribution.mean()) <= 4 * error


def test_sample_reproducible_from_generator():
    distribution = Distribution("pert", (0.0, 3.0, 10.0))
    first = distribution.sample(np.random.default_rng(5), 1_000)
    second = distribution.sample(np.random.default_rng(5), 1_000)
    assert np.array_equal(first, second)
    # Inverse transform: the draws are the quantiles of the generator's uniforms.
    assert_allclose(first, distribution.quantile(np.random.default_rng(5).random(1_000)), rtol=0, atol=0)


def test_point_mass_sample_and_mean():
    point = Distribution.point(4)
    assert point.is_point
    assert point.mean() == 4.0
    assert point.support() == (4.0, 4.0)
    assert np.array_equal(point.sample(np.random.default_rng(0), 3), [4.0, 4.0, 4.0])


def test_truncated_normal_one_open_bound_tail():
    # Far in the upper tail the mean is loc + scale·φ(a)/Q(a), written with erfcx to stay exact.
    distribution = Distribution("truncated_normal", (0.0, 1.0, 10.0, None))
    mills = math.sqrt(2 / math.pi) / special.erfcx(10 / math.sqrt(2))
    assert distribution.mean() == pytest.approx(mills, rel=1e-9)
    assert distribution.support() == (10.0, math.inf)
    draws = distribution.sample(np.random.default_rng(3), 10_000)
    assert np.all(draws >= 10.0)
    assert np.all(np.isfinite(draws))
    upper = Distribution("truncated_normal", (0.0, 2.0, None, -1.0))
    assert upper.support() == (-math.inf, -1.0)
    assert np.all(upper.sample(np.random.default_rng(3), 10_000) <= -1.0)


@pytest.mark.parametrize(("kind", "parameters", "message"), [
    ("gamma", (1.0, 2.0), r"unknown distribution 'gamma'; expected one of point, uniform"),
    ("uniform", (1.0,), r"uniform \[1\.0\]: expected 2 parameters, got 1"),
    ("uniform", (2.0, 2.0), r"uniform \[2\.0, 2\.0\]: low must be less than high"),
    ("uniform", (0.0, math.nan), r"parameter 2 must be a finite number, got nan"),
    ("uniform", (0.0, True), r"parameter 2 must be a finite number, got True"),
    ("normal", (0.0, None), r"parameter 2 must be a finite number, got None"),
    ("triangular", (1.0, 0.0, 2.0), r"expected low <= mode <= high with low < high"),
    ("pert", (1.0, 1.0, 1.0), r"expected low <= mode <= high with low < high"),
    ("normal", (0.0, 0.0), r"the standard deviation must be positive"),
    ("truncated_normal", (0.0, -1.0, None, None), r"the scale must be positive"),
    ("truncated_normal", (0.0, 1.0, 2.0, 1.0), r"the lower bound must be less than the upper bound"),
    ("lognormal", (0.0, 0.0), r"sigma must be positive"),
    ("lognormal", (0.0, 40.0), r"the mean exp\(mu \+ sigma\^2 / 2\) is not finite"),
    ("lognormal", (650.0, 10.0), r"the largest draw .* is not finite"),
    ("beta", (0.0, 1.0, 0.0, 1.0), r"the shape parameters a and b must be positive"),
    ("beta", (1.0, 1.0, 1.0, 1.0), r"low must be less than high"),
    ("piecewise_cdf", (0.0, 0.0, 1.0), r"expected 2 to 200 points \(x, F\) as an even number of parameters, got 3"),
    ("piecewise_cdf", (0.0, 0.0), r"expected 2 to 200 points"),
    ("piecewise_cdf", (0.0, 0.0) * (MAX_PIECEWISE_POINTS + 1), r"got 402"),
    ("piecewise_cdf", (0.0, 0.1, 1.0, 1.0), r"F must start at 0 and end at 1"),
    ("piecewise_cdf", (0.0, 0.0, 1.0, 0.9), r"F must start at 0 and end at 1"),
    ("piecewise_cdf", (0.0, 0.0, 2.0, 0.5, 1.0, 1.0), r"x must be non-decreasing"),
    ("piecewise_cdf", (0.0, 0.0, 1.0, 0.6, 2.0, 0.5, 3.0, 1.0), r"F must be non-decreasing"),
    ("piecewise_cdf", (0.0, 0.0, math.inf, 1.0), r"parameter 3 must be a finite number, got inf"),
])
def test_invalid_parameters_rejected(kind, parameters, message):
    with pytest.raises(ValueError, match=message):
        Distribution(kind, parameters)


def test_zero_uniform_draw_stays_finite():
    # Generator.random() can return exactly 0; sampling must still give a number for every family.
    class ZeroGenerator:
        def random(self, size):
            return np.zeros(size)

    for distribution in CASES:
        draws = distribution.sample(ZeroGenerator(), 3)
        low, _ = distribution.support()
        assert np.all(np.isfinite(draws) | (draws == low)), distribution
        assert not np.any(np.isnan(draws)), distribution


def test_lognormal_accepted_draws_finite():
    # The largest accepted location for σ = 10 keeps even the largest possible draw finite.
    distribution = Distribution("lognormal", (620.0, 10.0))
    assert np.isfinite(distribution.quantile(np.array([LARGEST_UNIFORM]))[0])


# A piecewise-linear distribution function with a point mass of 0.3 at 2 and no probability in
# (3, 5): F = 0.2 just below 2, 0.5 at 2, 0.6 at 3 and 0.6 up to 5.
PIECEWISE_WITH_JUMP = Distribution("piecewise_cdf", (0.0, 0.0, 2.0, 0.2, 2.0, 0.5, 3.0, 0.6, 5.0, 0.6,
                                                     9.0, 1.0))


def test_piecewise_mean_closed_form():
    # 0.2·1 (uniform on [0, 2]) + 0.3·2 (the point mass) + 0.1·2.5 + 0.4·7 = 3.85.
    assert PIECEWISE_WITH_JUMP.mean() == pytest.approx(3.85, rel=1e-15)
    assert PIECEWISE_WITH_JUMP.support() == (0.0, 9.0)


def test_piecewise_quantile_hand_example():
    u = np.array([0.1, 0.2, 0.2000001, 0.35, 0.5, 0.55, 0.6, 0.6000001, 0.8])
    # F rises 0.1 per unit on [0, 2], jumps to 0.5 at 2, reaches 0.6 at 3 and is flat to 5.
    expected = [1.0, 2.0, 2.0, 2.0, 2.0, 2.5, 3.0, 5.0 + 4e-7 / 0.4, 7.0]
    assert_allclose(PIECEWISE_WITH_JUMP.quantile(u), expected, rtol=1e-12)


def test_piecewise_support_skips_flat_ends():
    distribution = Distribution("piecewise_cdf", (0.0, 0.0, 1.0, 0.0, 2.0, 1.0, 3.0, 1.0))
    assert distribution.support() == (1.0, 2.0)
    assert distribution.mean() == pytest.approx(1.5, rel=1e-15)


def test_piecewise_sample_mean_within_four_errors():
    draws = PIECEWISE_WITH_JUMP.sample(np.random.default_rng(2027), 200_000)
    error = draws.std() / math.sqrt(len(draws))
    assert abs(draws.mean() - 3.85) <= 4 * error
    # The point mass at 2 takes 0.3 of the draws: binomial standard error sqrt(0.3·0.7/n).
    share = np.mean(draws == 2.0)
    assert abs(share - 0.3) <= 4 * math.sqrt(0.3 * 0.7 / len(draws))
    assert not np.any((draws > 3.0) & (draws < 5.0))


def test_piecewise_sample_passes_ks_test():
    distribution = CASES[-2]
    draws = distribution.sample(np.random.default_rng(11), 20_000)
    assert stats.kstest(draws, scipy_equivalent(distribution).cdf).pvalue > 0.001


def test_piecewise_quantile_monotone_with_jump():
    u = np.concatenate([[0.0, SMALLEST_UNIFORM], np.linspace(1e-6, 1 - 1e-6, 4001), [LARGEST_UNIFORM, 1.0]])
    draws = PIECEWISE_WITH_JUMP.quantile(u)
    assert np.all(np.diff(draws) >= 0)
    assert draws[0] == 0.0
    assert draws[-1] == 9.0


def test_piecewise_scale_and_shift_move_x_only():
    # Sensitivity analysis scales and shifts gains: x moves, F stays, the mean 3.85 follows.
    scaled = scale_distribution(PIECEWISE_WITH_JUMP, 2.0)
    assert scaled.parameters[1::2] == PIECEWISE_WITH_JUMP.parameters[1::2]
    assert scaled.mean() == pytest.approx(7.7, rel=1e-15)
    assert scaled.support() == (0.0, 18.0)
    shifted = shift_distribution(PIECEWISE_WITH_JUMP, -1.5)
    assert shifted.kind == "piecewise_cdf"
    assert shifted.mean() == pytest.approx(2.35, rel=1e-15)
    assert shifted.support() == (-1.5, 7.5)
