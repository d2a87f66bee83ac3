"""Read JSON or YAML text into plain Python values with exact decimal numbers.

Both readers return the same tree: ``dict`` (a ``KeyedObject`` that remembers duplicate
keys), ``list``, ``str``, ``bool``, ``None``, ``Decimal`` for every number and ``NonFinite``
for NaN and infinities. Problems that only the reader can see (syntax, duplicate keys,
YAML 1.1 surprises, anchors) become ``FieldError``s; validation of the content happens later.
"""

import json
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from riskapp.scenarios.format._errors import MISSING, FieldError, NonFinite, join_path

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
# Plain words that YAML 1.1 readers (PyYAML's default loader among them) turn into booleans.
YAML11_BOOL_TAG = "tag:riskapp,2026:yaml-1.1-bool"
# Decimal integers with a leading zero, which YAML 1.1 reads as octal.
YAML11_OCTAL_TAG = "tag:riskapp,2026:yaml-1.1-octal"

_NON_FINITE_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


class KeyedObject(dict):
    """A JSON object or YAML mapping; ``duplicates`` lists each key given more than once."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.duplicates: list[str] = []
        for key, value in pairs:
            if key in self and key not in self.duplicates:
                self.duplicates.append(key)
            self[key] = value


def decode(content: bytes | str) -> tuple[str | None, list[FieldError]]:
    """Decode UTF-8 bytes (a leading byte order mark is allowed) or pass text through."""
    if isinstance(content, str):
        try:
            content.encode("utf-8")
        except UnicodeEncodeError as error:
            return None, [FieldError("", f"U+{ord(content[error.start]):04X}", f"at character {error.start} is an "
                                     "unpaired surrogate, which is not valid Unicode text; save the file as UTF-8")]
        return content, []
    try:
        return bytes(content).decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        bad = content[error.start:error.end]
        shown = " ".join(f"0x{byte:02x}" for byte in bad)
        rule = f"has byte {shown} at offset {error.start}, which is not valid UTF-8; save the file as UTF-8"
        return None, [FieldError("", MISSING, rule)]


# --- JSON -------------------------------------------------------------------------------------

def read_json(text: str) -> tuple[Any, list[FieldError]]:
    try:
        tree = json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=NonFinite,
                          object_pairs_hook=KeyedObject)
    except json.JSONDecodeError as error:
        near = text[error.pos:error.pos + 20]
        return None, [FieldError("", near, f"at line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})")]
    except RecursionError:
        return None, [FieldError("", text[:20], "is nested too deeply to be a scenario")]
    return tree, key_and_text_errors(tree, "")


def key_and_text_errors(tree: Any, path: str) -> list[FieldError]:
    """Report keys given more than once and text that is not valid Unicode, anywhere in the tree.

    JSON escapes can write an unpaired surrogate (``"\\ud800"``), which no UTF-8 file can
    contain, so such text would break export and the digest.
    """
    errors = []
    if isinstance(tree, KeyedObject):
        for key in tree.duplicates:
            errors.append(FieldError(join_path(path, key), key, "is given more than once; each key may appear once"))
        for key, value in tree.items():
            if not _is_unicode(key):
                errors.append(FieldError(join_path(path, key), key, _SURROGATE_RULE))
            errors += key_and_text_errors(value, join_path(path, key))
    elif isinstance(tree, list):
        for index, item in enumerate(tree):
            errors += key_and_text_errors(item, join_path(path, index))
    elif isinstance(tree, str) and not _is_unicode(tree):
        errors.append(FieldError(path, tree, _SURROGATE_RULE))
    return errors


_SURROGATE_RULE = "contains an unpaired surrogate escape, which is not valid Unicode text; remove it"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- YAML -------------------------------------------------------------------------------------

class CoreSchemaResolver(BaseResolver):
    """Resolve plain scalars by the YAML 1.2 core schema, flagging YAML 1.1 surprises.

    The core schema reads ``1e-4`` as a number, while YAML 1.1 wants a dot in the mantissa.
    It reads ``yes``/``no``/``on``/``off``/``y``/``n`` as text, while YAML 1.1 reads them as
    booleans. A file that means different things to the two readers is ambiguous, so those
    words get a tag of their own and are reported.

    NOTE: the core schema's octal (``0o17``) and hexadecimal (``0x1F``) integers are left as
    text on purpose, so they are reported where a number is expected, because JSON has no
    such notation and the digest keeps numbers as written in decimal.
    """

    yaml_implicit_resolvers: dict = {}


def _add_resolver(tag: str, pattern: str, first: str | list[str]) -> None:
    CoreSchemaResolver.add_implicit_resolver(tag, re.compile(pattern + r"\Z"), list(first))


# The empty plain scalar (``key:`` with nothing after it) is null; "" is its first character.
_add_resolver(NULL_TAG, r"(?:null|Null|NULL|~|)", ["n", "N", "~", ""])
_add_resolver(BOOL_TAG, r"(?:true|True|TRUE|false|False|FALSE)", "tTfF")
_add_resolver(YAML11_BOOL_TAG, r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)", "yYnNoO")
_add_resolver(YAML11_OCTAL_TAG, r"[-+]?0[0-9]+", "-+0")
_add_resolver(INT_TAG, r"[-+]?[0-9]+", "-+0123456789")
_add_resolver(FLOAT_TAG, r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", "-+.0123456789")
_add_resolver(FLOAT_TAG, r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+.")


class _AliasNode(ScalarNode):
    """An alias (``*name``) left unexpanded so that it can be reported instead of copied."""


class _UnexpandedAliasComposer(Composer):
    """Compose YAML into nodes without constructing objects and without expanding aliases.

    Aliases let a small file expand into an enormous tree (the "billion laughs" attack), and a
    scenario has no use for them, so anchors and aliases are kept as markers and reported.
    """

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return _AliasNode("alias", event.anchor, event.start_mark, event.end_mark)
        anchor = self.peek_event().anchor
        node = super().compose_node(parent, index)
        node.riskapp_anchor = anchor
        return node


class ScenarioYamlLoader(Reader, Scanner, Parser, _UnexpandedAliasComposer, CoreSchemaResolver):
    """The pure-Python loader, used where PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        CoreSchemaResolver.__init__(self)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class ScenarioYamlCLoader(_UnexpandedAliasComposer, CoreSchemaResolver, CParser):
        """A loader that scans and parses with libyaml, about 2.5 times as fast on large files.

        The composer comes first in the method order, so that the Python composer above (and
        not libyaml's, which expands aliases) builds the nodes from libyaml's events.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            CoreSchemaResolver.__init__(self)

    LOADER: type = ScenarioYamlCLoader
else:
    LOADER = ScenarioYamlLoader


def read_yaml(text: str) -> tuple[Any, list[FieldError]]:
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"at line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = error.problem or error.context or "unreadable"
        return None, [FieldError("", _text_at(text, mark), f"{where}: invalid YAML ({problem})")]
    except yaml.YAMLError as error:
        return None, [FieldError("", "", f"is not valid YAML: {error}")]
    except RecursionError:
        return None, [FieldError("", text[:20], "is nested too deeply to be a scenario")]
    finally:
        loader.dispose()
    if node is None:
        return None, []
    errors: list[FieldError] = []
    tree = _construct(node, "", errors)
    return tree, errors + key_and_text_errors(tree, "")


def _text_at(text: str, mark: Any) -> str:
    """Return up to 20 characters of the file from an error mark (libyaml marks count bytes)."""
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column:mark.column + 20]


def _construct(node: Node, path: str, errors: list[FieldError]) -> Any:
    """Build plain values from a node, recording every reader-level problem with its path."""
    if isinstance(node, _AliasNode):
        errors.append(FieldError(path, f"*{node.value}", "is a YAML alias; aliases and anchors are not allowed, "
                                                       "so write the value out in full"))
        return None
    if getattr(node, "riskapp_anchor", None) is not None:
        errors.append(FieldError(path, f"&{node.riskapp_anchor}", "is a YAML anchor; aliases and anchors are not "
                                                                   "allowed, so remove it"))
    if isinstance(node, MappingNode | SequenceNode) and node.tag not in (MAP_TAG, SEQ_TAG):
        errors.append(FieldError(path, node.tag, "is a YAML tag that a scenario does not use; remove the tag"))
    if isinstance(node, MappingNode):
        pairs = []
        for key_node, value_node in node.value:
            key = _key_text(key_node, path, errors)
            pairs.append((key, _construct(value_node, join_path(path, key), errors)))
        return KeyedObject(pairs)
    if isinstance(node, SequenceNode):
        return [_construct(item, join_path(path, index), errors) for index, item in enumerate(node.value)]
    return _scalar(node, path, errors)


def _key_text(node: Node, path: str, errors: list[FieldError]) -> str:
    if not isinstance(node, ScalarNode) or isinstance(node, _AliasNode):
        errors.append(FieldError(path, node.start_mark.line + 1, "is the line of a key that is not plain text; "
                                                                 "keys must be text"))
        return f"<key at line {node.start_mark.line + 1}>"
    if node.tag == YAML11_BOOL_TAG:
        errors.append(FieldError(join_path(path, node.value), node.value, _yaml11_bool_rule(key=True)))
    return node.value


def _yaml11_bool_rule(*, key: bool = False) -> str:
    if key:
        return "is ambiguous as a plain key: YAML 1.1 reads it as a boolean, so quote it"
    return ("is ambiguous as a plain value: YAML 1.1 reads it as a boolean and YAML 1.2 as text; "
            "write the value this field expects, in quotes if it is text")


def _scalar(node: ScalarNode, path: str, errors: list[FieldError]) -> Any:
    # Quoted and block scalars always resolve to text, so the YAML 1.1 tags below only ever
    # mark plain scalars.
    tag, value = node.tag, node.value
    if tag == STR_TAG:
        return value
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        return value.lower() == "true"
    if tag in (INT_TAG, FLOAT_TAG):
        if _NON_FINITE_FLOAT.match(value):
            return NonFinite(value)
        try:
            return Decimal(value)
        except ArithmeticError:
            errors.append(FieldError(path, value, f"is not a number although tagged {tag}"))
            return value
    if tag == YAML11_BOOL_TAG:
        errors.append(FieldError(path, value, _yaml11_bool_rule()))
        return value
    if tag == YAML11_OCTAL_TAG:
        errors.append(FieldError(path, value, "has a leading zero, which YAML 1.1 reads as an octal number; "
                                              "remove the leading zeros or quote the text"))
        return value
    errors.append(FieldError(path, value, f"has the YAML tag {tag}, which a scenario does not use; remove the tag"))
    return value
