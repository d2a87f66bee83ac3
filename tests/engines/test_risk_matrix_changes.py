"""Ratings whose level changes between two versions of a risk matrix."""

from dataclasses import replace
from fractions import Fraction

from riskapp.engines.problem import Band, RiskLevel
from riskapp.engines.risk_matrix import DEFAULT_MATRIX, rating_changes
from riskapp.engines.risk_matrix._changes import (
    ABOVE_SCALE,
    BAND_MISSING,
    LEVEL_CHANGED,
    NEWLY_RATED,
    NO_LONGER_RATED,
)
from tests.engines.test_risk_matrix import make_problem, rated, weight_theft

# Under the default matrix weight_theft rates, by hand:
#   asl2/insider: likelihood 0.05 · 0.3 = 0.015 (Unlikely), consequence (0.1·10 + 0.2·100)/0.3 = 70 (Major),
#                 grid[1][2] = Medium;
#   asl2/theft:   likelihood 1 · 0.1 = 0.1 (Unlikely, on its upper edge), consequence 100 (Major), Medium;
#   asl3/insider: likelihood 0.05 · 0.05 = 0.0025 (Rare), consequence 10 (Moderate, on its edge), Low;
#   asl3/theft and every "none" pair cause no loss and have no rating.


def with_consequence_edge(label: str, upper: str) -> tuple[Band, ...]:
    return tuple(Band(band.label, Fraction(upper)) if band.label == label else band
                 for band in DEFAULT_MATRIX.consequence)


def test_changes_identical_matrix_empty():
    result = rating_changes(weight_theft(), weight_theft())

    assert result.changes == ()
    assert result.compared_pairs == 6
    assert result.unmatched_pairs == ()


def test_changes_lowered_band_edge():
    # Moderate now ends at 5, so asl3/insider's consequence 10 moves up to Major: cell (Rare, Major) is Medium.
    after = weight_theft(matrix=replace(DEFAULT_MATRIX, consequence=with_consequence_edge("Moderate", "5")))

    result = rating_changes(weight_theft(), after)

    assert len(result.changes) == 1
    change = result.changes[0]
    assert (change.defense, change.attack, change.kind) == ("asl3", "insider", LEVEL_CHANGED)
    assert (change.before.likelihood, change.before.consequence, change.before.level) == ("Rare", "Moderate", "Low")
    assert (change.after.likelihood, change.after.consequence, change.after.level) == ("Rare", "Major", "Medium")
    assert change.after.level_index == 1
    assert change.after.consequence_value == Fraction(10)
    assert change.after.likelihood_value == Fraction(1, 400)


def test_changes_grid_cell_in_file_order():
    grid = [list(row) for row in DEFAULT_MATRIX.grid]
    grid[1][2] = 2
    after = weight_theft(matrix=replace(DEFAULT_MATRIX, grid=tuple(tuple(row) for row in grid)))

    result = rating_changes(weight_theft(), after)

    assert [(c.defense, c.attack) for c in result.changes] == [("asl2", "insider"), ("asl2", "theft")]
    for change in result.changes:
        assert change.kind == LEVEL_CHANGED
        assert (change.before.level, change.after.level) == ("Medium", "High")
        assert (change.after.likelihood, change.after.consequence) == ("Unlikely", "Major")


def test_changes_missing_band_label_listed():
    before = weight_theft(matrix=rated(DEFAULT_MATRIX, {("asl2", "insider"): ("Possible", "Major")}))
    renamed = tuple(Band("Plausible", band.upper) if band.label == "Possible" else band
                    for band in DEFAULT_MATRIX.likelihood)
    after = weight_theft(matrix=rated(replace(DEFAULT_MATRIX, likelihood=renamed),
                                      {("asl2", "insider"): ("Possible", "Major")}))

    result = rating_changes(before, after)

    assert len(result.changes) == 1
    change = result.changes[0]
    assert (change.defense, change.attack, change.kind) == ("asl2", "insider", BAND_MISSING)
    assert change.before.level == "High"
    assert change.after.level is None
    assert change.after.level_index is None
    assert change.after.missing_labels == ("Possible",)
    assert (change.after.likelihood, change.after.consequence) == ("Possible", "Major")


def test_changes_bounded_band_above_scale():
    # The highest consequence band now ends at 50, so the consequences 70 and 100 lie above the scale.
    after_matrix = replace(
        DEFAULT_MATRIX,
        consequence=(Band("Minor", Fraction(1)), Band("Moderate", Fraction(10)), Band("Major", Fraction(50))),
        grid=((0, 0, 1), (0, 1, 1), (0, 1, 2), (1, 1, 2), (1, 2, 3)),
    )

    result = rating_changes(weight_theft(), weight_theft(matrix=after_matrix))

    assert [(c.defense, c.attack, c.kind) for c in result.changes] == [
        ("asl2", "insider", ABOVE_SCALE), ("asl2", "theft", ABOVE_SCALE)]
    for change in result.changes:
        assert change.after.above_scale
        assert not change.before.above_scale
        assert change.before.level == change.after.level == "Medium"
        assert change.after.consequence == "Major"


def test_changes_direct_rating_added_removed():
    with_direct = weight_theft(matrix=rated(DEFAULT_MATRIX, {("asl3", "theft"): ("Rare", "Severe")}))

    added = rating_changes(weight_theft(), with_direct)
    removed = rating_changes(with_direct, weight_theft())

    assert [(c.defense, c.attack, c.kind) for c in added.changes] == [("asl3", "theft", NEWLY_RATED)]
    assert added.changes[0].before is None
    assert added.changes[0].after.level == "Medium"
    assert added.changes[0].after.origin == "direct"
    assert [(c.defense, c.attack, c.kind) for c in removed.changes] == [("asl3", "theft", NO_LONGER_RATED)]
    assert removed.changes[0].after is None


def test_changes_renamed_levels_by_label():
    labels = ("Green", "Yellow", "Orange", "Red")
    renamed = tuple(RiskLevel(label, level.color) for label, level in zip(labels, DEFAULT_MATRIX.levels, strict=True))

    result = rating_changes(weight_theft(), weight_theft(matrix=replace(DEFAULT_MATRIX, levels=renamed)))

    assert [(c.before.level, c.after.level) for c in result.changes] == [
        ("Medium", "Yellow"), ("Medium", "Yellow"), ("Low", "Green")]
    assert all(c.kind == LEVEL_CHANGED for c in result.changes)


def test_changes_added_defense_unmatched():
    row = {"kept": "1", "leaked": "0", "stolen": "0"}
    after = make_problem(
        defenses={"asl2": "1", "asl3": "4", "pause": "9"},
        attacks={"none": None, "insider": "0.05", "theft": None},
        losses={"kept": "0", "leaked": "10", "stolen": "100"},
        probabilities={
            "asl2": {"none": row, "insider": {"kept": "0.7", "leaked": "0.1", "stolen": "0.2"},
                     "theft": {"kept": "0.9", "leaked": "0", "stolen": "0.1"}},
            "asl3": {"none": row, "insider": {"kept": "0.95", "leaked": "0.05", "stolen": "0"}, "theft": row},
            "pause": {"none": row, "insider": row, "theft": row},
        },
    )

    result = rating_changes(weight_theft(), after)

    assert result.changes == ()
    assert result.compared_pairs == 6
    assert result.unmatched_pairs == (("pause", "insider"), ("pause", "none"), ("pause", "theft"))


def test_changes_to_dict_values():
    after = weight_theft(matrix=replace(DEFAULT_MATRIX, consequence=with_consequence_edge("Moderate", "5")))

    data = rating_changes(weight_theft(), after).changes[0].to_dict()

    assert data["kind"] == "level_changed"
    assert data["before"]["level"] == "Low"
    assert data["after"]["level"] == "Medium"
    assert data["after"]["likelihood_value"] == 0.0025
    assert data["after"]["missing_labels"] == []
