"""Benchmark of the ARA Monte Carlo engine: python -m tests.bench.bench_ara.

Prints a Markdown section with three measurements. The first is the engine's attacker draws
per CPU second on a 10 defenses × 10 attacks × 5 outcomes problem with Dirichlet beliefs and
uncertain gains, costs and risk aversion. The second is the same figure for a plain vectorised
NumPy version of the same estimator, measured in the same run. The third is the peak memory
that tracemalloc records for runs and chunks of growing size. The whole script takes about one
minute of wall time on the 2-core development machine.
"""

import time
import tracemalloc

import numpy as np

from riskapp.engines.ara import assess, run_chunk
from riskapp.engines.decision import utility
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, Problem, RiskLevel, RiskMatrixConfig

SHAPE = (10, 10, 5)
KAPPA = 50.0
THROUGHPUT_DRAWS = 40_000
REPEATS = 3
CHUNK_SIZE = 5_000
MEMORY_SAMPLES = (5_000, 20_000, 80_000)
CHUNK_SIZES = (1_000, 5_000, 20_000, 80_000)


def benchmark_problem() -> Problem:
    """A fixed 10 × 10 × 5 problem with every attacker number uncertain."""
    n_defenses, n_attacks, n_outcomes = SHAPE
    rng = np.random.default_rng(2026)
    identifiers = {kind: tuple(f"{kind}{i}" for i in range(n)) for kind, n in zip("das", SHAPE, strict=True)}
    return Problem(
        defense_ids=identifiers["d"], defense_names=identifiers["d"],
        defense_costs=np.linspace(0.0, 9.0, n_defenses),
        attack_ids=identifiers["a"], attack_names=identifiers["a"],
        attack_costs=tuple(Distribution("triangular", (a, 2.0 * a, 3.0 * a + 1.0)) for a in range(n_attacks)),
        attempt_probabilities=(None,) * n_attacks,
        outcome_ids=identifiers["s"], outcome_names=identifiers["s"],
        defender_losses=np.linspace(0.0, 100.0, n_outcomes),
        attacker_gains=tuple(Distribution("uniform", (0.0, 20.0 * (s + 1))) for s in range(n_outcomes)),
        probabilities=rng.dirichlet(np.ones(n_outcomes), size=(n_defenses, n_attacks)),
        defender_risk_aversion=0.01, attacker_risk_aversion=Distribution("uniform", (-0.02, 0.05)),
        risk_matrix=RiskMatrixConfig(likelihood=(Band("Any", None),), consequence=(Band("Any", None),),
                                     levels=(RiskLevel("Low", "#2e7d32"),), grid=((0,),)),
        digest="benchmark", belief_concentration=KAPPA)


def baseline_estimates(problem: Problem, *, seed: int, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """The same estimator in plain vectorised NumPy: one generator, gamma-normalised Dirichlet
    beliefs, argmax of expected utility with no tie rule, ψ̂_D and its standard error."""
    rng = np.random.default_rng(seed)
    n_defenses, n_attacks, _ = problem.shape
    risk_aversion = problem.attacker_risk_aversion.sample(rng, draws)
    gains = np.column_stack([g.sample(rng, draws) for g in problem.attacker_gains])
    costs = np.column_stack([c.sample(rng, draws) for c in problem.attack_costs])
    attacker_utility = utility(gains[:, np.newaxis, :] - costs[:, :, np.newaxis], risk_aversion[:, None, None])
    defender_values = problem.defender_utilities()

    expected_utilities = np.empty(n_defenses)
    standard_errors = np.empty(n_defenses)
    for d in range(n_defenses):
        beliefs = rng.standard_gamma(KAPPA * problem.probabilities[d], size=(draws, *problem.probabilities[d].shape))
        beliefs /= beliefs.sum(axis=-1, keepdims=True)
        choices = np.argmax(np.sum(beliefs * attacker_utility, axis=-1), axis=1)
        y = defender_values[d, choices]
        expected_utilities[d] = np.bincount(choices, minlength=n_attacks) / draws @ defender_values[d]
        standard_errors[d] = y.std() / np.sqrt(draws)
    return expected_utilities, standard_errors


def best_seconds(run) -> float:
    """Least CPU time of the process over the repeats: other processes on the machine do not count."""
    timings = []
    for _ in range(REPEATS):
        started = time.process_time()
        run()
        timings.append(time.process_time() - started)
    return min(timings)


def peak_mebibytes(run) -> float:
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    problem = benchmark_problem()
    engine_seconds = best_seconds(lambda: assess(problem, seed=1, samples=THROUGHPUT_DRAWS, chunk_size=CHUNK_SIZE))
    baseline_seconds = best_seconds(lambda: baseline_estimates(problem, seed=1, draws=THROUGHPUT_DRAWS))
    engine_rate = THROUGHPUT_DRAWS / engine_seconds
    baseline_rate = THROUGHPUT_DRAWS / baseline_seconds

    result = assess(problem, seed=1, samples=THROUGHPUT_DRAWS, chunk_size=CHUNK_SIZE)
    baseline_values, baseline_errors = baseline_estimates(problem, seed=1, draws=THROUGHPUT_DRAWS)
    engine_values = np.array([result.defenses[d].expected_utility for d in problem.defense_ids])
    engine_errors = np.array([result.defenses[d].standard_error for d in problem.defense_ids])
    largest_gap = float(np.max(np.abs(engine_values - baseline_values) / np.hypot(engine_errors, baseline_errors)))

    print("## ARA Monte Carlo\n")
    print(f"Problem: {SHAPE[0]} defenses × {SHAPE[1]} attacks × {SHAPE[2]} outcomes, "
          f"Dirichlet beliefs (κ = {KAPPA:g}),")
    print("uncertain gains, costs and risk aversion. One process; best of "
          f"{REPEATS} runs of {THROUGHPUT_DRAWS:,} draws in chunks of {CHUNK_SIZE:,}.\n")
    print("| implementation | CPU seconds | attacker draws per second per core | ratio to baseline |")
    print("|---|---|---|---|")
    print(f"| `riskapp.engines.ara.assess` | {engine_seconds:.2f} | {engine_rate:,.0f} | "
          f"{engine_rate / baseline_rate:.2f} |")
    print(f"| plain NumPy baseline (no chunks, streams or tie rule) | {baseline_seconds:.2f} | "
          f"{baseline_rate:,.0f} | 1.00 |")
    print(f"\nThe two estimate the same ψ_D: the largest difference between them is {largest_gap:.2f} "
          "standard errors of the difference (independent draws).\n")

    print(f"Peak traced memory of a whole run, chunks of {CHUNK_SIZE:,} draws:\n")
    print("| draws | chunks | peak MiB |")
    print("|---|---|---|")
    for samples in MEMORY_SAMPLES:
        peak = peak_mebibytes(lambda s=samples: assess(problem, seed=2, samples=s, chunk_size=CHUNK_SIZE))
        print(f"| {samples:,} | {-(-samples // CHUNK_SIZE)} | {peak:.1f} |")

    print("\nPeak traced memory of one chunk by its size. Beliefs are drawn in blocks of at most 2**18 "
          "numbers per array, so past one block only the per-draw vectors (draws × defenses) grow:\n")
    print("| chunk draws | peak MiB |")
    print("|---|---|")
    for draws in CHUNK_SIZES:
        peak = peak_mebibytes(lambda n=draws: run_chunk(problem, seed=2, index=0, draws=n))
        print(f"| {draws:,} | {peak:.1f} |")


if __name__ == "__main__":
    main()
