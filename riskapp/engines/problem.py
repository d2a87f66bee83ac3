"""The Defend–Attack problem: the one input that every engine takes.

A scenario revision compiles to one ``Problem``, validated when it is built and immutable
afterwards. Arrays are indexed in file order: defenses ``d``, attacks ``a``, outcomes ``s``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

import numpy as np

from riskapp.engines.decision import MAX_RISK_EXPONENT, TIE_BREAK_RULES, utility
from riskapp.engines.distributions import Distribution

MODELS = ("sequential", "simultaneous")
CRITERIA = ("expected_loss", "power", "severity_first")

# Probability rows must sum to one within this tolerance before they are normalised.
ROW_SUM_TOLERANCE = 1e-9


class ProblemError(ValueError):
    """The problem's numbers break one of its rules; the message names the field."""


@dataclass(frozen=True)
class Band:
    """One likelihood or consequence band: ``(previous upper, upper]``, ``None`` for unbounded."""

    label: str
    upper: Fraction | None


@dataclass(frozen=True)
class RiskLevel:
    label: str
    color: str


@dataclass(frozen=True)
class MatrixRating:
    """A rating entered directly, by band label."""

    likelihood: str
    consequence: str


@dataclass(frozen=True)
class RiskMatrixConfig:
    """The scenario's risk matrix; band edges are exact rationals as written in the file.

    ``grid[i][j]`` is the level index for likelihood band ``i`` and consequence band ``j``,
    lowest first. ``power`` is the exponent ``k`` of the ``power`` criterion ``p·c^k``.
    """

    likelihood: tuple[Band, ...]
    consequence: tuple[Band, ...]
    levels: tuple[RiskLevel, ...]
    grid: tuple[tuple[int, ...], ...]
    criterion: str = "expected_loss"
    power: Fraction | None = None
    ratings: Mapping[tuple[str, str], MatrixRating] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ExactInputs:
    """Exact rational copies of the numbers the risk matrix places in bands.

    Band membership must not depend on binary rounding (0.1 as a float lies above 1/10), so
    the scenario compiler passes the decimals as written, with probability rows normalised
    exactly. Indexing follows the problem: ``probabilities[d][a][s]``.
    """

    probabilities: tuple[tuple[tuple[Fraction, ...], ...], ...]
    defender_losses: tuple[Fraction, ...]
    attempt_probabilities: tuple[Fraction | None, ...]


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated Defend–Attack problem.

    Payoffs are ``x_D(d, s) = −(defense_costs[d] + defender_losses[s])`` for the defender and
    ``x_A(a, s) = attacker_gains[s] − attack_costs[a]`` for the attacker. ``probabilities[d, a, s]``
    is the defender's belief ``p(s | d, a)``, normalised so that each row sums to one.
    """

    defense_ids: tuple[str, ...]
    defense_names: tuple[str, ...]
    defense_costs: np.ndarray
    attack_ids: tuple[str, ...]
    attack_names: tuple[str, ...]
    attack_costs: tuple[Distribution, ...]
    attempt_probabilities: tuple[float | None, ...]
    outcome_ids: tuple[str, ...]
    outcome_names: tuple[str, ...]
    defender_losses: np.ndarray
    attacker_gains: tuple[Distribution, ...]
    probabilities: np.ndarray
    defender_risk_aversion: float
    attacker_risk_aversion: Distribution
    risk_matrix: RiskMatrixConfig
    digest: str
    belief_concentration: float | None = None
    model: str = "sequential"
    defense_beliefs: np.ndarray | None = None
    tie_break: str = "against_defender"
    exact: ExactInputs | None = None

    def __post_init__(self) -> None:
        _validate(self)
        for name in ("defense_costs", "defender_losses", "probabilities", "defense_beliefs"):
            array = getattr(self, name)
            if array is not None:
                array = np.array(array, dtype=np.float64)
                array.setflags(write=False)
                object.__setattr__(self, name, array)
        normalised = self.probabilities / self.probabilities.sum(axis=-1, keepdims=True)
        if self.exact is not None:
            # Round the exactly normalised rows once, so that the engines' floats are the nearest
            # doubles to the risk matrix's exact probabilities. The float division above can be
            # one ulp off.
            rounded = np.array([[[float(p) for p in row] for row in rows] for rows in self.exact.probabilities])
            if rounded.shape != normalised.shape:
                raise ProblemError(f"exact.probabilities: expected shape {normalised.shape}, got {rounded.shape}")
            normalised = rounded
        normalised.setflags(write=False)
        object.__setattr__(self, "probabilities", normalised)
        if self.defense_beliefs is None:
            ones = np.ones(len(self.defense_ids))
            ones.setflags(write=False)
            object.__setattr__(self, "defense_beliefs", ones)

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.defense_ids), len(self.attack_ids), len(self.outcome_ids)

    def defender_payoffs(self) -> np.ndarray:
        """``x_D[d, s]``, the defender's payoff."""
        return -(self.defense_costs[:, np.newaxis] + self.defender_losses[np.newaxis, :])

    def defender_utilities(self) -> np.ndarray:
        """``U_D[d, a] = Σ_s p(s | d, a) u_D(x_D(d, s))``, exact."""
        u = utility(self.defender_payoffs(), self.defender_risk_aversion)
        return np.einsum("das,ds->da", self.probabilities, u)

    def point_values(self) -> dict[str, object]:
        """Return the mean of every attacker number: the point values the game solver uses."""
        return {
            "attack_costs": {a: c.mean() for a, c in zip(self.attack_ids, self.attack_costs, strict=True)},
            "attacker_gains": {s: g.mean() for s, g in zip(self.outcome_ids, self.attacker_gains, strict=True)},
            "attacker_risk_aversion": self.attacker_risk_aversion.mean(),
        }

    def has_uncertainty(self) -> bool:
        numbers = (*self.attack_costs, *self.attacker_gains, self.attacker_risk_aversion)
        return self.belief_concentration is not None or any(not n.is_point for n in numbers)


def _validate(problem: Problem) -> None:
    n_defenses, n_attacks, n_outcomes = len(problem.defense_ids), len(problem.attack_ids), len(problem.outcome_ids)
    if n_defenses < 1:
        raise ProblemError("defenses: at least one defense is required")
    if n_attacks < 1:
        raise ProblemError("attacks: at least one attack is required")
    if n_outcomes < 2:
        raise ProblemError("outcomes: at least two outcomes are required")
    for name, ids in (("defenses", problem.defense_ids), ("attacks", problem.attack_ids),
                      ("outcomes", problem.outcome_ids)):
        if len(set(ids)) != len(ids):
            raise ProblemError(f"{name}: ids must be unique, got {list(ids)}")

    _check_vector("defenses[].cost", problem.defense_costs, n_defenses, minimum=0.0)
    _check_vector("outcomes[].defender_loss", problem.defender_losses, n_outcomes, minimum=0.0)
    if len(problem.attack_costs) != n_attacks or len(problem.attempt_probabilities) != n_attacks:
        raise ProblemError("attacks: one cost and one attempt probability are required per attack")
    if len(problem.attacker_gains) != n_outcomes:
        raise ProblemError("outcomes: one attacker gain is required per outcome")
    for index, pi in enumerate(problem.attempt_probabilities):
        if pi is not None and not 0.0 <= pi <= 1.0:
            raise ProblemError(f"attacks[{index}].attempt_probability: {pi!r} is not in [0, 1]")

    p = np.asarray(problem.probabilities, dtype=np.float64)
    if p.shape != (n_defenses, n_attacks, n_outcomes):
        raise ProblemError(f"probabilities: expected shape {(n_defenses, n_attacks, n_outcomes)}, got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ProblemError("probabilities: every entry must be a probability in [0, 1]")
    sums = p.sum(axis=-1)
    bad = np.argwhere(np.abs(sums - 1.0) > ROW_SUM_TOLERANCE)
    if len(bad):
        d, a = bad[0]
        raise ProblemError(
            f"probabilities.{problem.defense_ids[d]}.{problem.attack_ids[a]}: "
            f"sums to {sums[d, a]!r}, must sum to 1 within {ROW_SUM_TOLERANCE}")

    r = problem.defender_risk_aversion
    if not np.isfinite(r):
        raise ProblemError(f"defender.risk_aversion: {r!r} must be finite")
    largest = float(np.max(np.abs(problem.defense_costs)) + np.max(np.abs(problem.defender_losses)))
    if abs(r) * largest > MAX_RISK_EXPONENT:
        raise ProblemError(f"defender.risk_aversion: |r|·max|x| = {abs(r) * largest:g} exceeds {MAX_RISK_EXPONENT:g}")

    if problem.model not in MODELS:
        raise ProblemError(f"model: {problem.model!r} is not one of {', '.join(MODELS)}")
    if problem.tie_break not in TIE_BREAK_RULES:
        raise ProblemError(f"game.tie_break: {problem.tie_break!r} is not one of {', '.join(TIE_BREAK_RULES)}")
    kappa = problem.belief_concentration
    if kappa is not None and not (np.isfinite(kappa) and kappa > 0):
        raise ProblemError(f"attacker.belief_concentration: {kappa!r} must be a positive finite number")
    if problem.defense_beliefs is not None:
        _check_vector("attacker.defense_beliefs", problem.defense_beliefs, n_defenses, minimum=0.0)
        if not np.all(np.asarray(problem.defense_beliefs) > 0):
            raise ProblemError("attacker.defense_beliefs: every weight must be positive")


def _check_vector(name: str, values: np.ndarray, length: int, *, minimum: float) -> None:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (length,):
        raise ProblemError(f"{name}: expected {length} values, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ProblemError(f"{name}: every value must be finite")
    if np.any(array < minimum):
        raise ProblemError(f"{name}: every value must be at least {minimum:g}")
