"""One chunk of attacker draws and the counts and centred sums it leaves behind."""

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskapp.engines.ara._options import check_seed
from riskapp.engines.ara._sampling import AttackerTypes, BeliefSampler, draw_attacker_types
from riskapp.engines.decision import Lotteries, best_responses
from riskapp.engines.problem import Problem

# Upper bound on the float64 elements of one block's (draws, attacks, outcomes) arrays, 2 MiB
# each, so that the belief arrays do not grow with a chunk's number of draws. About 5,000 draws
# of a 10-attack, 5-outcome problem fit in one block, enough to amortise NumPy's call overhead.
MAX_BLOCK_ELEMENTS = 2**18


@dataclass(frozen=True, eq=False)
class ChunkStatistics:
    """The counts and sums of one chunk: all that merging needs, nothing per draw.

    ``counts[d, a]`` is how often the attacker chose attack ``a`` under defense ``d``.
    ``mean[d]`` is the chunk mean of the per-draw defender utility
    ``y_k(d) = U_D[d, a_k*(d)]`` and ``comoment[d, e] = Σ_k (y_k(d) − mean[d])(y_k(e) − mean[e])``.
    Centred sums are stored rather than ``Σ y`` and ``Σ y yᵀ`` because utilities can be large
    next to their spread across draws, and ``Σ y²/K − mean²`` then loses every significant
    digit. ``seed`` and ``problem_digest`` let a merge reject chunks of another run.
    """

    index: int
    draws: int
    seed: int
    problem_digest: str
    counts: np.ndarray
    mean: np.ndarray
    comoment: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form. Python writes floats with enough digits to read them back exactly."""
        return {
            "index": self.index,
            "draws": self.draws,
            "seed": self.seed,
            "problem_digest": self.problem_digest,
            "counts": self.counts.tolist(),
            "mean": self.mean.tolist(),
            "comoment": self.comoment.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChunkStatistics":
        counts = np.array(data["counts"], dtype=np.int64)
        mean = np.array(data["mean"], dtype=np.float64)
        comoment = np.array(data["comoment"], dtype=np.float64)
        n_defenses = mean.shape[0] if mean.ndim == 1 else -1
        if counts.ndim != 2 or counts.shape[0] != n_defenses or comoment.shape != (n_defenses, n_defenses):
            raise ValueError(f"chunk {data.get('index')!r}: counts, mean and comoment have inconsistent shapes "
                             f"{counts.shape}, {mean.shape}, {comoment.shape}")
        return cls(index=int(data["index"]), draws=int(data["draws"]), seed=int(data["seed"]),
                   problem_digest=str(data["problem_digest"]), counts=counts, mean=mean, comoment=comoment)


def run_chunk(problem: Problem, *, seed: int, index: int, draws: int) -> ChunkStatistics:
    """Simulate chunk ``index`` of an ARA run: ``draws`` attacker types and their best attacks.

    Parameters
    ----------
    problem : Problem
        The Defend–Attack problem.
    seed : int
        The run's seed, 0 ≤ seed < 2**53.
    index : int
        The chunk index; with the seed it keys every random stream of the chunk.
    draws : int
        Number of attacker types drawn in this chunk.

    Returns
    -------
    ChunkStatistics
        Attack counts per defense and centred sums of the defender's per-draw utility.

    Notes
    -----
    Each draw is one attacker type (risk aversion, gains, costs, beliefs) used for every attack
    and every defense (common random numbers). Each attack's certainty equivalent is computed
    exactly over the discrete outcomes, with no inner sampling, and the attacker's choice is
    the shared tie-broken argmax, as in the Monte Carlo estimator of Ríos Insua, Ríos and
    Banks, "Adversarial Risk Analysis", JASA 104(486):841–854 (2009).
    """
    seed = check_seed(seed)
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or index < 0:
        raise ValueError(f"chunk index {index!r}: must be a non-negative integer")
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or draws < 1:
        raise ValueError(f"chunk draws {draws!r}: must be a positive integer")
    index, draws = int(index), int(draws)

    choices = attacker_choices(problem, seed=seed, index=index, draws=draws)
    return _summarise(problem, choices, seed=seed, index=index)


def attacker_choices(problem: Problem, *, seed: int, index: int, draws: int) -> np.ndarray:
    """Return the attack index ``a_k*(d)`` chosen in each draw ``k`` under each defense ``d``, shape (draws, D)."""
    types = draw_attacker_types(problem, seed=seed, index=index, draws=draws)
    beliefs = BeliefSampler(problem, seed=seed, index=index)

    choices = np.empty((draws, len(problem.defense_ids)), dtype=np.int64)
    _choose_attacks(problem, types, beliefs, choices)
    return choices


def _choose_attacks(problem: Problem, types: AttackerTypes, beliefs: BeliefSampler, choices: np.ndarray) -> None:
    """Fill ``choices`` block by block, so memory stays bounded whatever the number of draws."""
    draws, n_defenses = choices.shape
    _, n_attacks, n_outcomes = problem.shape
    defender_values = problem.defender_utilities()
    block = max(1, MAX_BLOCK_ELEMENTS // (n_attacks * n_outcomes))
    for start in range(0, draws, block):
        rows = slice(start, min(draws, start + block))
        size = rows.stop - rows.start
        # x_A(a, s) = G(s) − c_A(a) for each draw, shape (size, A, S).
        payoffs = types.gains[rows, np.newaxis, :] - types.costs[rows, :, np.newaxis]
        risk_aversion = types.risk_aversion[rows, np.newaxis]

        # The payoff side of the certainty equivalents is the same under every defense.
        lotteries = Lotteries(payoffs, risk_aversion)
        if problem.model == "sequential":
            for d in range(n_defenses):
                values = lotteries.certainty_equivalents(beliefs.draw(d, size))
                choices[rows, d] = best_responses(values, defender_values[d], problem.tie_break)
        else:
            if types.defense_weights is None:
                raise AssertionError("defense beliefs are drawn for every simultaneous problem")
            weights = types.defense_weights[rows]
            mixture = np.zeros((size, n_attacks, n_outcomes))
            for d in range(n_defenses):
                mixture += weights[:, d, np.newaxis, np.newaxis] * beliefs.draw(d, size)
            values = lotteries.certainty_equivalents(mixture)
            # Ties are broken by the defender's utility averaged over the attacker's belief
            # about the defense, since the attacker does not know which defense is in place.
            choices[rows, :] = best_responses(values, weights @ defender_values, problem.tie_break)[:, np.newaxis]


def _summarise(problem: Problem, choices: np.ndarray, *, seed: int, index: int) -> ChunkStatistics:
    n_defenses, n_attacks, _ = problem.shape
    draws = choices.shape[0]
    defender_values = problem.defender_utilities()

    counts = np.stack([np.bincount(choices[:, d], minlength=n_attacks) for d in range(n_defenses)])
    # The mean is taken from the counts, so that a chunk in which every draw chooses the same
    # attack has mean exactly U_D[d, a] and comoment exactly 0.
    mean = attack_weighted_utilities(counts / draws, defender_values)
    utilities = defender_values[np.arange(n_defenses), choices]
    centred = utilities - mean
    # einsum without BLAS: the same inputs give the same bits whatever the thread count.
    comoment = np.einsum("kd,ke->de", centred, centred, optimize=False)
    return ChunkStatistics(index=index, draws=draws, seed=seed, problem_digest=problem.digest,
                           counts=counts.astype(np.int64), mean=mean, comoment=comoment)


def attack_weighted_utilities(probabilities: np.ndarray, defender_values: np.ndarray) -> np.ndarray:
    """``ψ_D(d) = Σ_a p(a | d) U_D[d, a]``; one-hot rows give ``U_D[d, a]`` bit for bit."""
    return np.sum(probabilities * defender_values, axis=1)
