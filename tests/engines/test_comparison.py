"""Agreement between the engines' rankings: Kendall's τ-b and reversed pairs."""

import pytest

from riskapp.engines.comparison import compare_rankings


def result(engine, values, *, errors=None, indistinguishable=()):
    ranking = sorted(values, key=lambda d: -values[d])
    return {
        "engine": engine,
        "defense_ranking": ranking,
        "indistinguishable": list(indistinguishable),
        "defenses": {d: {"score": {"value": v, "unit": "defender utility"},
                         "standard_error": None if errors is None else errors[d], "risk_level": None}
                     for d, v in values.items()},
    }


def test_identical_rankings_tau_one():
    game = result("game", {"a": -1.0, "b": -2.0, "c": -3.0})
    ara = result("ara", {"a": -1.1, "b": -2.2, "c": -3.3}, errors={"a": 0.01, "b": 0.01, "c": 0.01})
    (comparison,) = compare_rankings({"game": game, "ara": ara})
    assert comparison.tau == pytest.approx(1.0)
    assert comparison.reversed_pairs == []


def test_reversed_pair_listed_with_scores():
    game = result("game", {"a": -1.0, "b": -2.0, "c": -3.0})
    ara = result("ara", {"a": -2.0, "b": -1.0, "c": -3.0}, errors={"a": 0.1, "b": 0.1, "c": 0.1})
    (comparison,) = compare_rankings({"game": game, "ara": ara})
    # One discordant pair out of three: τ = (2 − 1) / 3.
    assert comparison.tau == pytest.approx(1 / 3)
    (pair,) = comparison.reversed_pairs
    assert pair.first_prefers == "a"
    assert pair.second_prefers == "b"
    assert [score["value"] for score in pair.second_scores] == [-2.0, -1.0]


def test_ara_reversal_within_noise_ignored():
    game = result("game", {"a": -1.0, "b": -2.0})
    # ARA prefers b by 0.1, but each estimate has a standard error of 0.1: within 2·√2·0.1.
    ara = result("ara", {"a": -1.5, "b": -1.4}, errors={"a": 0.1, "b": 0.1})
    (comparison,) = compare_rankings({"game": game, "ara": ara})
    assert comparison.tau == pytest.approx(-1.0)
    assert comparison.reversed_pairs == []


def test_engines_without_result_skipped():
    game = result("game", {"a": -1.0, "b": -2.0})
    assert compare_rankings({"game": game, "ara": None}) == []


def test_every_engine_pair_compared():
    game = result("game", {"a": -1.0, "b": -2.0})
    ara = result("ara", {"a": -1.0, "b": -2.0}, errors={"a": 0.01, "b": 0.01})
    matrix = result("risk_matrix", {"a": 1.0, "b": 2.0})
    pairs = [(c.first, c.second) for c in compare_rankings({"risk_matrix": matrix, "game": game, "ara": ara})]
    assert pairs == [("risk_matrix", "game"), ("risk_matrix", "ara"), ("game", "ara")]
