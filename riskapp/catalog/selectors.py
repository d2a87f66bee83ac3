"""Reading the catalog: framework listings, level requirements and measure-id resolution."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from riskapp.catalog.models import (
    MEASURE_ID_SEPARATOR,
    DangerousCapability,
    Framework,
    FrameworkVersion,
    Measure,
    SafetyLevel,
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
