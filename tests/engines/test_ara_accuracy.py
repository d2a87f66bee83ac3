"""ARA engine: estimates against closed forms, and standard errors against their spread.

Monte Carlo estimates are compared with exact values within four standard errors; with the
fixed seeds below each comparison is deterministic.
"""

import math

import numpy as np
import pytest
from scipy import stats

from riskapp.engines.ara import assess
from riskapp.engines.distributions import Distribution
from tests.engines.test_ara import make_problem, theft_problem

WITHIN = 4.0


def binary_attack_problem(*, success, gain, cost, risk_aversion=0.0, kappa=None):
    """One defense per success probability; attacks "none" and "attack"; outcomes kept and stolen."""
    rows = [[[1.0, 0.0], [1 - q, q]] for q in success]
    return make_problem(rows, gains=[0.0, gain], costs=[0.0, cost], risk_aversion=risk_aversion, kappa=kappa,
                        losses=[0.0, 100.0], defense_costs=np.arange(len(success), dtype=float),
                        attack_ids=("none", "attack"), outcome_ids=("kept", "stolen"))


def assert_attack_probability(result, problem, exact):
    """p̂(attack | d) and ψ̂_D(d) within four standard errors of their exact values."""
    samples = result.counts["draws"]
    defender = problem.defender_utilities()
    for d, defense in enumerate(problem.defense_ids):
        assessment = result.defenses[defense]
        error = math.sqrt(exact[d] * (1 - exact[d]) / samples)
        assert abs(assessment.attack_probabilities["attack"] - exact[d]) <= WITHIN * error
        psi = exact[d] * defender[d, 1] + (1 - exact[d]) * defender[d, 0]
        psi_error = error * abs(defender[d, 1] - defender[d, 0])
        assert abs(assessment.expected_utility - psi) <= WITHIN * psi_error


def test_uniform_gain_attack_probability():
    # Risk neutral: attack iff q·G > c, so p = P(G > c/q) = (80 − c/q) / 60 for G ~ U(20, 80),
    # clipped to [0, 1].
    success = (0.3, 0.2, 0.1, 0.9)
    problem = binary_attack_problem(success=success, gain=Distribution("uniform", (20.0, 80.0)), cost=12.0)
    exact = [min(1.0, max(0.0, (80 - 12 / q) / 60)) for q in success]
    result = assess(problem, seed=101, samples=20_000)
    assert exact == pytest.approx([2 / 3, 1 / 3, 0.0, 1.0])
    assert_attack_probability(result, problem, exact)
    assert result.defenses["d2"].attack_probabilities["attack"] == 0.0
    assert result.defenses["d3"].attack_probabilities["attack"] == 1.0


def test_risk_averse_threshold_attack_probability():
    # CE(attack) > 0 iff (1 − q)·e^{rc} + q·e^{r(c − G)} < 1, that is G > −log((1 − (1 − q)e^{rc}) / (q e^{rc})) / r.
    r, cost, success = 0.05, 4.0, (0.2, 0.22)
    problem = binary_attack_problem(success=success, gain=Distribution("uniform", (20.0, 80.0)), cost=cost,
                                    risk_aversion=r)
    thresholds = [-math.log((1 - (1 - q) * math.exp(r * cost)) / (q * math.exp(r * cost))) / r for q in success]
    exact = [(80 - t) / 60 for t in thresholds]
    assert all(0.1 < p < 0.9 for p in exact)
    assert_attack_probability(assess(problem, seed=102, samples=20_000), problem, exact)


def test_lognormal_gain_attack_probability():
    # A heavy-tailed gain: p = P(G > c/q) = 1 − Φ((log(c/q) − μ)/σ).
    mu, sigma, cost, success = 3.0, 2.5, 8.0, (0.4, 0.05)
    problem = binary_attack_problem(success=success, gain=Distribution("lognormal", (mu, sigma)), cost=cost)
    exact = [stats.norm.sf((math.log(cost / q) - mu) / sigma) for q in success]
    assert_attack_probability(assess(problem, seed=103, samples=20_000), problem, exact)


def test_dirichlet_beliefs_attack_probability():
    # With two outcomes Dirichlet(κp) is Beta(κq, κ(1 − q)) on the success probability P, and a
    # risk-neutral attacker with gain G attacks iff P > c/G.
    kappa, gain, cost, success = 4.0, 50.0, 12.0, (0.3, 0.15)
    problem = binary_attack_problem(success=success, gain=gain, cost=cost, kappa=kappa)
    exact = [stats.beta.sf(cost / gain, kappa * q, kappa * (1 - q)) for q in success]
    assert_attack_probability(assess(problem, seed=104, samples=20_000), problem, exact)


def test_uncertain_risk_aversion_quadrature():
    # r ~ U(−0.1, 0.1) and fixed G: p = P(CE_r > 0), integrated over r by quadrature.
    gain, cost, q = 30.0, 9.0, 0.35
    problem = binary_attack_problem(success=(q,), gain=gain, cost=cost,
                                    risk_aversion=Distribution("uniform", (-0.1, 0.1)))

    def attacks(r):
        if r == 0:
            return q * gain - cost > 0
        certainty_equivalent = -math.log((1 - q) * math.exp(r * cost) + q * math.exp(r * (cost - gain))) / r
        return certainty_equivalent > 0

    # The indicator switches once; find the switch by bisection and integrate exactly.
    low, high = -0.1, 0.1
    assert attacks(low) != attacks(high)
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if attacks(middle) == attacks(-0.1) else (low, middle)
    exact = (high + 0.1) / 0.2 if attacks(-0.1) else (0.1 - high) / 0.2
    assert 0.1 < exact < 0.9
    assert_attack_probability(assess(problem, seed=105, samples=20_000), problem, [exact])


def test_simultaneous_hand_computed_case():
    # The attacker believes d0 is in place with probability w ~ Beta(2, 3) and succeeds with
    # 0.8 under d0 and 0.2 under d1: attack iff 10·(0.8w + 0.2(1 − w)) > 4, that is w > 1/3.
    rows = [[[1.0, 0.0], [0.2, 0.8]], [[1.0, 0.0], [0.8, 0.2]]]
    problem = make_problem(rows, gains=[0.0, 10.0], costs=[0.0, 4.0], losses=[0.0, 100.0], model="simultaneous",
                           defense_beliefs=[2.0, 3.0], attack_ids=("none", "attack"))
    exact = stats.beta.sf(1 / 3, 2.0, 3.0)
    result = assess(problem, seed=106, samples=20_000)
    assert_attack_probability(result, problem, [exact, exact])
    assert result.defenses["d0"].attack_probabilities == result.defenses["d1"].attack_probabilities


def test_standard_errors_match_spread_over_seeds():
    # Over 40 seeds the spread of p̂ and ψ̂ must match the analytic and reported errors.
    problem = theft_problem(costs=[0.0, 12.0], probabilities=[[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.8, 0.2]]])
    exact = [2 / 3, 1 / 3]
    samples = 1_000
    results = [assess(problem, seed=seed, samples=samples, chunk_size=400) for seed in range(1_000, 1_040)]
    defender = problem.defender_utilities()
    for d, defense in enumerate(problem.defense_ids):
        estimates = np.array([r.defenses[defense].attack_probabilities["insider"] for r in results])
        analytic = math.sqrt(exact[d] * (1 - exact[d]) / samples)
        assert 0.7 <= estimates.std(ddof=1) / analytic <= 1.4

        psi = np.array([r.defenses[defense].expected_utility for r in results])
        reported = np.array([r.defenses[defense].standard_error for r in results])
        assert 0.7 <= psi.std(ddof=1) / reported.mean() <= 1.4
        # The reported error is the §3.1 formula with p̂ plugged in.
        plug_in = [math.sqrt(p * (1 - p) / samples) * abs(defender[d, 1] - defender[d, 0]) for p in estimates]
        np.testing.assert_allclose(reported, plug_in, rtol=1e-9)
        reported_p = np.array([r.defenses[defense].attack_probability_errors["insider"] for r in results])
        np.testing.assert_allclose(reported_p, np.sqrt(estimates * (1 - estimates) / samples), rtol=1e-12)


def test_paired_difference_error_matches_spread():
    # Common draws make ψ̂(d0) − ψ̂(d1) much less variable than either estimate.
    problem = theft_problem(costs=[0.0, 12.0], probabilities=[[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.8, 0.2]]])
    results = [assess(problem, seed=seed, samples=1_000, chunk_size=1_000) for seed in range(2_000, 2_040)]
    differences = np.array([r.defenses["asl2"].expected_utility - r.defenses["asl3"].expected_utility
                            for r in results])
    reported = np.array([r.sections["ara"]["difference_from_recommended"]["asl2"]["standard_error"]
                         if r.recommended_defense == "asl3" else
                         r.sections["ara"]["difference_from_recommended"]["asl3"]["standard_error"]
                         for r in results])
    assert 0.7 <= differences.std(ddof=1) / reported.mean() <= 1.4
    unpaired = np.mean([math.hypot(r.defenses["asl2"].standard_error, r.defenses["asl3"].standard_error)
                        for r in results])
    assert reported.mean() < 0.8 * unpaired


def test_standard_error_halves_with_four_times_draws():
    problem = theft_problem(costs=[0.0, 12.0], probabilities=[[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.8, 0.2]]])
    small = assess(problem, seed=7, samples=4_000)
    large = assess(problem, seed=7, samples=16_000)
    for defense in problem.defense_ids:
        ratio = large.defenses[defense].standard_error / small.defenses[defense].standard_error
        assert 0.45 <= ratio <= 0.55
        low = max(small.defenses[defense].expected_utility, large.defenses[defense].expected_utility)
        high = min(small.defenses[defense].expected_utility, large.defenses[defense].expected_utility)
        reach = 2 * (small.defenses[defense].standard_error + large.defenses[defense].standard_error)
        assert low - high <= reach
