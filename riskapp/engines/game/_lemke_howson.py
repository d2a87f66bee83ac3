"""One Nash equilibrium per starting label by the Lemke–Howson algorithm, with a pivot cap."""

from dataclasses import dataclass

import numpy as np

from riskapp.engines.game._bimatrix import Equilibrium, check_pair, is_equilibrium, make_equilibrium, rescale

# A pivot column entry below this counts as zero; payoffs are rescaled to [1, 2] first.
PIVOT_TOLERANCE = 1e-12

PATH_STATUSES = ("found", "cycling", "pivot_cap", "not_verified")


@dataclass(frozen=True)
class LemkeHowsonPath:
    """The end of one Lemke–Howson path started by dropping ``label``.

    ``status`` is one of:

    - ``found``: the end point is a verified equilibrium;
    - ``cycling``: a pair of bases came back, which exact lexicographic pivoting rules out, so
      round-off misled the ratio test;
    - ``pivot_cap``: the path was cut after ``pivots`` steps without repeating a basis;
    - ``not_verified``: the end point failed the best-response check (round-off).
    """

    label: int
    status: str
    pivots: int
    equilibrium: Equilibrium | None


class _Tableau:
    """A dictionary ``basic = rhs − …`` whose columns are indexed by label, with the lexicographic ratio test."""

    def __init__(self, columns: np.ndarray, basis: list[int]):
        self.table = np.hstack([columns, np.ones((columns.shape[0], 1))])
        self.basis = list(basis)
        # The initial basis columns give the lexicographic order that keeps pivoting
        # well defined in degenerate games (symbolic perturbation of the right-hand side).
        self.lex_columns = list(basis)

    def enter(self, label: int) -> int | None:
        """Pivot the variable ``label`` into the basis; return the label that leaves (None if unbounded)."""
        column = self.table[:, label]
        candidates = np.flatnonzero(column > PIVOT_TOLERANCE)
        if len(candidates) == 0:
            return None
        for key in [-1, *self.lex_columns]:
            ratios = self.table[candidates, key] / column[candidates]
            smallest = ratios.min()
            candidates = candidates[ratios <= smallest + PIVOT_TOLERANCE * max(1.0, abs(smallest))]
            if len(candidates) == 1:
                break
        row = int(candidates[0])

        self.table[row] /= self.table[row, label]
        factors = self.table[:, label].copy()
        factors[row] = 0.0
        self.table -= np.outer(factors, self.table[row])
        leaving, self.basis[row] = self.basis[row], label
        return leaving

    def values(self, labels: range) -> np.ndarray:
        point = np.zeros(len(labels))
        for row, label in enumerate(self.basis):
            if label in labels:
                point[label - labels.start] = max(self.table[row, -1], 0.0)
        return point


def lemke_howson(row_payoffs, column_payoffs, *, label: int = 0, max_pivots: int = 5000) -> LemkeHowsonPath:
    """Follow the Lemke–Howson path that starts by dropping ``label`` from the artificial equilibrium.

    Labels ``0..m−1`` are the row player's strategies and ``m..m+n−1`` the column player's.
    Complementary pivoting alternates between the two best-response polytopes until the
    missing label is picked up again (Lemke and Howson, "Equilibrium points of bimatrix
    games", J. SIAM 12, 1964). The ratio test is lexicographic so that degenerate games do
    not stall, and the end point is checked for best responses before it is returned.

    Parameters
    ----------
    row_payoffs, column_payoffs : array_like, shape (m, n)
        Payoffs ``A`` of the row player and ``B`` of the column player.
    label : int
        The label dropped first, ``0 <= label < m + n``.
    max_pivots : int
        Pivots allowed before the path is reported with status ``pivot_cap``.

    Returns
    -------
    LemkeHowsonPath

    Examples
    --------
    >>> path = lemke_howson([[3, 0], [0, 2]], [[2, 0], [0, 3]], label=0)
    >>> path.status, path.equilibrium.x
    ('found', (1.0, 0.0))
    """
    a, b = check_pair(row_payoffs, column_payoffs)
    m, n = a.shape
    if not 0 <= label < m + n:
        raise ValueError(f"label {label!r}: expected an integer in [0, {m + n - 1}]")
    a_scaled, b_scaled = rescale(a), rescale(b)

    # Row player's side: Bᵀx + r = 1 with x_i labelled i and the slack r_j labelled m + j.
    row_side = _Tableau(np.hstack([b_scaled.T, np.eye(n)]), basis=list(range(m, m + n)))
    # Column player's side: s + Ay = 1 with s_i labelled i and y_j labelled m + j.
    column_side = _Tableau(np.hstack([np.eye(m), a_scaled]), basis=list(range(m)))

    side = row_side if label < m else column_side
    entering = label
    visited = set()
    for pivots in range(1, max_pivots + 1):
        state = (side is row_side, entering, frozenset(row_side.basis), frozenset(column_side.basis))
        if state in visited:
            return LemkeHowsonPath(label, "cycling", pivots - 1, None)
        visited.add(state)
        leaving = side.enter(entering)
        if leaving is None:
            return LemkeHowsonPath(label, "not_verified", pivots, None)
        if leaving == label:
            return _finish(a, b, label, pivots, row_side.values(range(m)), column_side.values(range(m, m + n)))
        side = column_side if side is row_side else row_side
        entering = leaving
    return LemkeHowsonPath(label, "pivot_cap", max_pivots, None)


def _finish(a, b, label, pivots, x_point, y_point) -> LemkeHowsonPath:
    if x_point.sum() <= 0 or y_point.sum() <= 0:
        return LemkeHowsonPath(label, "not_verified", pivots, None)
    x, y = x_point / x_point.sum(), y_point / y_point.sum()
    if not is_equilibrium(a, b, x, y):
        return LemkeHowsonPath(label, "not_verified", pivots, None)
    return LemkeHowsonPath(label, "found", pivots, make_equilibrium(a, b, x, y))


def lemke_howson_all_labels(
    row_payoffs, column_payoffs, *, max_pivots: int = 5000
) -> tuple[list[Equilibrium], list[LemkeHowsonPath]]:
    """Run Lemke–Howson from every starting label; return the distinct equilibria and every path."""
    a, b = check_pair(row_payoffs, column_payoffs)
    m, n = a.shape
    paths = [lemke_howson(a, b, label=label, max_pivots=max_pivots) for label in range(m + n)]
    distinct: dict[tuple, Equilibrium] = {}
    for path in paths:
        if path.equilibrium is not None:
            key = tuple(round(v, 9) for v in (*path.equilibrium.x, *path.equilibrium.y))
            distinct.setdefault(key, path.equilibrium)
    return [distinct[key] for key in sorted(distinct)], paths
