"""The leader's optimal mixed commitment (strong Stackelberg equilibrium) by linear programming."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from riskapp.engines.game._bimatrix import FLOAT_TOLERANCE, check_pair, rescale
from riskapp.engines.game._zero_sum import SolverError

# Violated best-response constraints added to a response's LP per round of constraint generation.
CUTS_PER_ROUND = 8

# HiGHS's tightest feasibility tolerances (its defaults are 1e-7), so that on payoffs rescaled to
# [1, 2] a follower tie made by the LP is still a tie at the 1e-9 used to list best responses.
LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class StackelbergSolution:
    """A leader commitment, the follower response it induces and what both players get.

    ``response`` is the follower's pure strategy at the strong equilibrium, with ties broken
    for the leader. ``best_responses`` lists every pure strategy tied for the follower's best at ``x``.
    ``value`` is the leader's payoff when the follower plays ``response``, and
    ``pessimistic_value`` the leader's payoff at the same ``x`` if the follower broke its ties
    against the leader. ``follower_value`` is the follower's payoff at ``(x, response)``.
    """

    x: tuple[float, ...]
    response: int
    best_responses: tuple[int, ...]
    value: float
    pessimistic_value: float
    follower_value: float
    lps_solved: int
    responses_pruned: int


def strong_stackelberg(leader, follower, *, prune: bool = True) -> StackelbergSolution:
    """Compute the leader's optimal mixed commitment when the follower observes it.

    For every follower pure strategy ``j`` the LP ``max x·A[:, j]`` subject to
    ``x·B[:, j] ≥ x·B[:, k]`` for all ``k``, ``Σx = 1``, ``x ≥ 0`` gives the best commitment that
    makes ``j`` a best response. The best of these LPs is the strong Stackelberg equilibrium, in
    which the follower breaks ties in the leader's favour (Conitzer and Sandholm, "Computing the
    optimal strategy to commit to", ACM EC 2006). The weak (pessimistic) Stackelberg value is a
    supremum that need not be attained, so it is not computed. ``pessimistic_value`` is the
    leader's payoff at the strong commitment when the follower breaks ties against it, which
    is a lower bound on the weak value.

    With ``prune`` (the default) the same optimum is found with far less work: responses that a
    pure strategy strictly dominates are dropped, the best pure commitment gives a starting
    incumbent, responses are visited in decreasing order of the bound ``max_i A[i, j]`` and the
    search stops when the bound falls to the incumbent, and each LP is built by constraint
    generation, whose relaxed optimum is an upper bound that prunes a response early.
    ``prune=False`` solves every full LP, the plain method, kept as a baseline.

    Parameters
    ----------
    leader, follower : array_like, shape (m, n)
        Payoffs of the leader (rows, who commits) and of the follower (columns).
    prune : bool, optional
        Use the pruned search (default) or one full LP per follower strategy.

    Returns
    -------
    StackelbergSolution

    Raises
    ------
    PayoffError
        When a matrix is empty, contains NaN or infinity, or the shapes differ.

    Examples
    --------
    >>> solution = strong_stackelberg([[2, 4], [1, 3]], [[1, 0], [0, 1]])
    >>> solution.x, solution.response, solution.value
    ((0.5, 0.5), 1, 3.5)
    """
    a, b = check_pair(leader, follower)
    a_scaled, b_scaled = rescale(a), rescale(b)
    if prune:
        x, lps, pruned = _pruned_search(a_scaled, b_scaled)
    else:
        x, lps, pruned = _plain_search(a_scaled, b_scaled), a.shape[1], 0
    return _describe(a, b, b_scaled, x, lps, pruned)


def _response_lp(a: np.ndarray, b: np.ndarray, response: int, rivals: np.ndarray):
    """Solve ``max x·a[:, response]`` with ``response`` at least as good as each rival; None if infeasible."""
    m = a.shape[0]
    gaps = (b[:, rivals] - b[:, [response]]).T
    result = linprog(
        -a[:, response],
        A_ub=gaps if len(rivals) else None,
        b_ub=np.zeros(len(rivals)) if len(rivals) else None,
        A_eq=np.ones((1, m)),
        b_eq=[1.0],
        bounds=(0, None),
        method="highs-ds",
        options=LP_OPTIONS,
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise SolverError(f"commitment LP for response {response} failed: {result.message}")
    return np.clip(result.x, 0.0, None) / np.clip(result.x, 0.0, None).sum(), -result.fun


def _plain_search(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = a.shape[1]
    # Some response is a best response at every x, so at least one LP is feasible.
    best_x, best_value = np.eye(a.shape[0])[0], -np.inf
    for response in range(n):
        solved = _response_lp(a, b, response, np.delete(np.arange(n), response))
        if solved is not None and solved[1] > best_value + FLOAT_TOLERANCE:
            best_x, best_value = solved
    return best_x


def _pruned_search(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int, int]:
    m, n = a.shape

    # Start from the best pure commitment: row i with the follower's tie broken for the leader.
    tied = b >= b.max(axis=1, keepdims=True) - FLOAT_TOLERANCE
    pure_values = np.max(np.where(tied, a, -np.inf), axis=1)
    best_row = int(np.argmax(pure_values))
    best_x, best_value = np.eye(m)[best_row], float(pure_values[best_row])

    # A response strictly dominated by another pure response is never a best response.
    dominated = np.any(np.all(b[:, :, np.newaxis] > b[:, np.newaxis, :], axis=0), axis=0)
    bounds = a.max(axis=0)
    order = [j for j in np.argsort(-bounds, kind="stable") if not dominated[j]]

    lps, visited = 0, 0
    for response in order:
        if bounds[response] <= best_value + FLOAT_TOLERANCE:
            break
        visited += 1
        solved, used = _generate_constraints(a, b, response, best_value)
        lps += used
        if solved is not None and solved[1] > best_value + FLOAT_TOLERANCE:
            best_x, best_value = solved
    return best_x, lps, n - visited


def _generate_constraints(a: np.ndarray, b: np.ndarray, response: int, incumbent: float):
    """Solve one response's LP with only the constraints that bind, added as they are violated.

    Returns ``((x, value), lps)``, or ``(None, lps)`` when the response cannot beat the
    incumbent or cannot be induced at all.
    """
    rivals = np.zeros(0, dtype=np.intp)
    lps = 0
    while True:
        solved = _response_lp(a, b, response, rivals)
        lps += 1
        if solved is None:
            return None, lps
        x, value = solved
        if value <= incumbent + FLOAT_TOLERANCE:
            return None, lps
        advantages = x @ b - x @ b[:, response]
        # Constraints already in the LP hold to the solver's tolerance, so only new ones count.
        violated = np.setdiff1d(np.flatnonzero(advantages > FLOAT_TOLERANCE), rivals)
        if len(violated) == 0:
            return (x, value), lps
        worst_first = violated[np.argsort(-advantages[violated], kind="stable")]
        rivals = np.union1d(rivals, worst_first[:CUTS_PER_ROUND])


def _describe(a, b, b_scaled, x, lps, pruned) -> StackelbergSolution:
    follower_scaled = x @ b_scaled
    tied = np.flatnonzero(follower_scaled >= follower_scaled.max() - FLOAT_TOLERANCE)
    leader_values = x @ a
    response = int(tied[np.argmax(leader_values[tied])])
    return StackelbergSolution(
        x=tuple(float(v) for v in x),
        response=response,
        best_responses=tuple(int(j) for j in tied),
        value=float(leader_values[response]),
        pessimistic_value=float(leader_values[tied].min()),
        follower_value=float(x @ b[:, response]),
        lps_solved=lps,
        responses_pruned=pruned,
    )
