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


def certainty_equivalents(payoffs: np.ndarray, probabilities: np.ndarray,
                          risk_aversion: float | np.ndarray) -> np.ndarray:
    """Certainty equivalent of a lottery over the last axis, without overflow.

    For ``r ≠ 0`` the value is ``CE = −log(Σ p·exp(−r·x)) / r``, which orders lotteries exactly
    as expected exponential utility does. It is computed around the mean ``m``:
    ``CE = m − log(Σ p·exp(−r·(x − m))) / r``, with ``log1p``/``expm1`` when the exponents
    are small (so that a tiny ``r`` loses no digits) and log-sum-exp otherwise.
    ``risk_aversion`` broadcasts against the leading axes.
    """
    x = np.asarray(payoffs, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    r = np.asarray(risk_aversion, dtype=np.float64)[..., np.newaxis]

    mean = np.sum(p * x, axis=-1, keepdims=True)
    linear = r == 0
    safe_r = np.where(linear, 1.0, r)
    exponent = np.where(p > 0, -safe_r * (x - mean), 0.0)

    small = np.max(np.abs(exponent), axis=-1, keepdims=True) <= 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        near = np.log1p(np.sum(p * np.expm1(np.minimum(exponent, 1.0)), axis=-1, keepdims=True))
    far = logsumexp(np.where(p > 0, exponent, -np.inf), b=p, axis=-1, keepdims=True)
    log_mean_exp = np.where(small, near, far)

    ce = np.where(linear, mean, mean - log_mean_exp / safe_r)
    return ce[..., 0]


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
