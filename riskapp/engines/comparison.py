"""How far the engines' rankings of the defenses agree: rank correlation and reversed pairs.

Works on result dictionaries (``AssessmentResult.to_dict()``), so the report can compare
stored results. Kendall's τ-b measures the agreement of two rankings, from 1 (identical) to −1
(reversed). A pair of defenses counts as reversed when the two engines order it oppositely and
neither engine's difference is within its own noise. That noise is an exact tie for the game
solver and the risk matrix, and two standard errors for ARA.
"""

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from scipy.stats import kendalltau

from riskapp.engines.decision import values_tie

# ARA differences smaller than this many standard errors are taken to be noise.
NOISE_STANDARD_ERRORS = 2.0


@dataclass
class ReversedPair:
    """Two defenses that ``first`` ranks one way and ``second`` the other, with each one's scores."""

    first_prefers: str
    second_prefers: str
    first_scores: tuple[dict[str, Any], dict[str, Any]]
    second_scores: tuple[dict[str, Any], dict[str, Any]]


@dataclass
class RankingComparison:
    """One pair of engines: Kendall's τ-b over their rankings and the pairs they reverse."""

    first: str
    second: str
    tau: float | None
    reversed_pairs: list[ReversedPair] = field(default_factory=list)


def compare_rankings(results: dict[str, dict[str, Any] | None]) -> list[RankingComparison]:
    """Compare every two engines that have a complete ranking of the same defenses."""
    ranked = {engine: result for engine, result in results.items()
              if result is not None and result.get("defense_ranking")}
    comparisons = []
    for first, second in combinations(ranked, 2):
        first_result, second_result = ranked[first], ranked[second]
        defenses = list(first_result["defense_ranking"])
        if sorted(defenses) != sorted(second_result["defense_ranking"]):
            continue
        comparisons.append(_compare(first, first_result, second, second_result, defenses))
    return comparisons


def _compare(first: str, first_result: dict, second: str, second_result: dict,
             defenses: list[str]) -> RankingComparison:
    first_position = {d: i for i, d in enumerate(first_result["defense_ranking"])}
    second_position = {d: i for i, d in enumerate(second_result["defense_ranking"])}
    tau = None
    if len(defenses) >= 2:
        statistic = kendalltau([first_position[d] for d in defenses], [second_position[d] for d in defenses]).statistic
        tau = None if math.isnan(statistic) else float(statistic)

    comparison = RankingComparison(first=first, second=second, tau=tau)
    for a, b in combinations(defenses, 2):
        first_prefers_a = first_position[a] < first_position[b]
        second_prefers_a = second_position[a] < second_position[b]
        if first_prefers_a == second_prefers_a:
            continue
        if _within_noise(first_result, a, b) or _within_noise(second_result, a, b):
            continue
        comparison.reversed_pairs.append(ReversedPair(
            first_prefers=a if first_prefers_a else b,
            second_prefers=a if second_prefers_a else b,
            first_scores=(_score(first_result, a), _score(first_result, b)),
            second_scores=(_score(second_result, a), _score(second_result, b)),
        ))
    return comparison


def _score(result: dict, defense: str) -> dict[str, Any]:
    entry = result["defenses"][defense]
    return {"defense": defense, "value": entry["score"]["value"], "unit": entry["score"]["unit"],
            "standard_error": entry.get("standard_error"), "risk_level": entry.get("risk_level")}


def _within_noise(result: dict, a: str, b: str) -> bool:
    """Return whether the engine's own scores cannot distinguish ``a`` from ``b``."""
    entry_a, entry_b = result["defenses"][a], result["defenses"][b]
    value_a, value_b = entry_a["score"]["value"], entry_b["score"]["value"]
    if value_a is None or value_b is None:
        return False
    error_a, error_b = entry_a.get("standard_error"), entry_b.get("standard_error")
    if error_a is not None and error_b is not None:
        # Unpaired: larger than the paired error of common random numbers, so this errs
        # towards calling a reversal noise.
        return abs(value_a - value_b) <= NOISE_STANDARD_ERRORS * math.hypot(error_a, error_b)
    if result["engine"] == "risk_matrix":
        # The matrix's score shows only its first ranking key; its ranking is exact, and a
        # pair it ties exactly is listed as indistinguishable only when it ties the best.
        ranking = result["defense_ranking"]
        tied = set(result.get("indistinguishable") or [])
        return {a, b} <= tied | {ranking[0]} and bool(tied)
    return bool(values_tie(value_a, value_b))
