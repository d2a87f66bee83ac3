"""Validation errors that name the field path, the offending value and the rule it breaks."""

import json
import re
from decimal import Decimal
from typing import Any

# Keys that read unambiguously after a dot; any other key is written as ["key"].
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

# Maximum length of a value shown in a message, so that a huge value cannot flood the report.
_MAX_VALUE_CHARS = 80


class _Missing:
    """The value of a field that the file does not give."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class NonFinite:
    """A NaN or infinity read from the file, kept so that validation can name its field."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def join_path(path: str, key: str | int) -> str:
    """Append a mapping key or a list index to a field path."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def render_value(value: Any) -> str:
    """Show a value as the file would write it: numbers as written, text quoted, shortened."""
    text = _compact(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return text


def _compact(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(item) for item in value) + "]"
    if isinstance(value, (str, bool)) or value is None:
        text = json.dumps(value, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # An unpaired surrogate cannot be printed as UTF-8, so it is shown as an escape.
            text = json.dumps(value)
        return text
    return repr(value)


class FieldError:
    """One broken rule: ``path`` (such as ``attacks[1].cost.triangular[2]``), ``value`` and ``rule``.

    ``rule`` is the predicate that follows the value in the message, for example
    ``"is negative; losses must be >= 0"``. ``value`` is ``MISSING`` for an absent field and
    then the message reads ``"<path> <rule>"``.
    """

    __slots__ = ("path", "value", "rule")

    def __init__(self, path: str, value: Any, rule: str) -> None:
        self.path = path
        self.value = value
        self.rule = rule

    def __str__(self) -> str:
        where = self.path or "file"
        if self.value is MISSING:
            return f"{where} {self.rule}"
        return f"{where}: {render_value(self.value)} {self.rule}"

    def __repr__(self) -> str:
        return f"FieldError({self.path!r}, {self.value!r}, {self.rule!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return (self.path, self.rule) == (other.path, other.rule) and _same(self.value, other.value)

    def __hash__(self) -> int:
        return hash((self.path, self.rule))


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, NonFinite) or isinstance(right, NonFinite):
        return render_value(left) == render_value(right)
    return left is right or left == right


class ScenarioFormatError(ValueError):
    """The scenario file is invalid; ``errors`` lists every problem found, in file order."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        heading = "The scenario file is invalid (1 error):" if count == 1 else \
            f"The scenario file is invalid ({count} errors):"
        super().__init__("\n".join([heading, *(f"- {error}" for error in self.errors)]))
