"""Nash equilibria of a bimatrix game: the front door that picks enumeration, LP or Lemke–Howson."""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from riskapp.engines.game._bimatrix import (
    FLOAT_TOLERANCE,
    Equilibrium,
    check_pair,
    is_equilibrium,
    make_equilibrium,
    solve_rational,
)
from riskapp.engines.game._enumeration import candidate_bases, enumerate_equilibria
from riskapp.engines.game._lemke_howson import lemke_howson_all_labels
from riskapp.engines.game._zero_sum import zero_sum_value

# Exhaustive enumeration solves C(m + n, m) − 1 small systems per player; 200,000 admits every
# 10×10 game (184,755), which takes about two seconds in floating point on one core.
MAX_SUPPORT_ENUMERATION = 200_000

# Pivots allowed on one Lemke–Howson path before it is reported as cut.
LEMKE_HOWSON_CAP = 5_000

METHODS = ("vertex_enumeration", "minimax_lp", "lemke_howson")


@dataclass(frozen=True)
class NashResult:
    """Equilibria found in a bimatrix game and how far the list can be trusted.

    ``complete`` is true when ``equilibria`` contains every extreme equilibrium (exhaustive
    enumeration). ``zero_sum_value`` is the row player's minimax value when ``A + B`` is
    constant, else None. ``path_statuses`` counts the Lemke–Howson path outcomes, and
    ``rejected`` the candidate profiles dropped by the final best-response check.
    """

    equilibria: list[Equilibrium]
    method: str
    complete: bool
    degenerate: bool | None
    zero_sum_value: float | Fraction | None
    bases_examined: int = 0
    lps_solved: int = 0
    pivots: int = 0
    path_statuses: dict[str, int] = field(default_factory=dict)
    rejected: int = 0


def is_constant_sum(a: np.ndarray, b: np.ndarray) -> bool:
    """Return True when ``A + B`` is constant: exactly for ``Fraction`` games, else to a relative tolerance."""
    total = a + b
    if a.dtype == object:
        return all(v == total[0, 0] for v in total.flat)
    scale = max(float(np.ptp(a)), float(np.ptp(b)), float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    return bool(np.ptp(total) <= FLOAT_TOLERANCE * scale) if scale > 0 else True


def nash_equilibria(
    row_payoffs,
    column_payoffs,
    *,
    exact: bool = False,
    max_support_enumeration: int = MAX_SUPPORT_ENUMERATION,
    lemke_howson_cap: int = LEMKE_HOWSON_CAP,
) -> NashResult:
    """Find the Nash equilibria of the simultaneous game with payoffs ``A`` (rows) and ``B`` (columns).

    Small games (``C(m + n, m) − 1 <= max_support_enumeration``) get every extreme equilibrium
    by vertex enumeration of the best-response polytopes, which handles degenerate games and
    continua (von Stengel, Handbook of Game Theory vol. 3, 2002, ch. 45). Larger constant-sum
    games get the minimax LP's optimal strategies. Larger general-sum games get the distinct
    equilibria reached by Lemke–Howson from every starting label, with each path capped at
    ``lemke_howson_cap`` pivots. Every equilibrium returned passed a best-response check: exact
    with ``exact=True``, else to 1e-9 of each player's payoff range.

    Parameters
    ----------
    row_payoffs, column_payoffs : array_like, shape (m, n)
        Finite payoffs; 1×n and m×1 games are allowed.
    exact : bool
        Enumerate in rational arithmetic (``fractions.Fraction``); floats are taken at their
        exact binary value. Lemke–Howson and the LP run in floating point, and each profile
        they find is then recomputed exactly from its supports when those have equal sizes
        (else it stays a float profile).
    max_support_enumeration : int
        Largest number of candidate vertex bases per player for exhaustive enumeration.
    lemke_howson_cap : int
        Pivots allowed per Lemke–Howson path.

    Returns
    -------
    NashResult

    Raises
    ------
    PayoffError
        When a matrix is empty, contains NaN or infinity, or the shapes differ.

    Examples
    --------
    >>> result = nash_equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]], exact=True)
    >>> [(e.x, e.y) for e in result.equilibria][1]
    ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5)))
    """
    a, b = check_pair(row_payoffs, column_payoffs, exact=exact)
    m, n = a.shape
    constant_sum = is_constant_sum(a, b)

    if candidate_bases(m, n) <= max_support_enumeration:
        enumeration = enumerate_equilibria(a, b)
        value = enumeration.equilibria[0].row_payoff if constant_sum else None
        result = NashResult(
            enumeration.equilibria,
            "vertex_enumeration",
            True,
            enumeration.degenerate,
            value,
            bases_examined=enumeration.bases_examined,
        )
    elif constant_sum:
        floats = a.astype(np.float64)
        solution = zero_sum_value(floats)
        equilibrium = make_equilibrium(floats, b.astype(np.float64), solution.x, solution.y)
        result = NashResult([equilibrium], "minimax_lp", False, None, solution.value, lps_solved=1)
    else:
        floats_a, floats_b = a.astype(np.float64), b.astype(np.float64)
        found, paths = lemke_howson_all_labels(floats_a, floats_b, max_pivots=lemke_howson_cap)
        statuses = Counter(path.status for path in paths)
        result = NashResult(
            found,
            "lemke_howson",
            False,
            None,
            None,
            pivots=sum(path.pivots for path in paths),
            path_statuses=dict(statuses),
        )
    return _verified(a, b, result)


def _verified(a: np.ndarray, b: np.ndarray, result: NashResult) -> NashResult:
    """Make LP and Lemke–Howson profiles exact when asked, then drop any that fails the best-response check."""
    equilibria = result.equilibria
    value = result.zero_sum_value
    if a.dtype == object and result.method != "vertex_enumeration":
        equilibria = [_exact_from_supports(a, b, e) for e in equilibria]
        if value is not None and isinstance(equilibria[0].row_payoff, Fraction):
            value = equilibria[0].row_payoff

    floats_a, floats_b = a.astype(np.float64), b.astype(np.float64)
    kept = []
    for equilibrium in equilibria:
        exact = isinstance(equilibrium.x[0], Fraction)
        if is_equilibrium(a if exact else floats_a, b if exact else floats_b, equilibrium.x, equilibrium.y):
            kept.append(equilibrium)
    # A rejected profile means the search misbehaved, so the list can no longer claim to be complete.
    rejected = len(equilibria) - len(kept)
    return NashResult(
        kept,
        result.method,
        result.complete and rejected == 0,
        result.degenerate,
        value,
        result.bases_examined,
        result.lps_solved,
        result.pivots,
        result.path_statuses,
        rejected=rejected,
    )


def _exact_from_supports(a: np.ndarray, b: np.ndarray, equilibrium: Equilibrium) -> Equilibrium:
    """Recompute a float equilibrium in rational arithmetic from its supports.

    On supports of equal size the indifference equations have a unique solution in a
    non-degenerate game. The float profile is returned unchanged when the supports differ in
    size, the system is singular or the rational profile fails the exact check.
    """
    rows = [i for i, p in enumerate(equilibrium.x) if p > FLOAT_TOLERANCE]
    columns = [j for j, p in enumerate(equilibrium.y) if p > FLOAT_TOLERANCE]
    if len(rows) != len(columns):
        return equilibrium
    y_support = _indifference(a[np.ix_(rows, columns)])
    x_support = _indifference(b[np.ix_(rows, columns)].T)
    if x_support is None or y_support is None:
        return equilibrium

    x = [Fraction(0)] * a.shape[0]
    y = [Fraction(0)] * a.shape[1]
    for i, p in zip(rows, x_support, strict=True):
        x[i] = p
    for j, p in zip(columns, y_support, strict=True):
        y[j] = p
    if not is_equilibrium(a, b, x, y):
        return equilibrium
    return make_equilibrium(a, b, x, y)


def _indifference(payoffs: np.ndarray) -> list[Fraction] | None:
    """Solve ``payoffs·q = v·1``, ``Σq = 1`` for the mixture ``q`` over the columns, exactly."""
    size = payoffs.shape[0]
    # Unknowns (q_1, …, q_k, v); one equation per row of ``payoffs``, then Σq = 1.
    system = [[Fraction(value) for value in payoffs[i]] + [Fraction(-1), Fraction(0)] for i in range(size)]
    system.append([Fraction(1)] * size + [Fraction(0), Fraction(1)])
    solution = solve_rational(system)
    return None if solution is None else solution[:size]
