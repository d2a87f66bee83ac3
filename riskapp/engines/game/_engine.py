"""The game engine's ``assess``: sequential Defend–Attack, mixed commitment and Nash equilibria."""

from functools import cmp_to_key

import numpy as np

from riskapp.engines.decision import (
    MAX_RISK_EXPONENT,
    best_responses,
    certainty_equivalents,
    tied_indices,
    utility,
    values_tie,
)
from riskapp.engines.game._nash import LEMKE_HOWSON_CAP, MAX_SUPPORT_ENUMERATION, NashResult, nash_equilibria
from riskapp.engines.game._stackelberg import strong_stackelberg
from riskapp.engines.problem import Problem, ProblemError
from riskapp.engines.result import AssessmentResult, DefenseAssessment, Notice, Score

ENGINE_VERSION = "1.0.0"

SCORE_UNIT = "defender utility"


def attacker_matrices(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Return the attacker's certainty equivalents and expected utilities ``U_A[d, a]`` at the point values.

    Each uncertain attacker number is replaced by its mean and the attacker's beliefs by ``p``.
    """
    gains = np.array([gain.mean() for gain in problem.attacker_gains], dtype=np.float64)
    costs = np.array([cost.mean() for cost in problem.attack_costs], dtype=np.float64)
    risk_aversion = float(problem.attacker_risk_aversion.mean())

    payoffs = gains[np.newaxis, :] - costs[:, np.newaxis]
    largest = float(np.max(np.abs(payoffs)))
    if abs(risk_aversion) * largest > MAX_RISK_EXPONENT:
        raise ProblemError(
            f"attacker.risk_aversion: at the point values |r|·max|x| = {abs(risk_aversion) * largest:g} "
            f"exceeds {MAX_RISK_EXPONENT:g}"
        )

    lotteries = np.broadcast_to(payoffs, problem.probabilities.shape)
    certainty = certainty_equivalents(lotteries, problem.probabilities, risk_aversion)
    expected = np.einsum("das,as->da", problem.probabilities, utility(payoffs, risk_aversion))
    return certainty, expected


def assess(
    problem: Problem,
    *,
    exact: bool = False,
    max_support_enumeration: int = MAX_SUPPORT_ENUMERATION,
    lemke_howson_cap: int = LEMKE_HOWSON_CAP,
) -> AssessmentResult:
    """Solve the Defend–Attack problem as a game of complete information at the point values.

    The default result is the sequential Defend–Attack game solved by backward induction: for
    each defense the attacker's best response by certainty equivalent, with the tie rule shared
    with ARA (``riskapp.engines.decision.best_responses``), then the defense with the highest
    expected utility ``U_D[d, a*(d)]``. Two more sections use the matrices ``U_D`` and ``U_A``,
    the attacker's expected utility, which is linear in a mixed commitment and so fits an LP.
    ``mixed_commitment`` is the strong Stackelberg equilibrium, in which the defender commits to
    a randomised defense that the attacker observes. ``nash_equilibria`` lists the equilibria of
    the simultaneous game (see ``nash_equilibria``). The sequential Defend–Attack model and its
    game-theoretic solution are those of Ríos Insua, Ríos and Banks, "Adversarial risk
    analysis", JASA 104(486), 2009.

    Parameters
    ----------
    problem : Problem
        The validated problem; attacker distributions are replaced by their means.
    exact : bool
        Enumerate Nash equilibria in rational arithmetic on the exact binary values of ``U_D``
        and ``U_A``.
    max_support_enumeration : int
        Largest number of candidate vertex bases per player for exhaustive Nash enumeration;
        larger games fall back to the minimax LP or Lemke–Howson.
    lemke_howson_cap : int
        Pivots allowed per Lemke–Howson path.

    Returns
    -------
    AssessmentResult
        Ranking and per-defense values of the sequential game, with four sections:

        - ``ties``: the tie rule, the attacks tied for the attacker's best under each
          defense, and the groups of tied defenses;
        - ``mixed_commitment``: the defender's mixed strategy, the induced attack, the
          attacker's best responses, the defender's ``expected_utility`` and
          ``pessimistic_value``, and the ``attacker_utility``;
        - ``nash_equilibria``: profiles with both players' expected utilities;
        - ``simultaneous_game``: the method, whether the list is ``complete``, whether the
          game is degenerate, the zero-sum value when ``U_D + U_A`` is constant, and the
          Lemke–Howson path outcomes.

    Raises
    ------
    ProblemError
        When the attacker's point values would overflow its utility.
    """
    defender = problem.defender_utilities()
    certainty, attacker = attacker_matrices(problem)
    warnings: list[Notice] = []

    chosen = best_responses(certainty, defender, problem.tie_break)
    values = defender[np.arange(len(chosen)), chosen]
    ranking = _rank(values)
    best = ranking[0]
    indistinguishable = [problem.defense_ids[d] for d in tied_indices(values, best) if d != best]
    ties = _ties(problem, certainty, values, chosen, warnings)

    commitment = strong_stackelberg(defender, attacker)
    nash = nash_equilibria(
        defender,
        attacker,
        exact=exact,
        max_support_enumeration=max_support_enumeration,
        lemke_howson_cap=lemke_howson_cap,
    )
    warnings.extend(_nash_warnings(nash, lemke_howson_cap))
    if problem.has_uncertainty():
        warnings.append(
            Notice(
                "game.point_values",
                "The attacker's uncertain numbers were replaced by their means and its beliefs "
                "by the defender's probabilities; ARA keeps the uncertainty.",
            )
        )
    if problem.model == "simultaneous":
        warnings.append(
            Notice(
                "game.simultaneous_model",
                "The scenario's model is simultaneous: the ranking is that of the sequential "
                "game, and the simultaneous game's equilibria are in nash_equilibria.",
            )
        )

    defenses = {
        problem.defense_ids[d]: DefenseAssessment(
            score=Score(float(values[d]), SCORE_UNIT),
            expected_utility=float(values[d]),
            attack_probabilities={a: float(k == chosen[d]) for k, a in enumerate(problem.attack_ids)},
        )
        for d in range(len(problem.defense_ids))
    }
    status = "not_converged" if nash.path_statuses.get("pivot_cap") or nash.path_statuses.get("cycling") else "ok"
    message = Notice(
        "game.recommendation",
        "Recommended defense {defense}: expected defender utility {value:.6g} when the attacker "
        "observes it and plays its best response {attack}.",
        {
            "defense": problem.defense_ids[best],
            "value": float(values[best]),
            "attack": problem.attack_ids[chosen[best]],
        },
    )
    return AssessmentResult(
        engine="game",
        engine_version=ENGINE_VERSION,
        problem_digest=problem.digest,
        options={
            "exact": exact,
            "max_support_enumeration": max_support_enumeration,
            "lemke_howson_cap": lemke_howson_cap,
        },
        status=status,
        message=message,
        recommended_defense=problem.defense_ids[best],
        defense_ranking=[problem.defense_ids[d] for d in ranking],
        indistinguishable=indistinguishable,
        defenses=defenses,
        warnings=warnings,
        point_values=problem.point_values(),
        counts={
            "lps_solved": commitment.lps_solved + nash.lps_solved,
            "commitment_responses_pruned": commitment.responses_pruned,
            "vertex_bases_examined": nash.bases_examined,
            "lemke_howson_pivots": nash.pivots,
        },
        sections={
            "ties": ties,
            "mixed_commitment": _commitment_section(problem, commitment),
            "nash_equilibria": [_equilibrium_section(problem, e) for e in nash.equilibria],
            "simultaneous_game": _simultaneous_section(nash),
        },
    )


def _rank(values: np.ndarray) -> list[int]:
    """Order defenses best first; values that tie keep file order."""

    def compare(d: int, e: int) -> int:
        if values_tie(values[d], values[e]):
            return d - e
        return -1 if values[d] > values[e] else 1

    return sorted(range(len(values)), key=cmp_to_key(compare))


def _ties(
    problem: Problem, certainty: np.ndarray, values: np.ndarray, chosen: np.ndarray, warnings: list[Notice]
) -> dict:
    """List every tie the sequential solution broke: attacks per defense and defenses among themselves."""
    attacks = {}
    for d, defense in enumerate(problem.defense_ids):
        tied = tied_indices(certainty[d], int(chosen[d]))
        if len(tied) > 1:
            ids = [problem.attack_ids[a] for a in tied]
            attacks[defense] = ids
            warnings.append(
                Notice(
                    "game.attack_tie",
                    "Under defense {defense} the attacks {attacks} tie for the attacker's best; "
                    "the rule {rule} chose {attack}.",
                    {
                        "defense": defense,
                        "attacks": ", ".join(ids),
                        "rule": problem.tie_break,
                        "attack": problem.attack_ids[chosen[d]],
                    },
                )
            )

    groups: list[list[str]] = []
    seen: set[int] = set()
    for d in range(len(values)):
        if d in seen:
            continue
        group = [e for e in tied_indices(values, d) if e not in seen]
        seen.update(group)
        if len(group) > 1:
            groups.append([problem.defense_ids[e] for e in group])
    for names in groups:
        warnings.append(
            Notice(
                "game.defense_tie",
                "The defenses {defenses} tie in expected utility; file order ranks them.",
                {"defenses": ", ".join(names)},
            )
        )
    return {"tie_break": problem.tie_break, "attacks": attacks, "defenses": groups}


def _commitment_section(problem: Problem, commitment) -> dict:
    return {
        "defender": {d: commitment.x[k] for k, d in enumerate(problem.defense_ids)},
        "attack": problem.attack_ids[commitment.response],
        "attacker_best_responses": [problem.attack_ids[a] for a in commitment.best_responses],
        "expected_utility": commitment.value,
        "pessimistic_value": commitment.pessimistic_value,
        "attacker_utility": commitment.follower_value,
    }


def _equilibrium_section(problem: Problem, equilibrium) -> dict:
    return {
        "defender": {d: float(p) for d, p in zip(problem.defense_ids, equilibrium.x, strict=True)},
        "attacker": {a: float(p) for a, p in zip(problem.attack_ids, equilibrium.y, strict=True)},
        "expected_utility": float(equilibrium.row_payoff),
        "attacker_utility": float(equilibrium.column_payoff),
    }


def _simultaneous_section(nash: NashResult) -> dict:
    return {
        "method": nash.method,
        "complete": nash.complete,
        "degenerate": nash.degenerate,
        "zero_sum_value": None if nash.zero_sum_value is None else float(nash.zero_sum_value),
        "lemke_howson_paths": nash.path_statuses,
        "rejected": nash.rejected,
    }


def _nash_warnings(nash: NashResult, cap: int) -> list[Notice]:
    notices = []
    if nash.method != "vertex_enumeration":
        notices.append(
            Notice(
                "game.nash_incomplete",
                "The simultaneous game is too large for exhaustive enumeration: the {count} Nash "
                "equilibria listed were found by {method} and may not be all of them.",
                {"count": len(nash.equilibria), "method": nash.method},
            )
        )
    if nash.path_statuses.get("cycling"):
        notices.append(
            Notice(
                "game.lemke_howson_cycling",
                "{count} Lemke–Howson paths returned to a basis they had visited, because round-off misled "
                "the ratio test; they were stopped without an equilibrium.",
                {"count": nash.path_statuses["cycling"]},
            )
        )
    if nash.path_statuses.get("pivot_cap"):
        notices.append(
            Notice(
                "game.lemke_howson_cap",
                "{count} Lemke–Howson paths stopped after {cap} pivots without reaching an "
                "equilibrium or repeating a basis; raise lemke_howson_cap to follow them further.",
                {"count": nash.path_statuses["pivot_cap"], "cap": cap},
            )
        )
    if nash.path_statuses.get("not_verified") or nash.rejected:
        notices.append(
            Notice(
                "game.nash_rejected",
                "{count} candidate equilibria failed the best-response check and were left out.",
                {"count": nash.path_statuses.get("not_verified", 0) + nash.rejected},
            )
        )
    return notices
