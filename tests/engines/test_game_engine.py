"""The game engine's ``assess`` on small Defend–Attack problems built by hand."""

from fractions import Fraction

import numpy as np
import pytest

from riskapp.engines import get_engine
from riskapp.engines.distributions import Distribution
from riskapp.engines.game import ENGINE_VERSION, assess, attacker_matrices
from riskapp.engines.problem import Band, Problem, ProblemError, RiskLevel, RiskMatrixConfig
from riskapp.engines.result import AssessmentResult

MATRIX = RiskMatrixConfig(
    likelihood=(Band("Any", Fraction(1)),),
    consequence=(Band("Any", None),),
    levels=(RiskLevel("Low", "#2e7d32"),),
    grid=((0,),),
)


def make_problem(
    *,
    defense_costs,
    attack_costs,
    losses,
    gains,
    probabilities,
    tie_break="against_defender",
    defender_risk_aversion=0.0,
    attacker_risk_aversion=0.0,
    model="sequential",
):
    n_defenses, n_attacks = len(defense_costs), len(attack_costs)
    point = Distribution.point
    return Problem(
        defense_ids=tuple(f"d{i}" for i in range(n_defenses)),
        defense_names=tuple(f"Defense {i}" for i in range(n_defenses)),
        defense_costs=np.array(defense_costs, dtype=float),
        attack_ids=tuple(["none", *[f"a{i}" for i in range(1, n_attacks)]]),
        attack_names=tuple(f"Attack {i}" for i in range(n_attacks)),
        attack_costs=tuple(c if isinstance(c, Distribution) else point(c) for c in attack_costs),
        attempt_probabilities=(None,) * n_attacks,
        outcome_ids=tuple(f"s{i}" for i in range(len(losses))),
        outcome_names=tuple(f"Outcome {i}" for i in range(len(losses))),
        defender_losses=np.array(losses, dtype=float),
        attacker_gains=tuple(g if isinstance(g, Distribution) else point(g) for g in gains),
        probabilities=np.array(probabilities, dtype=float),
        defender_risk_aversion=defender_risk_aversion,
        attacker_risk_aversion=(
            attacker_risk_aversion
            if isinstance(attacker_risk_aversion, Distribution)
            else point(attacker_risk_aversion)
        ),
        risk_matrix=MATRIX,
        digest="test",
        model=model,
        tie_break=tie_break,
    )


def tied_problem(tie_break: str) -> Problem:
    # Under d0 the attack a1 gives the attacker 0.5·(10 − 5) + 0.5·(0 − 5) = 0, exactly what
    # "none" gives: a tie. Under d1 it gives 0.2·5 + 0.8·(−5) = −3, so the attacker stays out.
    return make_problem(
        defense_costs=[0, 1],
        attack_costs=[0, 5],
        losses=[0, 10],
        gains=[0, 10],
        probabilities=[[[1, 0], [0.5, 0.5]], [[1, 0], [0.8, 0.2]]],
        tie_break=tie_break,
    )


def test_tie_against_defender_picks_attack():
    result = assess(tied_problem("against_defender"))
    assert result.defenses["d0"].attack_probabilities == {"none": 0.0, "a1": 1.0}
    assert result.defenses["d0"].expected_utility == pytest.approx(-5.0)
    assert result.defenses["d1"].expected_utility == pytest.approx(-1.0)
    assert result.recommended_defense == "d1"
    assert result.defense_ranking == ["d1", "d0"]
    assert result.sections["ties"]["attacks"] == {"d0": ["none", "a1"]}
    assert [w.code for w in result.warnings] == ["game.attack_tie"]


def test_tie_for_defender_picks_none():
    result = assess(tied_problem("for_defender"))
    assert result.defenses["d0"].attack_probabilities == {"none": 1.0, "a1": 0.0}
    assert result.defenses["d0"].expected_utility == 0.0
    assert result.recommended_defense == "d0"
    assert result.defense_ranking == ["d0", "d1"]
    assert result.indistinguishable == []


def test_tied_defenses_listed_indistinguishable():
    problem = make_problem(
        defense_costs=[2, 1, 1],
        attack_costs=[0, 1],
        losses=[0, 4],
        gains=[0, 3],
        probabilities=[[[1, 0], [0.5, 0.5]]] * 3,
    )
    result = assess(problem)
    assert result.recommended_defense == "d1"
    assert result.defense_ranking == ["d1", "d2", "d0"]
    assert result.indistinguishable == ["d2"]
    assert result.sections["ties"]["defenses"] == [["d1", "d2"]]


def test_per_defense_fields_and_units():
    result = assess(tied_problem("against_defender"))
    for defense in result.defenses.values():
        assert defense.score.unit == "defender utility"
        assert defense.score.value == defense.expected_utility
        assert defense.standard_error is None
        assert defense.attack_probability_errors is None
        assert defense.risk_level is None
        assert sum(defense.attack_probabilities.values()) == 1.0
    assert result.engine == "game"
    assert result.engine_version == ENGINE_VERSION
    assert result.status == "ok"


def test_mixed_commitment_section_values():
    # U_D = [[0, −5], [−1, −3]] and U_A = [[0, 0], [0, −3]]: "none" is always a best response,
    # the defender commits to d0, and at d0 the attacker is indifferent, so the pessimistic
    # value is U_D[d0, a1] = −5.
    section = assess(tied_problem("against_defender")).sections["mixed_commitment"]
    assert section["defender"] == pytest.approx({"d0": 1.0, "d1": 0.0})
    assert section["attack"] == "none"
    assert section["attacker_best_responses"] == ["none", "a1"]
    assert section["expected_utility"] == pytest.approx(0.0, abs=1e-12)
    assert section["pessimistic_value"] == pytest.approx(-5.0)
    assert section["attacker_utility"] == pytest.approx(0.0, abs=1e-12)


def test_nash_section_lists_equilibria():
    # U_D = [[0, −5], [−1, −3]], U_A = [[0, 0], [0, −3]]. At d0 the attacker is indifferent, and d0
    # stays the defender's best response while the attack probability y is at most 1/3 (−5y ≥
    # −(1 − y) − 3y): a segment of equilibria from y = 0 to y = 1/3.
    result = assess(tied_problem("against_defender"), exact=True)
    equilibria = result.sections["nash_equilibria"]
    assert len(equilibria) == 2
    assert all(e["defender"] == {"d0": 1.0, "d1": 0.0} for e in equilibria)
    assert [e["attacker"]["a1"] for e in equilibria] == pytest.approx([1 / 3, 0.0])
    assert [e["expected_utility"] for e in equilibria] == pytest.approx([-5 / 3, 0.0])
    assert [e["attacker_utility"] for e in equilibria] == [0.0, 0.0]
    summary = result.sections["simultaneous_game"]
    assert summary["method"] == "vertex_enumeration"
    assert summary["complete"] is True
    assert summary["degenerate"] is True


def test_attacker_matrices_risk_averse():
    problem = make_problem(
        defense_costs=[0],
        attack_costs=[0, 2],
        losses=[0, 10],
        gains=[0, 12],
        probabilities=[[[1, 0], [0.25, 0.75]]],
        attacker_risk_aversion=0.1,
    )
    certainty, expected = attacker_matrices(problem)

    def u(x: float) -> float:
        return -np.expm1(-0.1 * x) / 0.1

    assert expected[0, 1] == pytest.approx(0.25 * u(-2) + 0.75 * u(10), rel=1e-12)
    assert certainty[0, 1] == pytest.approx(-np.log(0.25 * np.exp(0.2) + 0.75 * np.exp(-1.0)) / 0.1, rel=1e-12)
    assert expected[0, 0] == 0.0


def test_point_values_are_means():
    problem = make_problem(
        defense_costs=[0, 1],
        attack_costs=[0, Distribution("uniform", (1.0, 3.0))],
        losses=[0, 10],
        gains=[0, Distribution("triangular", (0.0, 6.0, 12.0))],
        probabilities=[[[1, 0], [0.5, 0.5]], [[1, 0], [0.9, 0.1]]],
    )
    result = assess(problem)
    assert result.point_values["attack_costs"]["a1"] == 2.0
    assert result.point_values["attacker_gains"]["s1"] == 6.0
    # Under d0 the attack gives 0.5·6 − 2 = 1 > 0, under d1 0.1·6 − 2 < 0.
    assert result.defenses["d0"].attack_probabilities["a1"] == 1.0
    assert result.defenses["d1"].attack_probabilities["none"] == 1.0
    assert "game.point_values" in [w.code for w in result.warnings]


def test_overflowing_attacker_utility_rejected():
    problem = make_problem(
        defense_costs=[0],
        attack_costs=[0, 0],
        losses=[0, 1],
        gains=[0, 1000],
        probabilities=[[[1, 0], [0, 1]]],
        attacker_risk_aversion=-1.0,
    )
    with pytest.raises(ProblemError, match="attacker.risk_aversion"):
        assess(problem)


def test_result_json_round_trip():
    result = get_engine("game")(tied_problem("against_defender"))
    data = result.to_dict()
    assert data["mixed_commitment"]["attack"] == "none"
    assert data["counts"]["lps_solved"] >= 0
    assert AssessmentResult.from_dict(data).to_dict() == data


def test_simultaneous_model_warns():
    problem = make_problem(
        defense_costs=[0, 1],
        attack_costs=[0, 5],
        losses=[0, 10],
        gains=[0, 10],
        probabilities=[[[1, 0], [0.5, 0.5]], [[1, 0], [0.8, 0.2]]],
        model="simultaneous",
    )
    assert "game.simultaneous_model" in [w.code for w in assess(problem).warnings]


def test_large_problem_reports_incomplete_list(rng):
    size = 12
    probabilities = rng.dirichlet(np.ones(3), size=(size, size))
    problem = make_problem(
        defense_costs=rng.uniform(0, 5, size),
        attack_costs=rng.uniform(0, 5, size),
        losses=[0, 10, 50],
        gains=[0, 8, 20],
        probabilities=probabilities,
    )
    result = assess(problem)
    summary = result.sections["simultaneous_game"]
    assert summary["method"] == "lemke_howson"
    assert summary["complete"] is False
    assert "game.nash_incomplete" in [w.code for w in result.warnings]
    assert len(result.sections["nash_equilibria"]) >= 1


def zero_sum_payoffs(attacker_risk_aversion: float) -> Problem:
    # No costs and attacker gain = defender loss: the payoffs are zero-sum, and so are the
    # utilities exactly when both players are risk neutral.
    return make_problem(
        defense_costs=[0, 0],
        attack_costs=[0, 0],
        losses=[0, 10],
        gains=[0, 10],
        probabilities=[[[1, 0], [0.4, 0.6]], [[0.9, 0.1], [0.7, 0.3]]],
        attacker_risk_aversion=attacker_risk_aversion,
    )


def test_zero_sum_utilities_detected():
    # U_D = [[0, −6], [−1, −3]]: the attacker's a1 dominates, so the value is −3 at (d1, a1).
    summary = assess(zero_sum_payoffs(0.0)).sections["simultaneous_game"]
    assert summary["zero_sum_value"] == pytest.approx(-3.0)


def test_risk_averse_attacker_not_zero_sum():
    summary = assess(zero_sum_payoffs(0.05)).sections["simultaneous_game"]
    assert summary["zero_sum_value"] is None


def test_lemke_howson_cap_not_converged():
    problem = make_problem(
        defense_costs=[0, 1, 2],
        attack_costs=[0, 1, 2],
        losses=[0, 10],
        gains=[0, 10],
        probabilities=[
            [[1, 0], [0.5, 0.5], [0.2, 0.8]],
            [[1, 0], [0.7, 0.3], [0.4, 0.6]],
            [[1, 0], [0.9, 0.1], [0.6, 0.4]],
        ],
    )
    result = assess(problem, max_support_enumeration=0, lemke_howson_cap=1)
    summary = result.sections["simultaneous_game"]
    assert summary["method"] == "lemke_howson"
    assert summary["lemke_howson_paths"]["pivot_cap"] >= 1
    assert result.status == "not_converged"
    assert {"game.nash_incomplete", "game.lemke_howson_cap"} <= {w.code for w in result.warnings}
    assert result.options == {"exact": False, "max_support_enumeration": 0, "lemke_howson_cap": 1}
