"""Compilation of a valid scenario to the engines' ``Problem``."""

from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, ExactInputs, MatrixRating, Problem, RiskLevel, RiskMatrixConfig
from riskapp.scenarios.format._numbers import attacker_distribution


def build_problem(data: dict[str, Any], digest: str) -> Problem:
    """Build the ``Problem`` of completed, valid scenario data (see ``_defaults.complete``)."""
    defenses, attacks, outcomes = data["defenses"], data["attacks"], data["outcomes"]
    defense_ids = tuple(d["id"] for d in defenses)
    attack_ids = tuple(a["id"] for a in attacks)
    outcome_ids = tuple(s["id"] for s in outcomes)

    exact_rows = _normalised_rows(data["probabilities"], defense_ids, attack_ids, outcome_ids)
    attempt_probabilities = tuple(None if a["attempt_probability"] is None else Fraction(a["attempt_probability"])
                                  for a in attacks)
    exact = ExactInputs(
        probabilities=exact_rows,
        defender_losses=tuple(Fraction(s["defender_loss"]) for s in outcomes),
        attempt_probabilities=attempt_probabilities,
    )

    attacker = data["attacker"]
    kappa = attacker["belief_concentration"]
    beliefs = attacker.get("defense_beliefs")
    return Problem(
        defense_ids=defense_ids,
        defense_names=tuple(d["name"] for d in defenses),
        defense_costs=np.array([float(d["cost"]) for d in defenses]),
        attack_ids=attack_ids,
        attack_names=tuple(a["name"] for a in attacks),
        attack_costs=tuple(_distribution(a["cost"]) for a in attacks),
        attempt_probabilities=tuple(None if p is None else float(p) for p in attempt_probabilities),
        outcome_ids=outcome_ids,
        outcome_names=tuple(s["name"] for s in outcomes),
        defender_losses=np.array([float(s["defender_loss"]) for s in outcomes]),
        attacker_gains=tuple(_distribution(s["attacker_gain"]) for s in outcomes),
        probabilities=np.array([[[float(p) for p in row] for row in rows] for rows in exact_rows]),
        defender_risk_aversion=float(data["defender"]["risk_aversion"]),
        attacker_risk_aversion=_distribution(attacker["risk_aversion"]),
        risk_matrix=_risk_matrix(data["risk_matrix"]),
        digest=digest,
        belief_concentration=None if kappa is None else float(kappa),
        model=data["model"],
        defense_beliefs=None if beliefs is None else np.array([float(beliefs[d]) for d in defense_ids]),
        tie_break=data["game"]["tie_break"],
        exact=exact,
    )


def _normalised_rows(probabilities: dict, defense_ids: tuple[str, ...], attack_ids: tuple[str, ...],
                     outcome_ids: tuple[str, ...]) -> tuple[tuple[tuple[Fraction, ...], ...], ...]:
    """Return ``p(s | d, a)`` as exact fractions, each row divided by its exact sum."""
    rows = []
    for d in defense_ids:
        by_attack = []
        for a in attack_ids:
            row = [Fraction(probabilities[d][a][s]) for s in outcome_ids]
            total = sum(row)
            by_attack.append(tuple(p / total for p in row))
        rows.append(tuple(by_attack))
    return tuple(rows)


def _distribution(value: Any) -> Distribution:
    def reject(path: str, item: Any, rule: str) -> None:
        raise AssertionError(f"a validated attacker number failed to compile: {item!r} {rule}")

    distribution = attacker_distribution("", value, reject)
    assert distribution is not None
    return distribution


def _risk_matrix(matrix: dict[str, Any]) -> RiskMatrixConfig:
    criterion = matrix["criterion"]
    power = None
    if isinstance(criterion, dict):
        power = Fraction(criterion["power"])
        criterion = "power"
    ratings = {(d, a): MatrixRating(likelihood=r["likelihood"], consequence=r["consequence"])
               for d, by_attack in matrix["ratings"].items() for a, r in by_attack.items()}
    return RiskMatrixConfig(
        likelihood=tuple(_band(b) for b in matrix["likelihood"]),
        consequence=tuple(_band(b) for b in matrix["consequence"]),
        levels=tuple(RiskLevel(label=level["label"], color=level["color"]) for level in matrix["levels"]),
        grid=tuple(tuple(int(cell) for cell in row) for row in matrix["grid"]),
        criterion=criterion,
        power=power,
        ratings=MappingProxyType(ratings),
    )


def _band(band: dict[str, Any]) -> Band:
    upper: Decimal | None = band["upper"]
    return Band(label=band["label"], upper=None if upper is None else Fraction(upper))
