"""Pairs of defenses that the risk matrix ranks opposite to ARA or the game solver, with reasons."""

import math

import pytest

from riskapp.engines.risk_matrix import matrix_disagreements

LEVELS = ("Low", "Medium", "High")


def derived(likelihood, consequence, level, cell=("Possible", "Major")):
    return {"likelihood": cell[0], "consequence": cell[1], "level": level, "origin": "derived",
            "likelihood_value": likelihood, "consequence_value": consequence}


def direct(level, likelihood_band, consequence_band, cell=("Possible", "Major")):
    def band(label, lower, upper):
        return {"label": label, "lower": lower, "upper": upper, "lower_closed": lower == 0}

    return {"likelihood": cell[0], "consequence": cell[1], "level": level, "origin": "direct",
            "likelihood_value": None, "consequence_value": None,
            "likelihood_band": band(cell[0], *likelihood_band), "consequence_band": band(cell[1], *consequence_band)}


def matrix_result(ranking, ratings):
    """A risk-matrix result with its level counts computed from the ratings, as the engine writes them."""
    counts = {d: dict.fromkeys(LEVELS, 0) for d in ranking}
    for defense, threats in ratings.items():
        for rating in threats.values():
            counts[defense][rating["level"]] += 1
    return {"engine": "risk_matrix", "status": "ok", "defense_ranking": ranking, "ratings": ratings,
            "level_counts": counts}


def engine_result(engine, utilities, *, errors=None, attacks=None, options=None):
    return {"engine": engine, "status": "ok", "options": options or {}, "defenses": {
        d: {"expected_utility": u, "standard_error": (errors or {}).get(d),
            "attack_probabilities": (attacks or {}).get(d)}
        for d, u in utilities.items()}}


def codes(disagreement):
    return [reason.code.removeprefix("risk_matrix.disagreement.") for reason in disagreement.reasons]


def test_disagreement_same_cell_compression():
    # Theft: expected loss 0.2·50 = 10 under "a", 0.15·20 = 3 under "b", in the same Medium cell.
    # The insider under "b" is High with expected loss 0.01·100 = 1, so the matrix prefers "a".
    # Game: ψ(a) = −1 − 10 = −11 and ψ(b) = −1 − 3 − 1 = −5, so the solver prefers "b" by 6.
    ratings = {"a": {"theft": derived(0.2, 50, "Medium")},
               "b": {"theft": derived(0.15, 20, "Medium"), "insider": derived(0.01, 100, "High", ("Rare", "Severe"))}}
    game = engine_result("game", {"a": -11.0, "b": -5.0},
                         attacks={"a": {"theft": 1.0, "insider": 0.0}, "b": {"theft": 1.0, "insider": 0.0}})

    found = matrix_disagreements(matrix_result(["a", "b"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"a": 1.0, "b": 1.0})

    assert len(found) == 1
    disagreement = found[0]
    assert (disagreement.engine, disagreement.matrix_preferred, disagreement.engine_preferred) == ("game", "a", "b")
    assert disagreement.utility_gap == pytest.approx(6.0, abs=1e-12)
    assert codes(disagreement) == ["range_compression", "level_reversal"]
    compression, reversal = disagreement.reasons
    assert compression.params["factor"] == pytest.approx(10 / 3, rel=1e-12)
    assert "lie in cell (Possible, Major)" in compression.text
    assert "a factor" not in compression.text
    assert "3.33 times as large under a (10) as under b (3)" in compression.text
    assert (reversal.params["higher_attack"], reversal.params["lower_attack"]) == ("insider", "theft")
    assert reversal.params["higher_loss"] == pytest.approx(1.0, rel=1e-12)
    assert reversal.params["lower_loss"] == pytest.approx(10.0, rel=1e-12)


def test_disagreement_cost_and_attacker_response():
    # The matrix prefers "x" (no rated threat) although it costs 10; ARA: ψ(x) = −10, ψ(y) = −3,
    # a gap of 7 against 2·√(0.1² + 0.1²) ≈ 0.28.
    ratings = {"x": {}, "y": {"theft": derived(0.2, 10, "Medium")}}
    ara = engine_result("ara", {"x": -10.0, "y": -3.0}, errors={"x": 0.1, "y": 0.1},
                        attacks={"x": {"none": 0.9, "theft": 0.1}, "y": {"none": 0.2, "theft": 0.8}},
                        options={"indistinguishable_se": 2})

    found = matrix_disagreements(matrix_result(["x", "y"], ratings), {"ara": ara, "game": None}, levels=LEVELS,
                                 defense_costs={"x": 10.0, "y": 1.0})

    assert [(d.engine, d.matrix_preferred, d.engine_preferred) for d in found] == [("ara", "x", "y")]
    assert codes(found[0]) == ["cost_ignored", "attacker_response"]
    cost, response = found[0].reasons
    assert cost.text == "The matrix ignores cost except as a tie-breaker: x costs 10 and y costs 1."
    assert (response.params["attack"], response.params["other_attack"]) == ("none", "theft")
    assert response.params["probability"] == 0.9
    assert response.params["other_probability"] == 0.8


def test_disagreement_ara_within_noise_skipped():
    # Gap 7 against 2·√(5² + 5²) ≈ 14.1: ARA cannot tell the two defenses apart.
    ratings = {"x": {}, "y": {"theft": derived(0.2, 10, "Medium")}}
    ara = engine_result("ara", {"x": -10.0, "y": -3.0}, errors={"x": 5.0, "y": 5.0})

    found = matrix_disagreements(matrix_result(["x", "y"], ratings), {"ara": ara}, levels=LEVELS,
                                 defense_costs={"x": 10.0, "y": 1.0})

    assert found == []


def test_disagreement_cost_tie_break_level():
    # Same level counts, so the matrix ranks the cheaper "p" first; the theft's expected loss is
    # 0.4·20 = 8 under "p" against 0.1·10 = 1 under "q", a factor of 8 in another Medium cell.
    ratings = {"p": {"theft": derived(0.4, 20, "Medium", ("Likely", "Major"))},
               "q": {"theft": derived(0.1, 10, "Medium", ("Unlikely", "Moderate"))}}
    game = engine_result("game", {"p": -9.0, "q": -3.0})

    found = matrix_disagreements(matrix_result(["p", "q"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"p": 1.0, "q": 2.0})

    assert len(found) == 1
    assert codes(found[0]) == ["cost_tie_break", "range_compression"]
    assert found[0].reasons[1].params["factor"] == pytest.approx(8.0, rel=1e-12)
    assert "are rated Medium" in found[0].reasons[1].text


def test_disagreement_file_order_ties_skipped():
    ratings = {"p": {"theft": derived(0.4, 20, "Medium")}, "q": {"theft": derived(0.1, 10, "Medium")}}
    game = engine_result("game", {"p": -9.0, "q": -3.0})

    found = matrix_disagreements(matrix_result(["p", "q"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"p": 2.0, "q": 2.0})

    assert found == []


def test_disagreement_game_exact_tie_skipped():
    ratings = {"x": {}, "y": {"theft": derived(0.2, 10, "Medium")}}
    game = engine_result("game", {"x": -3.0, "y": -3.0 + 1e-15})

    found = matrix_disagreements(matrix_result(["x", "y"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"x": 1.0, "y": 1.0})

    assert found == []


def test_disagreement_direct_bands_spread():
    # Both direct ratings lie in (0.1, 0.3] × (10, 100], whose expected losses span (0.3·100)/(0.1·10) = 30.
    shared = direct("Medium", (0.1, 0.3), (10, 100))
    ratings = {"first": {"theft": shared},
               "second": {"theft": shared, "insider": derived(0.001, 1, "Low", ("Rare", "Minor"))}}
    game = engine_result("game", {"first": -5.0, "second": -4.0})

    found = matrix_disagreements(matrix_result(["first", "second"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"first": 0.0, "second": 0.0})

    assert codes(found[0]) == ["range_compression_bands"]
    assert found[0].reasons[0].params["factor"] == pytest.approx(30.0, rel=1e-12)


def test_disagreement_unbounded_band_infinite():
    shared = direct("High", (0.1, 0.3), (1000, None), ("Possible", "Catastrophic"))
    ratings = {"first": {"theft": shared}, "second": {"theft": shared, "insider": derived(0.5, 1, "Low")}}
    game = engine_result("game", {"first": -5.0, "second": -4.0})

    found = matrix_disagreements(matrix_result(["first", "second"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"first": 0.0, "second": 0.0})

    assert math.isinf(found[0].reasons[0].params["factor"])


def test_disagreement_no_cause_unexplained():
    # "first" has a Low threat of loss 5, "second" a Medium one of loss 6: no reversal, no shared threat.
    ratings = {"first": {"leak": derived(0.5, 10, "Low")}, "second": {"theft": derived(0.6, 10, "Medium")}}
    game = engine_result("game", {"first": -5.0, "second": -4.0})

    found = matrix_disagreements(matrix_result(["first", "second"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"first": 0.0, "second": 0.0})

    assert codes(found[0]) == ["unexplained"]


def test_disagreement_pairs_in_ranking_order():
    # The matrix ranks a > b > c; the game ranks c > b > a, so every pair is reversed.
    ratings = {"a": {}, "b": {"t": derived(0.5, 1, "Low")}, "c": {"t": derived(0.5, 1, "Medium")}}
    game = engine_result("game", {"a": -9.0, "b": -5.0, "c": -1.0})

    found = matrix_disagreements(matrix_result(["a", "b", "c"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs=dict.fromkeys("abc", 0.0))

    assert [(d.matrix_preferred, d.engine_preferred) for d in found] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert [d.utility_gap for d in found] == [4.0, 8.0, 4.0]


def test_disagreement_failed_engine_skipped():
    ratings = {"x": {}, "y": {"theft": derived(0.2, 10, "Medium")}}
    game = {**engine_result("game", {"x": -10.0, "y": -3.0}), "status": "failed"}

    found = matrix_disagreements(matrix_result(["x", "y"], ratings), {"game": game}, levels=LEVELS,
                                 defense_costs={"x": 1.0, "y": 1.0})

    assert found == []


def test_disagreement_min_factor_rejected():
    with pytest.raises(ValueError, match=r"min_factor: 1 must be greater than 1"):
        matrix_disagreements(matrix_result([], {}), {}, levels=LEVELS, defense_costs={}, min_factor=1)
