"""Reading the catalog: framework listings, level requirements, measure-id resolution and determinations."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from riskapp.catalog.benchmark_file import criterion_zones
from riskapp.catalog.determination import (
    Criterion,
    Determination,
    LevelRef,
    Observation,
    ThresholdFinding,
    ThresholdSpec,
    determine,
    safeguard_checklist,
)
from riskapp.catalog.models import (
    MEASURE_ID_SEPARATOR,
    Benchmark,
    CapabilityThreshold,
    CrosswalkGroup,
    DangerousCapability,
    EvaluationResult,
    Framework,
    FrameworkVersion,
    Measure,
    ModelProfile,
    SafetyLevel,
    ThresholdCriterion,
)


@dataclass(frozen=True)
class MeasureResolution:
    """The outcome of resolving measure ids: the measures found, in request order, and the rest."""

    measures: dict[str, Measure]
    unknown: list[str]

    @property
    def ok(self) -> bool:
        return not self.unknown


def resolve_measure_ids(measure_ids: Iterable[str]) -> MeasureResolution:
    """Look up measure ids of the form ``version-slug:code`` with one query.

    An id that is malformed or names no stored measure is listed in ``unknown`` (once, in
    request order); duplicates are resolved once.
    """
    wanted: dict[str, tuple[str, str] | None] = {}
    for measure_id in measure_ids:
        if measure_id in wanted:
            continue
        version_slug, separator, code = str(measure_id).partition(MEASURE_ID_SEPARATOR)
        wanted[measure_id] = (version_slug, code) if separator and version_slug and code else None

    pairs = {pair for pair in wanted.values() if pair is not None}
    found: dict[tuple[str, str], Measure] = {}
    if pairs:
        candidates = Measure.objects.select_related("version", "level").filter(
            version__slug__in={slug for slug, _ in pairs}, code__in={code for _, code in pairs},
        )
        found = {(measure.version.slug, measure.code): measure for measure in candidates}

    measures = {}
    unknown = []
    for measure_id, pair in wanted.items():
        if pair is not None and pair in found:
            measures[measure_id] = found[pair]
        else:
            unknown.append(measure_id)
    return MeasureResolution(measures=measures, unknown=unknown)


def unknown_measure_codes(measure_ids: Iterable[str]) -> list[str]:
    """Return the measure ids that name no stored measure, each once, in request order."""
    return resolve_measure_ids(measure_ids).unknown


def list_frameworks() -> QuerySet[Framework]:
    """Return every framework with its versions, newest version first."""
    versions = FrameworkVersion.objects.order_by("-effective_date", "label")
    return Framework.objects.prefetch_related(Prefetch("versions", queryset=versions))


def get_version_or_404(version_slug: str) -> FrameworkVersion:
    return get_object_or_404(FrameworkVersion.objects.select_related("framework"), slug=version_slug)


def list_levels(version: FrameworkVersion) -> QuerySet[SafetyLevel]:
    """Return the levels of a version in order, with their capabilities, measures and actor tiers."""
    return version.levels.order_by("order").prefetch_related(
        Prefetch("capabilities", queryset=DangerousCapability.objects.order_by("pk")),
        Prefetch("measures", queryset=Measure.objects.select_related("supersedes").order_by("kind", "pk")),
        "countered_tiers",
    )


def get_level_or_404(version: FrameworkVersion, level_slug: str) -> SafetyLevel:
    return get_object_or_404(version.levels.prefetch_related("capabilities"), slug=level_slug)


def required_measures(level: SafetyLevel) -> list[Measure]:
    """Return every measure a level requires: its own and those of lower levels, lowest level first.

    A lower-level measure that a required measure supersedes is left out, because the stricter
    measure replaces it.
    """
    cumulative = list(
        Measure.objects.filter(version_id=level.version_id, level__order__lte=level.order)
        .select_related("level", "supersedes", "version")
        .order_by("level__order", "kind", "pk")
    )
    superseded = {measure.supersedes_id for measure in cumulative if measure.supersedes_id is not None}
    return [measure for measure in cumulative if measure.pk not in superseded]


def split_by_kind(measures: Iterable[Measure]) -> dict[str, list[Measure]]:
    """Group measures into containment and deployment lists, keeping their order."""
    groups: dict[str, list[Measure]] = {kind: [] for kind in Measure.Kind.values}
    for measure in measures:
        groups[measure.kind].append(measure)
    return groups


@dataclass(frozen=True)
class FindingRow:
    """A threshold finding with its catalog rows, for display."""

    threshold: CapabilityThreshold
    finding: ThresholdFinding
    readings: list[tuple[EvaluationResult, str]]


@dataclass(frozen=True)
class ProfileDetermination:
    """The determination for one model profile under one framework version, with its safeguards checklist."""

    profile: ModelProfile
    version: FrameworkVersion
    determination: Determination
    rows: list[FindingRow]
    required_level: SafetyLevel | None
    # Required measures in order, each with whether the profile has it in place.
    checklist: list[tuple[Measure, bool]]
    excluded_results: list[EvaluationResult]

    @property
    def requires_safeguards(self) -> bool:
        """Whether some threshold is ruled in or cannot be ruled out."""
        return any(row.finding.requires_safeguards for row in self.rows)

    @property
    def missing_count(self) -> int:
        return sum(1 for _measure, in_place in self.checklist if not in_place)


def versions_with_thresholds() -> QuerySet[FrameworkVersion]:
    return (FrameworkVersion.objects.filter(thresholds__isnull=False).distinct()
            .select_related("framework").order_by("framework__publisher", "-effective_date"))


def determine_for_profile(profile: ModelProfile, version: FrameworkVersion) -> ProfileDetermination:
    """Determine the thresholds of ``version`` from the profile's results and list the safeguards gap."""
    thresholds = list(
        version.thresholds.select_related("required_level").prefetch_related(
            Prefetch("criteria", queryset=ThresholdCriterion.objects.select_related("benchmark")),
            Prefetch("required_measures", queryset=Measure.objects.select_related("version").order_by("pk")),
        ).order_by("order")
    )
    levels = list(version.levels.order_by("order"))
    baseline = levels[0] if levels else None
    baseline_measures = required_measures(baseline) if baseline else []

    results = {result.pk: result for result in
               profile.results.select_related("benchmark", "framework_version").order_by("benchmark__name", "pk")}
    measures = {measure.measure_id: measure for measure in baseline_measures}
    for threshold in thresholds:
        measures.update((measure.measure_id, measure) for measure in threshold.required_measures.all())

    determination = determine(
        [_threshold_spec(threshold) for threshold in thresholds],
        [Observation(result_id=result.pk, benchmark=result.benchmark.slug, score=result.score,
                     framework_version=result.framework_version.slug if result.framework_version else None)
         for result in results.values()],
        version=version.slug,
        baseline_level=_level_ref(baseline),
        baseline_measures=[measure.measure_id for measure in baseline_measures],
    )

    in_place = {measure.measure_id for measure in profile.measures_in_place.select_related("version")}
    rows = [
        FindingRow(threshold=threshold, finding=finding,
                   readings=[(results[int(reading.observation.result_id)], reading.zone.value)
                             for reading in finding.readings])
        for threshold, finding in zip(thresholds, determination.findings, strict=True)
    ]
    levels_by_code = {level.code: level for level in levels}
    required_level = levels_by_code[determination.required_level.code] if determination.required_level else None
    return ProfileDetermination(
        profile=profile,
        version=version,
        determination=determination,
        rows=rows,
        required_level=required_level,
        checklist=[(measures[item.measure], item.in_place)
                   for item in safeguard_checklist(determination.required_measures, in_place)],
        excluded_results=[results[int(observation.result_id)] for observation in determination.excluded],
    )


def _level_ref(level: SafetyLevel | None) -> LevelRef | None:
    return None if level is None else LevelRef(code=level.code, order=level.order)


def _threshold_spec(threshold: CapabilityThreshold) -> ThresholdSpec:
    return ThresholdSpec(
        code=threshold.code,
        gating=threshold.gating,
        required_level=_level_ref(threshold.required_level),
        required_measures=tuple(measure.measure_id for measure in threshold.required_measures.all()),
        criteria=tuple(
            Criterion(benchmark=criterion.benchmark.slug,
                      zones=criterion_zones(criterion, criterion.benchmark.direction))
            for criterion in threshold.criteria.all()
        ),
    )


def list_thresholds(version: FrameworkVersion) -> QuerySet[CapabilityThreshold]:
    """Return a version's thresholds in order, with their required level, measures and criteria."""
    return version.thresholds.order_by("order").select_related("required_level").prefetch_related(
        Prefetch("required_measures", queryset=Measure.objects.select_related("version").order_by("kind", "pk")),
        Prefetch("criteria", queryset=ThresholdCriterion.objects.select_related("benchmark")),
    )


def list_benchmarks() -> QuerySet[Benchmark]:
    return Benchmark.objects.prefetch_related(
        Prefetch("criteria", queryset=ThresholdCriterion.objects.select_related("threshold__version")),
    ).order_by("domain", "name")


def crosswalk_table() -> dict:
    """Arrange the thresholds of every version that has some into rows of similar risk, one column per version."""
    versions = list(versions_with_thresholds())
    thresholds = CapabilityThreshold.objects.exclude(crosswalk_group="").select_related("required_level")
    cells: dict[tuple[str, int], list[CapabilityThreshold]] = {}
    for threshold in thresholds.order_by("order"):
        cells.setdefault((threshold.crosswalk_group, threshold.version_id), []).append(threshold)

    rows = [
        {"group": label, "cells": [cells.get((group, version.pk), []) for version in versions]}
        for group, label in CrosswalkGroup.choices
    ]
    return {"versions": versions, "rows": rows}


@dataclass(frozen=True)
class LevelCoverage:
    """How far one defense's catalog measures meet one framework version's safety levels.

    ``met`` is the highest level whose cumulative requirements the measures all implement (None
    when not even the lowest level's are); ``missing`` lists what the next level above it
    requires and the defense lacks, and is empty when that level defines no measures yet.
    """

    version: FrameworkVersion
    kind: str
    met: SafetyLevel | None
    next_level: SafetyLevel | None
    missing: list[Measure]

    @property
    def kind_label(self) -> str:
        return str(Measure.Kind(self.kind).label)


def level_coverage(measure_ids: Iterable[str]) -> tuple[list[LevelCoverage], list[str]]:
    """Return the safety levels a set of measures meets, per framework version and kind, and unknown ids.

    Each kind of measure the set contains (containment, deployment, governance) is judged on its
    own, so a defense that only secures model weights is placed by its containment measures and
    not held back by deployment measures it never meant to provide.
    """
    resolution = resolve_measure_ids(measure_ids)
    implemented = {measure.pk for measure in resolution.measures.values()}
    # A stricter measure implements the lower-level one it supersedes, and so on down.
    for measure in resolution.measures.values():
        current = measure
        while current.supersedes_id is not None and current.supersedes_id not in implemented:
            implemented.add(current.supersedes_id)
            current = current.supersedes
    versions = {measure.version_id: measure.version for measure in resolution.measures.values()}
    kinds_by_version: dict[int, set[str]] = {}
    for measure in resolution.measures.values():
        kinds_by_version.setdefault(measure.version_id, set()).add(measure.kind)

    coverages = []
    for version in sorted(versions.values(), key=lambda v: v.slug):
        for kind in [k for k in Measure.Kind.values if k in kinds_by_version[version.pk]]:
            coverages.append(_coverage(version, kind, implemented))
    return coverages, resolution.unknown


def _coverage(version: FrameworkVersion, kind: str, implemented: set[int]) -> LevelCoverage:
    met = None
    for level in list_levels(version):
        if met is not None and not level.measures.filter(kind=kind).exists():
            # A level above the lowest that defines no measures of this kind (ASL-4 and up in
            # RSP 1.0) is not met by the lower levels' measures.
            return LevelCoverage(version=version, kind=kind, met=met, next_level=level, missing=[])
        required = [measure for measure in required_measures(level) if measure.kind == kind]
        lacking = [measure for measure in required if measure.pk not in implemented]
        if lacking:
            return LevelCoverage(version=version, kind=kind, met=met, next_level=level, missing=lacking)
        met = level
    return LevelCoverage(version=version, kind=kind, met=met, next_level=None, missing=[])
