"""Pairs of defenses that the risk matrix ranks opposite to ARA or the game solver, and why."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskapp.engines.result import Notice

# Expected utilities of the game solver tie within this relative tolerance, as in its own ranking.
GAME_TIE_TOLERANCE = 1e-12

# ARA's default width, in standard errors, within which two defenses are indistinguishable.
DEFAULT_INDISTINGUISHABLE_SE = 2.0


@dataclass(frozen=True)
class Disagreement:
    """Two defenses in opposite order: the matrix prefers one, a quantitative engine the other.

    ``utility_gap`` is how much higher the engine's expected defender utility is for
    ``engine_preferred`` than for ``matrix_preferred``, on the defender's utility scale.
    """

    engine: str
    matrix_preferred: str
    engine_preferred: str
    utility_gap: float
    reasons: tuple[Notice, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "matrix_preferred": self.matrix_preferred,
            "engine_preferred": self.engine_preferred,
            "utility_gap": self.utility_gap,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class _Threat:
    """One rated threat under one defense: its cell, level and the range of its expected loss."""

    attack: str
    cell: tuple[str, str]
    level: int
    low: float
    high: float

    @property
    def is_point(self) -> bool:
        return self.low == self.high


def matrix_disagreements(
    risk_matrix: Mapping[str, Any],
    engines: Mapping[str, Mapping[str, Any] | None],
    *,
    levels: Sequence[str],
    defense_costs: Mapping[str, float],
    min_factor: float = 2.0,
) -> list[Disagreement]:
    """List the pairs of defenses that the risk matrix orders opposite to ARA or the game solver.

    Parameters
    ----------
    risk_matrix : mapping
        The risk-matrix result as ``AssessmentResult.to_dict()`` writes it, with its
        ``ratings`` and ``level_counts`` sections.
    engines : mapping
        Results of the quantitative engines by name (``"game"``, ``"ara"``); ``None`` or a
        ``failed`` result is skipped.
    levels : sequence of str, keyword-only
        The matrix's level labels, lowest first.
    defense_costs : mapping, keyword-only
        Each defense's cost in the defender's loss units.
    min_factor : float, keyword-only
        Smallest ratio of expected losses that is reported as range compression.

    Returns
    -------
    list of Disagreement
        Per engine, in the matrix's ranking order: each pair where the matrix ranks one
        defense above the other but the engine's expected utility is higher for the second.
        Pairs that the matrix orders by file order alone are left out, and so are engine ties:
        exact ties for the game solver, and for ARA gaps within ``indistinguishable_se`` times
        the standard error of the difference.

    Notes
    -----
    A rating's expected loss is ``likelihood · consequence``, that is ``π(a) · E[L(S) | d, a]``
    for a derived rating. A direct rating has only its bands, so its expected loss is known
    to lie between the products of the band edges. Four reasons are checked. The matrix may
    order by cost alone, or ignore cost. Range compression (Cox 2008) may hide a loss gap
    within one cell or level. A higher level may go to a smaller expected loss. Finally, the
    attacker may adapt to the defense, which the matrix's fixed likelihoods do not model.

    References
    ----------
    L. A. Cox Jr., "What's wrong with risk matrices?", Risk Analysis 28(2), 2008.
    """
    if min_factor <= 1:
        raise ValueError(f"min_factor: {min_factor!r} must be greater than 1")
    ranking = list(risk_matrix.get("defense_ranking") or [])
    counts = _level_counts(risk_matrix, levels)
    threats = _threats(risk_matrix, levels)

    disagreements = []
    for engine, result in engines.items():
        if result is None or result.get("status") == "failed":
            continue
        for first_index, first in enumerate(ranking):
            for second in ranking[first_index + 1:]:
                if counts.get(first) == counts.get(second) and defense_costs[first] == defense_costs[second]:
                    continue
                gap = _significant_gap(engine, result, better=second, worse=first)
                if gap is None:
                    continue
                reasons = _reasons(engine, result, first, second, counts, threats, levels, defense_costs, min_factor)
                disagreements.append(Disagreement(engine, first, second, gap, tuple(reasons)))
    return disagreements


def _level_counts(risk_matrix: Mapping[str, Any], levels: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Return each defense's numbers of rated threats per level, highest level first."""
    section = risk_matrix.get("level_counts") or {}
    return {defense: tuple(per_level.get(label, 0) for label in reversed(levels))
            for defense, per_level in section.items()}


def _threats(risk_matrix: Mapping[str, Any], levels: Sequence[str]) -> dict[str, dict[str, _Threat]]:
    index = {label: i for i, label in enumerate(levels)}
    threats: dict[str, dict[str, _Threat]] = {}
    for defense, ratings in (risk_matrix.get("ratings") or {}).items():
        for attack, rating in ratings.items():
            low, high = _expected_loss_range(rating)
            threats.setdefault(defense, {})[attack] = _Threat(
                attack, (rating["likelihood"], rating["consequence"]), index[rating["level"]], low, high)
    return threats


def _expected_loss_range(rating: Mapping[str, Any]) -> tuple[float, float]:
    """Return the bounds of a rating's expected loss: a point when derived, the band corners otherwise."""
    likelihood, consequence = rating.get("likelihood_value"), rating.get("consequence_value")
    if likelihood is not None and consequence is not None:
        return likelihood * consequence, likelihood * consequence
    p_band, c_band = rating.get("likelihood_band"), rating.get("consequence_band")
    if not p_band or not c_band:
        return 0.0, math.inf
    c_upper = math.inf if c_band["upper"] is None else c_band["upper"]
    # Probability 0 carries no loss even in an unbounded band, as in the coherence checks.
    high = 0.0 if p_band["upper"] == 0 else p_band["upper"] * c_upper
    return p_band["lower"] * c_band["lower"], high


def _utility(result: Mapping[str, Any], defense: str) -> float | None:
    return ((result.get("defenses") or {}).get(defense) or {}).get("expected_utility")


def _significant_gap(engine: str, result: Mapping[str, Any], *, better: str, worse: str) -> float | None:
    """Return how much higher the engine rates ``better`` than ``worse``, or None unless clearly higher."""
    high, low = _utility(result, better), _utility(result, worse)
    if high is None or low is None:
        return None
    gap = high - low
    if engine == "ara":
        errors = [((result.get("defenses") or {}).get(d) or {}).get("standard_error") or 0.0 for d in (better, worse)]
        width = (result.get("options") or {}).get("indistinguishable_se", DEFAULT_INDISTINGUISHABLE_SE)
        # NOTE: the per-defense errors ignore the positive correlation that common random numbers
        # create, so this unpaired error overstates the paired one and can hide a real reversal.
        threshold = width * math.hypot(*errors)
    else:
        threshold = GAME_TIE_TOLERANCE * max(abs(high), abs(low), 1.0)
    return gap if gap > threshold else None


def _reasons(engine: str, result: Mapping[str, Any], first: str, second: str,
             counts: Mapping[str, tuple[int, ...]], threats: Mapping[str, Mapping[str, _Threat]],
             levels: Sequence[str], costs: Mapping[str, float], min_factor: float) -> list[Notice]:
    """Explain why the matrix prefers ``first`` while the engine prefers ``second``."""
    params = {"matrix_preferred": first, "engine_preferred": second, "engine": engine,
              "cost": costs[first], "other_cost": costs[second]}
    reasons = []
    if counts.get(first) == counts.get(second):
        reasons.append(Notice(
            "risk_matrix.disagreement.cost_tie_break",
            "The matrix rates the threats of {matrix_preferred} and {engine_preferred} at the same levels, so it "
            "ranks {matrix_preferred} first only because it costs less ({cost:g} against {other_cost:g}); the "
            "matrix cannot see how far the threats' losses differ within a level.", params))
    elif costs[first] > costs[second]:
        reasons.append(Notice(
            "risk_matrix.disagreement.cost_ignored",
            "The matrix ignores cost except as a tie-breaker: {matrix_preferred} costs {cost:g} and "
            "{engine_preferred} costs {other_cost:g}.", params))

    first_threats, second_threats = threats.get(first, {}), threats.get(second, {})
    reasons += _range_compression(first, second, first_threats, second_threats, levels, min_factor)
    reasons += _level_reversal(first, second, first_threats, second_threats, levels)
    reasons += _attacker_response(engine, result, first, second)
    if not reasons:
        reasons.append(Notice(
            "risk_matrix.disagreement.unexplained",
            "No single cause was found: {engine} weighs every outcome's loss and the defender's attitude to risk, "
            "which the matrix's bands do not show.", params))
    return reasons


def _range_compression(first: str, second: str, first_threats: Mapping[str, _Threat],
                       second_threats: Mapping[str, _Threat], levels: Sequence[str],
                       min_factor: float) -> list[Notice]:
    """Find attacks at the same level under both defenses whose expected losses differ by ``min_factor`` or more."""
    reasons = []
    for attack, threat in first_threats.items():
        other = second_threats.get(attack)
        if other is None or other.level != threat.level:
            continue
        params: dict[str, Any] = {"attack": attack, "matrix_preferred": first, "engine_preferred": second,
                  "likelihood": threat.cell[0], "consequence": threat.cell[1], "level": levels[threat.level]}
        if threat.is_point and other.is_point:
            # Only a larger loss under the matrix's choice explains the engine preferring the other.
            if threat.low <= other.low * min_factor:
                continue
            params.update(factor=math.inf if other.low == 0 else threat.low / other.low,
                          loss=threat.low, other_loss=other.low)
            where = "lie in cell ({likelihood}, {consequence})" if threat.cell == other.cell else "are rated {level}"
            reasons.append(Notice(
                "risk_matrix.disagreement.range_compression",
                "Range compression: both ratings of {attack} " + where + " although its expected loss is {factor:.3g} "
                "times as large under {matrix_preferred} ({loss:g}) as under {engine_preferred} ({other_loss:g}).",
                params))
        elif threat.cell == other.cell:
            # Direct ratings give bands only, so the cell's own spread is the most the matrix can hide.
            spread = math.inf if threat.low == 0 else threat.high / threat.low
            if spread < min_factor:
                continue
            params["factor"] = spread
            reasons.append(Notice(
                "risk_matrix.disagreement.range_compression_bands",
                "Range compression: both ratings of {attack} lie in cell ({likelihood}, {consequence}), whose "
                "expected losses span a factor of {factor:.3g}, so the matrix cannot tell them apart.", params))
    return reasons


def _level_reversal(first: str, second: str, first_threats: Mapping[str, _Threat],
                    second_threats: Mapping[str, _Threat], levels: Sequence[str]) -> list[Notice]:
    """Find the clearest case of a higher level given to a surely smaller expected loss, if any."""
    worst: tuple[float, _Threat, _Threat] | None = None
    for rated_higher in second_threats.values():
        for rated_lower in first_threats.values():
            if rated_higher.level <= rated_lower.level or rated_higher.high >= rated_lower.low:
                continue
            ratio = math.inf if rated_higher.high == 0 else rated_lower.low / rated_higher.high
            if worst is None or ratio > worst[0]:
                worst = (ratio, rated_higher, rated_lower)
    if worst is None:
        return []

    _, rated_higher, rated_lower = worst
    return [Notice(
        "risk_matrix.disagreement.level_reversal",
        "The matrix rates {higher_attack} under {engine_preferred} at level {higher_level} and {lower_attack} under "
        "{matrix_preferred} only at level {lower_level}, although the first expected loss (at most {higher_loss:g}) "
        "is below the second (at least {lower_loss:g}).",
        {"higher_attack": rated_higher.attack, "lower_attack": rated_lower.attack,
         "engine_preferred": second, "matrix_preferred": first,
         "higher_level": levels[rated_higher.level], "lower_level": levels[rated_lower.level],
         "higher_loss": rated_higher.high, "lower_loss": rated_lower.low})]


def _attacker_response(engine: str, result: Mapping[str, Any], first: str, second: str) -> list[Notice]:
    """Report an attacker whose most probable attack changes with the defense, which the matrix does not model."""
    defenses = result.get("defenses") or {}
    first_attacks = (defenses.get(first) or {}).get("attack_probabilities") or {}
    second_attacks = (defenses.get(second) or {}).get("attack_probabilities") or {}
    if not first_attacks or not second_attacks:
        return []
    first_mode = max(first_attacks, key=first_attacks.__getitem__)
    second_mode = max(second_attacks, key=second_attacks.__getitem__)
    if first_mode == second_mode:
        return []
    return [Notice(
        "risk_matrix.disagreement.attacker_response",
        "The matrix gives each threat a fixed likelihood, whereas {engine} predicts that the attacker adapts to the "
        "defense: the most probable attack is {attack} under {matrix_preferred} (probability {probability:.3g}) and "
        "{other_attack} under {engine_preferred} (probability {other_probability:.3g}).",
        {"engine": engine, "matrix_preferred": first, "engine_preferred": second,
         "attack": first_mode, "probability": first_attacks[first_mode],
         "other_attack": second_mode, "other_probability": second_attacks[second_mode]})]
