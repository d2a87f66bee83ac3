"""Selectors that shape an assessment for the comparison page."""

import pytest

from riskapp.reports.figures import DEFAULT_LABELS
from riskapp.reports.selectors import figure_labels, matrix_layout
from riskapp.scenarios.format import DEFAULT_RISK_MATRIX


def test_figure_labels_cover_every_key():
    labels = figure_labels()

    assert set(labels) == set(DEFAULT_LABELS)
    # With English active, the translated labels are the figures' own defaults.
    assert labels == DEFAULT_LABELS


def test_matrix_layout_default_without_section():
    layout = matrix_layout({"defenses": [], "attacks": []})

    assert layout.likelihood == ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
    assert layout.consequence[-1] == "Catastrophic"
    assert layout.grid == tuple(tuple(row) for row in DEFAULT_RISK_MATRIX["grid"])
    assert layout.level_colors == ("#2e7d32", "#f9a825", "#ef6c00", "#c62828")


def test_matrix_layout_merges_given_keys():
    levels = [
        {"label": "Acceptable", "color": "#00aa00"},
        {"label": "Tolerable", "color": "#aaaa00"},
        {"label": "Intolerable", "color": "#aa0000"},
        {"label": "Unacceptable", "color": "#550000"},
    ]

    layout = matrix_layout({"risk_matrix": {"levels": levels}})

    assert layout.level_labels == ("Acceptable", "Tolerable", "Intolerable", "Unacceptable")
    assert layout.likelihood[0] == "Rare"
    assert layout.grid[4] == (1, 2, 3, 3, 3)


def test_matrix_layout_size_mismatch_rejected():
    with pytest.raises(ValueError, match=r"risk_matrix\.grid: has 5 rows, expected one per likelihood band \(2\)"):
        matrix_layout({"risk_matrix": {"likelihood": [{"label": "Low", "upper": 0.5}, {"label": "High", "upper": 1}]}})


def test_notice_names_replace_ids():
    from riskapp.reports.figures import Names
    from riskapp.reports.selectors import readable_notice

    names = Names(defenses={"asl3": "ASL-3 security"}, attacks={"insider": "Recruit an insider"},
                  outcomes={"stolen": "Weights stolen"})
    detail = {"template": "Recommended defense {defense} ({value:.2f}); attacker plays {attack}; ties {tied}.",
              "params": {"defense": "asl3", "value": -5.125, "attack": "insider", "tied": ["asl3", "other"]}}
    text = readable_notice(detail, "fallback", names)
    assert text == "Recommended defense ASL-3 security (-5.12); attacker plays Recruit an insider; " \
                   "ties ASL-3 security, other."


def test_notice_without_template_falls_back():
    from riskapp.reports.figures import Names
    from riskapp.reports.selectors import readable_notice

    names = Names(defenses={}, attacks={})
    assert readable_notice(None, "plain text", names) == "plain text"
    assert readable_notice({"template": "{missing}", "params": {}}, "plain text", names) == "plain text"


def test_layout_partial_matrix_takes_default_grid():
    # A scenario that gives only ratings takes the default grid, which the parser keeps as exact
    # decimals; the layout must index level labels with plain ints.
    layout = matrix_layout({"risk_matrix": {"ratings": {}}})
    assert all(isinstance(level, int) for row in layout.grid for level in row)
    assert layout.grid == tuple(tuple(int(v) for v in row) for row in DEFAULT_RISK_MATRIX["grid"])
