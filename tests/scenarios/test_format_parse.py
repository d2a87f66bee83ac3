"""Parsing and validation of scenario files: every rule names the field path, value and rule."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from riskapp.scenarios.format import (
    FieldError,
    Limits,
    ScenarioFormatError,
    _reading,
    _writing,
    parse_scenario,
    syntax_for_filename,
)

EXAMPLE = Path(__file__).parent / "data" / "weight_theft.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def messages(content: str | bytes, *, syntax: str = "json", limits: Limits | None = None) -> list[str]:
    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario(content, syntax=syntax, limits=limits)
    return [str(error) for error in caught.value.errors]


def messages_of(data: dict, **options) -> list[str]:
    return messages(json.dumps(data, ensure_ascii=False), **options)


def changed(edit) -> dict:
    data = example()
    edit(data)
    return data


# --- the valid example ---------------------------------------------------------------------------

def test_example_parses_with_exact_decimals():
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")

    assert document.title == "Weight theft by a state-backed actor"
    assert document.description.startswith("A state-backed actor")
    assert document.sources == ["https://www.anthropic.com/news/activating-asl3-protections"]
    assert document.data["defenses"][0]["cost"] == Decimal("1.0")
    assert str(document.data["defenses"][0]["cost"]) == "1.0"
    assert str(document.data["probabilities"]["asl3"]["insider"]["stolen"]) == "0.05"
    assert document.data["attacks"][1]["cost"] == {"triangular": [Decimal(1), Decimal(2), Decimal(5)]}
    assert len(document.digest) == 64
    int(document.digest, 16)


def test_field_error_message_names_path_value_rule():
    error = FieldError("outcomes[1].defender_loss", Decimal("-5"), "is negative; losses must be >= 0")

    assert str(error) == "outcomes[1].defender_loss: -5 is negative; losses must be >= 0"


def test_format_error_lists_every_error():
    data = changed(lambda d: (d["outcomes"][1].update(defender_loss=-5), d["defenses"][1].update(cost=True)))

    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario(json.dumps(data), syntax="json")

    text = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert len(caught.value.errors) == 2
    assert "defenses[1].cost: true is a boolean; write a number" in text
    assert "outcomes[1].defender_loss: -5 is negative; losses must be >= 0" in text


# --- one invalid case per rule --------------------------------------------------------------------

def _set(path: list, value):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(path: list):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


INVALID_CASES = [
    # (edit, expected message)
    (_set(["colour"], "red"),
     'colour: "red" is not a field of a scenario; the fields are format, title, description, sources, model, '
     "defenses, attacks, outcomes, probabilities, defender, attacker, game, risk_matrix"),
    (_set(["defenses", 0, "price"], 3),
     "defenses[0].price: 3 is not a field of a defense; the fields are id, name, cost, measures"),
    (_set(["format"], "riskapp-scenario/2"),
     'format: "riskapp-scenario/2" is not a supported format; write "riskapp-scenario/1"'),
    (_delete(["title"]), "title is missing; a scenario requires it"),
    (_delete(["outcomes", 0, "defender_loss"]), "outcomes[0].defender_loss is missing; an outcome requires it"),
    (_delete(["attacks", 1, "id"]), "attacks[1].id is missing; an attack requires it"),
    (_set(["title"], 5), "title: 5 must be text in quotes"),
    (_set(["title"], "  "), 'title: "  " is empty; write some text'),
    (_set(["defenses"], "asl2"), 'defenses: "asl2" must be a list of defenses'),
    (_set(["defenses"], []), "defenses: 0 is fewer defenses than the 1 required"),
    (_set(["attacks"], []), "attacks: 0 is fewer attacks than the 1 required"),
    (_set(["defenses", 0, "cost"], True), "defenses[0].cost: true is a boolean; write a number"),
    (_set(["defenses", 0, "cost"], "1.0"), 'defenses[0].cost: "1.0" is text; write the number without quotes'),
    (_set(["defenses", 1, "cost"], -4), "defenses[1].cost: -4 is negative; defense costs must be >= 0"),
    (_set(["outcomes", 1, "defender_loss"], -5), "outcomes[1].defender_loss: -5 is negative; losses must be >= 0"),
    (_set(["defenses", 1, "id"], "asl2"),
     'defenses[1].id: "asl2" is already the id of defenses[0]; ids must be unique'),
    (_set(["defenses", 1, "id"], ""), 'defenses[1].id: "" is empty; write some text'),
    (_set(["attacks", 1, "attempt_probability"], 1.5),
     "attacks[1].attempt_probability: 1.5 is not a probability; it must lie in [0, 1]"),
    (_set(["model"], "parallel"), 'model: "parallel" is not one of sequential, simultaneous'),
    (_set(["game", "tie_break"], "random"), 'game.tie_break: "random" is not one of against_defender, for_defender'),
    (_set(["defender", "risk_aversion"], 10),
     "defender.risk_aversion: 10 times the largest payoff magnitude is 1040, above 700; exp() would overflow, "
     "so rescale the payoff units or lower the risk aversion"),
    (_set(["defenses", 0, "measures"], ["m1", "m1"]),
     'defenses[0].measures[1]: "m1" is listed twice; list each measure once'),
    (_set(["sources"], "https://example.org"), 'sources: "https://example.org" must be a list of texts such as web '
                                               "addresses"),
]


@pytest.mark.parametrize(("edit", "expected"), INVALID_CASES, ids=[case[1].split(":")[0].split(" ")[0]
                                                                   for case in INVALID_CASES])
def test_invalid_field_names_path_and_rule(edit, expected):
    assert messages_of(changed(edit)) == [expected]


def test_outcomes_need_two_entries():
    data = changed(lambda d: d.update(outcomes=d["outcomes"][:1]))

    found = messages_of(data)

    assert "outcomes: 1 is fewer outcomes than the 2 required" in found


# --- probabilities --------------------------------------------------------------------------------

def test_probabilities_unknown_ids_reported():
    def edit(data):
        data["probabilities"]["asl9"] = data["probabilities"]["asl2"]
        data["probabilities"]["asl2"]["ghost"] = {"kept": 1, "stolen": 0}
        data["probabilities"]["asl3"]["insider"]["melted"] = 0

    found = messages_of(changed(edit))

    assert found == [
        'probabilities.asl9: "asl9" is not a defense id; the defense ids are asl2, asl3',
        'probabilities.asl2.ghost: "ghost" is not an attack id; the attack ids are none, insider',
        'probabilities.asl3.insider.melted: "melted" is not an outcome id; the outcome ids are kept, stolen',
    ]


def test_probabilities_missing_rows_reported():
    def edit(data):
        del data["probabilities"]["asl3"]
        del data["probabilities"]["asl2"]["insider"]["stolen"]

    found = messages_of(changed(edit))

    assert found == [
        "probabilities.asl3 is missing; every defense needs an entry here",
        "probabilities.asl2.insider.stolen is missing; every outcome needs an entry here",
    ]


def test_probability_row_sum_tolerance():
    within = changed(_set(["probabilities", "asl2", "insider", "stolen"], 0.3000000009))
    beyond = changed(_set(["probabilities", "asl2", "insider", "stolen"], 0.3000000011))

    parse_scenario(json.dumps(within), syntax="json")
    assert messages_of(beyond) == [
        "probabilities.asl2.insider: 1.0000000011 is the sum of this row; p(s | d, a) must sum to 1 within 1e-09"]


def test_probability_outside_unit_interval():
    def edit(data):
        data["probabilities"]["asl2"]["insider"] = {"kept": 1.1, "stolen": -0.1}

    found = messages_of(changed(edit))

    assert found == [
        "probabilities.asl2.insider.kept: 1.1 is not a probability; it must lie in [0, 1]",
        "probabilities.asl2.insider.stolen: -0.1 is not a probability; it must lie in [0, 1]",
    ]


def test_non_finite_numbers_rejected():
    text = EXAMPLE.read_text().replace('"defender_loss": 100', '"defender_loss": NaN').replace(
        '"cost": 4.0', '"cost": Infinity')

    found = messages(text)

    assert found == [
        "defenses[1].cost: Infinity is not a finite number; NaN and infinities are not allowed",
        "outcomes[1].defender_loss: NaN is not a finite number; NaN and infinities are not allowed",
    ]


def test_number_beyond_double_precision_rejected():
    text = EXAMPLE.read_text().replace('"defender_loss": 100', '"defender_loss": 1e400')

    assert messages(text) == ["outcomes[1].defender_loss: 1E+400 is too large; numbers must fit in double "
                              "precision (magnitude below 1.8e308)"]


# --- attacker numbers -----------------------------------------------------------------------------

DISTRIBUTION_CASES = [
    ({"uniform": [80, 20]}, "outcomes[1].attacker_gain.uniform: [80, 20] is an inverted interval; "
                            "write [low, high] with low <= high"),
    ({"triangular": [1, 6, 5]}, "outcomes[1].attacker_gain.triangular: [1, 6, 5] must satisfy low <= mode <= "
                                "high; write [low, mode, high]"),
    ({"pert": [3, 2, 5]}, "outcomes[1].attacker_gain.pert: [3, 2, 5] must satisfy low <= mode <= high; "
                          "write [low, mode, high]"),
    ({"normal": [50, -1]}, "outcomes[1].attacker_gain.normal: [50, -1] has a negative standard deviation; "
                           "sd must be >= 0"),
    ({"truncated_normal": [50, 10, 90, 10]}, "outcomes[1].attacker_gain.truncated_normal: [50, 10, 90, 10] is "
                                             "an inverted interval; the lower bound must be <= the upper bound"),
    ({"lognormal": [3, 0]}, "outcomes[1].attacker_gain.lognormal: [3, 0] must have sigma > 0"),
    ({"lognormal": [709, 2]}, "outcomes[1].attacker_gain.lognormal: [709, 2] is rejected: lognormal [709.0, 2.0]: "
                              "the mean exp(mu + sigma^2 / 2) is not finite in double precision"),
    ({"beta": [0, 2]}, "outcomes[1].attacker_gain.beta: [0, 2] must have shape parameters a > 0 and b > 0"),
    ({"beta": [2, 2], "low": 5, "high": 5}, "outcomes[1].attacker_gain.beta: [2, 2] has low = 5 and high = 5; "
                                            "beta needs low < high"),
    ({"beta": [2, 2], "mode": 5}, "outcomes[1].attacker_gain.mode: 5 is not a field of a beta distribution; "
                                  "the fields are beta, low, high"),
    ({"gamma": [2, 2]}, 'outcomes[1].attacker_gain: {"gamma": [2, 2]} must name exactly one distribution: '
                        "uniform, triangular, pert, normal, truncated_normal, lognormal, beta, piecewise_cdf"),
    ({"uniform": [1, 2], "normal": [0, 1]}, 'outcomes[1].attacker_gain: {"uniform": [1, 2], "normal": [0, 1]} '
                                            "must name exactly one distribution: uniform, triangular, pert, "
                                            "normal, truncated_normal, lognormal, beta, piecewise_cdf"),
    ({"uniform": [1, 2, 3]}, "outcomes[1].attacker_gain.uniform: [1, 2, 3] must be a list of 2 numbers: "
                             "[low, high]"),
    ({"triangular": [1, 2, True]}, "outcomes[1].attacker_gain.triangular[2]: true is a boolean; write a number "
                                   "(the high)"),
    ({"normal": [None, 1]}, "outcomes[1].attacker_gain.normal[0]: null is null; write a number (the mean)"),
    (True, "outcomes[1].attacker_gain: true is a boolean; write a number or a distribution such as "
           '{"uniform": [low, high]}'),
]


@pytest.mark.parametrize(("gain", "expected"), DISTRIBUTION_CASES,
                         ids=[f"{case[1].split(':')[0]}-{i}" for i, case in enumerate(DISTRIBUTION_CASES)])
def test_invalid_distribution_names_rule(gain, expected):
    assert messages_of(changed(_set(["outcomes", 1, "attacker_gain"], gain))) == [expected]


def test_attack_cost_parameter_path_indexed():
    data = changed(_set(["attacks", 1, "cost"], {"triangular": [1, 2, "5"]}))

    assert messages_of(data) == ['attacks[1].cost.triangular[2]: "5" is text; write the number without quotes '
                                 "(the high)"]


def test_every_bad_parameter_reported():
    data = changed(_set(["attacks", 1, "cost"], {"triangular": [True, "NaN", 5]}))

    assert messages_of(data) == ["attacks[1].cost.triangular[0]: true is a boolean; write a number (the low)",
                                 'attacks[1].cost.triangular[1]: "NaN" is text; write a number (the mode)']


def test_truncated_normal_open_bounds_accepted():
    data = changed(_set(["outcomes", 1, "attacker_gain"], {"truncated_normal": [50, 20, None, 60]}))

    document = parse_scenario(json.dumps(data), syntax="json")

    assert document.data["outcomes"][1]["attacker_gain"] == {"truncated_normal": [50, 20, None, 60]}


def test_attacker_section_rules():
    def edit(data):
        data["attacker"] = {"risk_aversion": {"normal": [0, -1]}, "belief_concentration": 0,
                            "defense_beliefs": {"asl2": 1, "asl3": 1}}

    found = messages_of(changed(edit))

    assert found == [
        "attacker.risk_aversion.normal: [0, -1] has a negative standard deviation; sd must be >= 0",
        "attacker.belief_concentration: 0 is 0; the concentration κ must be > 0, or null for no belief uncertainty",
        'attacker.defense_beliefs: {"asl2": 1, "asl3": 1} applies only to the simultaneous model; set model to '
        "simultaneous or remove it",
    ]


def test_simultaneous_defense_beliefs_checked():
    def edit(data):
        data["model"] = "simultaneous"
        data["attacker"]["defense_beliefs"] = {"asl2": 0, "asl4": 2}

    found = messages_of(changed(edit))

    assert found == [
        'attacker.defense_beliefs.asl4: "asl4" is not a defense id; the defense ids are asl2, asl3',
        "attacker.defense_beliefs.asl3 is missing; every defense needs an entry here",
        "attacker.defense_beliefs.asl2: 0 is not positive; each Dirichlet weight must be > 0",
    ]


def test_negative_belief_concentration_rejected():
    data = changed(_set(["attacker", "belief_concentration"], -3))

    assert messages_of(data) == ["attacker.belief_concentration: -3 is negative; the concentration κ must be > 0, "
                                 "or null for no belief uncertainty"]


def test_boolean_belief_concentration_rejected_once():
    data = changed(_set(["attacker", "belief_concentration"], False))

    assert messages_of(data) == ["attacker.belief_concentration: false is a boolean; write a number"]


def test_invalid_measures_reported_once_each():
    data = changed(_set(["defenses", 0, "measures"], [1, 2, "m1"]))

    assert messages_of(data) == ["defenses[0].measures[0]: 1 must be text in quotes",
                                 "defenses[0].measures[1]: 2 must be text in quotes"]


def test_id_with_spaces_reported_once():
    data = changed(_set(["defenses", 1, "id"], "asl3 "))

    assert messages_of(data) == ['defenses[1].id: "asl3 " has spaces at the start or end; remove them']


def test_attacker_risk_aversion_overflow_rejected():
    # Point values: gains 0 and 50, costs 0 and 8/3, so max |x_A| = 50 and |r|·50 = 750.
    data = changed(_set(["attacker", "risk_aversion"], 15))

    assert messages_of(data) == ["attacker.risk_aversion: 750.0 is |r|·max|x| at the point values, above 700; "
                                 "exp() would overflow, so rescale the payoff units or lower the risk aversion"]


# --- reader-level problems ------------------------------------------------------------------------

def test_json_duplicate_keys_reported():
    text = EXAMPLE.read_text().replace('"model": "sequential",', '"model": "sequential", "model": "simultaneous",')
    text = text.replace('"kept": 0.7,', '"kept": 0.7, "kept": 0.7,')

    found = messages(text)

    assert found == [
        'model: "model" is given more than once; each key may appear once',
        'probabilities.asl2.insider.kept: "kept" is given more than once; each key may appear once',
    ]


def test_json_syntax_error_located():
    found = messages('{"format": "riskapp-scenario/1",\n "title": }')

    assert found == ['file: "}" at line 2, column 11: invalid JSON (Expecting value)']


def test_non_utf8_bytes_rejected():
    content = EXAMPLE.read_bytes().replace(b"Weight theft", b"Weight \xe9 theft")
    offset = content.index(b"\xe9")

    assert messages(content) == [
        f"file has byte 0xe9 at offset {offset}, which is not valid UTF-8; save the file as UTF-8"]


def test_unpaired_surrogate_escape_rejected():
    text = EXAMPLE.read_text().replace('"name": "Weights stolen"', '"name": "Weights \\ud800 stolen"')

    assert messages(text) == ['outcomes[1].name: "Weights \\ud800 stolen" contains an unpaired surrogate escape, '
                              "which is not valid Unicode text; remove it"]


def test_unpaired_surrogate_text_rejected():
    text = EXAMPLE.read_text().replace("Weights stolen", "Weights \ud800 stolen")
    position = text.index("\ud800")

    assert messages(text) == [f'file: "U+D800" at character {position} is an unpaired surrogate, which is not '
                              "valid Unicode text; save the file as UTF-8"]


def test_top_level_list_rejected():
    found = messages("[1, 2]")

    assert len(found) == 1
    assert found[0].startswith("file: [1, 2] must be an object with the fields of a scenario: format, title")


def test_empty_yaml_rejected():
    assert messages("", syntax="yaml") == [
        "file is empty; a scenario file contains one object with the format's fields"]


def test_file_size_checked_before_parsing():
    content = b"{" + b" " * 200 + b"not json"

    assert messages(content, limits=Limits(max_file_bytes=100)) == [
        "file: 209 bytes is larger than the limit of 100 bytes for a scenario file"]


def test_text_size_counts_utf8_bytes():
    content = "é" * 60  # 120 bytes in UTF-8 but 60 characters

    assert messages(content, limits=Limits(max_file_bytes=100)) == [
        "file: 120 bytes is larger than the limit of 100 bytes for a scenario file"]


def test_entity_count_limits_enforced():
    limits = Limits(max_defenses=1, max_attacks=1, max_outcomes=2)
    data = changed(lambda d: d["outcomes"].append({"id": "leaked", "name": "Leaked", "defender_loss": 5,
                                                    "attacker_gain": 1}))

    found = messages_of(data, limits=limits)

    assert "defenses: 2 is more defenses than the limit of 1" in found
    assert "attacks: 2 is more attacks than the limit of 1" in found
    assert "outcomes: 3 is more outcomes than the limit of 2" in found


def test_limits_defaults_and_frozen():
    limits = Limits()

    assert (limits.max_file_bytes, limits.max_defenses, limits.max_attacks, limits.max_outcomes) == (
        1_048_576, 50, 50, 50)
    with pytest.raises(AttributeError):
        limits.max_defenses = 3


# --- YAML -----------------------------------------------------------------------------------------

YAML_EXAMPLE = """\
format: riskapp-scenario/1
title: Weight theft
defenses:
  - {id: asl2, name: ASL-2 security, cost: 1.0}
  - {id: asl3, name: ASL-3 security, cost: 4.0}
attacks:
  - {id: none, name: No attack}
  - {id: insider, name: Recruit an insider, cost: {triangular: [1, 2, 5]}, attempt_probability: 5e-2}
outcomes:
  - {id: kept, name: Weights kept, defender_loss: 0, attacker_gain: 0}
  - {id: stolen, name: Weights stolen, defender_loss: 1e2, attacker_gain: {uniform: [20, 80]}}
probabilities:
  asl2:
    none: {kept: 1, stolen: 0}
    insider: {kept: 0.7, stolen: 0.3}
  asl3:
    none: {kept: 1, stolen: 0}
    insider: {kept: 0.95, stolen: 0.05}
"""


def test_yaml_core_schema_numbers():
    document = parse_scenario(YAML_EXAMPLE, syntax="yaml")

    assert document.data["attacks"][1]["attempt_probability"] == Decimal("0.05")
    assert str(document.data["attacks"][1]["attempt_probability"]) == "0.05"
    assert document.data["outcomes"][1]["defender_loss"] == Decimal(100)
    assert document.data["defenses"][0]["cost"] == Decimal("1.0")


def test_yaml_exponent_without_dot_is_number():
    # YAML 1.1 reads 1e-4 as text because its float pattern needs a dot; the core schema does not.
    document = parse_scenario(YAML_EXAMPLE.replace("5e-2", "1e-4"), syntax="yaml")

    assert document.data["attacks"][1]["attempt_probability"] == Decimal("0.0001")


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "Off"])
def test_yaml11_boolean_words_rejected(word):
    text = YAML_EXAMPLE.replace("title: Weight theft", f"title: {word}")

    assert messages(text, syntax="yaml") == [
        f'title: "{word}" is ambiguous as a plain value: YAML 1.1 reads it as a boolean and YAML 1.2 as text; '
        "write the value this field expects, in quotes if it is text"]


def test_yaml11_boolean_number_reported_once():
    text = YAML_EXAMPLE.replace("defender_loss: 1e2", "defender_loss: yes")

    found = messages(text, syntax="yaml")

    assert [message for message in found if message.startswith("outcomes[1].defender_loss")] == [
        'outcomes[1].defender_loss: "yes" is ambiguous as a plain value: YAML 1.1 reads it as a boolean and '
        "YAML 1.2 as text; write the value this field expects, in quotes if it is text"]


def test_yaml11_boolean_quoted_is_text():
    document = parse_scenario(YAML_EXAMPLE.replace("title: Weight theft", 'title: "no"'), syntax="yaml")

    assert document.title == "no"


def test_yaml11_boolean_key_rejected():
    text = YAML_EXAMPLE + "game: {on: against_defender}\n"

    found = messages(text, syntax="yaml")

    assert found[0] == 'game.on: "on" is ambiguous as a plain key: YAML 1.1 reads it as a boolean, so quote it'
    assert 'game.on: "against_defender" is not a field of the game; the fields are tie_break' in found


def test_yaml_true_where_number_expected():
    text = YAML_EXAMPLE.replace("cost: 4.0", "cost: true")

    assert messages(text, syntax="yaml") == ["defenses[1].cost: true is a boolean; write a number"]


def test_yaml_leading_zero_rejected():
    text = YAML_EXAMPLE.replace("defender_loss: 1e2", "defender_loss: 0100")

    found = messages(text, syntax="yaml")

    assert found[0] == ('outcomes[1].defender_loss: "0100" has a leading zero, which YAML 1.1 reads as an octal '
                        "number; remove the leading zeros or quote the text")


def test_yaml_non_finite_rejected():
    text = YAML_EXAMPLE.replace("defender_loss: 1e2", "defender_loss: .inf").replace("cost: 4.0", "cost: .nan")

    assert messages(text, syntax="yaml") == [
        "defenses[1].cost: .nan is not a finite number; NaN and infinities are not allowed",
        "outcomes[1].defender_loss: .inf is not a finite number; NaN and infinities are not allowed",
    ]


def test_yaml_duplicate_keys_reported():
    text = YAML_EXAMPLE.replace("title: Weight theft", "title: Weight theft\ntitle: Other")

    assert messages(text, syntax="yaml") == ['title: "title" is given more than once; each key may appear once']


def test_yaml_aliases_rejected():
    text = YAML_EXAMPLE.replace("  - {id: kept, name: Weights kept, defender_loss: 0, attacker_gain: 0}",
                                "  - {id: kept, name: Weights kept, defender_loss: &zero 0, attacker_gain: *zero}")

    found = messages(text, syntax="yaml")

    assert found[:2] == [
        'outcomes[0].defender_loss: "&zero" is a YAML anchor; aliases and anchors are not allowed, so remove it',
        'outcomes[0].attacker_gain: "*zero" is a YAML alias; aliases and anchors are not allowed, so write the '
        "value out in full",
    ]


def test_yaml_billion_laughs_not_expanded():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = YAML_EXAMPLE + "\n".join(lines) + "\n"

    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario(text, syntax="yaml")

    rules = [error.rule for error in caught.value.errors]
    assert sum("YAML alias" in rule for rule in rules) == 81
    assert sum("YAML anchor" in rule for rule in rules) == 10


def test_yaml_foreign_tag_rejected():
    text = YAML_EXAMPLE.replace("title: Weight theft", "title: !!binary aGVsbG8=")

    assert messages(text, syntax="yaml") == [
        'title: "aGVsbG8=" has the YAML tag tag:yaml.org,2002:binary, which a scenario does not use; remove the tag']


def test_yaml_collection_tag_rejected():
    text = YAML_EXAMPLE + "sources: !!set {https://example.org}\n"

    assert messages(text, syntax="yaml") == [
        'sources: "tag:yaml.org,2002:set" is a YAML tag that a scenario does not use; remove the tag',
        'sources: {"https://example.org": null} must be a list of texts such as web addresses',
    ]


def test_yaml_syntax_error_located():
    found = messages("format: riskapp-scenario/1\ntitle: [unclosed\n", syntax="yaml")

    assert len(found) == 1
    assert found[0].startswith("file: ")
    assert "at line 3, column 1: invalid YAML" in found[0]


# --- file names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "syntax"), [("a.json", "json"), ("b.yaml", "yaml"), ("C.YML", "yaml")])
def test_syntax_for_filename_extensions(name, syntax):
    assert syntax_for_filename(name) == syntax


def test_syntax_for_filename_rejects_other():
    with pytest.raises(ScenarioFormatError) as caught:
        syntax_for_filename("scenario.txt")

    assert str(caught.value.errors[0]) == ('file: "scenario.txt" is not a scenario file name; use the extension '
                                           ".json, .yaml or .yml")


def test_unknown_syntax_is_programming_error():
    with pytest.raises(ValueError, match="syntax 'toml' is not one of json, yaml"):
        parse_scenario("{}", syntax="toml")


def test_input_not_mutated_by_parse():
    data = example()
    original = copy.deepcopy(data)

    parse_scenario(json.dumps(data), syntax="json")

    assert data == original


# --- libyaml and pure-Python YAML give the same results ------------------------------------------

MIXED_YAML = YAML_EXAMPLE.replace("title: Weight theft", "title: no\ntitle: Vol — 模型") + """\
sources: [&first "a", *first, 0100, .nan, 1e-4, '0100', 'on']
game: {on: for_defender}
"""


@pytest.mark.skipif(not _reading.yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
def test_yaml_loaders_agree(monkeypatch):
    with_libyaml = _reading.read_yaml(MIXED_YAML)
    monkeypatch.setattr(_reading, "LOADER", _reading.ScenarioYamlLoader)
    pure_python = _reading.read_yaml(MIXED_YAML)

    assert len(with_libyaml[1]) == 6
    assert pure_python[1] == with_libyaml[1]
    assert repr(pure_python[0]) == repr(with_libyaml[0])


@pytest.mark.skipif(not _reading.yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
def test_yaml_dumpers_agree():
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")
    data = _writing.in_format_order(document.data)
    data["attacks"][0]["name"] = "no"

    assert _writing.to_yaml(data) == _writing.yaml.dump(data, Dumper=_writing.ScenarioYamlDumper)
