"""The figure builders, checked trace by trace against hand-made result dictionaries."""

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose

from riskapp.engines.problem import Band, RiskLevel, RiskMatrixConfig
from riskapp.reports.figures import (
    DEFAULT_LABELS,
    MatrixLayout,
    Names,
    attack_probability_figure,
    convergence_figure,
    expected_utility_figure,
    risk_matrix_figure,
)

from .conftest import ATTACKS, DEFENSES


def _trace(figure, name):
    matches = [trace for trace in figure.data if trace.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, found {len(matches)}"
    return matches[0]


def _panel_traces(figure, row, col, trace_type):
    """Return the traces of one type drawn on the subplot at (row, col), 1-based."""
    subplot = figure.get_subplot(row, col)
    xaxis = subplot.xaxis.plotly_name.replace("axis", "")
    return [t for t in figure.data if t.type == trace_type and (t.xaxis or "x") == xaxis]


def test_expected_utility_bars_equal_results(names, game_result, ara_result):
    figure = expected_utility_figure(game_result, ara_result, names)

    game = _trace(figure, DEFAULT_LABELS["game_trace"])
    ara = _trace(figure, DEFAULT_LABELS["ara_trace"])
    assert list(game.x) == list(DEFENSES.values())
    assert list(game.y) == [game_result["defenses"][d]["expected_utility"] for d in DEFENSES]
    assert list(ara.y) == [ara_result["defenses"][d]["expected_utility"] for d in DEFENSES]
    assert figure.layout.barmode == "group"


def test_expected_utility_error_bars_two_se(names, game_result, ara_result):
    figure = expected_utility_figure(game_result, ara_result, names)

    ara = _trace(figure, DEFAULT_LABELS["ara_trace"])
    expected = [2 * ara_result["defenses"][d]["standard_error"] for d in DEFENSES]
    assert ara.error_y.visible is True
    assert_allclose(ara.error_y.array, expected, rtol=0, atol=0)
    assert "2 standard errors" in ara.name
    game = _trace(figure, DEFAULT_LABELS["game_trace"])
    assert game.error_y.array is None


def test_expected_utility_hover_carries_ids(names, game_result, ara_result):
    figure = expected_utility_figure(game_result, ara_result, names)

    ara = _trace(figure, DEFAULT_LABELS["ara_trace"])
    assert [row[0] for row in ara.customdata] == list(DEFENSES)
    recommended_marks = {row[0]: row[1] for row in ara.customdata}
    assert recommended_marks["asl3"] == " · recommended"
    assert recommended_marks["asl2"] == ""
    assert "%{customdata[0]}" in ara.hovertemplate


def test_expected_utility_uses_given_labels(names, game_result):
    labels = {"expected_utility_title": "Utilité espérée", "game_trace": "Jeu"}
    figure = expected_utility_figure(game_result, None, names, labels)

    assert figure.layout.title.text == "Utilité espérée"
    assert [trace.name for trace in figure.data] == ["Jeu"]
    assert figure.layout.yaxis.title.text == DEFAULT_LABELS["expected_utility_axis"]


def test_attack_probabilities_per_defense_panel(names, game_result, ara_result):
    figure = attack_probability_figure(game_result, ara_result, names)

    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == list(DEFENSES.values())
    for index, defense_id in enumerate(DEFENSES):
        bars = _panel_traces(figure, 1, index + 1, "bar")
        game, ara = bars
        assert game.name == DEFAULT_LABELS["game_best_response"]
        assert ara.name == DEFAULT_LABELS["ara_attack_trace"]
        assert ara.orientation == "h"
        assert list(ara.y) == list(ATTACKS.values())

        assert list(game.x) == [game_result["defenses"][defense_id]["attack_probabilities"][a] for a in ATTACKS]
        assert sorted(game.x) == [0.0, 0.0, 1.0]
        ara_defense = ara_result["defenses"][defense_id]
        assert list(ara.x) == [ara_defense["attack_probabilities"][a] for a in ATTACKS]
        assert_allclose(
            ara.error_x.array, [2 * ara_defense["attack_probability_errors"][a] for a in ATTACKS], rtol=0, atol=0
        )


def test_attack_probabilities_legend_once(names, game_result, ara_result):
    figure = attack_probability_figure(game_result, ara_result, names)

    shown = [trace.name for trace in figure.data if trace.showlegend]
    assert shown == [DEFAULT_LABELS["game_best_response"], DEFAULT_LABELS["ara_attack_trace"]]


def test_attack_probabilities_wrap_after_three(game_result):
    defenses = {f"d{k}": f"Defense {k}" for k in range(5)}
    names = Names(defenses=defenses, attacks=dict(ATTACKS))
    figure = attack_probability_figure(game_result, None, names)

    assert len(figure.data) == 5
    assert figure.get_subplot(2, 2) is not None
    # Defenses missing from the result draw empty bars, never someone else's numbers.
    assert all(value is None for trace in figure.data for value in trace.x)


def test_risk_matrix_cells_equal_grid(names, matrix, risk_matrix_result):
    figure = risk_matrix_figure(risk_matrix_result, matrix, names)

    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert len(heatmaps) == len(DEFENSES)
    for heatmap in heatmaps:
        assert [list(row) for row in heatmap.z] == [[0, 0, 1], [0, 1, 2], [1, 2, 2]]
        assert heatmap.coloraxis == "coloraxis"
        assert heatmap.text[2][0] == "High"
    assert list(figure.layout.xaxis.ticktext) == ["Minor", "Major", "Catastrophic"]
    assert list(figure.layout.yaxis.ticktext) == ["Rare", "Possible", "Likely"]
    assert list(figure.layout.xaxis.tickvals) == [0, 1, 2]


def test_risk_matrix_colors_each_level_exactly(names, matrix, risk_matrix_result):
    figure = risk_matrix_figure(risk_matrix_result, matrix, names)

    axis = figure.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (-0.5, 2.5)
    assert list(axis.colorbar.ticktext) == ["Low", "High", "Extreme"]
    scale = [(float(position), color) for position, color in axis.colorscale]
    # Level k sits at (k + 0.5) / 3 on the color scale: inside the flat segment of its own color.
    for level, color in enumerate(("#2e7d32", "#ef6c00", "#c62828")):
        position = (level - axis.cmin) / (axis.cmax - axis.cmin)
        segments = zip(scale, scale[1:], strict=False)
        segment = [c for (low, c), (high, _) in segments if low <= position <= high and low < high]
        assert segment == [color]


def test_risk_matrix_threats_in_their_cells(names, matrix, risk_matrix_result):
    figure = risk_matrix_figure(risk_matrix_result, matrix, names)

    asl2 = _panel_traces(figure, 1, 1, "scatter")
    asl3 = _panel_traces(figure, 1, 2, "scatter")
    pause = _panel_traces(figure, 1, 3, "scatter")

    (markers,) = asl2
    cells = dict(zip(zip(markers.y, markers.x, strict=True), markers.hovertext, strict=True))
    assert cells == {
        (1, 2): f"<b>Rated threats: 1</b><br>{ATTACKS['insider']} (insider)",
        (2, 1): f"<b>Rated threats: 1</b><br>{ATTACKS['phishing']} (phishing)",
    }
    assert list(markers.text) == ["1", "1"]

    (markers,) = asl3
    assert (list(markers.y), list(markers.x)) == ([0], [2])
    assert list(markers.text) == ["2"]
    assert markers.hovertext[0] == (
        f"<b>Rated threats: 2</b><br>{ATTACKS['insider']} (insider)<br>{ATTACKS['phishing']} (phishing)"
    )

    assert pause == []


def test_risk_matrix_unknown_band_rejected(names, matrix, risk_matrix_result):
    risk_matrix_result["ratings"]["asl3"]["insider"]["consequence"] = "Ruinous"

    with pytest.raises(ValueError, match=r"ratings\.asl3\.insider\.consequence: 'Ruinous' is not one of"):
        risk_matrix_figure(risk_matrix_result, matrix, names)


def test_matrix_layout_from_engine_config():
    config = RiskMatrixConfig(
        likelihood=(Band("Unlikely", Fraction(1, 10)), Band("Likely", Fraction(1))),
        consequence=(Band("Minor", Fraction(10)), Band("Major", None)),
        levels=(RiskLevel("Low", "#2e7d32"), RiskLevel("High", "#c62828")),
        grid=((0, 1), (1, 1)),
    )

    layout = MatrixLayout.from_config(config)

    assert layout.likelihood == ("Unlikely", "Likely")
    assert layout.consequence == ("Minor", "Major")
    assert layout.level_colors == ("#2e7d32", "#c62828")
    assert layout.grid == ((0, 1), (1, 1))


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (((0, 1),), r"risk_matrix\.grid: has 1 rows, expected one per likelihood band \(2\)"),
        (((0, 1), (1,)), r"risk_matrix\.grid\[1\]: has 1 cells, expected one per consequence band \(2\)"),
        (((0, 1), (1, 2)), r"risk_matrix\.grid\[1\]\[1\]: level 2 is not an index into the 2 levels"),
    ],
)
def test_matrix_layout_bad_grid_rejected(grid, message):
    with pytest.raises(ValueError, match=message):
        MatrixLayout(
            likelihood=("L", "H"),
            consequence=("Minor", "Major"),
            level_labels=("Low", "High"),
            level_colors=("#00ff00", "#ff0000"),
            grid=grid,
        )


def test_convergence_band_two_se(names, ara_result):
    figure = convergence_figure(ara_result, names)

    series = ara_result["convergence"]["defenses"]
    draws = ara_result["convergence"]["draws"]
    assert len(figure.data) == 3 * len(DEFENSES)
    for index, defense_id in enumerate(DEFENSES):
        upper, lower, line = _panel_traces(figure, 1, index + 1, "scatter")
        estimate = np.array(series[defense_id]["estimate"])
        standard_error = np.array(series[defense_id]["standard_error"])

        assert line.name == DEFENSES[defense_id]
        assert list(line.x) == draws
        assert_allclose(line.y, estimate, rtol=0, atol=0)
        assert_allclose(upper.y, estimate + 2 * standard_error, rtol=1e-15)
        assert_allclose(lower.y, estimate - 2 * standard_error, rtol=1e-15)
        assert lower.fill == "tonexty"
        assert upper.fill is None
        assert [row[0] for row in line.customdata] == [defense_id] * len(draws)


def test_convergence_absent_returns_none(names, ara_result):
    del ara_result["convergence"]

    assert convergence_figure(ara_result, names) is None
    assert convergence_figure(None, names) is None


def test_convergence_length_mismatch_rejected(names, ara_result):
    ara_result["convergence"]["defenses"]["pause"]["standard_error"].pop()

    with pytest.raises(ValueError, match=r"convergence\.pause\.standard_error: has 2 values, expected one per"):
        convergence_figure(ara_result, names)


def test_long_names_wrapped_and_escaped(game_result):
    names = Names(
        defenses={"asl2": "ASL-2 security", "asl3": "ASL-4-like security (against state operations)", "pause": "<b>"},
        attacks={"none": "No attack"},
    )

    figure = attack_probability_figure(game_result, None, names)

    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["ASL-2 security", "ASL-4-like security (against state<br>operations)", "&lt;b&gt;"]
    utilities = expected_utility_figure(game_result, None, names)
    assert list(utilities.data[0].x) == [
        "ASL-2 security",
        "ASL-4-like security<br>(against state<br>operations)",
        "&lt;b&gt;",
    ]


def test_names_from_scenario_document(scenario_document):
    names = Names.from_document(scenario_document)

    assert dict(names.defenses) == DEFENSES
    assert names.attack("phishing") == ATTACKS["phishing"]
    assert names.defense("unknown") == "unknown"
