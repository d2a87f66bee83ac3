"""Reading and validating benchmark data files (format ``riskapp-benchmarks/1``).

A file lists benchmark definitions, each with the capability thresholds it informs and, where a
source publishes them, the rule-out and rule-in bounds for each threshold. Thresholds are named
by ``version-slug:threshold-slug``; the loader checks that they exist.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from riskapp.catalog.determination import Zones
from riskapp.catalog.framework_file import DEFAULT_EVIDENCE, FrameworkFileError
from riskapp.catalog.framework_file import _Node as Node
from riskapp.catalog.models import Benchmark, Evidence, RiskDomain

FORMAT = "riskapp-benchmarks/1"


@dataclass(frozen=True)
class CriterionData:
    threshold_id: str
    rule_out_bound: float | None
    rule_out_inclusive: bool
    rule_in_bound: float | None
    rule_in_inclusive: bool
    note: str
    evidence: str
    source_url: str
    path: str  # field path in the file, for errors the loader finds


@dataclass(frozen=True)
class BenchmarkData:
    slug: str
    name: str
    description: str
    domain: str
    unit: str
    direction: str
    minimum: float | None
    maximum: float | None
    saturated: bool
    evidence: str
    source_url: str
    criteria: tuple[CriterionData, ...]


def read_benchmark_file(path: str | Path) -> tuple[BenchmarkData, ...]:
    """Read a YAML benchmark data file and validate it."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FrameworkFileError(str(path), path.name, f"not valid YAML: {error}") from error
    return parse_benchmark_document(data)


def parse_benchmark_document(data: Any) -> tuple[BenchmarkData, ...]:
    root = Node(data, "")
    root.check_keys(required={"format", "benchmarks"})
    if root.get("format").value != FORMAT:
        raise FrameworkFileError("format", root.get("format").value, f"must be {FORMAT!r}")
    benchmarks = tuple(_parse_benchmark(node) for node in root.get("benchmarks").items(min_length=1))
    seen: set[str] = set()
    for index, benchmark in enumerate(benchmarks):
        if benchmark.slug in seen:
            raise FrameworkFileError(f"benchmarks[{index}].slug", benchmark.slug, "must be unique")
        seen.add(benchmark.slug)
    return benchmarks


def _parse_benchmark(node: Node) -> BenchmarkData:
    node.check_keys(required={"slug", "name", "description", "domain", "unit", "source_url"},
                    optional={"direction", "minimum", "maximum", "saturated", "evidence", "criteria"})
    minimum = _optional_number(node.get("minimum", None))
    maximum = _optional_number(node.get("maximum", None))
    if minimum is not None and maximum is not None and minimum >= maximum:
        raise FrameworkFileError(f"{node.path}.maximum", maximum, "must be greater than minimum")
    direction = node.get("direction", str(Benchmark.Direction.HIGHER_IS_MORE_CAPABLE)).choice(
        Benchmark.Direction.values)

    criteria = []
    for item in node.get("criteria", []).items():
        criterion = _parse_criterion(item)
        _check_bounds(item, criterion, minimum, maximum, direction)
        criteria.append(criterion)
    thresholds = [criterion.threshold_id for criterion in criteria]
    if len(set(thresholds)) != len(thresholds):
        raise FrameworkFileError(f"{node.path}.criteria", thresholds, "must name each threshold once")

    return BenchmarkData(
        slug=node.get("slug").slug(),
        name=node.get("name").text(max_length=200),
        description=node.get("description").text(),
        domain=node.get("domain").choice(RiskDomain.values),
        unit=node.get("unit").choice(Benchmark.Unit.values),
        direction=direction,
        minimum=minimum,
        maximum=maximum,
        saturated=node.get("saturated", False).boolean(),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
        criteria=tuple(criteria),
    )


def _parse_criterion(node: Node) -> CriterionData:
    node.check_keys(required={"threshold", "source_url"},
                    optional={"rule_out_bound", "rule_out_inclusive", "rule_in_bound", "rule_in_inclusive",
                              "note", "evidence"})
    return CriterionData(
        threshold_id=node.get("threshold").text(max_length=200),
        rule_out_bound=_optional_number(node.get("rule_out_bound", None)),
        rule_out_inclusive=node.get("rule_out_inclusive", False).boolean(),
        rule_in_bound=_optional_number(node.get("rule_in_bound", None)),
        rule_in_inclusive=node.get("rule_in_inclusive", True).boolean(),
        note=node.get("note", "").text(allow_empty=True),
        evidence=node.get("evidence", DEFAULT_EVIDENCE).choice(Evidence.values),
        source_url=node.get("source_url").url(),
        path=node.path,
    )


def _check_bounds(node: Node, criterion: CriterionData, minimum: float | None, maximum: float | None,
                  direction: str) -> None:
    for name in ("rule_out_bound", "rule_in_bound"):
        bound = getattr(criterion, name)
        if bound is None:
            continue
        if (minimum is not None and bound < minimum) or (maximum is not None and bound > maximum):
            raise FrameworkFileError(f"{node.path}.{name}", bound, "must lie within the benchmark's valid range")
    zones = criterion_zones(criterion, direction)
    for problem in zones.problems():
        raise FrameworkFileError(f"{node.path}.rule_in_bound", criterion.rule_in_bound, problem)


def criterion_zones(criterion: Any, direction: str) -> Zones:
    """Build the zones of a criterion row or file entry for a benchmark of ``direction``."""
    return Zones(
        rule_out_bound=criterion.rule_out_bound,
        rule_in_bound=criterion.rule_in_bound,
        rule_out_inclusive=criterion.rule_out_inclusive,
        rule_in_inclusive=criterion.rule_in_inclusive,
        higher_is_more_capable=direction == Benchmark.Direction.HIGHER_IS_MORE_CAPABLE,
    )


def _optional_number(node: Node) -> float | None:
    return None if node.value is None else node.number()
