"""Default values of the scenario format, and the filling in of defaults before digest and compile."""

import copy
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FORMAT_NAME = "riskapp-scenario/1"


@dataclass(frozen=True)
class Limits:
    """Size limits of one scenario file; the byte size is checked before parsing."""

    max_file_bytes: int = 1_048_576
    max_defenses: int = 50
    max_attacks: int = 50
    max_outcomes: int = 50


ZERO = Decimal("0")
ONE = Decimal("1")

# The default risk matrix: a 5 × 5 grid with four levels. Any key a scenario leaves out of its
# ``risk_matrix`` takes the value below.
DEFAULT_RISK_MATRIX: dict[str, Any] = json.loads("""{
  "likelihood": [{"label": "Rare", "upper": 0.01}, {"label": "Unlikely", "upper": 0.1},
                 {"label": "Possible", "upper": 0.3}, {"label": "Likely", "upper": 0.7},
                 {"label": "Almost certain", "upper": 1}],
  "consequence": [{"label": "Minor", "upper": 1}, {"label": "Moderate", "upper": 10},
                  {"label": "Major", "upper": 100}, {"label": "Severe", "upper": 1000},
                  {"label": "Catastrophic", "upper": null}],
  "levels": [{"label": "Low", "color": "#2e7d32"}, {"label": "Medium", "color": "#f9a825"},
             {"label": "High", "color": "#ef6c00"}, {"label": "Extreme", "color": "#c62828"}],
  "grid": [[0, 0, 1, 1, 2], [0, 1, 1, 2, 2], [0, 1, 2, 2, 3], [1, 1, 2, 3, 3], [1, 2, 3, 3, 3]],
  "criterion": "expected_loss",
  "ratings": {}
}""", parse_float=Decimal, parse_int=Decimal)


def default_matrix_value(key: str) -> Any:
    """Return a fresh copy of one key of the default risk matrix."""
    return copy.deepcopy(DEFAULT_RISK_MATRIX[key])


def complete(data: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of valid scenario data with every default written out.

    Absent optional values become explicit (``attempt_probability`` and
    ``belief_concentration`` become null, ``attacker.defense_beliefs`` is filled only for the
    simultaneous model, where it applies), so two files that mean the same problem complete
    to the same data.
    """
    data = copy.deepcopy(data)
    model = data.get("model", "sequential")
    defense_ids = [defense["id"] for defense in data["defenses"]]

    defenses = [{"id": d["id"], "name": d["name"], "cost": d.get("cost", ZERO), "measures": d.get("measures", [])}
                for d in data["defenses"]]
    attacks = [{"id": a["id"], "name": a["name"], "cost": _complete_number(a.get("cost", ZERO)),
                "attempt_probability": a.get("attempt_probability")} for a in data["attacks"]]
    outcomes = [{"id": s["id"], "name": s["name"], "defender_loss": s["defender_loss"],
                 "attacker_gain": _complete_number(s["attacker_gain"])} for s in data["outcomes"]]

    attacker_given = data.get("attacker", {})
    attacker = {
        "risk_aversion": _complete_number(attacker_given.get("risk_aversion", ZERO)),
        "belief_concentration": attacker_given.get("belief_concentration"),
    }
    if model == "simultaneous":
        attacker["defense_beliefs"] = attacker_given.get("defense_beliefs", {d: ONE for d in defense_ids})

    matrix_given = data.get("risk_matrix", {})
    risk_matrix = {key: matrix_given[key] if key in matrix_given else default_matrix_value(key)
                   for key in DEFAULT_RISK_MATRIX}

    completed = {
        "format": data["format"],
        "title": data["title"],
        "description": data.get("description", ""),
        "sources": data.get("sources", []),
        "model": model,
        "defenses": defenses,
        "attacks": attacks,
        "outcomes": outcomes,
        "probabilities": data["probabilities"],
        "defender": {"risk_aversion": data.get("defender", {}).get("risk_aversion", ZERO)},
        "attacker": attacker,
        "game": {"tie_break": data.get("game", {}).get("tie_break", "against_defender")},
        "risk_matrix": risk_matrix,
    }
    return completed


def _complete_number(value: Any) -> Any:
    """Fill the default bounds of a beta distribution; other attacker numbers stay as written."""
    if isinstance(value, dict) and "beta" in value:
        return {"beta": value["beta"], "low": value.get("low", ZERO), "high": value.get("high", ONE)}
    return value
