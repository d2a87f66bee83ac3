"""Writing the catalog: loading framework and benchmark data files, importing evaluation results."""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction
from django.utils.translation import ngettext

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent
from riskapp.catalog.benchmark_file import read_benchmark_file
from riskapp.catalog.evaluation_file import read_evaluation_file
from riskapp.catalog.framework_file import FrameworkDocument, FrameworkFileError, read_framework_file
from riskapp.catalog.models import MEASURE_ID_SEPARATOR, EvaluationResult
from riskapp.catalog.profile_file import ProfileDocument, ProfileResultData, read_profile_file

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

# The files that the data migrations load, in order.
BUNDLED_FILES = ("anthropic-rsp-1.0.yaml", "rand-securing-model-weights-2024.yaml")


@dataclass
class LoadReport:
    """Counts of catalog rows that one load created, changed, deleted or left as they were."""

    version_slug: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    # One line per created, updated or deleted row, such as "updated Measure 12".
    changed_items: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def load_framework_file(path: str | Path, *, apps: Any = global_apps) -> LoadReport:
    """Validate a framework data file and load it; see ``load_framework_document``."""
    return load_framework_document(read_framework_file(path), apps=apps)


def load_framework_document(document: FrameworkDocument, *, apps: Any = global_apps) -> LoadReport:
    """Create or upgrade one framework version and its items so that they match ``document``.

    Rows are matched by their codes, so loading the same document twice changes nothing, and
    loading an edited one updates the rows in place (keeping their primary keys) and deletes
    those that the document no longer lists. Everything happens in one transaction.

    ``apps`` is the model registry; a data migration passes its historical one.
    """
    loader = _Loader(apps, LoadReport(version_slug=document.version_slug))
    with transaction.atomic():
        loader.load(document)
    report = loader.report
    logger.info("Loaded framework version %s: %d created, %d updated, %d deleted, %d unchanged",
                report.version_slug, report.created, report.updated, report.deleted, report.unchanged)
    return report


class _Loader:
    def __init__(self, apps: Any, report: LoadReport) -> None:
        self.report = report
        # Rows created by this load, as (model name, pk). Setting a new measure's supersedes
        # link in the second pass is part of creating it, so it is not counted as an update.
        self.created: set[tuple[str, int]] = set()
        self.Framework = apps.get_model("catalog", "Framework")
        self.FrameworkVersion = apps.get_model("catalog", "FrameworkVersion")
        self.Source = apps.get_model("catalog", "Source")
        self.SafetyLevel = apps.get_model("catalog", "SafetyLevel")
        self.DangerousCapability = apps.get_model("catalog", "DangerousCapability")
        self.Measure = apps.get_model("catalog", "Measure")
        self.ThreatActorTier = apps.get_model("catalog", "ThreatActorTier")
        self.CapabilityThreshold = _model_or_none(apps, "CapabilityThreshold")

    def load(self, document: FrameworkDocument) -> None:
        framework = self._upsert(self.Framework, {"slug": document.framework_slug},
                                 {"name": document.framework_name, "publisher": document.publisher})
        version = self._upsert(self.FrameworkVersion, {"slug": document.version_slug}, {
            "framework": framework,
            "label": document.label,
            "effective_date": document.effective_date,
            "status": document.status,
            "summary": document.summary,
            "source_url": document.source_url,
        })

        sources = [
            self._upsert(self.Source, {"version": version, "url": source.url},
                         {"title": source.title, "evidence": source.evidence})
            for source in document.sources
        ]
        self._delete_others(self.Source.objects.filter(version=version), sources)

        levels_by_code = self._load_levels(version, document)
        measures_by_code = self._load_measures(version, document, levels_by_code)
        self._load_tiers(version, document, levels_by_code)
        if self.CapabilityThreshold is not None:
            self._load_thresholds(version, document, levels_by_code, measures_by_code)
        elif document.thresholds:
            raise LookupError(f"{document.version_slug} has thresholds, which this schema state cannot store")

    def _load_levels(self, version: Any, document: FrameworkDocument) -> dict[str, Any]:
        levels_by_code = {}
        capabilities = []
        # Stale levels go first, so that a new level can take the order a removed one had.
        levels = self.SafetyLevel.objects.filter(version=version)
        self._delete_others(levels.exclude(code__in=[level.code for level in document.levels]), [])
        self._free_orders(self.SafetyLevel.objects.filter(version=version),
                          {level.code: level.order for level in document.levels})

        for level_data in document.levels:
            level = self._upsert(self.SafetyLevel, {"version": version, "code": level_data.code}, {
                "slug": level_data.slug,
                "name": level_data.name,
                "order": level_data.order,
                "summary": level_data.summary,
                "provisional": level_data.provisional,
                "evidence": level_data.evidence,
                "source_url": level_data.source_url,
            })
            levels_by_code[level.code] = level
            for capability in level_data.capabilities:
                capabilities.append(self._upsert(self.DangerousCapability, {"level": level, "code": capability.code}, {
                    "domain": capability.domain,
                    "description": capability.description,
                    "evidence": capability.evidence,
                    "source_url": capability.source_url,
                }))

        self._delete_others(self.DangerousCapability.objects.filter(level__version=version), capabilities)
        return levels_by_code

    def _load_measures(self, version: Any, document: FrameworkDocument,
                       levels_by_code: dict[str, Any]) -> dict[str, Any]:
        measures_by_code = {}
        for level_data in document.levels:
            for measure in level_data.measures:
                lookup = {"version": version, "code": measure.code}
                measures_by_code[measure.code] = self._upsert(self.Measure, lookup, {
                    "level": levels_by_code[level_data.code],
                    "kind": measure.kind,
                    "name": measure.name,
                    "description": measure.description,
                    "evidence": measure.evidence,
                    "source_url": measure.source_url,
                })
        self._delete_others(self.Measure.objects.filter(version=version), list(measures_by_code.values()))

        # A second pass, because a measure may supersede one that was loaded after it.
        for level_data in document.levels:
            for measure_data in level_data.measures:
                measure = measures_by_code[measure_data.code]
                superseded = measures_by_code[measure_data.supersedes] if measure_data.supersedes else None
                if not _same_value(measure.supersedes, superseded):
                    measure.supersedes = superseded
                    measure.save(update_fields=["supersedes"])
                    if ("measure", measure.pk) not in self.created:
                        self._count("updated", measure)
        return measures_by_code

    def _load_tiers(self, version: Any, document: FrameworkDocument, levels_by_code: dict[str, Any]) -> None:
        tiers = []
        for tier in document.threat_actor_tiers:
            tiers.append(self._upsert(self.ThreatActorTier, {"version": version, "code": tier.code}, {
                "name": tier.name,
                "order": tier.order,
                "description": tier.description,
                "budget_usd_max": tier.budget_usd_max,
                "duration": tier.duration,
                "team_size": tier.team_size,
                "countered_by": levels_by_code[tier.countered_by] if tier.countered_by else None,
                "evidence": tier.evidence,
                "source_url": tier.source_url,
            }))
        self._delete_others(self.ThreatActorTier.objects.filter(version=version), tiers)

    def _load_thresholds(self, version: Any, document: FrameworkDocument, levels_by_code: dict[str, Any],
                         measures_by_code: dict[str, Any]) -> None:
        # Orders and slugs are unique per version, so stale rows go before the others move.
        existing = self.CapabilityThreshold.objects.filter(version=version)
        self._delete_others(existing.exclude(code__in=[item.code for item in document.thresholds]), [])
        for data in document.thresholds:
            threshold = self._upsert(self.CapabilityThreshold, {"version": version, "code": data.code}, {
                "slug": data.slug,
                "name": data.name,
                "order": data.order,
                "domain": data.domain,
                "description": data.description,
                "gating": data.gating,
                "provisional": data.provisional,
                "required_level": levels_by_code[data.required_level] if data.required_level else None,
                "crosswalk_group": data.crosswalk_group,
                "evidence": data.evidence,
                "source_url": data.source_url,
            })
            wanted = {measures_by_code[code].pk for code in data.required_measures}
            current = set(threshold.required_measures.values_list("pk", flat=True))
            if wanted != current:
                threshold.required_measures.set(wanted)
                if ("capabilitythreshold", threshold.pk) not in self.created:
                    self._count("updated", threshold)

    def _upsert(self, model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
        """Create the row matching ``lookup`` or bring its fields to ``values``, counting what changed."""
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model.objects.create(**lookup, **values)
            self.created.add((model._meta.model_name, instance.pk))
            self._count("created", instance)
            return instance

        changed = [name for name, value in values.items() if not _same_value(getattr(instance, name), value)]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            instance.save(update_fields=changed)
            self._count("updated", instance)
        else:
            self.report.unchanged += 1
        return instance

    def _delete_others(self, queryset: Any, rows_to_keep: list[Any]) -> None:
        stale = queryset.exclude(pk__in=[row.pk for row in rows_to_keep])
        for item in stale:
            self._count("deleted", item)
        stale.delete()

    def _free_orders(self, queryset: Any, order_of_code: dict[str, int]) -> None:
        """Move rows whose order will change out of the way of the unique (version, order) constraint.

        Without this, swapping the orders of two levels would collide halfway through the update.
        """
        # Orders in a file are small positive numbers, so the offset keeps temporary ones unique.
        offset = 10_000
        for row in queryset.filter(code__in=list(order_of_code)):
            if row.order != order_of_code[row.code]:
                row.order += offset
                row.save(update_fields=["order"])

    def _count(self, change: str, instance: Any) -> None:
        setattr(self.report, change, getattr(self.report, change) + 1)
        self.report.changed_items.append(f"{change} {type(instance).__name__} {instance.pk}")


def _model_or_none(apps: Any, name: str) -> Any:
    # The data migration that loads the first frameworks runs before thresholds existed.
    try:
        return apps.get_model("catalog", name)
    except LookupError:
        return None


def _same_value(current: Any, new: Any) -> bool:
    # Foreign keys compare by primary key; the decimal budget compares equal to an int.
    if hasattr(current, "pk") and hasattr(new, "pk"):
        return current.pk == new.pk
    return current == new


def load_benchmark_file(path: str | Path, *, apps: Any = global_apps) -> int:
    """Validate a benchmark data file and create or update its benchmarks and their criteria.

    Benchmarks are matched by slug and criteria by threshold; a criterion that the file no longer
    lists for a benchmark is deleted. Benchmarks missing from the file stay, because stored
    results may refer to them. Returns the number of benchmarks in the file.
    """
    benchmarks = read_benchmark_file(path)
    Benchmark = apps.get_model("catalog", "Benchmark")
    ThresholdCriterion = apps.get_model("catalog", "ThresholdCriterion")
    CapabilityThreshold = apps.get_model("catalog", "CapabilityThreshold")

    with transaction.atomic():
        for data in benchmarks:
            benchmark, _created = Benchmark.objects.update_or_create(slug=data.slug, defaults={
                "name": data.name,
                "description": data.description,
                "domain": data.domain,
                "unit": data.unit,
                "direction": data.direction,
                "minimum": data.minimum,
                "maximum": data.maximum,
                "saturated": data.saturated,
                "evidence": data.evidence,
                "source_url": data.source_url,
            })
            kept = []
            for criterion in data.criteria:
                version_slug, _separator, threshold_slug = criterion.threshold_id.partition(MEASURE_ID_SEPARATOR)
                threshold = CapabilityThreshold.objects.filter(version__slug=version_slug, slug=threshold_slug).first()
                if threshold is None:
                    raise FrameworkFileError(f"{criterion.path}.threshold", criterion.threshold_id,
                                             "must be the id of a capability threshold in the catalog, "
                                             "written version-slug:threshold-slug")
                row, _created = ThresholdCriterion.objects.update_or_create(
                    benchmark=benchmark, threshold=threshold, defaults={
                        "rule_out_bound": criterion.rule_out_bound,
                        "rule_out_inclusive": criterion.rule_out_inclusive,
                        "rule_in_bound": criterion.rule_in_bound,
                        "rule_in_inclusive": criterion.rule_in_inclusive,
                        "note": criterion.note,
                        "evidence": criterion.evidence,
                        "source_url": criterion.source_url,
                    })
                kept.append(row.pk)
            ThresholdCriterion.objects.filter(benchmark=benchmark).exclude(pk__in=kept).delete()

    logger.info("Loaded %d benchmarks from %s", len(benchmarks), path)
    return len(benchmarks)


def import_evaluation_file(content: bytes, filename: str, *, entered_by: Any = None,
                           profiles: Any = None) -> list[Any]:
    """Validate a CSV or JSON file of evaluation results and store every row, or none.

    Validation runs inside the transaction, so a result stored by someone else since a preview
    is reported as a duplicate instead of being stored twice. ``profiles`` limits the model
    profiles that rows may name, as in ``read_evaluation_file``. Each organisation whose profiles
    gain results gets one audit event. Raises ``EvaluationFileError``.
    """
    with transaction.atomic():
        rows = read_evaluation_file(content, filename, profiles=profiles)
        results = EvaluationResult.objects.bulk_create([
            EvaluationResult(
                profile=row.profile, benchmark=row.benchmark, score=row.score, evaluated_on=row.evaluated_on,
                source_url=row.source_url, framework_version=row.framework_version, note=row.note,
                entered_by=entered_by, entered_via=f"import of {filename}"[:300],
            )
            for row in rows
        ])
        _audit_evaluation_import(rows, filename, entered_by)
    logger.info("Imported %d evaluation results from %s (user %s)", len(results), filename,
                getattr(entered_by, "pk", None))
    return results


def _audit_evaluation_import(rows: list[Any], filename: str, entered_by: Any) -> None:
    by_profile: dict[int, list[Any]] = {}
    for row in rows:
        by_profile.setdefault(row.profile.pk, []).append(row)
    for profile_rows in by_profile.values():
        profile = profile_rows[0].profile
        audit.record(entered_by, profile.organisation, AuditEvent.Action.IMPORT, profile,
                     ngettext("Imported %(count)d evaluation result of “%(name)s” (%(slug)s) from %(filename)s",
                              "Imported %(count)d evaluation results of “%(name)s” (%(slug)s) from %(filename)s",
                              len(profile_rows))
                     % {"count": len(profile_rows), "name": profile.name, "slug": profile.slug, "filename": filename})


def load_model_profile_file(path: str | Path, *, apps: Any = global_apps) -> Any:
    """Validate a model profile data file and create or update the profile, its sources, measures and results.

    Results are matched by benchmark, date and source URL; results that the file no longer lists
    and that came from this file are deleted, while results entered by other means stay.
    """
    path = Path(path)
    document = read_profile_file(path)
    ModelProfile = apps.get_model("catalog", "ModelProfile")
    ProfileSource = apps.get_model("catalog", "ProfileSource")
    EvaluationResult = apps.get_model("catalog", "EvaluationResult")
    entered_via = f"data file {path.name}"

    with transaction.atomic():
        profile, _created = ModelProfile.objects.update_or_create(slug=document.slug, defaults={
            "name": document.name, "developer": document.developer, "release_date": document.release_date,
            "description": document.description, "source_url": document.source_url,
        })
        for url, title in document.sources:
            ProfileSource.objects.update_or_create(profile=profile, url=url, defaults={"title": title})
        ProfileSource.objects.filter(profile=profile).exclude(url__in=[url for url, _ in document.sources]).delete()
        profile.measures_in_place.set(_measures_by_id(document, apps))

        kept = []
        for data in document.results:
            benchmark, version = _check_profile_result(data, apps)
            result, _created = EvaluationResult.objects.update_or_create(
                profile=profile, benchmark=benchmark, evaluated_on=data.evaluated_on, source_url=data.source_url,
                defaults={"score": data.score, "framework_version": version, "note": data.note,
                          "entered_via": entered_via},
            )
            kept.append(result.pk)
        EvaluationResult.objects.filter(profile=profile, entered_via=entered_via).exclude(pk__in=kept).delete()

    logger.info("Loaded model profile %s with %d results from %s", profile.slug, len(kept), path)
    return profile


def _measures_by_id(document: ProfileDocument, apps: Any) -> list[Any]:
    Measure = apps.get_model("catalog", "Measure")
    measures = []
    for index, measure_id in enumerate(document.measures_in_place):
        version_slug, _separator, code = measure_id.partition(MEASURE_ID_SEPARATOR)
        measure = Measure.objects.filter(version__slug=version_slug, code=code).first()
        if measure is None:
            raise FrameworkFileError(f"measures_in_place[{index}]", measure_id,
                                     "must be a measure id in the catalog, written version-slug:code")
        measures.append(measure)
    return measures


def _check_profile_result(data: ProfileResultData, apps: Any) -> tuple[Any, Any]:
    """Resolve a result's benchmark and version, and apply the same unit and range rules as an import."""
    benchmark = apps.get_model("catalog", "Benchmark").objects.filter(slug=data.benchmark).first()
    if benchmark is None:
        raise FrameworkFileError(f"{data.path}.benchmark", data.benchmark, "not the slug of a benchmark in the catalog")
    if data.unit != benchmark.unit:
        raise FrameworkFileError(f"{data.path}.unit", data.unit,
                                 f"must be {benchmark.unit!r}, the unit of benchmark {benchmark.slug}")
    below = benchmark.minimum is not None and data.score < benchmark.minimum
    above = benchmark.maximum is not None and data.score > benchmark.maximum
    if below or above:
        raise FrameworkFileError(f"{data.path}.score", data.score,
                                 f"must lie within the valid range of {benchmark.slug}")

    version = None
    if data.framework_version is not None:
        version = apps.get_model("catalog", "FrameworkVersion").objects.filter(slug=data.framework_version).first()
        if version is None:
            raise FrameworkFileError(f"{data.path}.framework_version", data.framework_version,
                                     "not the slug of a framework version in the catalog")
    return benchmark, version
