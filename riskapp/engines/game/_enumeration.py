"""All extreme Nash equilibria of a bimatrix game by vertex enumeration of the best-response polytopes.

With payoffs made positive, the row player's polytope is ``P = {x ≥ 0 : Bᵀx ≤ 1}`` and the column
player's ``Q = {y ≥ 0 : Ay ≤ 1}``. A vertex carries the labels of its tight inequalities: row ``i``
when ``x_i = 0`` or ``(Ay)_i = 1``, column ``m + j`` when ``(Bᵀx)_j = 1`` or ``y_j = 0``. The
extreme equilibria are exactly the normalised completely labelled pairs of non-zero vertices
(Mangasarian 1964; von Stengel, "Computing equilibria for two-person games", Handbook of Game
Theory vol. 3, 2002, section 3). Every vertex is visited, so degenerate games (vertices with more
labels than dimensions) and continua of equilibria are handled: a continuum is reported through
its extreme points.
"""

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np

from riskapp.engines.game._bimatrix import FLOAT_TOLERANCE, Equilibrium, make_equilibrium, rescale, solve_rational

# Systems whose condition number (or inverse Hadamard ratio) exceeds this are re-solved exactly
# (exact mode) or skipped:
# a vertex always has a well-posed basis among its tight constraints unless the payoffs
# themselves are nearly dependent.
CONDITION_LIMIT = 1e10

# Candidate systems solved per numpy batch, to bound memory.
BATCH_SIZE = 50_000


@dataclass(frozen=True)
class Vertex:
    point: tuple
    labels: frozenset


@dataclass(frozen=True)
class EnumerationResult:
    equilibria: list[Equilibrium]
    bases_examined: int
    degenerate: bool


def candidate_bases(m: int, n: int) -> int:
    """Return the number of tight-constraint systems examined for one polytope of an m×n game."""
    return comb(m + n, m) - 1


def enumerate_equilibria(a: np.ndarray, b: np.ndarray) -> EnumerationResult:
    """Return every extreme equilibrium of ``(a, b)``, exact when the matrices contain ``Fraction``.

    Both matrices are validated already. The result lists equilibria in lexicographic order of
    ``(x, y)`` so that the output does not depend on set iteration order.
    """
    exact = a.dtype == object
    m, n = a.shape
    a_scaled, b_scaled = rescale(a), rescale(b)

    # P's constraint rows are the columns of B, so it is enumerated on Bᵀ with the roles swapped.
    row_vertices = _vertices(b_scaled.T, exact, offset_support=0, offset_tight=m)
    column_vertices = _vertices(a_scaled, exact, offset_support=m, offset_tight=0)
    found = {}
    for vx, vy in _completely_labelled(row_vertices, column_vertices, m + n):
        x, y = _normalise(vx.point), _normalise(vy.point)
        found[(x, y)] = make_equilibrium(a, b, x, y)
    degenerate = any(len(v.labels) > m for v in row_vertices) or any(len(v.labels) > n for v in column_vertices)
    ordered = [found[key] for key in sorted(found)]
    if not exact:
        ordered = _merge_close(ordered)
    bases = 2 * candidate_bases(m, n)
    return EnumerationResult(ordered, bases, degenerate)


def _completely_labelled(row_vertices: list[Vertex], column_vertices: list[Vertex], labels: int):
    """Yield the vertex pairs whose labels together cover ``0..labels−1``, compared as bit masks."""
    if not row_vertices or not column_vertices:
        return
    masks_x = [sum(1 << label for label in v.labels) for v in row_vertices]
    masks_y = [sum(1 << label for label in v.labels) for v in column_vertices]
    everything = (1 << labels) - 1
    if labels < 63:
        union = np.bitwise_or.outer(np.array(masks_x, dtype=np.int64), np.array(masks_y, dtype=np.int64))
        pairs = [(int(i), int(j)) for i, j in np.argwhere(union == everything)]
    else:
        pairs = [(i, j) for i, mx in enumerate(masks_x) for j, my in enumerate(masks_y) if mx | my == everything]
    for i, j in pairs:
        yield row_vertices[i], column_vertices[j]


def _merge_close(equilibria: list[Equilibrium]) -> list[Equilibrium]:
    """Drop float equilibria within 1e-9 of an earlier one: one vertex reached from two bases."""
    kept: list[Equilibrium] = []
    for candidate in equilibria:
        point = np.r_[candidate.x, candidate.y]
        if all(np.max(np.abs(point - np.r_[e.x, e.y])) > FLOAT_TOLERANCE for e in kept):
            kept.append(candidate)
    return kept


def _normalise(point: tuple) -> tuple:
    total = sum(point)
    return tuple(v / total for v in point)


def _vertices(matrix: np.ndarray, exact: bool, *, offset_support: int, offset_tight: int) -> list[Vertex]:
    """Return the non-zero vertices of ``{z ≥ 0 : matrix·z ≤ 1}`` with their labels.

    ``matrix`` is k_rows × k_cols with entries in [1, 2]. A vertex with support ``L`` has
    ``|L|`` tight rows ``I`` with ``matrix[I, L]·z_L = 1``. Label ``offset_support + l`` marks
    ``z_l = 0`` and ``offset_tight + i`` marks a tight row ``i``.
    """
    floats = matrix.astype(np.float64)
    n_rows, n_cols = floats.shape
    points: dict[tuple, tuple] = {}
    for size in range(1, min(n_rows, n_cols) + 1):
        supports = np.array(list(itertools.combinations(range(n_cols), size)), dtype=np.intp)
        tight_sets = np.array(list(itertools.combinations(range(n_rows), size)), dtype=np.intp)
        per_support = max(1, BATCH_SIZE // len(tight_sets))
        for start in range(0, len(supports), per_support):
            chunk = supports[start : start + per_support]
            for support, tight, solution in _solve_batch(floats, chunk, tight_sets, keep_ill_conditioned=exact):
                if solution is not None:
                    point = _embed(solution, support, n_cols, 0.0)
                    key = tuple(round(v, 9) for v in point)
                    if key in points or not exact:
                        points.setdefault(key, point)
                        continue
                exact_solution = _solve_exact(matrix, support, tight)
                if exact_solution is None:
                    continue
                point = _embed(exact_solution, support, n_cols, Fraction(0))
                # NOTE: two exact vertices closer than 1e-9 in every coordinate (on payoffs
                # rescaled to [1, 2]) would be merged here. Games with small rational payoffs
                # have no vertices that close.
                points.setdefault(tuple(round(float(v), 9) for v in point), point)

    vertices = []
    for point in points.values():
        labels = _labels(matrix if exact else floats, point, exact, offset_support, offset_tight)
        if labels is not None:
            vertices.append(Vertex(point, labels))
    return vertices


def _solve_batch(matrix: np.ndarray, supports: np.ndarray, tight_sets: np.ndarray, *, keep_ill_conditioned: bool):
    """Yield ``(support, tight rows, z_support)`` for every system that is nearly feasible.

    Ill-conditioned systems are skipped, or yielded with ``None`` for an exact solve when
    ``keep_ill_conditioned``.
    """
    size = supports.shape[1]
    support_index = np.repeat(supports, len(tight_sets), axis=0)
    tight_index = np.tile(tight_sets, (len(supports), 1))
    systems = matrix[tight_index[:, :, np.newaxis], support_index[:, np.newaxis, :]]

    # The Hadamard ratio |det| / Π‖row‖ lies in [0, 1] and is tiny when the rows are nearly
    # dependent. It costs one LU per system, where a condition number costs an SVD.
    _, log_det = np.linalg.slogdet(systems)
    log_rows = np.sum(np.log(np.linalg.norm(systems, axis=2)), axis=1)
    conditioned = log_det - log_rows > np.log(1 / CONDITION_LIMIT)
    safe = np.where(conditioned[:, np.newaxis, np.newaxis], systems, np.eye(size))
    solutions = np.linalg.solve(safe, np.ones((len(systems), size, 1)))[:, :, 0]

    # Nearly feasible: z ≥ 0 and every row of matrix·z at most 1. The slack lets exact mode
    # decide the borderline cases instead of float round-off.
    slack = 1e-6
    full = np.zeros((len(systems), matrix.shape[1]))
    np.put_along_axis(full, support_index, solutions, axis=1)
    row_values = full @ matrix.T
    feasible = conditioned & np.all(solutions >= -slack, axis=1) & np.all(row_values <= 1 + slack, axis=1)
    if np.any(feasible):
        feasible[feasible] = np.linalg.cond(systems[feasible]) < CONDITION_LIMIT
    for index in np.flatnonzero(feasible):
        yield tuple(support_index[index]), tuple(tight_index[index]), solutions[index]
    if keep_ill_conditioned:
        for index in np.flatnonzero(~conditioned):
            yield tuple(support_index[index]), tuple(tight_index[index]), None


def _embed(values, support: tuple, length: int, zero) -> tuple:
    point = [zero] * length
    for position, value in zip(support, values, strict=True):
        point[position] = value if isinstance(value, Fraction) else float(value)
    return tuple(point)


def _labels(matrix: np.ndarray, point: tuple, exact: bool, offset_support: int, offset_tight: int):
    """Return the labels of ``point`` or None when it lies outside the polytope."""
    if exact:
        z = np.array(point, dtype=object)
        row_values = matrix.dot(z)
        if any(v < 0 for v in point) or any(v > 1 for v in row_values):
            return None
        zero_at = [index for index, v in enumerate(point) if v == 0]
        tight_at = [i for i, v in enumerate(row_values) if v == 1]
    else:
        z = np.array(point, dtype=float)
        row_values = matrix @ z
        if np.any(z < -FLOAT_TOLERANCE) or np.any(row_values > 1 + FLOAT_TOLERANCE):
            return None
        zero_at = np.flatnonzero(np.abs(z) <= FLOAT_TOLERANCE).tolist()
        tight_at = np.flatnonzero(np.abs(row_values - 1) <= FLOAT_TOLERANCE).tolist()
    if len(zero_at) == len(point):
        return None
    return frozenset([offset_support + index for index in zero_at] + [offset_tight + i for i in tight_at])


def _solve_exact(matrix: np.ndarray, support: tuple, tight: tuple) -> list[Fraction] | None:
    """Solve ``matrix[tight, support]·z = 1`` by Gaussian elimination over the rationals."""
    return solve_rational([[Fraction(matrix[i, k]) for k in support] + [Fraction(1)] for i in tight])
