"""Random streams keyed by (seed, chunk index, input name), and the attacker draws of a chunk.

Every uncertain input has its own stream, so a chunk's draws of one input do not depend on
which other inputs are uncertain, on the order in which inputs are drawn, or on which worker
computes the chunk. Input names are ``risk_aversion``, ``gain:<outcome id>``,
``cost:<attack id>``, ``beliefs:<defense id>:<attack id>`` and ``defense_beliefs``.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Problem

# Words of the name's SHA-256 digest used in the spawn key: 128 bits make a collision between
# two input names of one problem practically impossible.
NAME_WORDS = 4


def stable_words(name: str) -> tuple[int, ...]:
    """Unsigned 32-bit words of the SHA-256 digest of ``name``, the same in every process.

    Python's ``hash`` of a string is salted per process, so it cannot key a stream that a
    worker on another machine must reproduce.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[4 * i:4 * i + 4], "little") for i in range(NAME_WORDS))


def input_stream(seed: int, index: int, name: str) -> np.random.Generator:
    """The generator of input ``name`` in chunk ``index`` of the run with ``seed``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(index, *stable_words(name)))
    return np.random.Generator(np.random.PCG64(sequence))


def draw_number(distribution: Distribution, *, seed: int, index: int, name: str, draws: int) -> np.ndarray:
    """``draws`` values of one attacker number; a point mass uses no stream."""
    if distribution.is_point:
        return np.full(draws, distribution.mean())
    return distribution.sample(input_stream(seed, index, name), draws)


@dataclass(frozen=True)
class AttackerTypes:
    """The scalar parts of one chunk's attacker types, one row per draw.

    ``defense_weights[k, d]`` is the attacker's belief that defense ``d`` is in place, drawn
    only in the simultaneous model.
    """

    risk_aversion: np.ndarray
    gains: np.ndarray
    costs: np.ndarray
    defense_weights: np.ndarray | None


def draw_attacker_types(problem: Problem, *, seed: int, index: int, draws: int) -> AttackerTypes:
    """Draw risk aversion, gains, costs and, if simultaneous, defense beliefs for one chunk."""
    keys = {"seed": seed, "index": index, "draws": draws}
    risk_aversion = draw_number(problem.attacker_risk_aversion, name="risk_aversion", **keys)
    gains = np.column_stack([
        draw_number(gain, name=f"gain:{outcome}", **keys)
        for outcome, gain in zip(problem.outcome_ids, problem.attacker_gains, strict=True)
    ])
    costs = np.column_stack([
        draw_number(cost, name=f"cost:{attack}", **keys)
        for attack, cost in zip(problem.attack_ids, problem.attack_costs, strict=True)
    ])

    defense_weights = None
    if problem.model == "simultaneous":
        stream = input_stream(seed, index, "defense_beliefs")
        defense_weights = stream.dirichlet(np.asarray(problem.defense_beliefs), size=draws)
    return AttackerTypes(risk_aversion, gains, costs, defense_weights)


class BeliefSampler:
    """The attacker's beliefs ``P_A^k(s | d, a)`` for one chunk, drawn block by block.

    With concentration κ, each row is Dirichlet(κ·p(· | d, a)) over the outcomes with
    ``p > 0``; outcomes with ``p = 0`` keep probability 0. Without κ, or when a row has a
    single possible outcome, the belief is ``p`` itself and uses no stream. Each (d, a) row
    keeps its generator across blocks, so consecutive blocks continue the same stream.
    """

    def __init__(self, problem: Problem, *, seed: int, index: int) -> None:
        self._problem = problem
        self._streams: dict[tuple[int, int], np.random.Generator] = {}
        kappa = problem.belief_concentration
        if kappa is None:
            return
        for d, defense in enumerate(problem.defense_ids):
            for a, attack in enumerate(problem.attack_ids):
                if np.count_nonzero(problem.probabilities[d, a]) > 1:
                    self._streams[d, a] = input_stream(seed, index, f"beliefs:{defense}:{attack}")

    def draw(self, defense: int, draws: int) -> np.ndarray:
        """Beliefs for ``draws`` draws under defense index ``defense``, shape (draws, A, S)."""
        p = self._problem.probabilities[defense]
        if not self._streams:
            return np.broadcast_to(p, (draws, *p.shape))

        beliefs = np.zeros((draws, *p.shape))
        for a in range(p.shape[0]):
            stream = self._streams.get((defense, a))
            if stream is None:
                beliefs[:, a, :] = p[a]
                continue
            support = p[a] > 0
            alpha = self._problem.belief_concentration * p[a, support]
            beliefs[:, a, support] = stream.dirichlet(alpha, size=draws)
        return beliefs
