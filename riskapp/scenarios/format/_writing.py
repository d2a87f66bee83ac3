"""Writing scenario data as JSON or YAML text, and the canonical text that the digest hashes.

Numbers are ``Decimal``s and are written with ``str()``, which keeps the digits as written, so
``0.30`` stays ``0.30``. Every finite ``Decimal`` prints as a valid JSON and YAML 1.2 number.
"""

import json
from decimal import Decimal
from typing import Any

import yaml
from yaml.emitter import Emitter
from yaml.nodes import ScalarNode
from yaml.representer import SafeRepresenter
from yaml.serializer import Serializer

from riskapp.scenarios.format._numbers import BETA_BOUNDS, FAMILIES
from riskapp.scenarios.format._reading import FLOAT_TAG, INT_TAG, CoreSchemaResolver
from riskapp.scenarios.format._schema import (
    ATTACK_FIELDS,
    ATTACKER_FIELDS,
    BAND_FIELDS,
    DEFENDER_FIELDS,
    DEFENSE_FIELDS,
    GAME_FIELDS,
    LEVEL_FIELDS,
    MATRIX_FIELDS,
    OUTCOME_FIELDS,
    RATING_FIELDS,
    ROOT_FIELDS,
)

# For each object, found by the path of keys that leads to it ("*" for a list item), the order
# its fields are written in. Objects keyed by ids (probabilities, ratings) keep the file's order.
_FIELD_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ROOT_FIELDS,
    ("defenses", "*"): DEFENSE_FIELDS,
    ("attacks", "*"): ATTACK_FIELDS,
    ("outcomes", "*"): OUTCOME_FIELDS,
    ("defender",): DEFENDER_FIELDS,
    ("attacker",): ATTACKER_FIELDS,
    ("game",): GAME_FIELDS,
    ("risk_matrix",): MATRIX_FIELDS,
    ("risk_matrix", "likelihood", "*"): BAND_FIELDS,
    ("risk_matrix", "consequence", "*"): BAND_FIELDS,
    ("risk_matrix", "levels", "*"): LEVEL_FIELDS,
    ("attacks", "*", "cost"): (*FAMILIES, *BETA_BOUNDS),
    ("outcomes", "*", "attacker_gain"): (*FAMILIES, *BETA_BOUNDS),
    ("attacker", "risk_aversion"): (*FAMILIES, *BETA_BOUNDS),
}


def in_format_order(data: Any, keys: tuple[str, ...] = ()) -> Any:
    """Return a copy of the data whose objects list their fields in the format's order."""
    if isinstance(data, list):
        return [in_format_order(item, (*keys, "*")) for item in data]
    if not isinstance(data, dict):
        return data
    order = _FIELD_ORDER.get(keys)
    if len(keys) == 4 and keys[:2] == ("risk_matrix", "ratings"):
        order = RATING_FIELDS
    ordered_keys = sorted(data, key=order.index) if order else list(data)
    return {key: in_format_order(data[key], (*keys, key)) for key in ordered_keys}


# --- JSON -------------------------------------------------------------------------------------

def to_json(data: Any, *, indent: int | None, sort_keys: bool) -> str:
    """Write data as JSON with every ``Decimal`` exactly as written and non-ASCII text intact."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return _json_value(data, indent, sort_keys, separators, level=0)


def _json_value(value: Any, indent: int | None, sort_keys: bool, separators: tuple[str, str], level: int) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if isinstance(value, dict):
            keys = sorted(value) if sort_keys else list(value)
            items = [json.dumps(key, ensure_ascii=False) + separators[1]
                     + _json_value(value[key], indent, sort_keys, separators, level + 1) for key in keys]
            opening, closing = "{", "}"
        else:
            items = [_json_value(item, indent, sort_keys, separators, level + 1) for item in value]
            opening, closing = "[", "]"
        if indent is None:
            return opening + separators[0].join(items) + closing
        inner = "\n" + " " * (indent * (level + 1))
        outer = "\n" + " " * (indent * level)
        return opening + inner + (separators[0] + inner).join(items) + outer + closing
    return json.dumps(value, ensure_ascii=False)


# --- YAML -------------------------------------------------------------------------------------

class ScenarioYamlDumper(Emitter, Serializer, SafeRepresenter, CoreSchemaResolver):
    """Write YAML that the scenario loader reads back unchanged.

    It shares the loader's core-schema resolver, so any text that would read back as a
    number, null, boolean or YAML 1.1 boolean (``"no"``) is quoted, and ``Decimal``s are
    written as plain numbers.
    """

    def __init__(self, stream: Any, **options: Any) -> None:
        Emitter.__init__(self, stream, canonical=False, indent=2, width=100, allow_unicode=True, line_break=None)
        Serializer.__init__(self, encoding=None, explicit_start=False, explicit_end=False, version=None, tags=None)
        SafeRepresenter.__init__(self, default_style=None, default_flow_style=None, sort_keys=False)
        CoreSchemaResolver.__init__(self)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: ScenarioYamlDumper, value: Decimal) -> ScalarNode:
    text = str(value)
    tag = INT_TAG if text.lstrip("-").isdigit() else FLOAT_TAG
    return dumper.represent_scalar(tag, text)


ScenarioYamlDumper.add_representer(Decimal, _represent_decimal)
DUMPER: type = ScenarioYamlDumper

if yaml.__with_libyaml__:
    from yaml._yaml import CEmitter

    class ScenarioYamlCDumper(CEmitter, SafeRepresenter, CoreSchemaResolver):
        """The same dumper with libyaml's emitter, which writes identical text about twice as fast."""

        def __init__(self, stream: Any, **options: Any) -> None:
            CEmitter.__init__(self, stream, canonical=False, indent=2, width=100, allow_unicode=True,
                              line_break=None, encoding=None, explicit_start=False, explicit_end=False,
                              version=None, tags=None)
            SafeRepresenter.__init__(self, default_style=None, default_flow_style=None, sort_keys=False)
            CoreSchemaResolver.__init__(self)

        def ignore_aliases(self, data: Any) -> bool:
            return True

    ScenarioYamlCDumper.add_representer(Decimal, _represent_decimal)
    DUMPER = ScenarioYamlCDumper


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER)
