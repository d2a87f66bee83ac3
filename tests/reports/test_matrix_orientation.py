"""The risk-matrix heatmap in every orientation: cells and threat markers move together."""

import itertools

import pytest

from riskapp.reports.figures import MatrixLayout, MatrixOrientation, Names, risk_matrix_figure

# A 2 × 3 matrix, so that a transposed layout has another shape than the original.
LAYOUT = MatrixLayout(
    likelihood=("Rare", "Likely"),
    consequence=("Minor", "Major", "Catastrophic"),
    level_labels=("Low", "Medium", "High"),
    level_colors=("#2e7d32", "#f9a825", "#c62828"),
    grid=((0, 0, 1), (0, 1, 2)),
)
NAMES = Names(defenses={"asl3": "ASL-3 security"},
              attacks={"theft": "Weight theft", "insider": "Recruit an insider", "phishing": "Phishing of staff"})
RESULT = {"ratings": {"asl3": {
    "theft": {"likelihood": "Rare", "consequence": "Catastrophic", "level": "Medium"},
    "insider": {"likelihood": "Likely", "consequence": "Minor", "level": "Low"},
    "phishing": {"likelihood": "Likely", "consequence": "Minor", "level": "Low"},
}}}

ORIENTATIONS = [MatrixOrientation(axis, reverse_likelihood, reverse_consequence)
                for axis, reverse_likelihood, reverse_consequence
                in itertools.product(("rows", "columns"), (False, True), (False, True))]

# Hand-placed (x, y) of the theft's cell (Rare, Catastrophic) and of the shared cell (Likely, Minor).
EXPECTED_POSITIONS = {
    ("rows", False, False): ((2, 0), (0, 1)),
    ("rows", True, False): ((2, 1), (0, 0)),
    ("rows", False, True): ((0, 0), (2, 1)),
    ("rows", True, True): ((0, 1), (2, 0)),
    ("columns", False, False): ((0, 2), (1, 0)),
    ("columns", True, False): ((1, 2), (0, 0)),
    ("columns", False, True): ((0, 0), (1, 2)),
    ("columns", True, True): ((1, 0), (0, 2)),
}


def traces(orientation):
    figure = risk_matrix_figure(RESULT, LAYOUT, NAMES, orientation=orientation)
    heatmap, markers = figure.data
    return figure, heatmap, markers


def key(orientation):
    return orientation.likelihood_on, orientation.reverse_likelihood, orientation.reverse_consequence


@pytest.mark.parametrize("orientation", ORIENTATIONS, ids=lambda o: "-".join(map(str, key(o))))
def test_orientation_markers_keep_cells(orientation):
    _, heatmap, markers = traces(orientation)

    positions = list(zip(markers.x, markers.y, strict=True))
    assert positions == list(EXPECTED_POSITIONS[key(orientation)])
    for (x, y), data in zip(positions, markers.customdata, strict=True):
        likelihood, consequence = data[0], data[1]
        i, j = LAYOUT.likelihood.index(likelihood), LAYOUT.consequence.index(consequence)
        assert heatmap.z[y][x] == LAYOUT.grid[i][j]
        assert list(heatmap.customdata[y][x]) == [likelihood, consequence]
    assert list(markers.customdata[0]) == ["Rare", "Catastrophic", "theft"]
    assert list(markers.customdata[1]) == ["Likely", "Minor", "insider", "phishing"]
    assert list(markers.text) == ["1", "2"]


@pytest.mark.parametrize("orientation", ORIENTATIONS, ids=lambda o: "-".join(map(str, key(o))))
def test_orientation_heatmap_matches_grid(orientation):
    _, heatmap, _ = traces(orientation)

    expected_shape = (2, 3) if orientation.likelihood_on == "rows" else (3, 2)
    assert (len(heatmap.z), len(heatmap.z[0])) == expected_shape
    for y, row in enumerate(heatmap.z):
        for x, level in enumerate(row):
            likelihood, consequence = heatmap.customdata[y][x]
            i, j = LAYOUT.likelihood.index(likelihood), LAYOUT.consequence.index(consequence)
            assert level == LAYOUT.grid[i][j]
            assert heatmap.text[y][x] == LAYOUT.level_labels[level]
            assert orientation.position((i, j), (2, 3)) == (x, y)


@pytest.mark.parametrize("orientation", ORIENTATIONS, ids=lambda o: "-".join(map(str, key(o))))
def test_orientation_ticks_name_bands(orientation):
    figure, heatmap, _ = traces(orientation)

    x_ticks, y_ticks = figure.layout.xaxis.ticktext, figure.layout.yaxis.ticktext
    for y, row in enumerate(heatmap.customdata):
        for x, (likelihood, consequence) in enumerate(row):
            if orientation.likelihood_on == "rows":
                assert (x_ticks[x], y_ticks[y]) == (consequence, likelihood)
            else:
                assert (x_ticks[x], y_ticks[y]) == (likelihood, consequence)


def test_orientation_axis_titles_swap():
    default, _, _ = traces(MatrixOrientation())
    transposed, _, _ = traces(MatrixOrientation("columns"))

    assert default.layout.xaxis.title.text == "Consequence"
    assert default.layout.yaxis.title.text == "Likelihood"
    assert transposed.layout.xaxis.title.text == "Likelihood"
    assert transposed.layout.yaxis.title.text == "Consequence"


def test_orientation_unknown_axis_rejected():
    with pytest.raises(ValueError, match=r"orientation\.likelihood_on: 'diagonal' is not one of"):
        MatrixOrientation("diagonal")
