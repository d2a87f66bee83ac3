"""The differences between two scenario documents, without a database."""

import copy
import json
from decimal import Decimal
from pathlib import Path

from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.format._writing import to_json
from riskapp.scenarios.revision_diff import (
    ABSENT,
    EntityChange,
    OrderChange,
    ValueChange,
    diff_scenarios,
    format_value,
    same_value,
)

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())


def parse(data):
    """Parse test data; ``Decimal`` values are written with their digits as given."""
    return parse_scenario(to_json(data, indent=None, sort_keys=False), syntax="json")


def edited(change):
    """Return a copy of the example after ``change(data)`` edits it in place."""
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return data


def diff(change):
    """The diff from the example to the example edited by ``change``."""
    return diff_scenarios(parse(EXAMPLE), parse(edited(change)))


def by_path(changes):
    return {change.dotted_path: (change.old, change.new) for change in changes}


def test_identical_documents_empty_diff():
    result = diff_scenarios(parse(EXAMPLE), parse(EXAMPLE))
    assert result.is_empty
    assert result.same_problem


def test_numbers_equal_value_not_changed():
    # 1.0 and 1.00 are one exact value, so the defense cost has not changed.
    result = diff(lambda data: data["defenses"][0].update(cost=Decimal("1.00")))
    assert result.is_empty


def test_defense_cost_exact_decimals():
    result = diff(lambda data: data["defenses"][1].update(cost=Decimal("4.10")))
    assert result.numbers == (ValueChange(("defenses", "asl3", "cost"), Decimal("4.0"), Decimal("4.10")),)
    assert format_value(result.numbers[0].old) == "4.0"
    assert format_value(result.numbers[0].new) == "4.10"
    assert result.entities == (EntityChange("defense", "asl3", "changed", "ASL-3 security", ("cost",)),)
    assert not result.same_problem


def test_default_cost_same_as_written_zero():
    # The example writes "cost": 0 for "No attack", and leaving it out means the same default.
    result = diff(lambda data: data["attacks"][0].pop("cost"))
    assert result.is_empty
    assert result.same_problem


def test_distribution_parameters_changed():
    def change(data):
        data["outcomes"][1]["attacker_gain"] = {"uniform": [20, 90]}
        data["attacks"][1]["cost"] = 3
        data["outcomes"][1]["defender_loss"] = 120

    found = by_path(diff(change).numbers)

    assert found["outcomes.stolen.attacker_gain"] == ({"uniform": [Decimal(20), Decimal(80)]},
                                                      {"uniform": [Decimal(20), Decimal(90)]})
    assert found["attacks.insider.cost"] == ({"triangular": [Decimal(1), Decimal(2), Decimal(5)]}, Decimal(3))
    assert found["outcomes.stolen.defender_loss"] == (Decimal(100), Decimal(120))
    assert len(found) == 3
    assert format_value(found["outcomes.stolen.attacker_gain"][1]) == '{"uniform":[20,90]}'


def test_attempt_probability_removed_is_null():
    result = diff(lambda data: data["attacks"][1].pop("attempt_probability"))
    assert by_path(result.numbers) == {"attacks.insider.attempt_probability": (Decimal("0.05"), None)}


def test_probability_cells_by_path():
    def change(data):
        data["probabilities"]["asl2"]["insider"] = {"kept": 0.6, "stolen": 0.4}

    result = diff(change)

    assert by_path(result.probabilities) == {
        "probabilities.asl2.insider.kept": (Decimal("0.7"), Decimal("0.6")),
        "probabilities.asl2.insider.stolen": (Decimal("0.3"), Decimal("0.4")),
    }
    assert result.entities == ()


def test_added_defense_lists_values():
    def change(data):
        data["defenses"].append({"id": "asl4", "name": "ASL-4 security", "cost": 9})
        data["probabilities"]["asl4"] = {"none": {"kept": 1, "stolen": 0}, "insider": {"kept": 0.99, "stolen": 0.01}}

    result = diff(change)

    assert result.entities == (EntityChange("defense", "asl4", "added", "ASL-4 security"),)
    assert by_path(result.numbers) == {"defenses.asl4.cost": (ABSENT, Decimal(9))}
    assert by_path(result.text) == {"defenses.asl4.measures": (ABSENT, [])}
    assert by_path(result.probabilities) == {
        "probabilities.asl4.none.kept": (ABSENT, Decimal(1)),
        "probabilities.asl4.none.stolen": (ABSENT, Decimal(0)),
        "probabilities.asl4.insider.kept": (ABSENT, Decimal("0.99")),
        "probabilities.asl4.insider.stolen": (ABSENT, Decimal("0.01")),
    }


def test_removed_attack_and_rating():
    def change(data):
        data["attacks"].pop(1)
        for rows in data["probabilities"].values():
            rows.pop("insider")
        data["risk_matrix"].pop("ratings")

    result = diff(change)

    assert result.entities == (EntityChange("attack", "insider", "removed", "Recruit an insider"),)
    numbers = by_path(result.numbers)
    assert numbers["attacks.insider.attempt_probability"] == (Decimal("0.05"), ABSENT)
    assert numbers["attacks.insider.cost"][1] is ABSENT
    assert len(result.probabilities) == 4
    assert all(change.new is ABSENT for change in result.probabilities)
    assert by_path(result.settings) == {
        "risk_matrix.ratings.asl2.insider": ({"likelihood": "Possible", "consequence": "Major"}, ABSENT),
    }


def test_reordered_defenses_order_change():
    def change(data):
        data["defenses"].reverse()

    result = diff(change)

    assert result.order == (OrderChange("defense", ("asl2", "asl3"), ("asl3", "asl2")),)
    assert result.entities == ()
    assert result.numbers == ()


def test_settings_model_tie_attitudes_kappa():
    def change(data):
        data["game"]["tie_break"] = "for_defender"
        data["defender"]["risk_aversion"] = Decimal("0.010")
        data["attacker"]["risk_aversion"] = {"uniform": [-0.02, 0.03]}
        data["attacker"]["belief_concentration"] = None
        data["model"] = "simultaneous"

    found = by_path(diff(change).settings)

    assert found["model"] == ("sequential", "simultaneous")
    assert found["game.tie_break"] == ("against_defender", "for_defender")
    assert found["defender.risk_aversion"] == (Decimal("0.0"), Decimal("0.010"))
    assert found["attacker.risk_aversion"][1] == {"uniform": [Decimal("-0.02"), Decimal("0.03")]}
    assert found["attacker.belief_concentration"] == (Decimal(50), None)
    # The simultaneous model gives each defense a default Dirichlet weight of 1.
    assert found["attacker.defense_beliefs.asl2"] == (ABSENT, Decimal(1))
    assert found["attacker.defense_beliefs.asl3"] == (ABSENT, Decimal(1))
    assert len(found) == 7


def test_matrix_keys_and_ratings():
    def change(data):
        matrix = data["risk_matrix"]
        matrix["likelihood"][0]["upper"] = 0.02
        matrix["grid"][4][0] = 2
        matrix["criterion"] = {"power": 2}
        matrix["levels"][3]["color"] = "#b71c1c"
        matrix["ratings"]["asl2"]["insider"]["likelihood"] = "Likely"
        matrix["ratings"]["asl3"] = {"insider": {"likelihood": "Rare", "consequence": "Major"}}

    found = by_path(diff(change).settings)

    assert found["risk_matrix.likelihood"][0][0] == {"label": "Rare", "upper": Decimal("0.01")}
    assert found["risk_matrix.likelihood"][1][0] == {"label": "Rare", "upper": Decimal("0.02")}
    assert found["risk_matrix.grid"][0][4] == [Decimal(1), Decimal(2), Decimal(3), Decimal(3), Decimal(3)]
    assert found["risk_matrix.grid"][1][4] == [Decimal(2), Decimal(2), Decimal(3), Decimal(3), Decimal(3)]
    assert found["risk_matrix.criterion"] == ("expected_loss", {"power": Decimal(2)})
    assert found["risk_matrix.levels"][1][3] == {"label": "Extreme", "color": "#b71c1c"}
    assert found["risk_matrix.ratings.asl2.insider"] == ({"likelihood": "Possible", "consequence": "Major"},
                                                         {"likelihood": "Likely", "consequence": "Major"})
    assert found["risk_matrix.ratings.asl3.insider"] == (ABSENT, {"likelihood": "Rare", "consequence": "Major"})
    assert "risk_matrix.consequence" not in found
    assert len(found) == 6


def test_default_matrix_same_as_written():
    # The example writes out the default matrix apart from its ratings.
    def change(data):
        data["risk_matrix"] = {"ratings": data["risk_matrix"]["ratings"]}

    assert diff(change).is_empty


def test_text_fields_and_names():
    def change(data):
        data["title"] = "Weight theft, revised"
        data["description"] = ""
        data["sources"].append("https://example.org/report")
        data["outcomes"][1]["name"] = "Weights exfiltrated"
        data["defenses"][0]["measures"] = ["rsp-asl3-security"]

    result = diff(change)
    found = by_path(result.text)

    assert found["title"] == ("Weight theft by a state-backed actor", "Weight theft, revised")
    assert found["description"][1] == ""
    assert found["sources"][1] == ["https://www.anthropic.com/news/activating-asl3-protections",
                                   "https://example.org/report"]
    assert found["outcomes.stolen.name"] == ("Weights stolen", "Weights exfiltrated")
    assert found["defenses.asl2.measures"] == ([], ["rsp-asl3-security"])
    assert len(found) == 5
    # Descriptive text is not part of the problem, but the measures are.
    assert not result.same_problem
    assert EntityChange("outcome", "stolen", "changed", "Weights exfiltrated", ("name",)) in result.entities


def test_same_value_strict_types():
    assert same_value(Decimal("0.30"), Decimal("0.3"))
    assert not same_value(Decimal(0), False)
    assert not same_value(None, Decimal(0))
    assert not same_value(ABSENT, None)
    assert not same_value({"uniform": [Decimal(1), Decimal(2)]}, {"uniform": [Decimal(1)]})
    assert same_value({"a": [Decimal("1.0")]}, {"a": [Decimal("1")]})
