"""The piecewise_cdf attacker number: parsing, errors, export, compilation and both engines.

A piecewise-linear distribution function is how pooled workshop judgements enter a scenario.
The game solver uses its exact mean and ARA samples it; both are checked against hand values.
"""

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest

from riskapp.engines import ara, game
from riskapp.engines.distributions import MAX_PIECEWISE_POINTS, Distribution
from riskapp.scenarios.format import (
    ScenarioFormatError,
    canonical_json,
    compile_problem,
    dump_scenario,
    parse_scenario,
)
from riskapp.scenarios.format._writing import to_json
from riskapp.workshops.pooling import (
    background_range,
    check_interval,
    interval_distribution,
    linear_pool,
    to_scenario_number,
)

EXAMPLE = Path(__file__).parent / "data" / "weight_theft.json"

# The attacker's gain from stolen weights: F = 0.25 at 20 and 0.75 at 50 on the support
# [0, 100]. Mean 0.25·10 + 0.5·35 + 0.25·75 = 38.75.
GAIN_POINTS = [[0, 0], [20, 0.25], [50, 0.75], [100, 1]]
GAIN_MEAN = 38.75


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def with_gain(gain) -> dict:
    data = example()
    data["outcomes"][1]["attacker_gain"] = gain
    return data


def parse(data: dict):
    # The format's own writer keeps Decimal numbers exact.
    return parse_scenario(to_json(data, indent=None, sort_keys=False), syntax="json")


def messages(gain) -> list[str]:
    with pytest.raises(ScenarioFormatError) as caught:
        parse(with_gain(gain))
    return [str(error) for error in caught.value.errors]


def test_piecewise_parses_with_exact_decimals():
    document = parse(with_gain({"piecewise_cdf": GAIN_POINTS}))
    points = document.data["outcomes"][1]["attacker_gain"]["piecewise_cdf"]
    assert points[1] == [Decimal(20), Decimal("0.25")]


def test_piecewise_compiles_to_distribution():
    problem = compile_problem(parse(with_gain({"piecewise_cdf": GAIN_POINTS})))
    gain = problem.attacker_gains[1]
    assert gain == Distribution("piecewise_cdf", (0.0, 0.0, 20.0, 0.25, 50.0, 0.75, 100.0, 1.0))
    assert gain.mean() == GAIN_MEAN


def test_piecewise_single_x_becomes_point():
    problem = compile_problem(parse(with_gain({"piecewise_cdf": [[7, 0], [7, 0.4], [7, 1]]})))
    assert problem.attacker_gains[1] == Distribution.point(7.0)


def test_piecewise_allowed_for_cost_and_risk_aversion():
    data = example()
    data["attacks"][1]["cost"] = {"piecewise_cdf": [[1, 0], [3, 1]]}
    data["attacker"]["risk_aversion"] = {"piecewise_cdf": [[-0.01, 0], [0, 0.5], [0.01, 1]]}
    problem = compile_problem(parse(data))
    assert problem.attack_costs[1].mean() == 2.0
    assert problem.attacker_risk_aversion.mean() == pytest.approx(0.0, abs=1e-18)


@pytest.mark.parametrize("syntax", ["json", "yaml"])
def test_piecewise_round_trip_same_digest(syntax):
    gain = '{"piecewise_cdf": [[0, 0], [2.50, 0.1], [2.50, 0.30], [1e2, 1]]}'
    document = parse_scenario(json.dumps(with_gain("@gain@")).replace('"@gain@"', gain), syntax="json")
    again = parse_scenario(dump_scenario(document, syntax=syntax), syntax=syntax)
    assert again.data == document.data
    assert again.digest == document.digest
    # The digest hashes the numbers as written, so 2.50 stays 2.50.
    assert '"piecewise_cdf":[[0,0],[2.50,0.1],[2.50,0.30],[1E+2,1]]' in canonical_json(again)


def test_piecewise_changes_digest_with_points():
    first = parse(with_gain({"piecewise_cdf": GAIN_POINTS}))
    second = parse(with_gain({"piecewise_cdf": [[0, 0], [20, 0.25], [50, 0.75], [101, 1]]}))
    assert first.digest != second.digest


PATH = "outcomes[1].attacker_gain.piecewise_cdf"


@pytest.mark.parametrize(("points", "expected"), [
    ([[0, 0.1], [1, 1]], [f"{PATH}[0][1]: 0.1 is the first F; the distribution function must start at F = 0"]),
    ([[0, 0], [1, 0.9]], [f"{PATH}[1][1]: 0.9 is the last F; the distribution function must end at F = 1"]),
    ([[0, 0], [2, 0.5], [1, 1]], [f"{PATH}[2][0]: 1 is less than the previous x 2; x must be non-decreasing"]),
    ([[0, 0], [1, 0.6], [2, 0.5], [3, 1]],
     [f"{PATH}[2][1]: 0.5 is less than the previous F 0.6; F must be non-decreasing"]),
    ([[0, 0]], [f"{PATH}: [[0, 0]] must be a list of at least 2 points [x, F], from F = 0 to F = 1"]),
    ("steps", [f'{PATH}: "steps" must be a list of at least 2 points [x, F], from F = 0 to F = 1']),
    ([[0, 0], [1]], [f"{PATH}[1]: [1] must be a point [x, F] of 2 numbers"]),
    ([[0, 0], [1, True]], [f"{PATH}[1][1]: true is a boolean; write a number (the F)"]),
    ([[None, 0], ["1", 1]], [f"{PATH}[0][0]: null is null; write a number (the x)",
                             f'{PATH}[1][0]: "1" is text; write the number without quotes (the x)']),
    ([[i, i / MAX_PIECEWISE_POINTS] for i in range(MAX_PIECEWISE_POINTS + 1)],
     [f"{PATH}: 201 is more points than the limit of 200"]),
])
def test_piecewise_errors_name_path_value_rule(points, expected):
    assert messages({"piecewise_cdf": points}) == expected


def test_piecewise_extra_field_rejected():
    assert messages({"piecewise_cdf": GAIN_POINTS, "low": 0}) == [
        "outcomes[1].attacker_gain.low: 0 is not a field of a piecewise_cdf distribution; "
        "the fields are piecewise_cdf"]


def test_piecewise_limit_accepted():
    points = [[i, Decimal(i) / (MAX_PIECEWISE_POINTS - 1)] for i in range(MAX_PIECEWISE_POINTS)]
    problem = compile_problem(parse(with_gain({"piecewise_cdf": points})))
    # Uniform on [0, 199].
    assert problem.attacker_gains[1].mean() == pytest.approx(99.5, rel=1e-12)


def test_pooled_judgements_enter_scenario():
    intervals = [check_interval(20, 40, 70, 0.8, bounds=(0, None)), check_interval(30, 60, 90, 0.6, bounds=(0, None))]
    support = background_range(intervals, bounds=(0, None))
    pooled = linear_pool([interval_distribution(interval, support=support) for interval in intervals])

    document = parse(with_gain(to_scenario_number(pooled)))
    gain = compile_problem(document).attacker_gains[1]
    assert gain.kind == "piecewise_cdf"
    assert gain.mean() == pytest.approx(pooled.mean(), rel=1e-9)
    assert gain.support() == pytest.approx(pooled.support(), rel=1e-12)


# Engines -----------------------------------------------------------------------------------


def engine_scenario(gain) -> dict:
    """A sequential scenario whose only uncertain number is the gain from stolen weights.

    The insider attack costs 10 and the attacker is risk neutral, so it attacks defense d
    exactly when p(stolen | d)·gain > 10.
    """
    data = example()
    data["outcomes"][1]["attacker_gain"] = gain
    data["attacks"][1]["cost"] = 10
    data["attacker"] = {}
    del data["risk_matrix"]
    return data


def test_game_uses_piecewise_mean():
    piecewise = game.assess(compile_problem(parse(engine_scenario({"piecewise_cdf": GAIN_POINTS}))))
    plain = game.assess(compile_problem(parse(engine_scenario(GAIN_MEAN))))

    assert piecewise.point_values["attacker_gains"]["stolen"] == GAIN_MEAN
    first, second = piecewise.to_dict(), plain.to_dict()
    assert first.pop("problem_digest") != second.pop("problem_digest")
    # Only the uncertain gain makes the game warn that it solved at the means.
    assert [warning["code"] for warning in first.pop("warnings")] == ["game.point_values"]
    assert second.pop("warnings") == []
    assert first == second
    # At the mean: 0.3·38.75 = 11.625 > 10 against ASL-2, 0.05·38.75 < 10 against ASL-3.
    assert piecewise.defenses["asl2"].attack_probabilities == {"none": 0.0, "insider": 1.0}
    assert piecewise.defenses["asl3"].attack_probabilities == {"none": 1.0, "insider": 0.0}
    assert piecewise.recommended_defense == "asl3"


# Against ASL-2 the insider attacks when the gain exceeds 10 / 0.3 = 100/3, which has
# probability 1 - F(100/3) = 1 - (0.25 + 0.5·(40/3)/30) = 0.52777...
ASL2_ATTACK = 1 - (0.25 + 0.5 * (100 / 3 - 20) / 30)


def test_ara_samples_piecewise_gain():
    samples = 40_000
    problem = compile_problem(parse(engine_scenario({"piecewise_cdf": GAIN_POINTS})))
    result = ara.assess(problem, seed=20261204, samples=samples)
    assert result.status == "ok"

    asl2 = result.defenses["asl2"]
    binomial_error = math.sqrt(ASL2_ATTACK * (1 - ASL2_ATTACK) / samples)
    assert abs(asl2.attack_probabilities["insider"] - ASL2_ATTACK) <= 4 * binomial_error
    # Expected utility -(1 + attack·0.3·100), with the engine's own standard error.
    assert abs(asl2.expected_utility + 1 + ASL2_ATTACK * 30) <= 4 * asl2.standard_error

    # Against ASL-3 the gain would have to exceed 200, beyond the support: no draw attacks.
    asl3 = result.defenses["asl3"]
    assert asl3.attack_probabilities["insider"] == 0.0
    assert asl3.expected_utility == -4.0


def test_ara_differs_from_plain_mean():
    # At the plain mean every ARA draw attacks ASL-2; with the piecewise gain about half do.
    samples = 5_000
    plain = ara.assess(compile_problem(parse(engine_scenario(GAIN_MEAN))), seed=7, samples=samples)
    piecewise = ara.assess(compile_problem(parse(engine_scenario({"piecewise_cdf": GAIN_POINTS}))), seed=7,
                           samples=samples)
    assert plain.defenses["asl2"].attack_probabilities["insider"] == 1.0
    share = piecewise.defenses["asl2"].attack_probabilities["insider"]
    assert abs(share - ASL2_ATTACK) <= 4 * math.sqrt(ASL2_ATTACK * (1 - ASL2_ATTACK) / samples)
