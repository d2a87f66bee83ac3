"""Generated scenarios survive export to JSON and YAML with equal data and digest."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from riskapp.scenarios.format import canonical_json, dump_scenario, parse_scenario

# Text that YAML could read as something else, or that needs quoting or escapes.
TRICKY_TEXT = ["no", "y", "N", "on", "Off", "1e-4", "0100", "3.0", "-2", ".inf", ".NaN", "null", "~", "true",
               "- a", "a: b", "#x", "x #y", " lead", "trail ", "'q'", '"q"', "@x", "*x", "&x", "!x", "%x", "`x",
               "|", ">", "? x", "[a]", "{a}", "a\nb", "tab\t", "é", "模型权重", "\x85", "\u2028", "\ufeff"]
# Any Unicode text without unpaired surrogates, which no UTF-8 file can contain.
TEXT = st.one_of(st.sampled_from(TRICKY_TEXT),
                 st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)).filter(str.strip)
IDS = st.lists(TEXT.filter(lambda t: t == t.strip()), min_size=2, max_size=4, unique=True)
# Decimal text as a person writes it, including trailing zeros and exponents.
NUMBER = st.from_regex(r"\A(0|[1-9][0-9]{0,4})(\.[0-9]{1,4})?([eE][-+]?[0-9])?\Z")
SIGNED = st.builds(lambda sign, text: sign + text, st.sampled_from(["", "-"]), NUMBER)


@st.composite
def scenarios(draw) -> str:
    """Draw a valid scenario and write it as JSON with every number's text kept as drawn."""
    numbers: list[str] = []

    def number(strategy=NUMBER) -> str:
        numbers.append(draw(strategy))
        return f"@number{len(numbers) - 1}@"

    defense_ids, attack_ids, outcome_ids = draw(IDS), draw(IDS), draw(IDS)
    gain = st.sampled_from(["point", "uniform", "normal"])
    outcomes = []
    for outcome in outcome_ids:
        kind = draw(gain)
        low = number(SIGNED)
        attacker_gain = {"point": low, "uniform": {"uniform": [low, low]}, "normal": {"normal": [low, number()]}}
        outcomes.append({"id": outcome, "name": draw(TEXT), "defender_loss": number(), "attacker_gain":
                         attacker_gain[kind]})
    # Each row puts all its mass on one drawn outcome, written as 1, 1.0 or 1.000.
    probabilities = {}
    for d in defense_ids:
        probabilities[d] = {}
        for a in attack_ids:
            certain = draw(st.sampled_from(outcome_ids))
            probabilities[d][a] = {s: "@one@" if s == certain else 0 for s in outcome_ids}
    data = {
        "format": "riskapp-scenario/1",
        "title": draw(TEXT),
        "description": draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=40)),
        "model": draw(st.sampled_from(["sequential", "simultaneous"])),
        "defenses": [{"id": d, "name": draw(TEXT), "cost": number(), "measures": draw(st.lists(TEXT, max_size=2,
                                                                                               unique=True))}
                     for d in defense_ids],
        "attacks": [{"id": a, "name": draw(TEXT), "cost": number(SIGNED)} for a in attack_ids],
        "outcomes": outcomes,
        "probabilities": probabilities,
    }
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    text = text.replace('"@one@"', draw(st.sampled_from(["1", "1.0", "1.000"])))
    for index, value in enumerate(numbers):
        text = text.replace(f'"@number{index}@"', value)
    return text


@settings(max_examples=40, derandomize=True, deadline=None)
@given(scenarios())
def test_generated_scenarios_round_trip(text):
    document = parse_scenario(text, syntax="json")

    yaml_text = dump_scenario(document, syntax="yaml")
    from_yaml = parse_scenario(yaml_text, syntax="yaml")
    back = parse_scenario(dump_scenario(from_yaml, syntax="json"), syntax="json")

    assert from_yaml.data == document.data
    assert back.data == document.data
    assert from_yaml.digest == document.digest
    assert back.digest == document.digest
    assert canonical_json(back) == canonical_json(document)
