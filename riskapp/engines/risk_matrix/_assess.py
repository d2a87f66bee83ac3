"""The risk-matrix engine's front door: rate threats, rank defenses, check the matrix."""

from fractions import Fraction
from typing import Any

from riskapp.engines.problem import Problem
from riskapp.engines.result import AssessmentResult, DefenseAssessment, Notice, Score
from riskapp.engines.risk_matrix._coherence import check_coherence
from riskapp.engines.risk_matrix._ratings import Rating, rate_threats

ENGINE_VERSION = "1.0.0"


def assess(problem: Problem, *, compression_threshold: Fraction | float | str = 10) -> AssessmentResult:
    """Rate every threat in the risk matrix, rank the defenses and check the matrix's coherence.

    Parameters
    ----------
    problem : Problem
        The Defend–Attack problem with its ``risk_matrix``; ``problem.exact`` supplies the
        numbers as written, for exact band placement.
    compression_threshold : Fraction, float or str, keyword-only
        Factor above which the spread of risks given one level is reported as range
        compression.

    Returns
    -------
    AssessmentResult
        ``defense_ranking`` compares the number of rated threats at each level from the
        highest level down, then the defense cost, then file order. Exact ties are
        ``indistinguishable``. Per defense, ``risk_level`` is its worst level (``None`` with
        no rated threat). The score is its number of threats at the highest level that any
        defense reaches (unit "threats rated <level>"), the first count the ranking compares;
        it orders defenses as the ranking does only when that count differs. The full counts
        are in the ``level_counts`` section. Sections ``ratings`` and ``coherence`` hold the
        threat ratings and the matrix checks.

    Notes
    -----
    A derived rating places likelihood ``π(a) · P(L(S) > 0 | d, a)`` and consequence
    ``E[L(S) | d, a, L(S) > 0]`` in the bands, as in ISO 31000's level of risk from
    likelihood and consequence. The matrix ignores defense cost except as a tie-breaker and
    predicts no attack distribution, so expected utility, standard errors and attack
    probabilities are ``None``.

    References
    ----------
    L. A. Cox Jr., "What's wrong with risk matrices?", Risk Analysis 28(2), 2008.
    ISO 31000:2018, Risk management — Guidelines.
    """
    config = problem.risk_matrix
    threshold = _threshold(compression_threshold)
    ratings, warnings = rate_threats(problem)
    findings = check_coherence(config, compression_threshold=threshold)

    counts = _level_counts(problem, ratings)
    ranking, indistinguishable = _rank(problem, counts)
    highest_rated = _highest_rated_level(counts)
    defenses = {
        defense: _defense_assessment(problem, counts[defense], highest_rated)
        for defense in problem.defense_ids
    }

    warnings.append(Notice(
        "risk_matrix.cost_tie_breaker_only",
        "The risk matrix ranks defenses by their threats' levels and ignores defense cost except as a tie-breaker.",
        {}))
    failed = sorted({finding.check for finding in findings if finding.status == "fail"})
    if failed:
        warnings.append(Notice(
            "risk_matrix.coherence_failed",
            "The matrix is inconsistent with its declared criterion ({criterion}) in these checks: {checks}.",
            {"criterion": config.criterion, "checks": ", ".join(failed)}))

    return AssessmentResult(
        engine="risk_matrix",
        engine_version=ENGINE_VERSION,
        problem_digest=problem.digest,
        options={"compression_threshold": float(threshold)},
        status="ok",
        message=_summary(problem, ranking, counts),
        recommended_defense=ranking[0],
        defense_ranking=ranking,
        indistinguishable=indistinguishable,
        defenses=defenses,
        warnings=warnings,
        counts={
            "ratings": len(ratings),
            "direct_ratings": sum(rating.origin == "direct" for rating in ratings.values()),
            "derived_ratings": sum(rating.origin == "derived" for rating in ratings.values()),
            "cells": len(config.likelihood) * len(config.consequence),
        },
        sections={
            "ratings": _ratings_section(problem, ratings),
            "level_counts": {
                defense: {level.label: counts[defense][index] for index, level in enumerate(config.levels)}
                for defense in problem.defense_ids
            },
            "coherence": [finding.to_dict() for finding in findings],
        },
    )


def _threshold(value: Fraction | float | str) -> Fraction:
    try:
        threshold = Fraction(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"compression_threshold: {value!r} is not a finite number; give a factor above 1") from None
    if threshold <= 1:
        raise ValueError(f"compression_threshold: {value!r} must be greater than 1")
    return threshold


def _level_counts(problem: Problem, ratings: dict[tuple[str, str], Rating]) -> dict[str, list[int]]:
    """Per defense, the number of rated threats at each level, lowest level first."""
    counts = {defense: [0] * len(problem.risk_matrix.levels) for defense in problem.defense_ids}
    for (defense, _), rating in ratings.items():
        counts[defense][rating.level] += 1
    return counts


def _rank(problem: Problem, counts: dict[str, list[int]]) -> tuple[list[str], list[str]]:
    """Rank defenses best first and list those exactly tied with the best."""
    costs = dict(zip(problem.defense_ids, problem.defense_costs.tolist(), strict=True))
    order = {defense: index for index, defense in enumerate(problem.defense_ids)}

    def merit(defense: str) -> tuple[tuple[int, ...], float]:
        # Fewer threats at the highest level first, then at the next, and so on; then cheaper.
        return tuple(reversed(counts[defense])), costs[defense]

    ranking = sorted(problem.defense_ids, key=lambda defense: (merit(defense), order[defense]))
    best = merit(ranking[0])
    indistinguishable = [defense for defense in ranking[1:] if merit(defense) == best]
    return ranking, indistinguishable


def _highest_rated_level(counts: dict[str, list[int]]) -> int | None:
    """Return the highest level at which any defense has a rated threat, or None with no rating at all."""
    reached = [level for per_level in counts.values() for level, n in enumerate(per_level) if n]
    return max(reached, default=None)


def _defense_assessment(problem: Problem, counts: list[int], highest_rated: int | None) -> DefenseAssessment:
    levels = problem.risk_matrix.levels
    worst = max((level for level, n in enumerate(counts) if n), default=None)
    if highest_rated is None:
        score = Score(0, "rated threats")
    else:
        score = Score(counts[highest_rated], f"threats rated {levels[highest_rated].label}")
    return DefenseAssessment(score=score, risk_level=None if worst is None else levels[worst].label)


def _ratings_section(problem: Problem, ratings: dict[tuple[str, str], Rating]) -> dict[str, dict[str, Any]]:
    section: dict[str, dict[str, Any]] = {}
    for defense in problem.defense_ids:
        for attack in problem.attack_ids:
            if (defense, attack) in ratings:
                section.setdefault(defense, {})[attack] = ratings[defense, attack].to_dict(problem.risk_matrix)
    return section


def _summary(problem: Problem, ranking: list[str], counts: dict[str, list[int]]) -> Notice:
    """Say which defense is recommended and which ranking key set it apart from the runner-up."""
    levels = problem.risk_matrix.levels
    best = ranking[0]
    params: dict[str, object] = {
        "defense": best,
        "counts": ", ".join(f"{levels[index].label} {counts[best][index]}" for index in reversed(range(len(levels)))),
    }
    if not any(any(per_level) for per_level in counts.values()):
        return Notice("risk_matrix.no_residual_risk",
                      "No threat carries residual risk under any defense, so {defense} is recommended on cost and "
                      "file order alone.", {"defense": best})
    if len(ranking) == 1:
        return Notice("risk_matrix.single_defense",
                      "{defense} is the only defense; its rated threats per level, highest first: {counts}.", params)

    runner_up = ranking[1]
    params["runner_up"] = runner_up
    differing = [index for index in range(len(levels)) if counts[best][index] != counts[runner_up][index]]
    if differing:
        level = max(differing)
        params.update(level=levels[level].label, count=counts[best][level],
                      runner_up_count=counts[runner_up][level])
        return Notice("risk_matrix.ranked_by_level",
                      "{defense} is recommended: it has fewer threats at level {level} ({count} against "
                      "{runner_up_count} for {runner_up}) and as many at every higher level. Its rated threats per "
                      "level, highest first: {counts}.", params)

    costs = dict(zip(problem.defense_ids, problem.defense_costs.tolist(), strict=True))
    if costs[best] != costs[runner_up]:
        params.update(cost=costs[best], runner_up_cost=costs[runner_up])
        return Notice("risk_matrix.ranked_by_cost",
                      "{defense} is recommended: it rates threats at the same levels as {runner_up} and costs less "
                      "({cost:g} against {runner_up_cost:g}). Its rated threats per level, highest first: {counts}.",
                      params)

    return Notice("risk_matrix.ranked_by_file_order",
                  "{defense} is recommended only because it comes first in the file: {runner_up} has the same level "
                  "counts and cost. Its rated threats per level, highest first: {counts}.", params)
