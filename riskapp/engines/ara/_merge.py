"""Merging chunk statistics into estimates, the adaptive stopping rule, and the result."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cmp_to_key

import numpy as np

from riskapp.engines.ara._chunk import ChunkStatistics, attack_weighted_utilities, run_chunk
from riskapp.engines.ara._options import AraOptions, check_seed
from riskapp.engines.decision import values_tie
from riskapp.engines.problem import Problem
from riskapp.engines.result import AssessmentResult, DefenseAssessment, Notice, Score

ENGINE_VERSION = "1.0"
SCORE_UNIT = "defender utility"

# Two-sided 95% normal quantile, for the Wilson intervals of the attack probabilities.
WILSON_Z = 1.959963984540054


@dataclass(frozen=True)
class Estimates:
    """Estimates after merging chunks 0..n-1: counts, ψ̂_D, and the comoment of y."""

    draws: int
    counts: np.ndarray
    attack_probabilities: np.ndarray
    expected_utilities: np.ndarray
    comoment: np.ndarray

    @property
    def standard_errors(self) -> np.ndarray:
        """Plug-in SE(ψ̂_D(d)) = sd(y(d))/√K with ddof 0, that is √comoment[d, d] / K."""
        return np.sqrt(np.maximum(np.diagonal(self.comoment), 0.0)) / self.draws

    def difference_errors(self, reference: int) -> np.ndarray:
        """SE of ψ̂_D(reference) − ψ̂_D(d) for every d, from the same draws (common random numbers)."""
        variance_sums = (self.comoment[reference, reference] + np.diagonal(self.comoment)
                         - 2.0 * self.comoment[reference, :])
        return np.sqrt(np.maximum(variance_sums, 0.0)) / self.draws


def merged_estimates(problem: Problem, chunks: Sequence[ChunkStatistics], *, options: AraOptions,
                     seed: int) -> list[Estimates]:
    """Running estimates after each chunk, merged in index order with Chan's pairwise update.

    Chan, Golub and LeVeque, "Algorithms for computing the sample variance", The American
    Statistician 37(3):242–247 (1983): merging centred sums avoids the cancellation of raw
    power sums. Adding in index order makes the result independent of finishing order.
    """
    _check_chunks(problem, chunks, options=options, seed=seed)
    defender_values = problem.defender_utilities()

    history = []
    draws = 0
    counts = np.zeros_like(chunks[0].counts)
    mean = np.zeros_like(chunks[0].mean)
    comoment = np.zeros_like(chunks[0].comoment)
    for chunk in chunks:
        total = draws + chunk.draws
        delta = chunk.mean - mean
        mean = mean + delta * (chunk.draws / total)
        comoment = comoment + chunk.comoment + np.outer(delta, delta) * (draws * chunk.draws / total)
        counts = counts + chunk.counts
        draws = total

        probabilities = counts / draws
        history.append(Estimates(draws=draws, counts=counts, attack_probabilities=probabilities,
                                 expected_utilities=attack_weighted_utilities(probabilities, defender_values),
                                 comoment=comoment))
    return history


def should_stop(problem: Problem, chunks: Sequence[ChunkStatistics], *, options: AraOptions) -> bool:
    """Decide at the checkpoint after chunks 0..n-1 (given in index order) whether the run ends.

    A fixed-size run ends when its ``samples`` draws are done. An adaptive run ends at the
    first checkpoint where every ψ_D standard error is at most ``target_standard_error``, or
    when its budget is spent.
    """
    if not chunks:
        return False
    seed = chunks[0].seed
    estimates = merged_estimates(problem, chunks, options=options, seed=seed)[-1]
    if estimates.draws >= options.budget:
        return True
    if not options.adaptive:
        return False
    return bool(np.all(estimates.standard_errors <= options.target_standard_error))


def merge_chunks(problem: Problem, chunks: Sequence[ChunkStatistics], *, options: AraOptions,
                 seed: int) -> AssessmentResult:
    """Merge the statistics of chunks 0..n-1 into the ARA assessment.

    Parameters
    ----------
    problem : Problem
        The problem the chunks were drawn for.
    chunks : sequence of ChunkStatistics
        Chunks in index order, starting at 0. A fixed-size run needs all planned chunks; an
        adaptive run needs the chunks up to its checkpoint.
    options : AraOptions
        The run's options; they fix each chunk's number of draws.
    seed : int
        The run's seed; every chunk must carry it.

    Returns
    -------
    AssessmentResult
        ``p̂(a | d)`` = counts / K, ``ψ̂_D(d) = Σ_a p̂(a | d) U_D[d, a]`` with plug-in standard
        errors, the ranking, the defenses within ``indistinguishable_se`` paired-difference
        standard errors of the best, and the sections ``convergence`` and ``ara``.

    Notes
    -----
    The estimators and their standard errors are those of the Monte Carlo solution of the
    sequential Defend–Attack model in Ríos Insua, Ríos and Banks, JASA 104(486):841–854 (2009).
    """
    seed = check_seed(seed)
    if not chunks:
        raise ValueError("chunks: at least one chunk is required to merge")
    if not options.adaptive and len(chunks) != options.planned_chunks():
        raise ValueError(f"chunks: a run of {options.samples} draws needs {options.planned_chunks()} chunks, "
                         f"got {len(chunks)}")
    history = merged_estimates(problem, chunks, options=options, seed=seed)
    final = history[-1]

    ranking = _rank(final.expected_utilities)
    best = ranking[0]
    gaps = final.expected_utilities[best] - final.expected_utilities
    difference_errors = final.difference_errors(best)
    # Estimates within the shared tie tolerance are exact ties, as in the game solver, so point
    # masses give the game's list. Other defenses are compared by their paired difference.
    tied = values_tie(final.expected_utilities[best], final.expected_utilities) | (
        np.abs(gaps) <= options.indistinguishable_se * difference_errors)
    indistinguishable = [problem.defense_ids[d] for d in ranking[1:] if tied[d]]

    status, message = _status(problem, final, options, chunks=len(chunks))
    return AssessmentResult(
        engine="ara",
        engine_version=ENGINE_VERSION,
        problem_digest=problem.digest,
        options=options.to_dict(),
        status=status,
        message=message,
        recommended_defense=problem.defense_ids[best],
        defense_ranking=[problem.defense_ids[d] for d in ranking],
        indistinguishable=indistinguishable,
        defenses=_defense_assessments(problem, final),
        seed=seed,
        counts={"draws": final.draws, "chunks": len(chunks)},
        sections={
            "convergence": _convergence(problem, history),
            "ara": _details(problem, final, best, difference_errors),
        },
    )


def assess(problem: Problem, *, seed: int, samples: int = 10_000, chunk_size: int = 5_000,
           indistinguishable_se: float = 2.0, target_standard_error: float | None = None,
           max_samples: int | None = None) -> AssessmentResult:
    """Assess a Defend–Attack problem by Adversarial Risk Analysis Monte Carlo, in-process.

    Runs the same chunks, with the same streams, as a Celery run of these options and seed,
    then merges them, so both give identical numbers.

    Parameters
    ----------
    problem : Problem
        The problem; ``problem.model`` selects the sequential or simultaneous model.
    seed : int
        0 ≤ seed < 2**53; with the problem and options it determines the result.
    samples, chunk_size, indistinguishable_se, target_standard_error, max_samples
        See ``AraOptions``.

    Returns
    -------
    AssessmentResult
        See ``merge_chunks``.

    Notes
    -----
    Sequential model (the attacker observes the defense): in draw k the attacker chooses
    ``argmax_a CE_k(d, a)`` under each defense d. ``CE_k`` is the certainty equivalent, with
    risk aversion ``r_A^k``, of the lottery ``P_A^k(· | d, a)`` over the payoffs
    ``G^k(s) − c_A^k(a)`` (Ríos Insua, Ríos and Banks, JASA 104(486):841–854, 2009).

    Simultaneous model (the attacker does not observe the defense): per draw the attacker's
    belief about the defense in place is ``q^k ~ Dirichlet(problem.defense_beliefs)``, and he
    maximises the certainty equivalent of the mixture lottery ``Σ_d q^k_d P_A^k(s | d, a)``.
    This is a level-1 attacker best-responding to a random level-0 model of the defender
    (Rios and Ríos Insua, "Adversarial risk analysis for counterterrorism modeling", Risk
    Analysis 32(5):894–915, 2012; Ríos Insua, Banks and Ríos, "Modeling opponents in
    adversarial risk analysis", Risk Analysis 36(4), 2016). ``p̂(a)`` is then the same under
    every defense and ``ψ̂_D(d) = Σ_a p̂(a) U_D[d, a]``.
    """
    options = AraOptions(samples=samples, chunk_size=chunk_size, indistinguishable_se=indistinguishable_se,
                         target_standard_error=target_standard_error, max_samples=max_samples)
    seed = check_seed(seed)

    chunks: list[ChunkStatistics] = []
    for index in range(options.planned_chunks()):
        chunks.append(run_chunk(problem, seed=seed, index=index, draws=options.chunk_draws(index)))
        if should_stop(problem, chunks, options=options):
            break
    return merge_chunks(problem, chunks, options=options, seed=seed)


def _rank(values: np.ndarray) -> list[int]:
    """Defense indices best first; values within the shared tie tolerance keep file order."""
    def compare(d: int, e: int) -> int:
        if values_tie(values[d], values[e]):
            return d - e
        return -1 if values[d] > values[e] else 1
    return sorted(range(len(values)), key=cmp_to_key(compare))


def _check_chunks(problem: Problem, chunks: Sequence[ChunkStatistics], *, options: AraOptions, seed: int) -> None:
    n_defenses, n_attacks, _ = problem.shape
    if len(chunks) > options.planned_chunks():
        raise ValueError(f"chunks: got {len(chunks)}, but the options plan at most {options.planned_chunks()}")
    for position, chunk in enumerate(chunks):
        if chunk.index != position:
            raise ValueError(f"chunks[{position}].index: {chunk.index!r}; chunks must be given in index order from 0")
        if chunk.draws != options.chunk_draws(position):
            raise ValueError(f"chunks[{position}].draws: {chunk.draws!r}; the options fix "
                             f"{options.chunk_draws(position)} draws for this chunk")
        if chunk.seed != seed:
            raise ValueError(f"chunks[{position}].seed: {chunk.seed!r} differs from the run's seed {seed!r}")
        if chunk.problem_digest != problem.digest:
            raise ValueError(f"chunks[{position}].problem_digest: {chunk.problem_digest!r} is not this problem's "
                             f"digest {problem.digest!r}")
        if chunk.counts.shape != (n_defenses, n_attacks) or int(chunk.counts.sum()) != n_defenses * chunk.draws:
            raise ValueError(f"chunks[{position}].counts: expected {n_defenses}×{n_attacks} counts summing to "
                             f"{chunk.draws} per defense")


# Below this many draws a plug-in standard error says little (one draw gives exactly 0).
MIN_DRAWS_FOR_ERRORS = 100


def _status(problem: Problem, final: Estimates, options: AraOptions, *, chunks: int) -> tuple[str, Notice]:
    largest = float(np.max(final.standard_errors))
    target = options.target_standard_error
    if final.draws < MIN_DRAWS_FOR_ERRORS and problem.has_uncertainty():
        return "not_converged", Notice(
            code="ara.too_few_draws",
            template=("Only {draws} attacker draws: standard errors estimated from fewer than {minimum} draws are "
                      "unreliable, so no defense can be called best or indistinguishable. Run more draws."),
            params={"draws": final.draws, "minimum": MIN_DRAWS_FOR_ERRORS})
    if target is not None and largest > target:
        return "not_converged", Notice(
            code="ara.not_converged",
            template=("Stopped after {draws} attacker draws (chunks: {chunks}) with the largest standard error "
                      "{largest_standard_error:.3g}, above the target {target_standard_error:.3g}."),
            params={"draws": final.draws, "chunks": chunks, "largest_standard_error": largest,
                    "target_standard_error": target})
    if target is not None:
        return "ok", Notice(
            code="ara.target_reached",
            template=("Stopped after {draws} attacker draws (chunks: {chunks}): every standard error is at most the "
                      "target {target_standard_error:.3g}."),
            params={"draws": final.draws, "chunks": chunks, "target_standard_error": target})
    return "ok", Notice(
        code="ara.estimated",
        template="Estimated from {draws} attacker draws (chunks: {chunks}).",
        params={"draws": final.draws, "chunks": chunks})


def _defense_assessments(problem: Problem, final: Estimates) -> dict[str, DefenseAssessment]:
    errors = np.sqrt(final.attack_probabilities * (1.0 - final.attack_probabilities) / final.draws)
    assessments = {}
    for d, defense in enumerate(problem.defense_ids):
        value = float(final.expected_utilities[d])
        assessments[defense] = DefenseAssessment(
            score=Score(value, SCORE_UNIT),
            expected_utility=value,
            standard_error=float(final.standard_errors[d]),
            attack_probabilities=_by_attack(problem, final.attack_probabilities[d]),
            attack_probability_errors=_by_attack(problem, errors[d]),
        )
    return assessments


def _convergence(problem: Problem, history: list[Estimates]) -> dict:
    """Running ψ̂_D and its standard error per defense after each chunk."""
    return {
        "draws": [estimates.draws for estimates in history],
        "expected_utility": {
            defense: [float(estimates.expected_utilities[d]) for estimates in history]
            for d, defense in enumerate(problem.defense_ids)
        },
        "standard_error": {
            defense: [float(estimates.standard_errors[d]) for estimates in history]
            for d, defense in enumerate(problem.defense_ids)
        },
    }


def _details(problem: Problem, final: Estimates, best: int, difference_errors: np.ndarray) -> dict:
    """Integer attack counts, Wilson intervals and the paired-difference standard errors."""
    low, high = _wilson_intervals(final.counts, final.draws)
    return {
        "model": problem.model,
        "attack_counts": {
            defense: {attack: int(final.counts[d, a]) for a, attack in enumerate(problem.attack_ids)}
            for d, defense in enumerate(problem.defense_ids)
        },
        "attack_probability_intervals": {
            defense: {attack: [float(low[d, a]), float(high[d, a])] for a, attack in enumerate(problem.attack_ids)}
            for d, defense in enumerate(problem.defense_ids)
        },
        "difference_from_recommended": {
            defense: {"difference": float(final.expected_utilities[best] - final.expected_utilities[d]),
                      "standard_error": float(difference_errors[d])}
            for d, defense in enumerate(problem.defense_ids)
        },
    }


def _wilson_intervals(counts: np.ndarray, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score intervals, which stay informative when p̂ is 0 or 1."""
    p = counts / draws
    z2 = WILSON_Z**2
    centre = (p + z2 / (2 * draws)) / (1 + z2 / draws)
    half_width = WILSON_Z * np.sqrt(p * (1 - p) / draws + z2 / (4 * draws**2)) / (1 + z2 / draws)
    # At p̂ = 0 or 1 the exact bound is 0 or 1; the formula reaches it only up to rounding.
    low = np.where(counts == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    high = np.where(counts == draws, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    return low, high


def _by_attack(problem: Problem, values: np.ndarray) -> dict[str, float]:
    return {attack: float(value) for attack, value in zip(problem.attack_ids, values, strict=True)}
