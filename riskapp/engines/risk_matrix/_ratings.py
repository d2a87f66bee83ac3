"""Ratings of each (defense, attack) pair: entered directly, or derived from the problem."""

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from riskapp.engines.problem import Problem, RiskMatrixConfig
from riskapp.engines.result import Notice
from riskapp.engines.risk_matrix._scales import describe_band, place_in_band


@dataclass(frozen=True)
class Rating:
    """One threat's place in the matrix under one defense.

    ``likelihood`` and ``consequence`` are the exact values a derived rating was placed by
    (probability over the assessment horizon, defender loss units). Both are ``None`` for a
    direct rating, which gives bands only.
    """

    likelihood_band: int
    consequence_band: int
    level: int
    origin: str
    likelihood: Fraction | None = None
    consequence: Fraction | None = None

    def to_dict(self, config: RiskMatrixConfig) -> dict[str, Any]:
        return {
            "likelihood": config.likelihood[self.likelihood_band].label,
            "consequence": config.consequence[self.consequence_band].label,
            "level": config.levels[self.level].label,
            "origin": self.origin,
            "likelihood_value": None if self.likelihood is None else float(self.likelihood),
            "consequence_value": None if self.consequence is None else float(self.consequence),
            "likelihood_band": describe_band(config.likelihood, self.likelihood_band),
            "consequence_band": describe_band(config.consequence, self.consequence_band),
        }


def rate_threats(problem: Problem) -> tuple[dict[tuple[str, str], Rating], list[Notice]]:
    """Rate every (defense, attack) pair that carries residual risk.

    A direct rating in the matrix wins. Otherwise the likelihood is ``π(a) · P(L(S) > 0 | d, a)``
    and the consequence ``E[L(S) | d, a, L(S) > 0]``, computed exactly from the numbers as
    written; a pair with ``P(L(S) > 0 | d, a) = 0`` has no rating. An attack without an attempt
    probability is taken as attempted (π = 1), and a warning names it. A consequence above a
    bounded highest band is rated in that band, with a warning.

    Returns the ratings keyed by ``(defense id, attack id)`` in file order, and the warnings.
    """
    config = problem.risk_matrix
    direct = _direct_ratings(problem)
    probabilities, losses, attempts = _exact_numbers(problem)

    ratings: dict[tuple[str, str], Rating] = {}
    assumed_attempted: list[str] = []
    above_scale: list[Notice] = []
    for d, defense in enumerate(problem.defense_ids):
        for a, attack in enumerate(problem.attack_ids):
            if (defense, attack) in direct:
                ratings[defense, attack] = direct[defense, attack]
                continue

            row = probabilities[d][a]
            harmful = [(p, loss) for p, loss in zip(row, losses, strict=True) if loss > 0 and p > 0]
            p_harm = sum((p for p, _ in harmful), Fraction(0))
            if p_harm == 0:
                continue

            attempt = attempts[a]
            if attempt is None:
                attempt = Fraction(1)
                if attack not in assumed_attempted:
                    assumed_attempted.append(attack)
            likelihood = attempt * p_harm
            consequence = sum((p * loss for p, loss in harmful), Fraction(0)) / p_harm

            field = f"risk_matrix.ratings.{defense}.{attack}"
            i = place_in_band(likelihood, config.likelihood, field=f"{field}.likelihood")
            last = config.consequence[-1]
            if last.upper is not None and consequence > last.upper:
                # The highest band understates this threat, so the result carries a warning.
                j = len(config.consequence) - 1
                above_scale.append(Notice(
                    "risk_matrix.consequence_above_scale",
                    "The expected loss {consequence:g} of attack {attack} under defense {defense} exceeds the upper "
                    "edge {upper:g} of the highest consequence band {band}; it is rated in that band. Make the "
                    "last band unbounded or raise its edge.",
                    {"defense": defense, "attack": attack, "consequence": float(consequence),
                     "upper": float(last.upper), "band": last.label}))
            else:
                j = place_in_band(consequence, config.consequence, field=f"{field}.consequence")
            ratings[defense, attack] = Rating(i, j, config.grid[i][j], "derived", likelihood, consequence)

    warnings = above_scale + [
        Notice("risk_matrix.attempt_probability_missing",
               "Attack {attack} has no attempt probability, so its ratings assume the attack is attempted "
               "(π = 1): they are conditional on an attempt.",
               {"attack": attack})
        for attack in assumed_attempted
    ]
    return ratings, warnings


def _direct_ratings(problem: Problem) -> dict[tuple[str, str], Rating]:
    config = problem.risk_matrix
    likelihood_index = {band.label: i for i, band in enumerate(config.likelihood)}
    consequence_index = {band.label: j for j, band in enumerate(config.consequence)}

    ratings = {}
    for (defense, attack), entered in config.ratings.items():
        field = f"risk_matrix.ratings.{defense}.{attack}"
        if defense not in problem.defense_ids or attack not in problem.attack_ids:
            raise ValueError(f"{field}: defense {defense!r} or attack {attack!r} is not in the scenario")
        if entered.likelihood not in likelihood_index:
            raise ValueError(f"{field}.likelihood: {entered.likelihood!r} is not a likelihood band label")
        if entered.consequence not in consequence_index:
            raise ValueError(f"{field}.consequence: {entered.consequence!r} is not a consequence band label")
        i, j = likelihood_index[entered.likelihood], consequence_index[entered.consequence]
        ratings[defense, attack] = Rating(i, j, config.grid[i][j], "direct")
    return ratings


def _exact_numbers(problem: Problem) -> tuple[Any, tuple[Fraction, ...], tuple[Fraction | None, ...]]:
    """Return the probabilities, losses and attempt probabilities as rationals, exact when the scenario gave them."""
    if problem.exact is not None:
        exact = problem.exact
        return exact.probabilities, exact.defender_losses, exact.attempt_probabilities

    # Without the numbers as written, the binary floats are converted exactly; a float such as
    # 0.1 then lies just above the band edge 1/10.
    probabilities = [[[Fraction(float(p)) for p in row] for row in rows] for rows in problem.probabilities]
    losses = tuple(Fraction(float(loss)) for loss in problem.defender_losses)
    attempts = tuple(None if pi is None else Fraction(float(pi)) for pi in problem.attempt_probabilities)
    return probabilities, losses, attempts
