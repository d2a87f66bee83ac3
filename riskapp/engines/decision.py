"""Utilities, certainty equivalents and the attacker's tie-broken best response.

This module is the one place where the game solver and ARA decide which attack an attacker
chooses, so that both engines apply the same tie rule and agree exactly when the attacker's
numbers are point masses.
"""

import numpy as np
from scipy.special import logsumexp

# Two values tie when they differ by at most this much relative to the larger magnitude, or
# by at most this much in absolute terms near zero.
TIE_TOLERANCE = 1e-12

TIE_BREAK_RULES = ("against_defender", "for_defender")

# A point value with |r|·max|x| beyond this would overflow exp() in the utility.
MAX_RISK_EXPONENT = 700.0


def utility(payoffs: np.ndarray, risk_aversion: float | np.ndarray) -> np.ndarray:
    """Exponential utility u(x) = −expm1(−r·x) / r, and u(x) = x where r = 0.

    ``r > 0`` is risk averse and ``r < 0`` risk seeking; ``risk_aversion`` broadcasts
    against ``payoffs``.
    """
    x = np.asarray(payoffs, dtype=np.float64)
    r = np.asarray(risk_aversion, dtype=np.float64)
    linear = r == 0
    safe_r = np.where(linear, 1.0, r)
    # The curved branch is discarded where r = 0, so feed it 0 there: large |x| would overflow.
    curved = -np.expm1(-safe_r * np.where(linear, 0.0, x)) / safe_r
    return np.where(linear, x, curved)


class Lotteries:
    """The payoff side of lotteries over the last axis, prepared once and valued under many beliefs.

    For ``r ≠ 0`` the certainty equivalent is ``CE = c − log(Σ p·exp(−r·(x − c))) / r`` for any
    shift ``c``. The shift is the worst payoff for a risk-averse attacker and the best for a
    risk-seeking one, so every exponent ``z = −r·(x − c)`` is ≤ 0 and ``exp`` cannot overflow.
    Rows whose exponents all lie in [−1, 0] are valued as ``log1p(Σ p·expm1(z))``, so that a tiny
    ``r`` loses no digits; the others as ``log(Σ p·exp(z))``. Both parts depend on the payoffs
    only, which is why ARA prepares them once per draw and reuses them for every defense.
    """

    def __init__(self, payoffs: np.ndarray, risk_aversion: float | np.ndarray) -> None:
        x = np.asarray(payoffs, dtype=np.float64)
        r = np.broadcast_to(np.asarray(risk_aversion, dtype=np.float64)[..., np.newaxis], x.shape[:-1] + (1,))
        self.payoffs = x
        self.linear = r == 0
        self.any_curved = not bool(np.all(self.linear))
        self.safe_r = np.where(self.linear, 1.0, r)
        if not self.any_curved:
            return

        self.shift = np.where(self.safe_r > 0, x.min(axis=-1, keepdims=True), x.max(axis=-1, keepdims=True))
        exponents = np.where(self.linear, 0.0, -self.safe_r * (x - self.shift))
        self.small = np.min(exponents, axis=-1, keepdims=True) >= -1.0
        # One array of terms, so that valuing under a belief is one pass: expm1(z) in the
        # rows valued with log1p, exp(z) in the others.
        self.terms = np.exp(exponents)
        if np.any(self.small):
            self.terms = np.where(self.small, np.expm1(exponents), self.terms)

    def certainty_equivalents(self, probabilities: np.ndarray) -> np.ndarray:
        """Certainty equivalents under beliefs ``probabilities`` (broadcastable to the payoffs)."""
        p = np.asarray(probabilities, dtype=np.float64)
        if not self.any_curved:
            return np.sum(p * self.payoffs, axis=-1)

        weighted = np.sum(p * self.terms, axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mean = np.where(self.small, np.log1p(weighted), np.log(weighted))
        # Every possible outcome may lie so far below the shift that its term underflows, when
        # the shift came from an outcome the beliefs rule out. Those rows are valued again with
        # the shift taken over the possible outcomes only.
        lost = ~self.small & (weighted < UNDERFLOW_GUARD)
        if np.any(lost):
            log_mean = _revalue_underflowed(self, p, log_mean, lost)

        ce = self.shift - log_mean / self.safe_r
        if np.any(self.linear):
            ce = np.where(self.linear, np.sum(p * self.payoffs, axis=-1, keepdims=True), ce)
        return ce[..., 0]


# Below this, Σ p·exp(z) has lost precision to underflow (subnormals start near 2.2e-308).
UNDERFLOW_GUARD = 1e-280


def _revalue_underflowed(lotteries: Lotteries, p: np.ndarray, log_mean: np.ndarray, lost: np.ndarray) -> np.ndarray:
    shape = log_mean.shape[:-1]
    x = np.broadcast_to(lotteries.payoffs, shape + lotteries.payoffs.shape[-1:])
    probabilities = np.broadcast_to(p, x.shape)
    r = np.broadcast_to(lotteries.safe_r, shape + (1,))
    shift = np.broadcast_to(lotteries.shift, shape + (1,))
    rows = np.nonzero(lost[..., 0])

    row_p = probabilities[rows]
    row_z = -r[rows] * (x[rows] - shift[rows])
    exact = logsumexp(np.where(row_p > 0, row_z, -np.inf), b=row_p, axis=-1)
    revalued = log_mean.copy()
    revalued[rows + (0,)] = exact
    return revalued


def certainty_equivalents(payoffs: np.ndarray, probabilities: np.ndarray,
                          risk_aversion: float | np.ndarray) -> np.ndarray:
    """Certainty equivalent of each lottery over the last axis, without overflow.

    ``CE = −log(Σ p·exp(−r·x)) / r`` for ``r ≠ 0`` orders lotteries exactly as expected
    exponential utility does; ``CE = Σ p·x`` for ``r = 0``. ``risk_aversion`` broadcasts
    against the leading axes. See ``Lotteries`` for how precision is kept.
    """
    return Lotteries(payoffs, risk_aversion).certainty_equivalents(probabilities)


def values_tie(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
    return np.abs(a - b) <= TIE_TOLERANCE * scale


def best_responses(attacker_values: np.ndarray, defender_values: np.ndarray,
                   tie_break: str = "against_defender") -> np.ndarray:
    """Index of the attack chosen along the last axis, with the shared tie rule.

    ``attacker_values[..., a]`` orders attacks for the attacker (expected utilities or
    certainty equivalents); ``defender_values`` (broadcastable) is the defender's expected
    utility of each attack. Among attacks tied for the attacker's best, ``against_defender``
    picks the one worst for the defender and ``for_defender`` the best; any tie left goes to
    the first attack in file order.
    """
    if tie_break not in TIE_BREAK_RULES:
        raise ValueError(f"tie_break {tie_break!r}: expected one of {', '.join(TIE_BREAK_RULES)}")
    values = np.asarray(attacker_values, dtype=np.float64)
    defender = np.broadcast_to(np.asarray(defender_values, dtype=np.float64), values.shape)

    best = np.max(values, axis=-1, keepdims=True)
    tied = values_tie(values, best)
    if np.all(np.count_nonzero(tied, axis=-1) == 1):
        return np.argmax(tied, axis=-1)

    if tie_break == "against_defender":
        target = np.min(np.where(tied, defender, np.inf), axis=-1, keepdims=True)
    else:
        target = np.max(np.where(tied, defender, -np.inf), axis=-1, keepdims=True)
    chosen = tied & values_tie(defender, target)
    return np.argmax(chosen, axis=-1)


def tied_indices(values: np.ndarray, index: int) -> list[int]:
    """Indices of the entries of a 1-D array that tie with ``values[index]``, in order."""
    row = np.asarray(values, dtype=np.float64)
    return [int(i) for i in np.flatnonzero(values_tie(row, row[index]))]
