"""The scenario file ``riskapp-scenario/1``: parse, validate, export, digest and compile.

One scenario file contains one Defend–Attack problem, written as JSON or YAML with the same
content. This package reads it strictly, with every number as an exact ``decimal.Decimal``
as written, and reports every problem it finds as a ``FieldError`` naming the field path,
the value and the rule. It imports no Django, so the engines' tests and the command line use
it without a database.

``ScenarioDocument.data`` keeps what the file wrote: optional fields that the file leaves
out stay absent, and numbers keep their digits (``0.30`` stays ``0.30``). Export writes that
data back, so a file survives import and export unchanged apart from key order and layout,
and ``parse_scenario(dump_scenario(doc))`` gives equal data and the same digest. Defaults
are filled in only where meaning is needed: in ``canonical_json`` (and thus the digest),
where two files that state the same problem with and without the defaults get the same
text, and in ``compile_problem``.

Example::

    document = parse_scenario(path.read_bytes(), syntax=syntax_for_filename(path.name))
    problem = compile_problem(document)
"""

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from riskapp.engines.problem import Problem
from riskapp.scenarios.format._compile import build_problem
from riskapp.scenarios.format._defaults import DEFAULT_RISK_MATRIX, FORMAT_NAME, Limits, complete
from riskapp.scenarios.format._errors import FieldError, ScenarioFormatError
from riskapp.scenarios.format._reading import KeyedObject, decode, read_json, read_yaml
from riskapp.scenarios.format._schema import validate
from riskapp.scenarios.format._writing import in_format_order, to_json, to_yaml

Syntax = Literal["json", "yaml"]

SYNTAXES: tuple[str, ...] = ("json", "yaml")
_EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}

# Fields that describe the scenario to people and do not change the problem or its digest.
DESCRIPTIVE_FIELDS = ("title", "description", "sources")

__all__ = [
    "DEFAULT_RISK_MATRIX", "FORMAT_NAME", "FieldError", "Limits", "ScenarioDocument", "ScenarioFormatError",
    "canonical_json", "compile_problem", "dump_scenario", "parse_scenario", "syntax_for_filename",
]


@dataclass(frozen=True)
class ScenarioDocument:
    """A valid scenario file.

    ``data`` is the file's content as written (numbers as ``Decimal``); treat it as read-only,
    because ``digest`` was computed from it. Build documents with ``parse_scenario``.
    """

    data: dict[str, Any]
    digest: str

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def description(self) -> str:
        return self.data.get("description", "")

    @property
    def sources(self) -> list[str]:
        return list(self.data.get("sources", []))


def parse_scenario(content: bytes | str, *, syntax: Syntax, limits: Limits | None = None) -> ScenarioDocument:
    """Read and validate a scenario file.

    Raises ``ScenarioFormatError`` listing every problem found when the file is invalid.
    """
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax {syntax!r} is not one of {', '.join(SYNTAXES)}")
    limits = limits or Limits()

    size = len(content.encode("utf-8", "surrogatepass")) if isinstance(content, str) else len(content)
    if size > limits.max_file_bytes:
        raise ScenarioFormatError([FieldError("", size, f"bytes is larger than the limit of "
                                                        f"{limits.max_file_bytes} bytes for a scenario file")])
    text, errors = decode(content)
    if text is None:
        raise ScenarioFormatError(errors)

    tree, errors = read_json(text) if syntax == "json" else read_yaml(text)
    if tree is not None or not errors:
        # A value the reader already reported (an ambiguous YAML word) would only be reported
        # again, less precisely, by the schema.
        reported = {(error.path, repr(error.value)) for error in errors}
        errors += [error for error in validate(tree, limits) if (error.path, repr(error.value)) not in reported]
    if errors:
        raise ScenarioFormatError(errors)

    data = _plain(tree)
    return ScenarioDocument(data=data, digest=_digest(data))


def syntax_for_filename(name: str) -> Syntax:
    """Return the syntax that a file name's extension implies."""
    lowered = name.lower()
    for extension, syntax in _EXTENSIONS.items():
        if lowered.endswith(extension):
            return syntax  # type: ignore[return-value]
    raise ScenarioFormatError([FieldError("", name, "is not a scenario file name; use the extension .json, "
                                                    ".yaml or .yml")])


def dump_scenario(document: ScenarioDocument, *, syntax: Syntax) -> str:
    """Write a document as JSON (indented by 2) or YAML, fields in the format's order."""
    data = in_format_order(document.data)
    if syntax == "json":
        return to_json(data, indent=2, sort_keys=False) + "\n"
    if syntax == "yaml":
        return to_yaml(data)
    raise ValueError(f"syntax {syntax!r} is not one of {', '.join(SYNTAXES)}")


def canonical_json(document: ScenarioDocument | dict[str, Any]) -> str:
    """Return the canonical problem text that the digest hashes.

    It is the scenario with every default filled in and the descriptive fields (title,
    description, sources) dropped, written as JSON with sorted keys, compact separators,
    non-ASCII text as is and every number as written.
    """
    data = document.data if isinstance(document, ScenarioDocument) else document
    problem = {key: value for key, value in complete(data).items() if key not in DESCRIPTIVE_FIELDS}
    return to_json(problem, indent=None, sort_keys=True)


def compile_problem(document: ScenarioDocument) -> Problem:
    """Build the engines' ``Problem`` from a valid document, defaults filled in."""
    return build_problem(complete(document.data), document.digest)


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _plain(tree: Any) -> Any:
    """Turn the reader's ``KeyedObject``s into plain dicts."""
    if isinstance(tree, KeyedObject | dict):
        return {key: _plain(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_plain(item) for item in tree]
    return tree
