"""Payoff-matrix checks, scale-free rescaling and the equilibrium verifier shared by the solvers."""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

# Floating-point results are checked to this tolerance on payoffs rescaled to [1, 2], so that it
# is relative to each player's payoff range whatever the units (1e-9 or 1e9).
FLOAT_TOLERANCE = 1e-9


class PayoffError(ValueError):
    """A payoff matrix is empty, ragged, of the wrong shape or contains a non-finite number."""


@dataclass(frozen=True)
class Equilibrium:
    """A mixed-strategy profile: the row player's ``x``, the column player's ``y`` and their payoffs.

    Entries are ``Fraction`` when the game was solved in exact arithmetic and ``float`` otherwise.
    ``row_payoff`` is ``x·A·y`` and ``column_payoff`` is ``x·B·y`` on the payoffs as given.
    """

    x: tuple
    y: tuple
    row_payoff: float | Fraction
    column_payoff: float | Fraction


def as_payoff_matrix(values, name: str, *, exact: bool = False) -> np.ndarray:
    """Return ``values`` as a 2-D float array (or object array of ``Fraction`` when ``exact``).

    Raises ``PayoffError`` naming the matrix when it is empty, not 2-D or contains NaN or infinity.
    """
    try:
        floats = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise PayoffError(f"{name}: not a numeric matrix ({error})") from None
    if floats.ndim != 2 or floats.shape[0] == 0 or floats.shape[1] == 0:
        raise PayoffError(f"{name}: expected a non-empty 2-D matrix, got shape {floats.shape}")
    bad = np.argwhere(~np.isfinite(floats))
    if len(bad):
        i, j = (int(k) for k in bad[0])
        raise PayoffError(f"{name}[{i}][{j}]: {floats[i, j]!r} is not a finite number")
    if not exact:
        return floats
    exact_values = np.empty(floats.shape, dtype=object)
    rows = np.asarray(values, dtype=object).reshape(floats.shape)
    for index in np.ndindex(floats.shape):
        # Fraction(float) is the exact binary value, so nothing is rounded on the way in.
        value: Any = rows[index]
        exact_values[index] = Fraction(value)
    return exact_values


def check_pair(row_payoffs, column_payoffs, *, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Validate a bimatrix game ``(A, B)`` and return both matrices; they must have the same shape."""
    a = as_payoff_matrix(row_payoffs, "row payoffs A", exact=exact)
    b = as_payoff_matrix(column_payoffs, "column payoffs B", exact=exact)
    if a.shape != b.shape:
        raise PayoffError(f"column payoffs B: shape {b.shape} differs from the row payoffs' {a.shape}")
    return a, b


def rescale(matrix: np.ndarray) -> np.ndarray:
    """Map payoffs affinely onto [1, 2] (all ones when constant); equilibria are unchanged.

    A positive affine change of one player's payoffs leaves every best response unchanged, so
    every equilibrium and commitment stays the same. The rescaled entries are positive, as the
    best-response polytopes need, and tolerances no longer depend on the payoff units.
    """
    low, high = matrix.min(), matrix.max()
    if high == low:
        return np.ones_like(matrix) if matrix.dtype != object else np.full(matrix.shape, Fraction(1), dtype=object)
    return (matrix - low) / (high - low) + 1


def deviation_gains(a: np.ndarray, b: np.ndarray, x: Sequence | np.ndarray, y: Sequence | np.ndarray) -> tuple:
    """Return how much each player gains by the best pure deviation from ``(x, y)`` (≥ 0)."""
    x_vec = np.asarray(x, dtype=a.dtype)
    y_vec = np.asarray(y, dtype=a.dtype)
    row_values = a.dot(y_vec)
    column_values = x_vec.dot(b)
    row_gain = max(row_values) - x_vec.dot(row_values)
    column_gain = max(column_values) - column_values.dot(y_vec)
    return row_gain, column_gain


def is_equilibrium(
    a: np.ndarray, b: np.ndarray, x: Sequence, y: Sequence, *, tolerance: float = FLOAT_TOLERANCE
) -> bool:
    """Check that neither player gains by deviating from ``(x, y)``.

    Exact (``Fraction``) games are checked exactly: the gains must be zero and the strategies
    exact probability vectors. Float games are checked on payoffs rescaled to [1, 2], so the
    tolerance is a fraction of each player's payoff range.
    """
    if a.dtype == object:
        if any(p < 0 for p in (*x, *y)) or sum(x) != 1 or sum(y) != 1:
            return False
        row_gain, column_gain = deviation_gains(a, b, x, y)
        return row_gain == 0 and column_gain == 0
    x_vec, y_vec = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.any(x_vec < -tolerance) or np.any(y_vec < -tolerance):
        return False
    if abs(x_vec.sum() - 1) > tolerance or abs(y_vec.sum() - 1) > tolerance:
        return False
    row_gain, column_gain = deviation_gains(rescale(a), rescale(b), x_vec, y_vec)
    return bool(row_gain <= tolerance and column_gain <= tolerance)


def make_equilibrium(a: np.ndarray, b: np.ndarray, x: Sequence, y: Sequence) -> Equilibrium:
    """Bundle a profile with both players' expected payoffs on the original matrices."""
    if a.dtype == object:
        x_t, y_t = tuple(Fraction(v) for v in x), tuple(Fraction(v) for v in y)
        x_vec, y_vec = np.array(x_t, dtype=object), np.array(y_t, dtype=object)
        return Equilibrium(x_t, y_t, x_vec.dot(a).dot(y_vec), x_vec.dot(b).dot(y_vec))
    x_vec, y_vec = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return Equilibrium(
        tuple(float(v) for v in x_vec),
        tuple(float(v) for v in y_vec),
        float(x_vec @ a @ y_vec),
        float(x_vec @ b @ y_vec),
    )


def solve_rational(augmented: list[list[Fraction]]) -> list[Fraction] | None:
    """Solve a square system given as rows ``[coefficients…, right-hand side]``; None if singular."""
    size = len(augmented)
    rows = [list(row) for row in augmented]
    for column in range(size):
        pivot = next((r for r in range(column, size) if rows[r][column] != 0), None)
        if pivot is None:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        head = rows[column]
        for r in range(size):
            if r != column and rows[r][column] != 0:
                factor = rows[r][column] / head[column]
                rows[r] = [value - factor * h for value, h in zip(rows[r], head, strict=True)]
    return [rows[r][size] / rows[r][r] for r in range(size)]
