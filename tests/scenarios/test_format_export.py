"""Export round trips and the digest of the canonical problem."""

import hashlib
import json
from pathlib import Path

import pytest

from riskapp.scenarios.format import canonical_json, dump_scenario, parse_scenario

EXAMPLE = Path(__file__).parent / "data" / "weight_theft.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def parsed(data: dict | str, syntax: str = "json"):
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return parse_scenario(text, syntax=syntax)


def non_ascii_example() -> dict:
    data = example()
    data["title"] = "Vol des poids — 模型权重被盗 ✓"
    data["description"] = "Zeilen\nmit Umlauten: äöü, and a quote \" inside"
    data["outcomes"][1]["name"] = "Gestohlen: ß"
    # Text that a YAML reader would take for a number, null or a YAML 1.1 boolean must stay text.
    data["attacks"][0]["name"] = "no"
    data["defenses"][0]["name"] = "1e-4"
    data["defenses"][1]["name"] = "null"
    data["defenses"][0]["measures"] = ["012", "on", "true"]
    return data


# --- round trips ----------------------------------------------------------------------------------

def test_json_round_trip_equal():
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")

    text = dump_scenario(document, syntax="json")
    again = parse_scenario(text, syntax="json")

    assert again.data == document.data
    assert again.digest == document.digest
    assert dump_scenario(again, syntax="json") == text


def test_json_yaml_json_round_trip_non_ascii():
    document = parsed(non_ascii_example())

    yaml_text = dump_scenario(document, syntax="yaml")
    from_yaml = parse_scenario(yaml_text.encode("utf-8"), syntax="yaml")
    json_text = dump_scenario(from_yaml, syntax="json")
    back = parse_scenario(json_text, syntax="json")

    assert "Vol des poids — 模型权重被盗 ✓" in yaml_text
    assert "Vol des poids — 模型权重被盗 ✓" in json_text
    assert from_yaml.data == document.data
    assert back.data == document.data
    assert from_yaml.digest == document.digest
    assert back.digest == document.digest
    assert back.title == "Vol des poids — 模型权重被盗 ✓"
    assert back.data["attacks"][0]["name"] == "no"
    assert back.data["defenses"][0]["name"] == "1e-4"
    assert back.data["defenses"][1]["name"] == "null"
    assert back.data["defenses"][0]["measures"] == ["012", "on", "true"]


def test_numbers_written_as_given():
    text = EXAMPLE.read_text().replace('"kept": 0.7, "stolen": 0.3', '"kept": 0.70, "stolen": 0.30').replace(
        '"cost": 4.0', '"cost": 4.000').replace('"defender_loss": 100', '"defender_loss": 1E+2')
    document = parse_scenario(text, syntax="json")

    json_text = dump_scenario(document, syntax="json")
    yaml_text = dump_scenario(document, syntax="yaml")

    assert '"kept": 0.70' in json_text
    assert '"stolen": 0.30' in json_text
    assert '"cost": 4.000' in json_text
    assert '"defender_loss": 1E+2' in json_text
    assert "{kept: 0.70, stolen: 0.30}" in yaml_text
    assert "cost: 4.000" in yaml_text
    assert str(parse_scenario(yaml_text, syntax="yaml").data["outcomes"][1]["defender_loss"]) == "1E+2"


def test_json_export_uses_format_order():
    shuffled = dict(reversed(list(example().items())))
    shuffled["defenses"] = [dict(reversed(list(d.items()))) for d in shuffled["defenses"]]

    text = dump_scenario(parsed(shuffled), syntax="json")

    keys = list(json.loads(text))
    assert keys == ["format", "title", "description", "sources", "model", "defenses", "attacks", "outcomes",
                    "probabilities", "defender", "attacker", "game", "risk_matrix"]
    assert list(json.loads(text)["defenses"][0]) == ["id", "name", "cost", "measures"]
    assert text.startswith('{\n  "format": "riskapp-scenario/1",\n  "title": ')


def test_export_ids_named_like_fields():
    text = EXAMPLE.read_text().replace('"insider"', '"cost"').replace('"stolen"', '"risk_aversion"')
    document = parse_scenario(text, syntax="json")

    for syntax in ("json", "yaml"):
        again = parse_scenario(dump_scenario(document, syntax=syntax), syntax=syntax)
        assert again.data == document.data
        assert list(again.data["probabilities"]["asl2"]["cost"]) == ["kept", "risk_aversion"]


def test_export_keeps_absent_fields_absent():
    data = example()
    for key in ("model", "defender", "game", "risk_matrix", "description", "sources"):
        del data[key]

    text = dump_scenario(parsed(data), syntax="json")

    assert set(json.loads(text)) == {"format", "title", "defenses", "attacks", "outcomes", "probabilities",
                                     "attacker"}


def test_yaml_export_has_no_aliases():
    data = example()
    data["defenses"][1]["measures"] = ["m1"]
    data["defenses"][0]["measures"] = ["m1"]
    document = parsed(data)

    text = dump_scenario(document, syntax="yaml")

    assert "&" not in text
    assert "*" not in text
    assert parse_scenario(text, syntax="yaml").data == document.data


def test_dump_unknown_syntax_rejected():
    with pytest.raises(ValueError, match="syntax 'xml' is not one of json, yaml"):
        dump_scenario(parsed(example()), syntax="xml")


# --- digest ---------------------------------------------------------------------------------------

def test_digest_hashes_canonical_json():
    document = parsed(non_ascii_example())

    canonical = canonical_json(document)

    assert document.digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert "Vol des poids" not in canonical
    assert "Gestohlen: ß" in canonical
    assert ", " not in canonical
    assert ": " not in canonical.replace("Gestohlen: ß", "")
    assert list(json.loads(canonical)) == sorted(json.loads(canonical))
    assert '"stolen":0.05' in canonical


def test_digest_ignores_descriptive_fields():
    base = parsed(example())
    data = example()
    data["title"] = "Another title"
    data["description"] = "Another description"
    data["sources"] = []

    assert parsed(data).digest == base.digest


def test_digest_ignores_key_order():
    data = example()
    shuffled = dict(reversed(list(data.items())))
    shuffled["probabilities"] = {d: dict(reversed(list(rows.items())))
                                 for d, rows in reversed(list(data["probabilities"].items()))}

    assert parsed(shuffled).digest == parsed(example()).digest


def test_digest_equal_with_defaults_written():
    sparse = example()
    for key in ("model", "defender", "game", "risk_matrix"):
        del sparse[key]
    del sparse["attacks"][0]["cost"]
    explicit = example()
    explicit["risk_matrix"]["ratings"] = {}
    explicit["attacks"][0]["attempt_probability"] = None
    explicit["defenses"][1]["measures"] = []
    explicit["defender"]["risk_aversion"] = 0
    sparse["defenses"][0]["measures"] = []

    assert parsed(sparse).digest == parsed(explicit).digest
    assert canonical_json(parsed(sparse)) == canonical_json(parsed(explicit))


def test_digest_changes_with_one_number():
    data = example()
    data["outcomes"][1]["defender_loss"] = 101

    assert parsed(data).digest != parsed(example()).digest


def test_digest_keeps_decimal_text():
    text = EXAMPLE.read_text()
    trailing_zero = text.replace('"kept": 0.7, "stolen": 0.3', '"kept": 0.7, "stolen": 0.30')

    assert parse_scenario(trailing_zero, syntax="json").data == parse_scenario(text, syntax="json").data
    assert parse_scenario(trailing_zero, syntax="json").digest != parse_scenario(text, syntax="json").digest


def test_digest_covers_tie_rule_and_matrix():
    base = parsed(example()).digest
    tie = example()
    tie["game"]["tie_break"] = "for_defender"
    matrix = example()
    matrix["risk_matrix"]["levels"][0]["color"] = "#2e7d33"

    assert parsed(tie).digest != base
    assert parsed(matrix).digest != base


def test_digest_same_for_yaml_and_json():
    document = parsed(example())
    yaml_text = dump_scenario(document, syntax="yaml")

    assert parse_scenario(yaml_text, syntax="yaml").digest == document.digest
