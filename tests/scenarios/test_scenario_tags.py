from decimal import Decimal

from riskapp.scenarios.templatetags.scenario_tags import attacker_number


def test_attacker_number_plain_as_written():
    assert attacker_number(Decimal("0.10")) == "0.10"


def test_attacker_number_lists_parameters():
    assert attacker_number({"truncated_normal": [Decimal("5"), Decimal("2"), Decimal("0"), None]}) == (
        "truncated normal(5, 2, 0, —)")
    assert attacker_number({"beta": [2, 3], "low": 10, "high": 20}) == "beta(2, 3) on [10, 20]"


def test_attacker_number_piecewise_cdf_summary():
    points = [[Decimal("1"), Decimal("0")], [Decimal("2.5"), Decimal("0.5")], [Decimal("7"), Decimal("1")]]
    assert attacker_number({"piecewise_cdf": points}) == "piecewise cdf on [1, 7] (3 points)"


def test_attacker_number_absent_shows_default():
    assert attacker_number(None) == "—"
    assert attacker_number("", "0") == "0"
