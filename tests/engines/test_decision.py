"""Utilities, certainty equivalents and the shared tie rule."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from riskapp.engines.decision import best_responses, certainty_equivalents, tied_indices, utility, values_tie


def test_utility_linear_at_zero_risk_aversion():
    x = np.array([-3.0, 0.0, 2.5])
    assert_allclose(utility(x, 0.0), x, rtol=0, atol=0)


def test_utility_matches_closed_form():
    x = np.array([-10.0, -1.0, 0.0, 4.0])
    for r in (0.3, -0.2):
        expected = (1 - np.exp(-r * x)) / r
        assert_allclose(utility(x, r), expected, rtol=1e-14)


def test_utility_tiny_risk_aversion_keeps_digits():
    # (1 - exp(-r x)) / r computed naively loses about half the digits at r = 1e-10.
    x = np.array([123.456])
    assert_allclose(utility(x, 1e-10), x - 1e-10 * x**2 / 2, rtol=1e-15)


def test_certainty_equivalent_risk_neutral_is_mean():
    payoffs = np.array([0.0, 10.0, 30.0])
    probabilities = np.array([0.5, 0.3, 0.2])
    assert certainty_equivalents(payoffs, probabilities, 0.0) == pytest.approx(9.0, rel=1e-15)


def test_certainty_equivalent_closed_form():
    payoffs = np.array([0.0, 100.0])
    probabilities = np.array([0.5, 0.5])
    for r in (0.01, -0.01, 2.0):
        expected = -math.log(0.5 * math.exp(0.0) + 0.5 * math.exp(-r * 100.0)) / r
        assert certainty_equivalents(payoffs, probabilities, r) == pytest.approx(expected, rel=1e-13)


def test_certainty_equivalent_orders_like_expected_utility():
    rng = np.random.default_rng(7)
    for _ in range(200):
        r = rng.uniform(-0.5, 0.5)
        payoffs = rng.normal(0, 5, size=(2, 4))
        probabilities = rng.dirichlet(np.ones(4), size=2)
        ce = certainty_equivalents(payoffs, probabilities, r)
        eu = np.sum(probabilities * utility(payoffs, r), axis=-1)
        assert (ce[0] > ce[1]) == (eu[0] > eu[1])


def test_certainty_equivalent_no_overflow_at_large_exponent():
    # exp(r·x) overflows at r·x = 5000; the log-sum-exp path must stay finite.
    payoffs = np.array([-50_000.0, 0.0])
    probabilities = np.array([0.5, 0.5])
    ce = certainty_equivalents(payoffs, probabilities, 0.1)
    assert np.isfinite(ce)
    assert ce == pytest.approx(-50_000.0 - math.log(0.5) / 0.1, rel=1e-12)


def test_certainty_equivalent_ignores_impossible_outcomes():
    payoffs = np.array([5.0, 1e300])
    probabilities = np.array([1.0, 0.0])
    assert certainty_equivalents(payoffs, probabilities, 3.0) == pytest.approx(5.0, rel=1e-15)


def test_certainty_equivalent_against_quadrature():
    # A lottery discretising a uniform payoff on [0, 1]: compare with the integral's CE.
    grid = np.linspace(0, 1, 20001)
    weights = np.full(grid.size, 1.0)
    weights[0] = weights[-1] = 0.5
    weights /= weights.sum()
    r = 1.5
    integral, _ = integrate.quad(lambda x: math.exp(-r * x), 0, 1)
    expected = -math.log(integral) / r
    assert certainty_equivalents(grid, weights, r) == pytest.approx(expected, rel=1e-8)


def test_values_tie_relative_and_absolute():
    assert values_tie(np.float64(1e6), np.float64(1e6 + 1e-7))
    assert not values_tie(np.float64(1e6), np.float64(1e6 + 1e-5))
    assert values_tie(np.float64(0.0), np.float64(1e-13))
    assert not values_tie(np.float64(0.0), np.float64(1e-11))


def test_best_response_unique_maximum():
    attacker = np.array([[1.0, 3.0, 2.0]])
    defender = np.array([[0.0, 0.0, 0.0]])
    assert best_responses(attacker, defender).tolist() == [1]


def test_best_response_tie_against_defender():
    attacker = np.array([5.0, 5.0, 1.0])
    defender = np.array([-1.0, -7.0, -100.0])
    assert best_responses(attacker, defender, "against_defender") == 1
    assert best_responses(attacker, defender, "for_defender") == 0


def test_best_response_remaining_tie_file_order():
    attacker = np.array([2.0, 5.0, 5.0, 5.0])
    defender = np.array([0.0, -3.0, -3.0, -1.0])
    assert best_responses(attacker, defender, "against_defender") == 1
    assert best_responses(attacker, defender, "for_defender") == 3


def test_best_response_broadcasts_over_draws():
    attacker = np.array([[1.0, 2.0], [2.0, 1.0], [1.5, 1.5]])
    defender = np.array([-1.0, -2.0])
    assert best_responses(attacker, defender).tolist() == [1, 0, 1]


def test_best_response_rejects_unknown_rule():
    with pytest.raises(ValueError, match="tie_break 'random'"):
        best_responses(np.array([1.0]), np.array([0.0]), "random")


def test_tied_indices_lists_ties_in_order():
    assert tied_indices(np.array([3.0, 1.0, 3.0, 3.0 + 1e-14]), 0) == [0, 2, 3]


def _reference_certainty_equivalent(x, p, r):
    """Direct formula with SciPy's logsumexp over the possible outcomes."""
    from scipy.special import logsumexp

    if r == 0:
        return float(np.dot(p, x))
    support = p > 0
    return float(-logsumexp(-r * x[support], b=p[support]) / r)


def test_certainty_equivalent_matches_direct_formula():
    rng = np.random.default_rng(11)
    payoffs = rng.normal(0, 50, size=(300, 6))
    probabilities = rng.dirichlet(np.full(6, 0.5), size=300)
    risk_aversion = np.concatenate([rng.uniform(-0.2, 0.2, 290), np.zeros(10)])
    values = certainty_equivalents(payoffs, probabilities, risk_aversion)
    for row in range(300):
        expected = _reference_certainty_equivalent(payoffs[row], probabilities[row], risk_aversion[row])
        assert values[row] == pytest.approx(expected, rel=1e-11, abs=1e-9)


def test_certainty_equivalent_underflow_uses_possible_outcomes():
    # The worst payoff belongs to an impossible outcome 10,000 units below the others, so with
    # r = 1 every possible term underflows against it; the value must still be exact.
    payoffs = np.array([[-10_000.0, 3.0, 5.0]])
    probabilities = np.array([[0.0, 0.5, 0.5]])
    expected = -math.log(0.5 * math.exp(-3.0) + 0.5 * math.exp(-5.0))
    assert certainty_equivalents(payoffs, probabilities, 1.0)[0] == pytest.approx(expected, rel=1e-14)


def test_prepared_lotteries_reused_across_beliefs():
    from riskapp.engines.decision import Lotteries

    rng = np.random.default_rng(5)
    payoffs = rng.normal(0, 10, size=(50, 4, 3))
    risk_aversion = rng.uniform(-0.3, 0.3, size=(50, 1))
    lotteries = Lotteries(payoffs, risk_aversion)
    for _ in range(3):
        beliefs = rng.dirichlet(np.ones(3), size=(50, 4))
        assert np.array_equal(lotteries.certainty_equivalents(beliefs),
                              certainty_equivalents(payoffs, beliefs, risk_aversion))


def test_certainty_equivalent_risk_seeking_no_overflow():
    payoffs = np.array([0.0, 20_000.0])
    probabilities = np.array([0.5, 0.5])
    value = certainty_equivalents(payoffs, probabilities, -0.5)
    assert value == pytest.approx(20_000.0 + math.log(0.5) / 0.5, rel=1e-13)
