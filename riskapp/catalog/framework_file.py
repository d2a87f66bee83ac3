"""Reading and validating framework data files (format ``riskapp-framework/1``).

A file describes one framework version: the framework, the version, its sources, its levels
with their dangerous capabilities and measures, and optionally threat-actor tiers and capability
thresholds with the level and measures each one requires. Validation
is complete before anything is written, and every error names the field path, the value and
the rule that it breaks.
"""

import datetime
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from riskapp.catalog.models import CrosswalkGroup, Evidence, FrameworkVersion, Measure, RiskDomain

FORMAT = "riskapp-framework/1"

# Evidence of an item that does not say otherwise: read in the primary text.
DEFAULT_EVIDENCE = str(Evidence.PRIMARY)

_url_validator = URLValidator(schemes=["http", "https"])

# Codes and slugs end up in URLs and measure ids; a dot is allowed for version numbers.
_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")


# Stands for the value of a required field that the file leaves out.
MISSING = object()


class FrameworkFileError(ValueError):
    """A framework data file that breaks a rule; ``path`` locates the offending field."""

    def __init__(self, path: str, value: Any, rule: str) -> None:
        self.path = path
        self.value = value
        self.rule = rule
        if value is MISSING:
            super().__init__(f"{path} is missing: {rule}")
        else:
            super().__init__(f"{path}: {value!r} is invalid: {rule}")


@dataclass(frozen=True)
class SourceData:
    url: str
    title: str
    evidence: str


@dataclass(frozen=True)
class CapabilityData:
    code: str
    domain: str
    description: str
    evidence: str
    source_url: str


@dataclass(frozen=True)
class MeasureData:
    code: str
    kind: str
    name: str
    description: str
    supersedes: str | None
    evidence: str
    source_url: str


@dataclass(frozen=True)
class LevelData:
    code: str
    slug: str
    name: str
    order: int
    summary: str
    provisional: bool
    evidence: str
    source_url: str
    capabilities: tuple[CapabilityData, ...]
    measures: tuple[MeasureData, ...]


@dataclass(frozen=True)
class ThreatActorTierData:
    code: str
    name: str
    order: int
    description: str
    budget_usd_max: int | None
    duration: str
    team_size: int | None
    countered_by: str | None
    evidence: str
    source_url: str


@dataclass(frozen=True)
class ThresholdData:
    code: str
    slug: str
    name: str
    order: int
    domain: str
    description: str
    gating: bool
    provisional: bool
    required_level: str | None
    required_measures: tuple[str, ...]
    crosswalk_group: str
    evidence: str
    source_url: str


@dataclass(frozen=True)
class FrameworkDocument:
    """A validated framework data file."""

    framework_slug: str
    framework_name: str
    publisher: str
    version_slug: str
    label: str
    effective_date: datetime.date | None
    status: str
    summary: str
    source_url: str
    sources: tuple[SourceData, ...]
    levels: tuple[LevelData, ...]
    threat_actor_tiers: tuple[ThreatActorTierData, ...]
    thresholds: tuple[ThresholdData, ...] = ()


def level_slug(code: str) -> str:
    """Turn a level code into a URL slug, keeping a trailing plus: ASL-5+ becomes asl-5-plus."""
    return slugify(code.replace("+", "-plus"))


def read_framework_file(path: str | Path) -> FrameworkDocument:
    """Read a YAML or JSON framework data file and validate it."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        syntax = "JSON" if path.suffix == ".json" else "YAML"
        raise FrameworkFileError(str(path), path.name, f"not valid {syntax}: {error}") from error
    return parse_framework_document(data)


def parse_framework_document(data: Any) -> FrameworkDocument:
    """Validate the parsed content of a framework data file."""
    root = _Node(data, "")
    root.check_keys(required={"format", "framework", "version", "sources", "levels"},
                    optional={"threat_actor_tiers", "thresholds"})
    if root.get("format").value != FORMAT:
        raise FrameworkFileError("format", root.get("format").value, f"must be {FORMAT!r}")

    framework = root.get("framework")
    framework.check_keys(required={"slug", "name", "publisher"})
    version = root.get("version")
    version.check_keys(required={"slug", "label", "effective_date", "status", "summary", "source_url"})

    levels = tuple(_parse_level(node) for node in root.get("levels").items(min_length=1))
    _check_unique(levels, "code", "levels")
    _check_unique(levels, "order", "levels")
    _check_unique(levels, "slug", "levels")
    _check_measures(levels)

    tiers = tuple(_parse_tier(node) for node in root.get("threat_actor_tiers", []).items())
    _check_unique(tiers, "code", "threat_actor_tiers")
    level_codes = {level.code for level in levels}
    for index, tier in enumerate(tiers):
        if tier.countered_by is not None and tier.countered_by not in level_codes:
            raise FrameworkFileError(f"threat_actor_tiers[{index}].countered_by", tier.countered_by,
                                     "must be the code of a level in this file")

    thresholds = tuple(_parse_threshold(node, order) for order, node
                       in enumerate(root.get("thresholds", []).items(), start=1))
    _check_unique(thresholds, "code", "thresholds")
    _check_unique(thresholds, "slug", "thresholds")
    _check_threshold_references(thresholds, levels)

    sources = tuple(_parse_source(node) for node in root.get("sources").items(min_length=1))
    _check_unique(sources, "url", "sources")

    return FrameworkDocument(
        framework_slug=framework.get("slug").slug(),
        framework_name=framework.get("name").text(max_length=200),
        publisher=framework.get("publisher").text(max_length=200),
        version_slug=version.get("slug").slug(),
        label=version.get("label").text(max_length=50),
        effective_date=version.get("effective_date").date_or_none(),
        status=version.get("status").choice(FrameworkVersion.Status.values),
        summary=version.get("summary").text(),
        source_url=version.get("source_url").url(),
        sources=sources,
        levels=levels,
        threat_actor_tiers=tiers,
        thresholds=thresholds,
    )


def _parse_source(node: "_Node") -> SourceData:
    node.check_keys(required={"url", "title"}, optional={"evidence"})
    return SourceData(
        url=node.get("url").url(),
        title=node.get("title").text(max_length=300),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
    )


def _parse_level(node: "_Node") -> LevelData:
    node.check_keys(required={"code", "name", "order", "summary", "source_url"},
                    optional={"provisional", "evidence", "capabilities", "measures"})
    code = node.get("code").text(max_length=30)
    capabilities = tuple(_parse_capability(item) for item in node.get("capabilities", []).items())
    _check_unique(capabilities, "code", f"{node.path}.capabilities")
    return LevelData(
        code=code,
        slug=level_slug(code),
        name=node.get("name").text(max_length=200),
        order=node.get("order").positive_int(),
        summary=node.get("summary").text(),
        provisional=node.get("provisional", False).boolean(),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
        capabilities=capabilities,
        measures=tuple(_parse_measure(item) for item in node.get("measures", []).items()),
    )


def _parse_capability(node: "_Node") -> CapabilityData:
    node.check_keys(required={"code", "domain", "description", "source_url"}, optional={"evidence"})
    return CapabilityData(
        code=node.get("code").slug(),
        domain=node.get("domain").choice(RiskDomain.values),
        description=node.get("description").text(),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
    )


def _parse_measure(node: "_Node") -> MeasureData:
    node.check_keys(required={"code", "kind", "name", "description", "source_url"},
                    optional={"supersedes", "evidence"})
    supersedes = node.get("supersedes", None)
    return MeasureData(
        code=node.get("code").slug(),
        kind=node.get("kind").choice(Measure.Kind.values),
        name=node.get("name").text(max_length=200),
        description=node.get("description").text(),
        supersedes=None if supersedes.value is None else supersedes.slug(),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
    )


def _parse_tier(node: "_Node") -> ThreatActorTierData:
    node.check_keys(required={"code", "name", "order", "description", "source_url"},
                    optional={"budget_usd_max", "duration", "team_size", "countered_by", "evidence"})
    budget = node.get("budget_usd_max", None)
    team_size = node.get("team_size", None)
    countered_by = node.get("countered_by", None)
    return ThreatActorTierData(
        code=node.get("code").text(max_length=30),
        name=node.get("name").text(max_length=200),
        order=node.get("order").positive_int(),
        description=node.get("description").text(),
        budget_usd_max=None if budget.value is None else budget.positive_int(),
        duration=node.get("duration", "").text(max_length=100, allow_empty=True),
        team_size=None if team_size.value is None else team_size.positive_int(),
        countered_by=None if countered_by.value is None else countered_by.text(max_length=30),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
    )


def _parse_threshold(node: "_Node", order: int) -> ThresholdData:
    node.check_keys(required={"code", "name", "domain", "description", "source_url"},
                    optional={"gating", "provisional", "required_level", "required_measures", "crosswalk_group",
                              "evidence"})
    code = node.get("code").text(max_length=40)
    required_level = node.get("required_level", None)
    crosswalk_group = node.get("crosswalk_group", None)
    return ThresholdData(
        code=code,
        slug=level_slug(code),
        name=node.get("name").text(max_length=200),
        order=order,
        domain=node.get("domain").choice(RiskDomain.values),
        description=node.get("description").text(),
        gating=node.get("gating", True).boolean(),
        provisional=node.get("provisional", False).boolean(),
        required_level=None if required_level.value is None else required_level.text(max_length=30),
        required_measures=tuple(item.slug() for item in node.get("required_measures", []).items()),
        crosswalk_group="" if crosswalk_group.value is None else crosswalk_group.choice(CrosswalkGroup.values),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
    )


def _check_threshold_references(thresholds: tuple[ThresholdData, ...], levels: tuple[LevelData, ...]) -> None:
    """Check that a threshold names levels and measures of this file, and that a gating one requires something."""
    level_codes = {level.code for level in levels}
    measure_codes = {measure.code for level in levels for measure in level.measures}
    for index, threshold in enumerate(thresholds):
        path = f"thresholds[{index}]"
        if threshold.required_level is not None and threshold.required_level not in level_codes:
            raise FrameworkFileError(f"{path}.required_level", threshold.required_level,
                                     "must be the code of a level in this file")
        for measure_index, code in enumerate(threshold.required_measures):
            if code not in measure_codes:
                raise FrameworkFileError(f"{path}.required_measures[{measure_index}]", code,
                                         "must be the code of a measure in this file")
        if len(set(threshold.required_measures)) != len(threshold.required_measures):
            raise FrameworkFileError(f"{path}.required_measures", list(threshold.required_measures),
                                     "must not list a measure twice")
        if threshold.gating and threshold.required_level is None:
            raise FrameworkFileError(f"{path}.required_level", MISSING,
                                     "a gating threshold must name the safety level it requires")


def _check_unique(items: tuple, field: str, path: str) -> None:
    seen: set = set()
    for index, item in enumerate(items):
        value = getattr(item, field)
        if value in seen:
            raise FrameworkFileError(f"{path}[{index}].{field}", value, "must be unique")
        seen.add(value)


def _check_measures(levels: tuple[LevelData, ...]) -> None:
    """Check that measure codes are unique in the version and that a measure supersedes a lower one."""
    order_of_code: dict[str, int] = {}
    for level_index, level in enumerate(levels):
        for index, measure in enumerate(level.measures):
            if measure.code in order_of_code:
                raise FrameworkFileError(f"levels[{level_index}].measures[{index}].code", measure.code,
                                         "must be unique within the framework version")
            order_of_code[measure.code] = level.order

    for level_index, level in enumerate(levels):
        for index, measure in enumerate(level.measures):
            if measure.supersedes is None:
                continue
            path = f"levels[{level_index}].measures[{index}].supersedes"
            if measure.supersedes not in order_of_code:
                raise FrameworkFileError(path, measure.supersedes, "must be the code of a measure in this file")
            if order_of_code[measure.supersedes] >= level.order:
                raise FrameworkFileError(path, measure.supersedes, "must be a measure of a lower level")


class _Node:
    """A value in the parsed file together with its field path, for error messages."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def check_keys(self, *, required: Collection[str], optional: Collection[str] = ()) -> None:
        if not isinstance(self.value, Mapping):
            raise FrameworkFileError(self.path or "(file)", _short(self.value), "must be a mapping")
        for key in self.value:
            if key not in required and key not in optional:
                raise FrameworkFileError(self._child_path(str(key)), self.value[key],
                                         "not a known field here; check its spelling")
        for key in sorted(required):
            if key not in self.value:
                raise FrameworkFileError(self._child_path(key), MISSING, "the field is required")

    def get(self, key: str, default: Any = ...) -> "_Node":
        if key not in self.value and default is not ...:
            return _Node(default, self._child_path(key))
        return _Node(self.value[key], self._child_path(key))

    def items(self, *, min_length: int = 0) -> list["_Node"]:
        if not isinstance(self.value, list):
            raise FrameworkFileError(self.path, _short(self.value), "must be a list")
        if len(self.value) < min_length:
            raise FrameworkFileError(self.path, self.value, f"must have at least {min_length} item(s)")
        return [_Node(item, self._child_path(index)) for index, item in enumerate(self.value)]

    def text(self, *, max_length: int | None = None, allow_empty: bool = False) -> str:
        if not isinstance(self.value, str):
            raise FrameworkFileError(self.path, self.value, "must be text")
        text = " ".join(self.value.split())
        if not text and not allow_empty:
            raise FrameworkFileError(self.path, self.value, "must not be empty")
        if max_length is not None and len(text) > max_length:
            raise FrameworkFileError(self.path, self.value, f"must be at most {max_length} characters")
        return text

    def slug(self) -> str:
        text = self.text(max_length=100)
        if not set(text) <= _SLUG_CHARACTERS:
            raise FrameworkFileError(self.path, text, "must contain only lowercase letters, digits, '-' and '.'")
        return text

    def choice(self, choices: list[str]) -> str:
        if self.value not in choices:
            raise FrameworkFileError(self.path, self.value, f"must be one of {', '.join(choices)}")
        return self.value

    def url(self) -> str:
        text = self.text(max_length=500)
        try:
            _url_validator(text)
        except ValidationError as error:
            raise FrameworkFileError(self.path, text, "must be an http or https URL") from error
        return text

    def positive_int(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 1:
            raise FrameworkFileError(self.path, self.value, "must be a whole number of at least 1")
        return self.value

    def number(self) -> float:
        # bool is a subclass of int, and NaN or infinity cannot be compared with bounds.
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
            raise FrameworkFileError(self.path, self.value, "must be a finite number")
        return float(self.value)

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise FrameworkFileError(self.path, self.value, "must be true or false")
        return self.value

    def date_or_none(self) -> datetime.date | None:
        if self.value is None:
            return None
        if isinstance(self.value, datetime.date):
            return self.value
        if isinstance(self.value, str):
            try:
                return datetime.date.fromisoformat(self.value)
            except ValueError:
                pass
        raise FrameworkFileError(self.path, self.value, "must be a date written YYYY-MM-DD, or null")


def _short(value: Any) -> Any:
    """Abbreviate a large value for an error message."""
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."
