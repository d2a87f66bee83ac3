"""Structural validation of the scenario's risk matrix and its defaults."""

import json
from fractions import Fraction
from pathlib import Path

import pytest

from riskapp.engines.problem import MatrixRating
from riskapp.scenarios.format import ScenarioFormatError, compile_problem, parse_scenario

EXAMPLE = Path(__file__).parent / "data" / "weight_theft.json"


def example(**matrix) -> dict:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["risk_matrix"] = matrix
    return data


def messages_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario(json.dumps(data), syntax="json")
    return [str(error) for error in caught.value.errors]


def compiled(data: dict):
    return compile_problem(parse_scenario(json.dumps(data), syntax="json"))


THREE_BANDS = [{"label": "Low", "upper": 0.1}, {"label": "Medium", "upper": 0.5}, {"label": "High", "upper": 1}]


def test_absent_matrix_takes_default():
    data = example()
    del data["risk_matrix"]

    matrix = compiled(data).risk_matrix

    assert [band.label for band in matrix.likelihood] == ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    assert [band.upper for band in matrix.likelihood] == [Fraction(1, 100), Fraction(1, 10), Fraction(3, 10),
                                                          Fraction(7, 10), Fraction(1)]
    assert [band.upper for band in matrix.consequence] == [1, 10, 100, 1000, None]
    assert [(level.label, level.color) for level in matrix.levels] == [
        ("Low", "#2e7d32"), ("Medium", "#f9a825"), ("High", "#ef6c00"), ("Extreme", "#c62828")]
    assert matrix.grid == ((0, 0, 1, 1, 2), (0, 1, 1, 2, 2), (0, 1, 2, 2, 3), (1, 1, 2, 3, 3), (1, 2, 3, 3, 3))
    assert matrix.criterion == "expected_loss"
    assert matrix.power is None
    assert dict(matrix.ratings) == {}


def test_subset_keeps_other_defaults():
    data = example(criterion={"power": 1.5}, ratings={"asl3": {"insider": {"likelihood": "Rare",
                                                                            "consequence": "Severe"}}})

    matrix = compiled(data).risk_matrix

    assert matrix.criterion == "power"
    assert matrix.power == Fraction(3, 2)
    assert dict(matrix.ratings) == {("asl3", "insider"): MatrixRating(likelihood="Rare", consequence="Severe")}
    assert len(matrix.grid) == 5


def test_fewer_bands_without_grid_rejected():
    assert messages_of(example(likelihood=THREE_BANDS)) == [
        "risk_matrix.grid is missing, and the default 5 × 5 grid does not fit 3 likelihood × 5 consequence bands; "
        "write a grid"]


def test_fewer_levels_than_default_grid_uses():
    levels = [{"label": "Low", "color": "#00ff00"}, {"label": "Medium", "color": "#ffff00"},
              {"label": "High", "color": "#FF0000"}]

    found = messages_of(example(levels=levels))

    assert found[0] == "risk_matrix.grid[2][4]: 3 is not an existing level; levels are 0 to 2"
    assert len(found) == 6


def test_three_by_three_matrix_compiles():
    consequence = [{"label": "Small", "upper": 10}, {"label": "Large", "upper": 1000},
                   {"label": "Huge", "upper": None}]
    data = example(likelihood=THREE_BANDS, consequence=consequence, grid=[[0, 0, 1], [0, 1, 2], [1, 2, 3]])

    matrix = compiled(data).risk_matrix

    assert [band.upper for band in matrix.likelihood] == [Fraction(1, 10), Fraction(1, 2), Fraction(1)]
    assert [band.upper for band in matrix.consequence] == [Fraction(10), Fraction(1000), None]
    assert matrix.grid == ((0, 0, 1), (0, 1, 2), (1, 2, 3))


def test_single_band_matrices_valid():
    one_row = example(likelihood=[{"label": "Any", "upper": 1}], grid=[[0, 1, 2, 3, 3]])
    one_column = example(consequence=[{"label": "Any", "upper": None}], grid=[[0], [1], [1], [2], [3]])

    assert compiled(one_row).risk_matrix.grid == ((0, 1, 2, 3, 3),)
    assert compiled(one_column).risk_matrix.grid == ((0,), (1,), (1,), (2,), (3,))


GRID_CASES = [
    (7, "risk_matrix.grid[2][4]: 7 is not an existing level; levels are 0 to 3"),
    (-1, "risk_matrix.grid[2][4]: -1 is not an existing level; levels are 0 to 3"),
    (1.5, "risk_matrix.grid[2][4]: 1.5 is not a whole number; a level index is written like 2 (levels are 0 to 3)"),
    (2.0, "risk_matrix.grid[2][4]: 2.0 is not a whole number; a level index is written like 2 (levels are 0 to 3)"),
    (True, "risk_matrix.grid[2][4]: true is not a level index; write a whole number (levels are 0 to 3)"),
    ("2", 'risk_matrix.grid[2][4]: "2" is not a level index; write a whole number (levels are 0 to 3)'),
]


@pytest.mark.parametrize(("cell", "expected"), GRID_CASES, ids=[repr(case[0]) for case in GRID_CASES])
def test_grid_cell_rules(cell, expected):
    grid = [[0, 0, 1, 1, 2], [0, 1, 1, 2, 2], [0, 1, 2, 2, cell], [1, 1, 2, 3, 3], [1, 2, 3, 3, 3]]

    assert messages_of(example(grid=grid)) == [expected]


def test_grid_shape_must_match_bands():
    grid = [[0, 0, 1, 1, 2], [0, 1, 1, 2], [0, 1, 2, 2, 3], [1, 1, 2, 3, 3]]

    assert messages_of(example(grid=grid)) == [
        "risk_matrix.grid: 4 rows do not match the 5 likelihood bands; write one row per likelihood band, "
        "lowest first",
        "risk_matrix.grid[1]: 4 cells do not match the 5 consequence bands; write one level index per "
        "consequence band, lowest first",
    ]


BAND_CASES = [
    ({"likelihood": [{"label": "A", "upper": 0.5}, {"label": "B", "upper": 0.4}, {"label": "C", "upper": 1}]},
     ["risk_matrix.likelihood[1].upper: 0.4 is not above the previous band's upper edge 0.5; bands run from the "
      "lowest up, so edges must increase"]),
    ({"likelihood": [{"label": "A", "upper": 0.5}, {"label": "B", "upper": 0.9}]},
     ["risk_matrix.likelihood[1].upper: 0.9 must be exactly 1; the last likelihood band ends at probability 1"]),
    ({"likelihood": [{"label": "A", "upper": 1.5}, {"label": "B", "upper": 1}]},
     ["risk_matrix.likelihood[0].upper: 1.5 is above 1; likelihood is a probability",
      "risk_matrix.likelihood[1].upper: 1 is not above the previous band's upper edge 1.5; bands run from the "
      "lowest up, so edges must increase"]),
    ({"likelihood": [{"label": "A", "upper": 0.5}, {"label": "B", "upper": None}]},
     ["risk_matrix.likelihood[1].upper: null is null; only the last consequence band may be unbounded"]),
    ({"consequence": [{"label": "A", "upper": None}, {"label": "B", "upper": 10}]},
     ["risk_matrix.consequence[0].upper: null is null; only the last consequence band may be unbounded"]),
    ({"consequence": [{"label": "A", "upper": -1}, {"label": "B", "upper": None}]},
     ["risk_matrix.consequence[0].upper: -1 is negative; band edges must be >= 0"]),
    ({"consequence": [{"label": "A", "upper": 1}, {"label": "A", "upper": None}]},
     ['risk_matrix.consequence[1].label: "A" is already the label of another consequence band; labels must be '
      "unique"]),
    ({"consequence": [{"label": "", "upper": 1}, {"label": "B"}]},
     ['risk_matrix.consequence[1].upper is missing; a consequence band requires it',
      'risk_matrix.consequence[0].label: "" is empty; write some text']),
    ({"consequence": []},
     ['risk_matrix.consequence: [] must be a non-empty list of bands {"label": …, "upper": …}, lowest first']),
    ({"levels": [{"label": "Low", "color": "green"}, {"label": "Mid", "color": "#12345"},
                 {"label": "High", "color": "#abcdef"}, {"label": "Top", "color": "#ABCDEF"}]},
     ['risk_matrix.levels[0].color: "green" is not a color written as #rrggbb',
      'risk_matrix.levels[1].color: "#12345" is not a color written as #rrggbb']),
    ({"levels": [{"label": "Low", "color": "#000000"}, {"label": "Low", "color": "#000001"},
                 {"label": "High", "color": "#000002"}, {"label": "Top", "color": "#000003"}]},
     ['risk_matrix.levels[1].label: "Low" is already the label of another risk level; labels must be unique']),
    ({"criterion": {"power": 0.5}},
     ["risk_matrix.criterion.power: 0.5 is below 1; the power criterion p·c^k needs k >= 1"]),
    ({"criterion": {"power": True}}, ["risk_matrix.criterion.power: true is a boolean; write a number"]),
    ({"criterion": "power"},
     ['risk_matrix.criterion: "power" needs its exponent; write {"power": k} with k >= 1']),
    ({"criterion": "max_loss"},
     ['risk_matrix.criterion: "max_loss" is not a criterion; write "expected_loss", {"power": k} or '
      '"severity_first"']),
    ({"ratings": {"asl4": {}, "asl2": {"phishing": {}, "insider": {"likelihood": "Often", "consequence": "Major"}}}},
     ['risk_matrix.ratings.asl4: "asl4" is not a defense id; the defense ids are asl2, asl3',
      'risk_matrix.ratings.asl2.phishing: "phishing" is not an attack id; the attack ids are none, insider',
      'risk_matrix.ratings.asl2.insider.likelihood: "Often" is not a likelihood band label; the labels are Rare, '
      "Unlikely, Possible, Likely, Almost certain"]),
    ({"ratings": {"asl2": {"insider": {"likelihood": "Rare"}}}},
     ["risk_matrix.ratings.asl2.insider.consequence is missing; a rating requires it"]),
    ({"colour": "red"},
     ['risk_matrix.colour: "red" is not a field of the risk matrix; the fields are likelihood, consequence, '
      "levels, grid, criterion, ratings"]),
]


@pytest.mark.parametrize(("matrix", "expected"), BAND_CASES, ids=[str(i) for i in range(len(BAND_CASES))])
def test_matrix_structure_rules(matrix, expected):
    # Band changes that keep five bands leave the default grid valid, so only the listed errors appear.
    data = example(**matrix)
    if "likelihood" in matrix and len(matrix["likelihood"]) != 5:
        data["risk_matrix"]["grid"] = [[0, 1, 2, 3, 3]] * len(matrix["likelihood"])
    if "consequence" in matrix and len(matrix["consequence"]) not in (0, 5):
        data["risk_matrix"]["grid"] = [[0] * len(matrix["consequence"])] * 5

    assert messages_of(data) == expected


def test_severity_first_criterion_compiles():
    matrix = compiled(example(criterion="severity_first")).risk_matrix

    assert matrix.criterion == "severity_first"
    assert matrix.power is None
