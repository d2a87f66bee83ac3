"""One-way sensitivity of each engine's recommendation to the scenario's inputs.

The inputs that can matter are defender losses, defense costs, attacker gains and costs, the
probability that an attack causes a loss, attempt probabilities and both risk attitudes. Each
is moved away from its value, one at a time with all others fixed, until the engine's
recommended defense changes. The result is the interval of the input within which the
recommendation stays the same: the bars of a tornado chart. Wide intervals mean a robust decision.

Multiplicative inputs are scaled by a factor ``f`` in ``[1/F, F]`` (``F = max_factor``), searched
on a grid of ``log2 f`` and refined by bisection. Risk attitudes can be zero, so they are shifted
by ``δ`` in ``[−R, R]`` with ``R = risk_range / max|payoff|``. ARA runs use a fixed seed for every
evaluation, so its recommendation is a deterministic, piecewise-constant function of the input
(common random numbers) and the search finds its switch points like any other engine's.
"""

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from riskapp.engines import get_engine
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import ExactInputs, Problem, ProblemError

ENGINE_VERSION = "1.0.0"

# Grid points per side of the nominal value, then bisection steps at the first change.
GRID_STEPS = 8
BISECTION_STEPS = 10


@dataclass(frozen=True)
class Parameter:
    """One input moved by the analysis.

    ``kind`` is ``scale`` (the input is multiplied by a factor) or ``shift`` (a value is added).
    ``apply`` builds the problem with the input moved. It raises ``ProblemError`` when the move
    leaves the valid range, such as a probability above 1 or an overflowing risk attitude.
    """

    key: str
    label: str
    kind: str
    nominal: float
    apply: Callable[[Problem, float], Problem]


@dataclass
class Interval:
    """How far one input moves before one engine's recommendation changes.

    ``low`` and ``high`` are the factor (``scale``) or shift (``shift``) at which it changes,
    or None when it stays the same over the whole searched range on that side. ``low_defense``
    and ``high_defense`` name the defense recommended beyond each switch point.
    """

    low: float | None
    high: float | None
    low_defense: str | None
    high_defense: str | None
    searched_low: float
    searched_high: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parameters(problem: Problem) -> list[Parameter]:
    """List the inputs of ``problem`` that the analysis moves, in a stable order."""
    found: list[Parameter] = []
    for s, (outcome, name) in enumerate(zip(problem.outcome_ids, problem.outcome_names, strict=True)):
        if problem.defender_losses[s] > 0:
            found.append(Parameter(f"defender_loss:{outcome}", f"Defender loss: {name}", "scale",
                                   float(problem.defender_losses[s]), _scale_loss(s)))
    for d, (defense, name) in enumerate(zip(problem.defense_ids, problem.defense_names, strict=True)):
        if problem.defense_costs[d] > 0:
            found.append(Parameter(f"defense_cost:{defense}", f"Defense cost: {name}", "scale",
                                   float(problem.defense_costs[d]), _scale_defense_cost(d)))
    for s, (outcome, name) in enumerate(zip(problem.outcome_ids, problem.outcome_names, strict=True)):
        if problem.attacker_gains[s].mean() != 0:
            found.append(Parameter(f"attacker_gain:{outcome}", f"Attacker gain: {name}", "scale",
                                   problem.attacker_gains[s].mean(), _scale_gain(s)))
    for a, (attack, name) in enumerate(zip(problem.attack_ids, problem.attack_names, strict=True)):
        if problem.attack_costs[a].mean() != 0:
            found.append(Parameter(f"attack_cost:{attack}", f"Attack cost: {name}", "scale",
                                   problem.attack_costs[a].mean(), _scale_attack_cost(a)))
        if problem.attempt_probabilities[a]:
            found.append(Parameter(f"attempt_probability:{attack}", f"Attempt probability: {name}", "scale",
                                   float(problem.attempt_probabilities[a]), _scale_attempt(a)))
    loss_outcomes = problem.defender_losses > 0
    for d, defense in enumerate(problem.defense_ids):
        for a, attack in enumerate(problem.attack_ids):
            at_risk = float(problem.probabilities[d, a, loss_outcomes].sum())
            if 0 < at_risk < 1:
                label = f"P(loss) of {problem.attack_names[a]} under {problem.defense_names[d]}"
                found.append(Parameter(f"loss_probability:{defense}:{attack}", label, "scale", at_risk,
                                       _scale_loss_probability(d, a)))

    # Risk attitudes are shifted on a range scaled by the largest payoff, so with no payoff
    # at all they have no range and are left out.
    if _largest_payoff(problem) > 0:
        found.append(Parameter("defender_risk_aversion", "Defender risk aversion", "shift",
                               problem.defender_risk_aversion, _shift_defender_risk))
        found.append(Parameter("attacker_risk_aversion", "Attacker risk aversion", "shift",
                               problem.attacker_risk_aversion.mean(), _shift_attacker_risk))
    return found


def recommendation_interval(problem: Problem, parameter: Parameter, recommend: Callable[[Problem], str], *,
                            max_factor: float = 16.0, risk_range: float = 5.0) -> Interval:
    """Find where ``recommend`` stops returning the nominal recommendation as ``parameter`` moves.

    Each side is searched on ``GRID_STEPS`` points, evenly spaced in ``log2 f`` for a factor and
    in ``δ`` for a shift. The search stops at the first point whose recommendation differs or
    whose problem is invalid. ``BISECTION_STEPS`` bisections then narrow the switch point between
    the last point that kept the recommendation and the first that did not. A change between two
    grid points that reverts before the next one is not seen: the interval is as fine as the grid.
    """
    nominal = recommend(problem)
    if parameter.kind == "scale":
        limit = math.log2(max_factor)
        to_value = _factor_of_step
        searched = (1 / max_factor, max_factor)
    else:
        limit = risk_range / _largest_payoff(problem)
        to_value = _shift_of_step
        searched = (-limit, limit)

    sides = []
    for direction in (-1.0, 1.0):
        sides.append(_search_side(problem, parameter, recommend, nominal, direction, limit, to_value))
    (low, low_defense), (high, high_defense) = sides
    return Interval(low=low, high=high, low_defense=low_defense, high_defense=high_defense,
                    searched_low=searched[0], searched_high=searched[1])


def _factor_of_step(step: float) -> float:
    """Map a grid coordinate in ``log2 f`` to the factor ``f``."""
    return 2.0**step


def _shift_of_step(step: float) -> float:
    return step


def _search_side(problem, parameter, recommend, nominal, direction, limit, to_value):
    def outcome(step: float) -> str | None:
        try:
            return recommend(parameter.apply(problem, to_value(step)))
        except ProblemError:
            return None  # outside the valid range: treated as the end of the search

    kept = 0.0
    for index in range(1, GRID_STEPS + 1):
        step = direction * limit * index / GRID_STEPS
        result = outcome(step)
        if result is None:
            return None, None
        if result != nominal:
            changed, changed_to = step, result
            for _ in range(BISECTION_STEPS):
                middle = (kept + changed) / 2
                middle_result = outcome(middle)
                if middle_result == nominal:
                    kept = middle
                elif middle_result is not None:
                    changed, changed_to = middle, middle_result
                else:
                    break
            return to_value(changed), changed_to
        kept = step
    return None, None


def analyse(problem: Problem, *, engines: tuple[str, ...] = ("risk_matrix", "game", "ara"), seed: int = 0,
            samples: int = 2_000, max_factor: float = 16.0, risk_range: float = 5.0,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Compute every parameter's interval for every engine; return a JSON-ready dictionary.

    ``samples`` and ``seed`` set the ARA runs (one chunk of ``samples`` draws, the same seed for
    every evaluation). ``progress(done, total)`` is called after each parameter.
    """
    recommenders = {engine: _recommender(engine, seed=seed, samples=samples) for engine in engines}
    nominal = {engine: recommend(problem) for engine, recommend in recommenders.items()}
    found = parameters(problem)

    rows = []
    for done, parameter in enumerate(found, start=1):
        intervals = {
            engine: recommendation_interval(problem, parameter, recommend, max_factor=max_factor,
                                            risk_range=risk_range).to_dict()
            for engine, recommend in recommenders.items()
        }
        rows.append({"key": parameter.key, "label": parameter.label, "kind": parameter.kind,
                     "nominal": parameter.nominal, "intervals": intervals})
        if progress is not None:
            progress(done, len(found))

    return {
        "engine_version": ENGINE_VERSION,
        "problem_digest": problem.digest,
        "options": {"engines": list(engines), "seed": seed, "samples": samples, "max_factor": max_factor,
                    "risk_range": risk_range, "grid_steps": GRID_STEPS, "bisection_steps": BISECTION_STEPS},
        "recommended": nominal,
        "parameters": rows,
    }


def _recommender(engine: str, *, seed: int, samples: int) -> Callable[[Problem], str]:
    assess = get_engine(engine)
    if engine == "ara":
        return lambda problem: assess(problem, seed=seed, samples=samples, chunk_size=samples).recommended_defense
    return lambda problem: assess(problem).recommended_defense


def _largest_payoff(problem: Problem) -> float:
    defender = float(np.max(problem.defense_costs) + np.max(problem.defender_losses))
    attacker = max([abs(g.mean()) for g in problem.attacker_gains] + [abs(c.mean()) for c in problem.attack_costs])
    return max(defender, attacker)


def _exact_or_none(problem: Problem, **changes) -> ExactInputs | None:
    if problem.exact is None:
        return None
    return dataclasses.replace(problem.exact, **changes)


def _scale_loss(s: int) -> Callable[[Problem, float], Problem]:
    def apply(problem: Problem, factor: float) -> Problem:
        losses = problem.defender_losses.copy()
        losses[s] *= factor
        exact = None
        if problem.exact is not None:
            exact_losses = list(problem.exact.defender_losses)
            exact_losses[s] *= Fraction(factor)
            exact = _exact_or_none(problem, defender_losses=tuple(exact_losses))
        return dataclasses.replace(problem, defender_losses=losses, exact=exact)
    return apply


def _scale_defense_cost(d: int) -> Callable[[Problem, float], Problem]:
    def apply(problem: Problem, factor: float) -> Problem:
        costs = problem.defense_costs.copy()
        costs[d] *= factor
        return dataclasses.replace(problem, defense_costs=costs)
    return apply


def _scale_gain(s: int) -> Callable[[Problem, float], Problem]:
    def apply(problem: Problem, factor: float) -> Problem:
        gains = list(problem.attacker_gains)
        gains[s] = scale_distribution(gains[s], factor)
        return dataclasses.replace(problem, attacker_gains=tuple(gains))
    return apply


def _scale_attack_cost(a: int) -> Callable[[Problem, float], Problem]:
    def apply(problem: Problem, factor: float) -> Problem:
        costs = list(problem.attack_costs)
        costs[a] = scale_distribution(costs[a], factor)
        return dataclasses.replace(problem, attack_costs=tuple(costs))
    return apply


def _scale_attempt(a: int) -> Callable[[Problem, float], Problem]:
    def apply(problem: Problem, factor: float) -> Problem:
        attempts = list(problem.attempt_probabilities)
        attempts[a] = attempts[a] * factor
        if attempts[a] > 1:
            raise ProblemError(f"attacks[{a}].attempt_probability: {attempts[a]!r} is above 1")
        exact = None
        if problem.exact is not None:
            exact_attempts = list(problem.exact.attempt_probabilities)
            exact_attempts[a] = exact_attempts[a] * Fraction(factor)
            exact = _exact_or_none(problem, attempt_probabilities=tuple(exact_attempts))
        return dataclasses.replace(problem, attempt_probabilities=tuple(attempts), exact=exact)
    return apply


def _scale_loss_probability(d: int, a: int) -> Callable[[Problem, float], Problem]:
    """Scale the probability that attack ``a`` causes a loss under defense ``d``.

    The loss-bearing outcomes are scaled together and the others take the rest, each in
    proportion to its own probability, so the row stays a probability vector.
    """
    def apply(problem: Problem, factor: float) -> Problem:
        probabilities = problem.probabilities.copy()
        loss = problem.defender_losses > 0
        row = probabilities[d, a]
        at_risk = row[loss].sum()
        if at_risk * factor > 1:
            raise ProblemError(f"probabilities.{problem.defense_ids[d]}.{problem.attack_ids[a]}: "
                               f"P(loss) {at_risk * factor!r} is above 1")
        row[loss] *= factor
        row[~loss] *= (1 - at_risk * factor) / (1 - at_risk)
        exact = None
        if problem.exact is not None:
            exact_row = list(problem.exact.probabilities[d][a])
            exact_risk = sum((p for p, bearing in zip(exact_row, loss, strict=True) if bearing), Fraction(0))
            ratio = Fraction(factor)
            rest = (1 - exact_risk * ratio) / (1 - exact_risk)
            exact_row = [p * ratio if bearing else p * rest for p, bearing in zip(exact_row, loss, strict=True)]
            rows = [list(r) for r in problem.exact.probabilities]
            rows[d][a] = tuple(exact_row)
            exact = _exact_or_none(problem, probabilities=tuple(tuple(r) for r in rows))
        return dataclasses.replace(problem, probabilities=probabilities, exact=exact)
    return apply


def _shift_defender_risk(problem: Problem, shift: float) -> Problem:
    return dataclasses.replace(problem, defender_risk_aversion=problem.defender_risk_aversion + shift)


def _shift_attacker_risk(problem: Problem, shift: float) -> Problem:
    # No range check: certainty equivalents cannot overflow, and the game solver raises
    # ProblemError for a point value beyond |r|·max|x| = 700, which ends the search there.
    return dataclasses.replace(problem, attacker_risk_aversion=shift_distribution(problem.attacker_risk_aversion,
                                                                                   shift))


def scale_distribution(distribution: Distribution, factor: float) -> Distribution:
    """Return the distribution of ``factor · X`` for ``factor > 0``, in the same family."""
    if factor <= 0:
        raise ValueError(f"factor {factor!r}: must be positive")
    p = distribution.parameters
    match distribution.kind:
        case "lognormal":
            return Distribution("lognormal", (p[0] + math.log(factor), p[1]))
        case "beta":
            return Distribution("beta", (p[0], p[1], p[2] * factor, p[3] * factor))
        case "truncated_normal":
            bounds = tuple(None if b is None else b * factor for b in p[2:])
            return Distribution("truncated_normal", (p[0] * factor, p[1] * factor, *bounds))
        case "piecewise_cdf":
            return Distribution("piecewise_cdf", tuple(v * factor if i % 2 == 0 else v for i, v in enumerate(p)))
        case _:
            return Distribution(distribution.kind, tuple(v * factor for v in p))


def shift_distribution(distribution: Distribution, shift: float) -> Distribution:
    """Return the distribution of ``X + shift``, in the same family where it has a location.

    A lognormal has no location parameter, so it cannot be shifted: its risk attitude is then
    replaced by its mean plus the shift, a point value.
    """
    p = distribution.parameters
    match distribution.kind:
        case "point":
            return Distribution.point(p[0] + shift)
        case "uniform" | "triangular" | "pert":
            return Distribution(distribution.kind, tuple(v + shift for v in p))
        case "normal":
            return Distribution("normal", (p[0] + shift, p[1]))
        case "truncated_normal":
            bounds = tuple(None if b is None else b + shift for b in p[2:])
            return Distribution("truncated_normal", (p[0] + shift, p[1], *bounds))
        case "beta":
            return Distribution("beta", (p[0], p[1], p[2] + shift, p[3] + shift))
        case "piecewise_cdf":
            return Distribution("piecewise_cdf", tuple(v + shift if i % 2 == 0 else v for i, v in enumerate(p)))
        case _:
            return Distribution.point(distribution.mean() + shift)
