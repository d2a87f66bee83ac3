"""Differences between two scenario documents, matched by id, with every number as written.

The comparison runs on the documents with the format's defaults filled in, so a file that
writes ``"cost": 0`` and one that leaves the cost out state the same defense and show no
change. Numbers compare by exact decimal value (``0.30`` equals ``0.3``) and are reported with
the digits each revision wrote. This module imports no Django, so it can be tested alone.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from riskapp.scenarios.format import ScenarioDocument
from riskapp.scenarios.format._defaults import DEFAULT_RISK_MATRIX, complete
from riskapp.scenarios.format._writing import to_json


class _Absent:
    """The value on the side of a change where the field or cell does not exist."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

# (kind, list key) of the entities that the other parts of a scenario refer to by id.
ENTITY_KINDS = (("defense", "defenses"), ("attack", "attacks"), ("outcome", "outcomes"))

# The fields of each entity and the section of the diff that reports them.
ENTITY_FIELDS: dict[str, dict[str, str]] = {
    "defenses": {"name": "text", "cost": "numbers", "measures": "text"},
    "attacks": {"name": "text", "cost": "numbers", "attempt_probability": "numbers"},
    "outcomes": {"name": "text", "defender_loss": "numbers", "attacker_gain": "numbers"},
}

# Settings compared as one value each, by their path in the completed document.
SCALAR_SETTINGS = (
    ("model",),
    ("game", "tie_break"),
    ("defender", "risk_aversion"),
    ("attacker", "risk_aversion"),
    ("attacker", "belief_concentration"),
)
MATRIX_KEYS = tuple(key for key in DEFAULT_RISK_MATRIX if key != "ratings")
TEXT_FIELDS = ("title", "description", "sources")


@dataclass(frozen=True)
class ValueChange:
    """One value that differs between the revisions, with ``ABSENT`` on a side that lacks it."""

    path: tuple[str, ...]
    old: Any
    new: Any

    @property
    def dotted_path(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class EntityChange:
    """A defense, attack or outcome added, removed or changed, with the names of its changed ``fields``."""

    kind: str
    id: str
    change: str
    name: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderChange:
    """A new file order of the ids present in both revisions, which matters because ties go to file order."""

    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioDiff:
    """Everything that differs between two scenario documents, section by section."""

    entities: tuple[EntityChange, ...]
    order: tuple[OrderChange, ...]
    numbers: tuple[ValueChange, ...]
    probabilities: tuple[ValueChange, ...]
    settings: tuple[ValueChange, ...]
    text: tuple[ValueChange, ...]
    same_problem: bool

    @property
    def is_empty(self) -> bool:
        return not (self.entities or self.order or self.numbers or self.probabilities or self.settings
                    or self.text)


def diff_scenarios(old: ScenarioDocument, new: ScenarioDocument) -> ScenarioDiff:
    """Compare two valid documents: entities by id, numbers by exact value, settings and text."""
    before, after = complete(old.data), complete(new.data)
    sections: dict[str, list[ValueChange]] = {"numbers": [], "text": []}
    entities: list[EntityChange] = []
    order: list[OrderChange] = []

    for kind, key in ENTITY_KINDS:
        old_items = {item["id"]: item for item in before[key]}
        new_items = {item["id"]: item for item in after[key]}
        for identifier in _union(list(old_items), list(new_items)):
            change = _entity_change(kind, key, identifier, old_items.get(identifier), new_items.get(identifier),
                                    sections)
            if change is not None:
                entities.append(change)
        common_old = tuple(i for i in old_items if i in new_items)
        common_new = tuple(i for i in new_items if i in old_items)
        if common_old != common_new:
            order.append(OrderChange(kind, common_old, common_new))

    return ScenarioDiff(
        entities=tuple(entities),
        order=tuple(order),
        numbers=tuple(sections["numbers"]),
        probabilities=tuple(_probability_changes(before, after)),
        settings=tuple(_setting_changes(before, after)),
        text=tuple(_text_changes(before, after)) + tuple(sections["text"]),
        same_problem=old.digest == new.digest,
    )


def format_value(value: Any) -> str:
    """Write a value from a document as text: numbers as written, objects and lists as compact JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    return to_json(value, indent=None, sort_keys=False)


def same_value(old: Any, new: Any) -> bool:
    """Tell whether two document values are equal, numbers by exact decimal value and types strictly."""
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new
    if type(old) is not type(new):
        return False
    if isinstance(old, dict):
        return old.keys() == new.keys() and all(same_value(old[key], new[key]) for key in old)
    if isinstance(old, list):
        return len(old) == len(new) and all(same_value(a, b) for a, b in zip(old, new, strict=True))
    return old == new


def _entity_change(kind: str, key: str, identifier: str, old_item: dict | None, new_item: dict | None,
                   sections: dict[str, list[ValueChange]]) -> EntityChange | None:
    """Record the changed fields of one entity in ``sections`` and return its entry for the entity table."""
    changed_fields = []
    for field, section in ENTITY_FIELDS[key].items():
        old_value = ABSENT if old_item is None else old_item[field]
        new_value = ABSENT if new_item is None else new_item[field]
        if same_value(old_value, new_value):
            continue
        changed_fields.append(field)
        # An added or removed entity's name is in the entity table already.
        if field != "name" or (old_item is not None and new_item is not None):
            sections[section].append(ValueChange((key, identifier, field), old_value, new_value))

    if old_item is None:
        return EntityChange(kind, identifier, "added", new_item["name"])
    if new_item is None:
        return EntityChange(kind, identifier, "removed", old_item["name"])
    if changed_fields:
        return EntityChange(kind, identifier, "changed", new_item["name"], tuple(changed_fields))
    return None


def _probability_changes(before: dict, after: dict) -> list[ValueChange]:
    """Compare every cell p(s | d, a), including the cells of entities present in one revision only."""
    changes = []
    old_cells, new_cells = before["probabilities"], after["probabilities"]
    defenses, attacks, outcomes = (_union(_ids(before, key), _ids(after, key)) for _, key in ENTITY_KINDS)
    for defense in defenses:
        for attack in attacks:
            for outcome in outcomes:
                old_value = _lookup(old_cells, defense, attack, outcome)
                new_value = _lookup(new_cells, defense, attack, outcome)
                if not same_value(old_value, new_value):
                    changes.append(ValueChange(("probabilities", defense, attack, outcome), old_value, new_value))
    return changes


def _setting_changes(before: dict, after: dict) -> list[ValueChange]:
    paths: list[tuple[str, ...]] = list(SCALAR_SETTINGS)

    beliefs = _union(list(before["attacker"].get("defense_beliefs", {})),
                     list(after["attacker"].get("defense_beliefs", {})))
    paths += [("attacker", "defense_beliefs", defense) for defense in beliefs]
    paths += [("risk_matrix", key) for key in MATRIX_KEYS]

    old_ratings, new_ratings = before["risk_matrix"]["ratings"], after["risk_matrix"]["ratings"]
    for defense in _union(list(old_ratings), list(new_ratings)):
        attacks = _union(list(old_ratings.get(defense, {})), list(new_ratings.get(defense, {})))
        paths += [("risk_matrix", "ratings", defense, attack) for attack in attacks]

    return _changes_at(before, after, paths)


def _text_changes(before: dict, after: dict) -> list[ValueChange]:
    return _changes_at(before, after, [(field,) for field in TEXT_FIELDS])


def _changes_at(before: dict, after: dict, paths: list[tuple[str, ...]]) -> list[ValueChange]:
    changes = []
    for path in paths:
        old_value, new_value = _lookup(before, *path), _lookup(after, *path)
        if not same_value(old_value, new_value):
            changes.append(ValueChange(path, old_value, new_value))
    return changes


def _lookup(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return ABSENT
        data = data[key]
    return data


def _ids(data: dict, key: str) -> list[str]:
    return [item["id"] for item in data[key]]


def _union(first: list[str], second: list[str]) -> list[str]:
    """Return the ids of ``second`` in its order, then those found only in ``first``."""
    return list(second) + [item for item in first if item not in second]
