"""Compilation of a scenario document to the engines' Problem, checked value by value."""

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import MatrixRating, Problem
from riskapp.scenarios.format import compile_problem, parse_scenario

EXAMPLE = Path(__file__).parent / "data" / "weight_theft.json"

HAND_WRITTEN = """{
  "format": "riskapp-scenario/1",
  "title": "Model exfiltration",
  "model": "simultaneous",
  "defenses": [
    {"id": "basic", "name": "Basic controls", "cost": 0.5},
    {"id": "hardened", "name": "Hardened cluster", "cost": 2, "measures": ["egress-limits"]}
  ],
  "attacks": [
    {"id": "none", "name": "No attack"},
    {"id": "exfiltrate", "name": "Exfiltrate weights", "cost": {"pert": [0, 3, 12]}, "attempt_probability": 0.25}
  ],
  "outcomes": [
    {"id": "safe", "name": "Nothing lost", "defender_loss": 0, "attacker_gain": 0},
    {"id": "partial", "name": "Partial copy", "defender_loss": 10,
     "attacker_gain": {"truncated_normal": [5, 2, 0, null]}},
    {"id": "full", "name": "Full copy", "defender_loss": 100, "attacker_gain": {"beta": [2, 3], "low": 10, "high": 20}}
  ],
  "probabilities": {
    "basic": {"none": {"safe": 1, "partial": 0, "full": 0},
              "exfiltrate": {"safe": 0.333333333333, "partial": 0.333333333333, "full": 0.333333333333}},
    "hardened": {"none": {"safe": 1, "partial": 0, "full": 0},
                 "exfiltrate": {"safe": 0.6, "partial": 0.3, "full": 0.1000000005}}
  },
  "defender": {"risk_aversion": 0.01},
  "attacker": {"risk_aversion": {"normal": [0.001, 0]}, "belief_concentration": 20,
               "defense_beliefs": {"basic": 2, "hardened": 0.5}},
  "game": {"tie_break": "for_defender"},
  "risk_matrix": {"criterion": {"power": 2},
                  "ratings": {"hardened": {"exfiltrate": {"likelihood": "Unlikely", "consequence": "Major"}}}}
}"""


@pytest.fixture
def problem() -> Problem:
    return compile_problem(parse_scenario(HAND_WRITTEN, syntax="json"))


def test_compile_ids_names_and_options(problem):
    document = parse_scenario(HAND_WRITTEN, syntax="json")

    assert problem.defense_ids == ("basic", "hardened")
    assert problem.defense_names == ("Basic controls", "Hardened cluster")
    assert problem.attack_ids == ("none", "exfiltrate")
    assert problem.attack_names == ("No attack", "Exfiltrate weights")
    assert problem.outcome_ids == ("safe", "partial", "full")
    assert problem.outcome_names == ("Nothing lost", "Partial copy", "Full copy")
    assert problem.model == "simultaneous"
    assert problem.tie_break == "for_defender"
    assert problem.belief_concentration == 20.0
    assert problem.digest == document.digest


def test_compile_defender_numbers_as_floats(problem):
    assert problem.defense_costs.tolist() == [0.5, 2.0]
    assert problem.defender_losses.tolist() == [0.0, 10.0, 100.0]
    assert problem.defender_risk_aversion == 0.01
    assert problem.defense_beliefs.tolist() == [2.0, 0.5]
    assert problem.attempt_probabilities == (None, 0.25)


def test_compile_attacker_distributions(problem):
    assert problem.attack_costs == (Distribution.point(0.0), Distribution("pert", (0.0, 3.0, 12.0)))
    assert problem.attacker_gains == (
        Distribution.point(0.0),
        Distribution("truncated_normal", (5.0, 2.0, 0.0, None)),
        Distribution("beta", (2.0, 3.0, 10.0, 20.0)),
    )
    # The normal with sd 0 is degenerate and becomes a point mass at its mean.
    assert problem.attacker_risk_aversion == Distribution.point(0.001)


def test_compile_point_values_are_means(problem):
    # Truncated below at 0 = loc − 2.5·scale: mean = loc + scale·φ(2.5)/Φ(2.5).
    phi = math.exp(-2.5 ** 2 / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * math.erfc(-2.5 / math.sqrt(2))

    values = problem.point_values()

    assert values["attack_costs"] == {"none": 0.0, "exfiltrate": pytest.approx(4.0, rel=1e-15)}
    assert values["attacker_gains"]["safe"] == 0.0
    assert values["attacker_gains"]["partial"] == pytest.approx(5 + 2 * phi / big_phi, rel=1e-12)
    assert values["attacker_gains"]["full"] == pytest.approx(14.0, rel=1e-15)
    assert values["attacker_risk_aversion"] == 0.001


def test_compile_rows_normalised_exactly(problem):
    third = Fraction(1, 3)
    total = Fraction("1.0000000005")

    exact = problem.exact.probabilities

    assert exact[0][1] == (third, third, third)
    assert exact[1][1] == (Fraction("0.6") / total, Fraction("0.3") / total, Fraction("0.1000000005") / total)
    assert exact[0][0] == (1, 0, 0)
    assert all(sum(row) == 1 for rows in exact for row in rows)


def test_compile_float_rows_match_exact(problem):
    expected = np.array([[[float(p) for p in row] for row in rows] for rows in problem.exact.probabilities])

    assert problem.probabilities[0, 1].tolist() == [1 / 3, 1 / 3, 1 / 3]
    np.testing.assert_array_equal(problem.probabilities, expected)


def test_compile_exact_losses_and_attempts(problem):
    assert problem.exact.defender_losses == (0, 10, 100)
    assert problem.exact.attempt_probabilities == (None, Fraction(1, 4))


def test_compile_risk_matrix(problem):
    matrix = problem.risk_matrix

    assert matrix.criterion == "power"
    assert matrix.power == Fraction(2)
    assert dict(matrix.ratings) == {("hardened", "exfiltrate"): MatrixRating("Unlikely", "Major")}
    assert matrix.likelihood[0].upper == Fraction(1, 100)
    assert matrix.consequence[-1].upper is None


def test_compile_weight_theft_example():
    problem = compile_problem(parse_scenario(EXAMPLE.read_bytes(), syntax="json"))

    assert problem.shape == (2, 2, 2)
    assert problem.probabilities.tolist() == [[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.95, 0.05]]]
    assert problem.attack_costs[1] == Distribution("triangular", (1.0, 2.0, 5.0))
    assert problem.point_values()["attack_costs"]["insider"] == pytest.approx(8 / 3, rel=1e-15)
    assert problem.attacker_risk_aversion == Distribution("uniform", (-0.02, 0.02))
    assert problem.model == "sequential"
    assert problem.defense_beliefs.tolist() == [1.0, 1.0]
    assert problem.tie_break == "against_defender"
    assert problem.exact.attempt_probabilities == (None, Fraction(1, 20))


DEGENERATE_CASES = [
    ({"uniform": [5, 5]}, 5.0),
    ({"triangular": [2, 2, 2]}, 2.0),
    ({"pert": [7.5, 7.5, 7.5]}, 7.5),
    ({"normal": [3, 0]}, 3.0),
    ({"truncated_normal": [10, 0, 0, 4]}, 4.0),
    ({"truncated_normal": [-10, 0, 0, None]}, 0.0),
    ({"truncated_normal": [1, 0, None, None]}, 1.0),
    ({"truncated_normal": [1, 3, 2, 2]}, 2.0),
]


@pytest.mark.parametrize(("gain", "point"), DEGENERATE_CASES, ids=[json.dumps(c[0]) for c in DEGENERATE_CASES])
def test_degenerate_forms_become_points(gain, point):
    data = json.loads(EXAMPLE.read_text())
    data["outcomes"][1]["attacker_gain"] = gain

    problem = compile_problem(parse_scenario(json.dumps(data), syntax="json"))

    assert problem.attacker_gains[1] == Distribution.point(point)


def test_lognormal_mean_used_as_point():
    data = json.loads(EXAMPLE.read_text())
    data["outcomes"][1]["attacker_gain"] = {"lognormal": [3, 0.5]}

    problem = compile_problem(parse_scenario(json.dumps(data), syntax="json"))

    assert problem.point_values()["attacker_gains"]["stolen"] == pytest.approx(math.exp(3.125), rel=1e-15)


def test_beta_default_bounds_filled():
    data = json.loads(EXAMPLE.read_text())
    data["outcomes"][1]["attacker_gain"] = {"beta": [1, 3]}

    problem = compile_problem(parse_scenario(json.dumps(data), syntax="json"))

    assert problem.attacker_gains[1] == Distribution("beta", (1.0, 3.0, 0.0, 1.0))
    assert problem.point_values()["attacker_gains"]["stolen"] == 0.25
