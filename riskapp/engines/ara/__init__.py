"""Adversarial Risk Analysis Monte Carlo: the defender's view of an uncertain attacker.

The defender does not know the attacker's utilities and beliefs, so she treats them as random
and simulates the attacker's rational choice for each draw (Ríos Insua, Ríos and Banks,
"Adversarial Risk Analysis", JASA 104(486):841–854, 2009). The attack frequencies estimate
``p(a | d)`` and give the defender's expected utility ``ψ_D(d)`` of each defense.

A run is a sequence of chunks of draws. ``run_chunk`` computes one chunk's counts and sums,
``should_stop`` decides at each checkpoint whether an adaptive run ends, and ``merge_chunks``
turns chunks 0..n-1 into the result. ``assess`` does all three in-process. Chunk ``i`` draws
each uncertain input from a stream keyed by (seed, i, input name), so the result depends
only on the problem, the options and the seed.
"""

from riskapp.engines.ara._chunk import ChunkStatistics, run_chunk
from riskapp.engines.ara._merge import ENGINE_VERSION, assess, merge_chunks, should_stop
from riskapp.engines.ara._options import SEED_LIMIT, AraOptions, AraOptionsError
from riskapp.engines.ara._sampling import stable_words

__all__ = [
    "ENGINE_VERSION",
    "SEED_LIMIT",
    "AraOptions",
    "AraOptionsError",
    "ChunkStatistics",
    "assess",
    "merge_chunks",
    "run_chunk",
    "should_stop",
    "stable_words",
]
