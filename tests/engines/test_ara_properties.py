"""ARA engine: bookkeeping, limiting cases, invariances and monotonicity.

Each test checks one property of the Monte Carlo estimator on problems where the property is
exact for every seed, so the assertions are exact or hold to rounding.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from riskapp.engines import game
from riskapp.engines.ara import assess
from riskapp.engines.ara._chunk import attacker_choices
from riskapp.engines.decision import best_responses, certainty_equivalents
from riskapp.engines.distributions import Distribution
from tests.engines.test_ara import make_problem, random_problem

UNIFORM_GAIN = Distribution("uniform", (0.0, 100.0))


def backward_induction(problem):
    """The attacker's best response a*(d) and U_D[d, a*(d)] with point values and P_A = p."""
    gains = np.array([g.mean() for g in problem.attacker_gains])
    costs = np.array([c.mean() for c in problem.attack_costs])
    payoffs = np.broadcast_to(gains[np.newaxis, :] - costs[:, np.newaxis], problem.probabilities.shape)
    values = certainty_equivalents(payoffs, problem.probabilities, problem.attacker_risk_aversion.mean())
    defender = problem.defender_utilities()
    responses = best_responses(values, defender, problem.tie_break)
    return responses, defender[np.arange(len(responses)), responses]


def attack_counts(result, defense):
    return result.sections["ara"]["attack_counts"][defense]


# Bookkeeping on random problems


@st.composite
def problems(draw):
    n_defenses = draw(st.integers(1, 3))
    n_attacks = draw(st.integers(1, 3))
    n_outcomes = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(n_outcomes), size=(n_defenses, n_attacks))
    # Some impossible outcomes, keeping at least one possible outcome per row.
    impossible = rng.random(probabilities.shape) < 0.25
    impossible[..., 0] = False
    probabilities = np.where(impossible, 0.0, probabilities)
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    families = [Distribution.point(3.0), Distribution("uniform", (-5.0, 20.0)),
                Distribution("lognormal", (1.0, 1.5)), Distribution("truncated_normal", (2.0, 4.0, 0.0, None))]
    return make_problem(
        probabilities,
        gains=[families[draw(st.integers(0, 3))] for _ in range(n_outcomes)],
        costs=[families[draw(st.integers(0, 3))] for _ in range(n_attacks)],
        risk_aversion=draw(st.sampled_from([0.0, Distribution("uniform", (-0.05, 0.05))])),
        losses=rng.uniform(0, 50, n_outcomes), defense_costs=rng.uniform(0, 5, n_defenses),
        kappa=draw(st.sampled_from([None, 0.3, 20.0])), model=draw(st.sampled_from(["sequential", "simultaneous"])),
        tie_break=draw(st.sampled_from(["against_defender", "for_defender"])))


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), seed=st.integers(0, 2**53 - 1), samples=st.integers(1, 700))
def test_bookkeeping_on_random_problems(problem, seed, samples):
    result = assess(problem, seed=seed, samples=samples, chunk_size=250)
    defender = problem.defender_utilities()
    json.dumps(result.to_dict(), allow_nan=False)

    for d, defense in enumerate(problem.defense_ids):
        assessment = result.defenses[defense]
        counts = attack_counts(result, defense)
        # Integer counts summing to K, and p̂ = counts / K.
        assert sum(counts.values()) == samples
        for attack in problem.attack_ids:
            assert assessment.attack_probabilities[attack] == counts[attack] / samples
        assert math.fsum(assessment.attack_probabilities.values()) == pytest.approx(1.0, abs=1e-15)
        # ψ̂ lies between the extreme attack utilities and equals Σ p̂ U_D.
        psi = assessment.expected_utility
        tolerance = 1e-12 * max(1.0, np.max(np.abs(defender[d])))
        assert defender[d].min() - tolerance <= psi <= defender[d].max() + tolerance
        weighted = math.fsum(assessment.attack_probabilities[a] * defender[d, i]
                             for i, a in enumerate(problem.attack_ids))
        assert psi == pytest.approx(weighted, rel=1e-12, abs=1e-12)
        assert assessment.standard_error >= 0.0

    # The recommendation is the argmax of ψ̂, and the ranking is sorted best first.
    values = [result.defenses[d].expected_utility for d in result.defense_ranking]
    assert values == sorted(values, reverse=True)
    assert result.recommended_defense == result.defense_ranking[0]
    assert result.recommended_defense not in result.indistinguishable
    if problem.model == "simultaneous":
        first = attack_counts(result, problem.defense_ids[0])
        assert all(attack_counts(result, d) == first for d in problem.defense_ids)


# Limiting cases: point masses, ties, dominated attacks, constant utility


def test_point_masses_collapse_to_backward_induction():
    rng = np.random.default_rng(30)
    probabilities = rng.dirichlet(np.ones(4), size=(5, 4))
    problem = make_problem(probabilities, gains=[0.0, 10.0, 25.0, 60.0], costs=[0.0, 3.0, 8.0, 12.0],
                           risk_aversion=0.02, losses=[0.0, 5.0, 20.0, 80.0],
                           defense_costs=[0.0, 1.0, 2.5, 4.0, 6.0], defender_risk_aversion=0.01)
    responses, values = backward_induction(problem)
    result = assess(problem, seed=7, samples=1_234, chunk_size=500)

    for d, defense in enumerate(problem.defense_ids):
        assessment = result.defenses[defense]
        expected = {a: float(i == responses[d]) for i, a in enumerate(problem.attack_ids)}
        assert assessment.attack_probabilities == expected
        assert assessment.expected_utility == values[d]
        assert assessment.standard_error == 0.0
        assert set(assessment.attack_probability_errors.values()) == {0.0}
    order = sorted(range(5), key=lambda d: (-values[d], d))
    assert result.defense_ranking == [problem.defense_ids[d] for d in order]
    assert result.indistinguishable == []


@pytest.mark.parametrize(("tie_break", "chosen"), [("against_defender", "steal"), ("for_defender", "sabotage")])
def test_point_masses_exact_tie_rule(tie_break, chosen):
    # Both attacks give the attacker a certain payoff of 5; "steal" costs the defender more.
    probabilities = [[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]]
    problem = make_problem(probabilities, gains=[0.0, 5.0, 5.0], costs=[0.0, 0.0, 0.0], losses=[0.0, 50.0, 10.0],
                           attack_ids=("none", "steal", "sabotage"), tie_break=tie_break)
    responses, values = backward_induction(problem)
    result = assess(problem, seed=1, samples=300, chunk_size=100)
    assert problem.attack_ids[responses[0]] == chosen
    assert result.defenses["d0"].attack_probabilities[chosen] == 1.0
    assert result.defenses["d0"].expected_utility == values[0]


@pytest.mark.parametrize("tie_break", ["against_defender", "for_defender"])
def test_point_masses_match_game_engine(tie_break):
    # Small integer payoffs make attacker ties and tied defenses common.
    rng = np.random.default_rng(39)
    for _ in range(25):
        n_defenses, n_attacks, n_outcomes = rng.integers(1, 5), rng.integers(1, 5), rng.integers(2, 4)
        probabilities = rng.choice([0.0, 0.25, 0.5, 1.0], size=(n_defenses, n_attacks, n_outcomes)) + 1e-3
        probabilities[rng.random(probabilities.shape) < 0.3] = 0.0
        probabilities[..., 0] += 0.1
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        problem = make_problem(probabilities, gains=list(rng.integers(0, 4, n_outcomes).astype(float)),
                               costs=list(rng.integers(0, 2, n_attacks).astype(float)),
                               risk_aversion=float(rng.choice([0.0, 0.1])),
                               losses=rng.integers(0, 3, n_outcomes).astype(float),
                               defense_costs=rng.integers(0, 2, n_defenses).astype(float), tie_break=tie_break)
        solved = game.assess(problem)
        estimated = assess(problem, seed=3, samples=200, chunk_size=150)
        assert estimated.recommended_defense == solved.recommended_defense
        assert estimated.defense_ranking == solved.defense_ranking
        assert estimated.indistinguishable == solved.indistinguishable
        for defense in problem.defense_ids:
            assert estimated.defenses[defense].attack_probabilities == solved.defenses[defense].attack_probabilities
            assert estimated.defenses[defense].expected_utility == solved.defenses[defense].expected_utility


def test_exactly_tied_defenses_indistinguishable():
    # Defenses d0 and d1 are identical; d2 is strictly worse.
    row = [[1.0, 0.0], [0.6, 0.4]]
    problem = make_problem([row, row, row], gains=[0.0, UNIFORM_GAIN], costs=[0.0, 20.0], losses=[0.0, 10.0],
                           defense_costs=[1.0, 1.0, 3.0], risk_aversion=Distribution("uniform", (-0.01, 0.01)))
    result = assess(problem, seed=4, samples=2_000, chunk_size=1_000, indistinguishable_se=0.0)
    assert result.recommended_defense == "d0"
    assert result.defense_ranking == ["d0", "d1", "d2"]
    assert result.indistinguishable == ["d1"]
    assert result.sections["ara"]["difference_from_recommended"]["d1"] == {"difference": 0.0, "standard_error": 0.0}


def test_dominated_attack_never_chosen():
    rng = np.random.default_rng(31)
    probabilities = rng.dirichlet(np.ones(3), size=(3, 3))
    arguments = {"gains": [Distribution("uniform", (0.0, 10.0))] * 3, "kappa": 2.0,
                 "risk_aversion": Distribution("uniform", (-0.1, 0.1)), "losses": [0.0, 5.0, 10.0]}
    costs = [0.0, Distribution("uniform", (0.0, 5.0)), 2.0]
    problem = make_problem(probabilities, costs=costs, **arguments)
    # The added attack costs 1000 and gains at most 10: worse than "a0" for every draw.
    extended = make_problem(np.concatenate([probabilities, probabilities[:, :1]], axis=1),
                            costs=[*costs, 1000.0], attack_ids=("a0", "a1", "a2", "dominated"), **arguments)
    result = assess(problem, seed=12, samples=3_000, chunk_size=1_000)
    with_dominated = assess(extended, seed=12, samples=3_000, chunk_size=1_000)
    for defense in problem.defense_ids:
        counts = attack_counts(with_dominated, defense)
        assert counts.pop("dominated") == 0
        assert counts == attack_counts(result, defense)
        assert with_dominated.defenses[defense].expected_utility == pytest.approx(
            result.defenses[defense].expected_utility, rel=1e-14)


@pytest.mark.parametrize("tie_break", ["against_defender", "for_defender"])
def test_constant_attacker_utility_follows_tie_rule(tie_break):
    # Every attack pays the attacker exactly 3 in every outcome, whatever the draw.
    rng = np.random.default_rng(32)
    probabilities = rng.dirichlet(np.ones(3), size=(2, 4))
    problem = make_problem(probabilities, gains=[3.0, 3.0, 3.0], costs=[0.0] * 4, kappa=1.0,
                           risk_aversion=Distribution("uniform", (-1.0, 1.0)), losses=[0.0, 10.0, 40.0],
                           tie_break=tie_break)
    defender = problem.defender_utilities()
    result = assess(problem, seed=3, samples=500, chunk_size=200)
    for d, defense in enumerate(problem.defense_ids):
        expected = np.argmin(defender[d]) if tie_break == "against_defender" else np.argmax(defender[d])
        assert result.defenses[defense].attack_probabilities[problem.attack_ids[expected]] == 1.0


# Invariances: affine utilities, relabelling, common draws


def test_defender_affine_transform_maps_estimates():
    base = random_problem(np.random.default_rng(33))
    # Risk-neutral defender: scaling losses and costs by 3 and adding 2 to every cost maps u_D to 3·u_D − 2.
    scaled = make_problem(base.probabilities, gains=base.attacker_gains, costs=base.attack_costs,
                          risk_aversion=base.attacker_risk_aversion, losses=3 * base.defender_losses,
                          defense_costs=3 * base.defense_costs + 2, kappa=base.belief_concentration)
    before = assess(base, seed=8, samples=2_000, chunk_size=700)
    after = assess(scaled, seed=8, samples=2_000, chunk_size=700)
    assert after.defense_ranking == before.defense_ranking
    assert after.indistinguishable == before.indistinguishable
    for defense in base.defense_ids:
        old, new = before.defenses[defense], after.defenses[defense]
        assert new.attack_probabilities == old.attack_probabilities
        assert new.expected_utility == pytest.approx(3 * old.expected_utility - 2, rel=1e-12)
        assert new.standard_error == pytest.approx(3 * old.standard_error, rel=1e-9)


def test_attacker_rescaling_keeps_choices():
    base = random_problem(np.random.default_rng(34), kappa=None)
    # Payoffs × 4 with risk aversion ÷ 4 multiply every certainty equivalent by 4.
    scaled = make_problem(
        base.probabilities,
        gains=[Distribution(g.kind, tuple(4 * v for v in g.parameters)) for g in base.attacker_gains],
        costs=[Distribution(c.kind, tuple(4 * v for v in c.parameters)) for c in base.attack_costs],
        risk_aversion=Distribution("uniform", (-0.05 / 4, 0.1 / 4)), losses=base.defender_losses,
        defense_costs=base.defense_costs)
    assert_array_equal(attacker_choices(scaled, seed=2, index=0, draws=3_000),
                       attacker_choices(base, seed=2, index=0, draws=3_000))


def test_relabelling_permutes_outputs():
    problem = random_problem(np.random.default_rng(35))
    defense_order, attack_order = [2, 0, 1], [3, 1, 0, 2]
    permuted = make_problem(
        problem.probabilities[defense_order][:, attack_order], gains=problem.attacker_gains,
        costs=[problem.attack_costs[a] for a in attack_order], risk_aversion=problem.attacker_risk_aversion,
        losses=problem.defender_losses, defense_costs=problem.defense_costs[defense_order],
        kappa=problem.belief_concentration, defense_ids=[problem.defense_ids[d] for d in defense_order],
        attack_ids=[problem.attack_ids[a] for a in attack_order])
    original = assess(problem, seed=5, samples=2_000, chunk_size=600)
    relabelled = assess(permuted, seed=5, samples=2_000, chunk_size=600)
    assert relabelled.defense_ranking == original.defense_ranking
    for defense in problem.defense_ids:
        assert attack_counts(relabelled, defense) == attack_counts(original, defense)
        assert relabelled.defenses[defense].expected_utility == pytest.approx(
            original.defenses[defense].expected_utility, rel=1e-13)


def test_common_draws_across_attacks():
    # "a2" is "a1" at one more unit of cost, so it is worse for every attacker type, though a
    # type's gain and risk aversion vary widely. Drawing the type anew for each attack would
    # choose "a2" about half the time.
    row = [[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]]
    problem = make_problem([row, row], gains=[0.0, UNIFORM_GAIN], costs=[0.0, 25.0, 26.0],
                           risk_aversion=Distribution("uniform", (-0.05, 0.05)))
    result = assess(problem, seed=9, samples=5_000, chunk_size=2_500)
    for defense in problem.defense_ids:
        assert attack_counts(result, defense)["a2"] == 0
        assert 1_000 < attack_counts(result, defense)["a1"] < 4_000


# Monotonicity and the value of perfect information


def deterrence_problem(gain=UNIFORM_GAIN):
    """No attack versus an attack whose success probability falls from d0 to d2."""
    rows = [[[1.0, 0.0], [1 - q, q]] for q in (0.5, 0.3, 0.1)]
    return make_problem(rows, gains=[0.0, gain], costs=[0.0, Distribution("uniform", (0.0, 20.0))],
                        risk_aversion=Distribution("uniform", (-0.05, 0.05)), losses=[0.0, 100.0],
                        defense_costs=[0.0, 2.0, 4.0])


def test_stronger_defense_deters_each_draw():
    # The same attacker draws face every defense, so the ordering holds draw by draw. With
    # random beliefs (κ set) each (defense, attack) row has its own stream and the ordering
    # holds only in expectation.
    choices = attacker_choices(deterrence_problem(), seed=3, index=0, draws=5_000)
    assert np.all(choices[:, 1] <= choices[:, 0])
    assert np.all(choices[:, 2] <= choices[:, 1])
    assert choices[:, 0].sum() > choices[:, 2].sum() > 0


def test_bigger_prize_encourages_each_draw():
    # The raised prize uses the same stream and quantile, so every draw's gain rises by 10.
    base = attacker_choices(deterrence_problem(), seed=3, index=0, draws=5_000)
    raised = attacker_choices(deterrence_problem(Distribution("uniform", (10.0, 110.0))), seed=3, index=0,
                              draws=5_000)
    assert np.all(raised >= base)
    assert raised.sum() > base.sum()


def test_more_attacks_lower_defender_utility():
    # An attack hurts the defender under every defense, so raising p(attack | d) lowers ψ_D(d).
    problem = deterrence_problem()
    raised_problem = deterrence_problem(Distribution("uniform", (10.0, 110.0)))
    defender = problem.defender_utilities()
    assert np.all(defender[:, 1] < defender[:, 0])
    base = assess(problem, seed=3, samples=5_000, chunk_size=5_000)
    raised = assess(raised_problem, seed=3, samples=5_000, chunk_size=5_000)
    for defense in problem.defense_ids:
        assert raised.defenses[defense].attack_probabilities["a1"] > base.defenses[defense].attack_probabilities["a1"]
        assert raised.defenses[defense].expected_utility < base.defenses[defense].expected_utility


def test_perfect_information_value_non_negative():
    problem = random_problem(np.random.default_rng(36), shape=(4, 3, 3))
    choices = attacker_choices(problem, seed=1, index=0, draws=4_000)
    utilities = problem.defender_utilities()[np.arange(4), choices]
    result = assess(problem, seed=1, samples=4_000, chunk_size=4_000)
    best_without_information = max(a.expected_utility for a in result.defenses.values())
    assert utilities.max(axis=1).mean() >= best_without_information - 1e-12


# Simultaneous model: level-1 attacker


def test_simultaneous_fixed_beliefs_match_level_one():
    # Dirichlet weights of 1e9 make q ≈ π0 = (0.2, 0.5, 0.3) in every draw.
    rng = np.random.default_rng(37)
    probabilities = rng.dirichlet(np.ones(3), size=(3, 4))
    arguments = {"gains": [0.0, 15.0, 40.0], "costs": [0.0, 2.0, 5.0, 9.0], "risk_aversion": 0.03,
                 "losses": [0.0, 10.0, 30.0]}
    problem = make_problem(probabilities, model="simultaneous", defense_beliefs=[2e8, 5e8, 3e8], **arguments)
    prior = np.array([0.2, 0.5, 0.3])
    mixture = np.einsum("d,das->as", prior, problem.probabilities)
    payoffs = np.array([0.0, 15.0, 40.0])[np.newaxis, :] - np.array([0.0, 2.0, 5.0, 9.0])[:, np.newaxis]
    values = certainty_equivalents(payoffs, mixture, 0.03)
    assert np.sort(values)[-1] - np.sort(values)[-2] > 0.1
    level_one = problem.attack_ids[int(np.argmax(values))]

    result = assess(problem, seed=2, samples=1_000, chunk_size=500)
    defender = problem.defender_utilities()
    for d, defense in enumerate(problem.defense_ids):
        assert result.defenses[defense].attack_probabilities[level_one] == 1.0
        assert result.defenses[defense].expected_utility == defender[d, problem.attack_ids.index(level_one)]


def test_simultaneous_renamed_defenses_same_attacks():
    rng = np.random.default_rng(38)
    probabilities = rng.dirichlet(np.ones(2), size=(3, 3))
    arguments = {"gains": [0.0, UNIFORM_GAIN], "costs": [0.0, 10.0, Distribution("uniform", (0.0, 30.0))],
                 "model": "simultaneous", "defense_beliefs": [1.0, 2.0, 3.0]}
    problem = make_problem(probabilities, **arguments)
    renamed = make_problem(probabilities, defense_ids=("x", "y", "z"), **arguments)
    original = assess(problem, seed=6, samples=2_000, chunk_size=1_000)
    copy = assess(renamed, seed=6, samples=2_000, chunk_size=1_000)
    assert attack_counts(copy, "x") == attack_counts(original, "d0")
    assert len(set(attack_counts(original, "d0").values())) > 1
