"""The risk-matrix engine: derived and direct ratings, ranking by level counts, the result."""

import json
import math
from dataclasses import replace
from fractions import Fraction
from types import MappingProxyType

import numpy as np
import pytest

from riskapp.engines import get_engine
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, ExactInputs, MatrixRating, Problem, RiskLevel, RiskMatrixConfig
from riskapp.engines.result import AssessmentResult
from riskapp.engines.risk_matrix import DEFAULT_MATRIX, ENGINE_VERSION, assess
from riskapp.scenarios.format import compile_problem, parse_scenario


def make_problem(*, defenses: dict[str, str], attacks: dict[str, str | None], losses: dict[str, str],
                 probabilities: dict[str, dict[str, dict[str, str]]], matrix: RiskMatrixConfig = DEFAULT_MATRIX,
                 exact: bool = True) -> Problem:
    """Build a problem from decimals as a scenario file writes them: costs, attempt probabilities, losses."""
    defense_ids, attack_ids, outcome_ids = list(defenses), list(attacks), list(losses)
    exact_p = tuple(tuple(tuple(Fraction(probabilities[d][a][s]) for s in outcome_ids) for a in attack_ids)
                    for d in defense_ids)
    exact_losses = tuple(Fraction(losses[s]) for s in outcome_ids)
    exact_attempts = tuple(None if attacks[a] is None else Fraction(attacks[a]) for a in attack_ids)
    return Problem(
        defense_ids=tuple(defense_ids),
        defense_names=tuple(defense_ids),
        defense_costs=np.array([float(defenses[d]) for d in defense_ids]),
        attack_ids=tuple(attack_ids),
        attack_names=tuple(attack_ids),
        attack_costs=tuple(Distribution.point(0.0) for _ in attack_ids),
        attempt_probabilities=tuple(None if pi is None else float(pi) for pi in exact_attempts),
        outcome_ids=tuple(outcome_ids),
        outcome_names=tuple(outcome_ids),
        defender_losses=np.array([float(loss) for loss in exact_losses]),
        attacker_gains=tuple(Distribution.point(0.0) for _ in outcome_ids),
        probabilities=np.array([[[float(probabilities[d][a][s]) for s in outcome_ids] for a in attack_ids]
                                for d in defense_ids]),
        defender_risk_aversion=0.0,
        attacker_risk_aversion=Distribution.point(0.0),
        risk_matrix=matrix,
        digest="test-digest",
        exact=ExactInputs(exact_p, exact_losses, exact_attempts) if exact else None,
    )


def weight_theft(**options) -> Problem:
    """Two defenses against an insider (attempt probability 0.05) and a theft with none given."""
    return make_problem(
        defenses={"asl2": "1", "asl3": "4"},
        attacks={"none": None, "insider": "0.05", "theft": None},
        losses={"kept": "0", "leaked": "10", "stolen": "100"},
        probabilities={
            "asl2": {"none": {"kept": "1", "leaked": "0", "stolen": "0"},
                     "insider": {"kept": "0.7", "leaked": "0.1", "stolen": "0.2"},
                     "theft": {"kept": "0.9", "leaked": "0", "stolen": "0.1"}},
            "asl3": {"none": {"kept": "1", "leaked": "0", "stolen": "0"},
                     "insider": {"kept": "0.95", "leaked": "0.05", "stolen": "0"},
                     "theft": {"kept": "1", "leaked": "0", "stolen": "0"}},
        },
        **options,
    )


def rated(matrix: RiskMatrixConfig, ratings: dict[tuple[str, str], tuple[str, str]]) -> RiskMatrixConfig:
    entered = {pair: MatrixRating(likelihood, consequence) for pair, (likelihood, consequence) in ratings.items()}
    return replace(matrix, ratings=MappingProxyType(entered))


def harmless(defenses: dict[str, str], attacks: list[str], matrix: RiskMatrixConfig) -> Problem:
    """A problem where no attack can cause a loss, so only direct ratings rate anything."""
    row = {"ok": "1", "harm": "0"}
    return make_problem(defenses=defenses, attacks={a: None for a in attacks}, losses={"ok": "0", "harm": "1"},
                        probabilities={d: {a: row for a in attacks} for d in defenses}, matrix=matrix)


def test_derived_rating_hand_computed():
    result = assess(weight_theft())
    rating = result.sections["ratings"]["asl2"]["insider"]

    # Likelihood 0.05 · (0.1 + 0.2) = 0.015; consequence (0.1·10 + 0.2·100) / 0.3 = 70.
    assert rating["likelihood_value"] == pytest.approx(0.015)
    assert rating["consequence_value"] == pytest.approx(70)
    assert rating["likelihood"] == "Unlikely"
    assert rating["consequence"] == "Major"
    assert rating["level"] == "Medium"
    assert rating["origin"] == "derived"
    assert rating["likelihood_band"] == {"index": 1, "label": "Unlikely", "lower": 0.01, "upper": 0.1,
                                         "lower_closed": False}
    assert rating["consequence_band"] == {"index": 2, "label": "Major", "lower": 10.0, "upper": 100.0,
                                          "lower_closed": False}


def test_derived_rating_consequence_on_edge():
    rating = assess(weight_theft()).sections["ratings"]["asl3"]["insider"]

    # Likelihood 0.05 · 0.05 = 0.0025; consequence exactly 10, the top edge of Moderate.
    assert rating["likelihood_value"] == pytest.approx(0.0025)
    assert rating["consequence_value"] == 10.0
    assert (rating["likelihood"], rating["consequence"], rating["level"]) == ("Rare", "Moderate", "Low")


def test_derived_likelihood_on_decimal_edge():
    exact = assess(weight_theft()).sections["ratings"]["asl2"]["theft"]
    rounded = assess(weight_theft(exact=False)).sections["ratings"]["asl2"]["theft"]

    # π = 1 and P(L > 0) = 0.1 exactly: the top edge of Unlikely, (0.01, 0.1].
    assert (exact["likelihood"], exact["consequence"], exact["level"]) == ("Unlikely", "Major", "Medium")
    # Without the decimals as written, the float 0.1 lies just above 1/10.
    assert Fraction(0.1) > Fraction(1, 10)
    assert (rounded["likelihood"], rounded["level"]) == ("Possible", "High")


def test_missing_attempt_probability_warns():
    result = assess(weight_theft())

    missing = [w for w in result.warnings if w.code == "risk_matrix.attempt_probability_missing"]
    # "theft" is rated under asl2 with π = 1; "none" has no rating, so it needs no warning.
    assert [w.params for w in missing] == [{"attack": "theft"}]
    assert "theft" in missing[0].text


def test_no_loss_pair_unrated():
    ratings = assess(weight_theft()).sections["ratings"]

    assert set(ratings) == {"asl2", "asl3"}
    assert set(ratings["asl2"]) == {"insider", "theft"}
    assert set(ratings["asl3"]) == {"insider"}


def test_zero_attempt_probability_rated_rare():
    problem = make_problem(
        defenses={"d": "0"}, attacks={"a": "0"}, losses={"ok": "0", "harm": "5"},
        probabilities={"d": {"a": {"ok": "0.5", "harm": "0.5"}}})

    rating = assess(problem).sections["ratings"]["d"]["a"]

    # A harmful outcome is possible, but the attack is never attempted: likelihood 0, band [0, 0.01].
    assert rating["likelihood_value"] == 0.0
    assert (rating["likelihood"], rating["consequence"], rating["level"]) == ("Rare", "Moderate", "Low")


def test_consequence_above_bounded_scale():
    bounded = replace(DEFAULT_MATRIX, consequence=DEFAULT_MATRIX.consequence[:4])
    bounded = replace(bounded, grid=tuple(row[:4] for row in DEFAULT_MATRIX.grid))
    problem = make_problem(
        defenses={"d": "0"}, attacks={"a": "0.5"}, losses={"ok": "0", "harm": "5000"},
        probabilities={"d": {"a": {"ok": "0.5", "harm": "0.5"}}}, matrix=bounded)

    result = assess(problem)

    # Likelihood 0.25 is Possible; the loss 5000 lies above Severe's edge 1000.
    rating = result.sections["ratings"]["d"]["a"]
    assert (rating["likelihood"], rating["consequence"], rating["level"]) == ("Possible", "Severe", "High")
    [warning] = [w for w in result.warnings if w.code == "risk_matrix.consequence_above_scale"]
    assert warning.params == {"defense": "d", "attack": "a", "consequence": 5000.0, "upper": 1000.0,
                              "band": "Severe"}


def test_direct_rating_overrides_derived():
    matrix = rated(DEFAULT_MATRIX, {("asl3", "insider"): ("Almost certain", "Catastrophic")})

    result = assess(weight_theft(matrix=matrix))
    rating = result.sections["ratings"]["asl3"]["insider"]

    assert rating["origin"] == "direct"
    assert rating["level"] == "Extreme"
    assert rating["likelihood_value"] is None
    assert rating["consequence_value"] is None
    assert rating["consequence_band"]["upper"] is None
    assert result.counts["direct_ratings"] == 1
    assert result.counts["derived_ratings"] == 2


def test_direct_rating_unknown_label():
    matrix = rated(DEFAULT_MATRIX, {("asl2", "insider"): ("Frequent", "Major")})

    with pytest.raises(ValueError, match=r"risk_matrix\.ratings\.asl2\.insider\.likelihood: 'Frequent'"):
        assess(weight_theft(matrix=matrix))


def test_weight_theft_ranking_and_scores():
    result = assess(weight_theft())

    # asl2: insider and theft both Medium; asl3: insider Low. Fewer Medium threats wins over cost.
    assert result.defense_ranking == ["asl3", "asl2"]
    assert result.recommended_defense == "asl3"
    assert result.indistinguishable == []
    assert result.sections["level_counts"] == {
        "asl2": {"Low": 0, "Medium": 2, "High": 0, "Extreme": 0},
        "asl3": {"Low": 1, "Medium": 0, "High": 0, "Extreme": 0},
    }
    asl2, asl3 = result.defenses["asl2"], result.defenses["asl3"]
    assert (asl2.risk_level, asl3.risk_level) == ("Medium", "Low")
    assert (asl2.score.value, asl2.score.unit) == (2, "threats rated Medium")
    assert (asl3.score.value, asl3.score.unit) == (0, "threats rated Medium")
    assert result.message.code == "risk_matrix.ranked_by_level"
    assert result.message.params == {"defense": "asl3", "runner_up": "asl2", "level": "Medium", "count": 0,
                                      "runner_up_count": 2, "counts": "Extreme 0, High 0, Medium 0, Low 1"}
    for defense in (asl2, asl3):
        assert defense.expected_utility is None
        assert defense.standard_error is None
        assert defense.attack_probabilities is None


def test_ranking_levels_cost_file_order():
    matrix = rated(DEFAULT_MATRIX, {
        ("d1", "a1"): ("Almost certain", "Catastrophic"),  # Extreme
        ("d2", "a1"): ("Possible", "Major"),  # High
        ("d2", "a2"): ("Rare", "Severe"),  # Medium
        ("d3", "a1"): ("Rare", "Major"),  # Medium
        ("d3", "a2"): ("Unlikely", "Moderate"),  # Medium
        ("d3", "a3"): ("Rare", "Minor"),  # Low
        ("d4", "a1"): ("Likely", "Minor"),  # Medium
        ("d4", "a2"): ("Unlikely", "Major"),  # Medium
        ("d4", "a3"): ("Rare", "Moderate"),  # Low
        ("d5", "a1"): ("Almost certain", "Minor"),  # Medium
        ("d5", "a2"): ("Possible", "Moderate"),  # Medium
        ("d5", "a3"): ("Unlikely", "Minor"),  # Low
    })
    problem = harmless({"d1": "1", "d2": "5", "d3": "5", "d4": "3", "d5": "3"}, ["a1", "a2", "a3"], matrix)

    result = assess(problem)

    # d3, d4 and d5 share the counts (1 Low, 2 Medium); d4 and d5 are cheaper than d3 and tie
    # exactly, so file order puts d4 first. d2 has fewer threats but one High; d1 one Extreme.
    assert result.defense_ranking == ["d4", "d5", "d3", "d2", "d1"]
    assert result.recommended_defense == "d4"
    assert result.indistinguishable == ["d5"]
    assert [result.defenses[d].risk_level for d in ("d1", "d2", "d3", "d4", "d5")] == [
        "Extreme", "High", "Medium", "Medium", "Medium"]
    assert [result.defenses[d].score.value for d in ("d1", "d2", "d3", "d4", "d5")] == [1, 0, 0, 0, 0]
    assert result.defenses["d4"].score.unit == "threats rated Extreme"
    assert result.message.code == "risk_matrix.ranked_by_file_order"
    assert result.message.params == {"defense": "d4", "runner_up": "d5",
                                      "counts": "Extreme 0, High 0, Medium 2, Low 1"}


def test_ranking_exact_tie_all_defenses():
    matrix = rated(DEFAULT_MATRIX, {("d1", "a1"): ("Likely", "Major"), ("d2", "a1"): ("Possible", "Major"),
                                    ("d3", "a1"): ("Almost certain", "Moderate")})
    problem = harmless({"d1": "2", "d2": "2", "d3": "2"}, ["a1"], matrix)

    result = assess(problem)

    # Three different cells, each High, at the same cost.
    assert result.defense_ranking == ["d1", "d2", "d3"]
    assert result.indistinguishable == ["d2", "d3"]


def test_no_residual_risk_ranks_by_cost():
    problem = harmless({"costly": "2", "cheap": "1"}, ["a1"], DEFAULT_MATRIX)

    result = assess(problem)

    assert result.defense_ranking == ["cheap", "costly"]
    assert result.indistinguishable == []
    assert result.sections["ratings"] == {}
    assert result.defenses["cheap"].risk_level is None
    assert (result.defenses["cheap"].score.value, result.defenses["cheap"].score.unit) == (0, "rated threats")
    assert result.message.code == "risk_matrix.no_residual_risk"


def test_cost_notice_and_coherence_section():
    result = assess(weight_theft())

    codes = [w.code for w in result.warnings]
    assert "risk_matrix.cost_tie_breaker_only" in codes
    # The default matrix only warns, so no coherence failure is reported.
    assert "risk_matrix.coherence_failed" not in codes
    checks = [entry["check"] for entry in result.sections["coherence"]]
    assert checks[0] == "structure"
    assert set(entry["status"] for entry in result.sections["coherence"]) <= {"pass", "warning"}


def test_coherence_failure_adds_warning():
    matrix = replace(DEFAULT_MATRIX, grid=tuple(tuple(3 - level for level in row) for row in DEFAULT_MATRIX.grid))

    result = assess(weight_theft(matrix=matrix))

    [failed] = [w for w in result.warnings if w.code == "risk_matrix.coherence_failed"]
    # The reversed grid rates dominating cells lower and puts its top level (Extreme) at zero
    # risk in the corner, but no bottom cell touches a top cell, so betweenness holds.
    assert failed.params["checks"] == "monotonicity, weak_consistency"


def test_result_json_round_trip():
    result = get_engine("risk_matrix")(weight_theft(), compression_threshold=100)

    data = json.loads(json.dumps(result.to_dict()))
    again = AssessmentResult.from_dict(data)

    assert data["engine"] == "risk_matrix"
    assert data["engine_version"] == ENGINE_VERSION
    assert data["options"] == {"compression_threshold": 100.0}
    assert data["problem_digest"] == "test-digest"
    assert again.sections["ratings"] == result.sections["ratings"]
    assert again.sections["coherence"] == result.sections["coherence"]
    assert again.defense_ranking == result.defense_ranking
    entry = data["coherence"][0]
    assert set(entry) >= {"check", "status", "cells", "message"}


def equal_bands(prefix: str, count: int, top: Fraction) -> tuple[Band, ...]:
    return tuple(Band(f"{prefix} {index}", top * Fraction(index + 1, count)) for index in range(count))


@pytest.mark.parametrize(("rows", "columns"), [(1, 1), (1, 5), (7, 2), (10, 10)])
def test_assess_any_matrix_shape(rows, columns):
    levels = (RiskLevel("Low", "#2e7d32"), RiskLevel("Medium", "#f9a825"), RiskLevel("High", "#c62828"))
    matrix = RiskMatrixConfig(
        likelihood=equal_bands("L", rows, Fraction(1)),
        consequence=equal_bands("C", columns, Fraction(100)),
        levels=levels,
        grid=tuple(tuple((3 * i // rows + 3 * j // columns) * 2 // 4 for j in range(columns)) for i in range(rows)),
    )
    problem = weight_theft(matrix=matrix)

    result = assess(problem)

    # asl2/insider: likelihood 0.015 and consequence 70 land in the bands that hold them.
    rating = result.sections["ratings"]["asl2"]["insider"]
    # Band i covers (i/n, (i + 1)/n] of the axis, so a value v sits in band ⌈v·n⌉ − 1; on 10
    # consequence bands 70 is the top edge of band 6.
    assert rating["likelihood_band"]["index"] == math.ceil(Fraction(15, 1000) * rows) - 1
    assert rating["consequence_band"]["index"] == math.ceil(Fraction(70, 100) * columns) - 1
    single = {entry["message_detail"]["params"]["axis"] for entry in result.sections["coherence"]
              if entry["message_detail"]["code"] == "risk_matrix.structure.single_band"}
    assert single == {axis for axis, size in (("likelihood", rows), ("consequence", columns)) if size == 1}
    json.dumps(result.to_dict())


@pytest.mark.parametrize("threshold", [float("nan"), "ten", 1, 0.5])
def test_compression_threshold_invalid(threshold):
    with pytest.raises(ValueError, match=r"^compression_threshold: "):
        assess(weight_theft(), compression_threshold=threshold)


def test_single_defense_summary():
    problem = harmless({"only": "0"}, ["a1"], rated(DEFAULT_MATRIX, {("only", "a1"): ("Rare", "Minor")}))

    result = assess(problem)

    assert result.defense_ranking == ["only"]
    assert result.message.code == "risk_matrix.single_defense"
    assert result.message.text == "only is the only defense; its rated threats per level, highest first: " \
                                  "Extreme 0, High 0, Medium 0, Low 1."


def test_cost_decides_equal_levels():
    matrix = rated(DEFAULT_MATRIX, {("costly", "a1"): ("Rare", "Major"), ("cheap", "a1"): ("Unlikely", "Moderate")})
    problem = harmless({"costly": "2.5", "cheap": "1.5"}, ["a1"], matrix)

    result = assess(problem)

    # Both threats are Medium, in different cells.
    assert result.defense_ranking == ["cheap", "costly"]
    assert result.indistinguishable == []
    assert result.message.code == "risk_matrix.ranked_by_cost"
    assert result.message.params["cost"] == 1.5
    assert result.message.params["runner_up_cost"] == 2.5


def test_scenario_file_default_matrix():
    scenario = {
        "format": "riskapp-scenario/1", "title": "Edge case",
        "defenses": [{"id": "d", "name": "Defense"}],
        "attacks": [{"id": "a", "name": "Attack", "attempt_probability": 0.1}],
        "outcomes": [{"id": "kept", "name": "Kept", "defender_loss": 0, "attacker_gain": 0},
                     {"id": "lost", "name": "Lost", "defender_loss": 1000, "attacker_gain": 1}],
        "probabilities": {"d": {"a": {"kept": 0, "lost": 1}}},
    }
    problem = compile_problem(parse_scenario(json.dumps(scenario).encode(), syntax="json"))

    rating = assess(problem).sections["ratings"]["d"]["a"]

    # The file's matrix defaults to the engine's, and the decimals as written reach the bands:
    # likelihood 0.1 is the top edge of Unlikely and consequence 1000 the top edge of Severe.
    assert problem.risk_matrix == DEFAULT_MATRIX
    assert (rating["likelihood"], rating["consequence"], rating["level"]) == ("Unlikely", "Severe", "High")
