"""Writing pooled values into scenario data: exact probability rows and number formats."""

from decimal import Decimal

import pytest

from riskapp.workshops.document_update import (
    DocumentUpdateError,
    apply_pooled_values,
    decimal_number,
    decimal_probability,
    rescaled_row,
)

D = Decimal


def test_rescaled_row_by_hand():
    row = {"kept": D("0.5"), "leaked": D("0.3"), "stolen": D("0.2")}
    result = rescaled_row(row, {"stolen": D("0.4")}, path="p")
    # The rest, 0.6, is shared 5 : 3 as before.
    assert result == {"kept": D("0.375"), "leaked": D("0.225"), "stolen": D("0.4")}
    assert sum(result.values()) == 1


def test_rescaled_row_exact_halves():
    row = {"a": D("0.3"), "b": D("0.3"), "c": D("0.4")}
    result = rescaled_row(row, {"c": D("0.1")}, path="p")
    # 0.9 / 2 = 0.45 each, exactly.
    assert result == {"a": D("0.45"), "b": D("0.45"), "c": D("0.1")}


def test_rescaled_row_thirds_sum_to_one():
    row = {"a": D("0.25"), "b": D("0.25"), "c": D("0.25"), "d": D("0.25")}
    result = rescaled_row(row, {"d": D("0")}, path="p")
    assert sum(result.values()) == 1
    # 1/3 rounded to 12 places is 0.333333333333; the largest takes the remaining 1e-12.
    assert sorted(result[key] for key in "abc") == [D("0.333333333333"), D("0.333333333333"), D("0.333333333334")]


def test_rescaled_row_zero_others_share_equally():
    row = {"kept": D("1"), "leaked": D("0"), "stolen": D("0")}
    result = rescaled_row(row, {"kept": D("0.6")}, path="p")
    assert result == {"kept": D("0.6"), "leaked": D("0.2"), "stolen": D("0.2")}


def test_rescaled_row_every_cell_pooled_is_normalised():
    row = {"kept": D("0.5"), "stolen": D("0.5")}
    result = rescaled_row(row, {"kept": D("0.6"), "stolen": D("0.6")}, path="p")
    assert result == {"kept": D("0.5"), "stolen": D("0.5")}


def test_rescaled_row_rejects_pooled_sum_above_one():
    row = {"a": D("0.2"), "b": D("0.3"), "c": D("0.5")}
    with pytest.raises(DocumentUpdateError, match=r"^probabilities.x.y: the pooled probabilities sum to 1.2"):
        rescaled_row(row, {"a": D("0.7"), "b": D("0.5")}, path="probabilities.x.y")


def test_decimal_formats():
    assert decimal_number(85 / 3) == D("28.33333333")
    assert str(decimal_number(1e6)) == "1E+6"
    assert decimal_number(0.0) == 0
    assert str(decimal_probability(0.1 + 0.2)) == "0.3"
    assert str(decimal_probability(0.2875)) == "0.2875"
    assert str(decimal_probability(1 / 3)) == "0.333333333333"
    assert str(decimal_probability(1.0)) == "1"
    assert decimal_probability(1.0000000000001) == 1


def test_apply_rejects_unknown_band():
    data = {"defenses": [{"id": "d"}], "attacks": [{"id": "a"}], "outcomes": [], "probabilities": {}}
    entry = {"target": "rating", "defense_id": "d", "attack_id": "a", "outcome_id": "",
             "result": {"likelihood": "Frequent", "consequence": "Minor"}}
    with pytest.raises(DocumentUpdateError, match=r"^risk_matrix.likelihood: the band 'Frequent' is not in"):
        apply_pooled_values(data, [entry])


def test_apply_skips_unanswered_and_copies():
    data = {"defenses": [{"id": "d", "cost": D(1)}], "attacks": [], "outcomes": [], "probabilities": {}}
    entries = [{"target": "defense_cost", "defense_id": "d", "attack_id": "", "outcome_id": "", "result": None}]
    assert apply_pooled_values(data, entries) == data
    entries[0]["result"] = {"scenario_value": 2.5}
    updated = apply_pooled_values(data, entries)
    assert updated["defenses"][0]["cost"] == D("2.5")
    assert data["defenses"][0]["cost"] == D(1)


def test_apply_probability_without_trailing_zeros():
    data = {"defenses": [], "attacks": [{"id": "a", "attempt_probability": D("0.05")}], "outcomes": [],
            "probabilities": {}}
    entry = {"target": "attempt_probability", "defense_id": "", "attack_id": "a", "outcome_id": "",
             "result": {"scenario_value": 0.2875}}
    assert str(apply_pooled_values(data, [entry])["attacks"][0]["attempt_probability"]) == "0.2875"
