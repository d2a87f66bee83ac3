"""One-way sensitivity of the recommendations, against switch points computed by hand."""

import math
from fractions import Fraction

import numpy as np
import pytest

from riskapp.engines import get_engine
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, ExactInputs, Problem, ProblemError, RiskLevel, RiskMatrixConfig
from riskapp.engines.sensitivity import (
    BISECTION_STEPS,
    GRID_STEPS,
    analyse,
    parameters,
    recommendation_interval,
    scale_distribution,
    shift_distribution,
)

# Bisection leaves the switch point within this relative distance of a factor (log2 spacing).
FACTOR_PRECISION = 2 ** (math.log2(16) / GRID_STEPS / 2**BISECTION_STEPS) - 1


def two_defense_problem(*, cost_b: float = 4.0, loss: float = 10.0, attempt: float | None = 0.5,
                        success_under_a: str = "1") -> Problem:
    """Under defense A the attacker attacks and succeeds with ``success_under_a``; B stops every attack.

    With certain success, U_D(A) = −loss and U_D(B) = −cost_b, so the game recommends B while
    cost_b < loss.
    """
    success = Fraction(success_under_a)
    exact_rows = (
        ((Fraction(1), Fraction(0)), (1 - success, success)),   # A: no attack → kept; attack → lost
        ((Fraction(1), Fraction(0)), (Fraction(1), Fraction(0))),   # B: every attack fails
    )
    probabilities = np.array([[[float(v) for v in row] for row in block] for block in exact_rows])
    exact = ExactInputs(
        probabilities=exact_rows,
        defender_losses=(Fraction(0), Fraction(loss)),
        attempt_probabilities=(None, None if attempt is None else Fraction(attempt)),
    )
    return Problem(
        defense_ids=("A", "B"), defense_names=("Defense A", "Defense B"), defense_costs=np.array([0.0, cost_b]),
        attack_ids=("none", "attack"), attack_names=("No attack", "Attack"),
        attack_costs=(Distribution.point(0.0), Distribution.point(1.0)),
        attempt_probabilities=(None, attempt),
        outcome_ids=("kept", "lost"), outcome_names=("Kept", "Lost"),
        defender_losses=np.array([0.0, loss]),
        attacker_gains=(Distribution.point(0.0), Distribution.point(10.0)),
        probabilities=probabilities, defender_risk_aversion=0.0, attacker_risk_aversion=Distribution.point(0.0),
        risk_matrix=RiskMatrixConfig(
            likelihood=(Band("Unlikely", Fraction(1, 4)), Band("Likely", Fraction(1))),
            consequence=(Band("Small", Fraction(5)), Band("Large", None)),
            levels=(RiskLevel("Low", "#2e7d32"), RiskLevel("High", "#c62828")),
            grid=((0, 0), (0, 1))),
        digest="two-defense", exact=exact)


def _game(problem: Problem) -> str:
    return get_engine("game")(problem).recommended_defense


def _parameter(problem: Problem, key: str):
    return next(p for p in parameters(problem) if p.key == key)


def test_defense_cost_switch_point():
    problem = two_defense_problem()
    interval = recommendation_interval(problem, _parameter(problem, "defense_cost:B"), _game)
    # B stays best until its cost 4·f exceeds the loss 10 under A: f = 2.5.
    assert interval.high == pytest.approx(2.5, rel=FACTOR_PRECISION)
    assert interval.high >= 2.5
    assert interval.high_defense == "A"
    assert interval.low is None
    assert interval.low_defense is None


def test_defender_loss_switch_point():
    problem = two_defense_problem()
    interval = recommendation_interval(problem, _parameter(problem, "defender_loss:lost"), _game)
    # A becomes best once the loss 10·f falls below B's cost 4: f = 0.4.
    assert interval.low == pytest.approx(0.4, rel=FACTOR_PRECISION)
    assert interval.low <= 0.4
    assert interval.low_defense == "A"
    assert interval.high is None


def test_attempt_probability_stops_at_one():
    problem = two_defense_problem(attempt=0.5)
    interval = recommendation_interval(problem, _parameter(problem, "attempt_probability:attack"),
                                       lambda p: get_engine("risk_matrix")(p).recommended_defense)
    # Factors above 2 would make the attempt probability exceed 1: the search ends there.
    assert interval.high is None
    assert interval.searched_high == 16.0


def test_attacker_gain_switch_point():
    problem = two_defense_problem(cost_b=0.5)
    interval = recommendation_interval(problem, _parameter(problem, "attacker_gain:lost"), _game)
    # Under A the attacker stops attacking once the gain 10·f falls below the attack cost 1,
    # and then A (cost 0) beats B (cost 0.5). At f = 0.1 exactly the attacker is indifferent
    # and the tie rule picks the attack, so the switch lies just below 0.1.
    assert interval.low == pytest.approx(0.1, rel=FACTOR_PRECISION)
    assert interval.low < 0.1
    assert interval.low_defense == "A"
    assert interval.high is None


def test_unchanged_recommendation_has_open_interval():
    problem = two_defense_problem(cost_b=0.5)
    interval = recommendation_interval(problem, _parameter(problem, "defense_cost:B"), _game)
    # B at cost 0.5·f stays below A's certain loss of 10 for every f up to 16.
    assert interval.low is None
    assert interval.high is None


def test_ara_point_masses_match_game():
    problem = two_defense_problem()
    result = analyse(problem, engines=("game", "ara"), samples=200, seed=3)
    assert result["recommended"] == {"game": "B", "ara": "B"}
    for row in result["parameters"]:
        assert row["intervals"]["ara"] == row["intervals"]["game"], row["key"]


def test_analysis_reports_progress():
    problem = two_defense_problem()
    calls = []
    result = analyse(problem, engines=("game",), progress=lambda done, total: calls.append((done, total)))
    total = len(result["parameters"])
    assert calls == [(done, total) for done in range(1, total + 1)]
    assert [row["key"] for row in result["parameters"]] == [p.key for p in parameters(problem)]


def test_loss_probability_keeps_rows_exact():
    problem = two_defense_problem(success_under_a="0.4")
    moved = _parameter(problem, "loss_probability:A:attack").apply(problem, 1.5)
    assert moved.probabilities[0, 1].tolist() == pytest.approx([0.4, 0.6], abs=1e-15)
    exact_row = moved.exact.probabilities[0][1]
    assert sum(exact_row) == 1
    assert exact_row[1] == Fraction(2, 5) * Fraction(1.5)


def test_loss_probability_above_one_ends_search():
    problem = two_defense_problem(success_under_a="0.4")
    parameter = _parameter(problem, "loss_probability:A:attack")
    with pytest.raises(ProblemError, match="above 1"):
        parameter.apply(problem, 3.0)


@pytest.mark.parametrize("distribution", [
    Distribution.point(3.0),
    Distribution("uniform", (1.0, 5.0)),
    Distribution("triangular", (1.0, 2.0, 6.0)),
    Distribution("pert", (0.0, 1.0, 10.0)),
    Distribution("normal", (2.0, 0.5)),
    Distribution("truncated_normal", (1.0, 2.0, 0.0, None)),
    Distribution("lognormal", (0.5, 0.8)),
    Distribution("beta", (2.0, 3.0, 1.0, 4.0)),
])
def test_scaled_and_shifted_means(distribution):
    assert scale_distribution(distribution, 2.5).mean() == pytest.approx(2.5 * distribution.mean(), rel=1e-12)
    if distribution.kind != "lognormal":
        assert shift_distribution(distribution, -0.75).mean() == pytest.approx(distribution.mean() - 0.75, rel=1e-12)
        assert shift_distribution(distribution, -0.75).kind == distribution.kind


def test_scale_rejects_non_positive_factor():
    with pytest.raises(ValueError, match="factor 0: must be positive"):
        scale_distribution(Distribution.point(1.0), 0)
