from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from riskapp.catalog.models import (
    Benchmark,
    CapabilityThreshold,
    DangerousCapability,
    EvaluationResult,
    Framework,
    FrameworkVersion,
    Measure,
    ModelProfile,
    ProfileSource,
    SafetyLevel,
    Source,
    ThreatActorTier,
    ThresholdCriterion,
)

# Source links are public web pages, so a URL typed without a scheme means https.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class FrameworkVersionInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = FrameworkVersion
    fields = ["label", "slug", "effective_date", "status"]
    show_change_link = True
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["name", "publisher", "slug"]
    search_fields = ["name", "publisher", "slug"]
    inlines = [FrameworkVersionInline]


class SourceInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = Source
    extra = 0


class SafetyLevelInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = SafetyLevel
    fields = ["order", "code", "slug", "name", "provisional"]
    show_change_link = True
    extra = 0


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["__str__", "slug", "effective_date", "status"]
    list_filter = ["status", "framework"]
    search_fields = ["slug", "label", "framework__name"]
    inlines = [SourceInline, SafetyLevelInline]


class DangerousCapabilityInline(admin.StackedInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = DangerousCapability
    extra = 0


class MeasureInline(admin.StackedInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = Measure
    fields = ["version", "kind", "code", "name", "description", "supersedes", "evidence", "source_url"]
    extra = 0


@admin.register(SafetyLevel)
class SafetyLevelAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["code", "name", "version", "order", "provisional"]
    list_filter = ["version", "provisional"]
    search_fields = ["code", "name", "summary"]
    inlines = [DangerousCapabilityInline, MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["code", "name", "kind", "level", "evidence"]
    list_filter = ["version", "kind", "level__code", "evidence"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["level__version", "version"]
    readonly_fields = ["measure_id"]

    @admin.display(description=_("measure id"))
    def measure_id(self, measure: Measure) -> str:
        return measure.measure_id


@admin.register(DangerousCapability)
class DangerousCapabilityAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["code", "domain", "level", "evidence"]
    list_filter = ["domain", "level__version"]
    search_fields = ["code", "description"]


@admin.register(ThreatActorTier)
class ThreatActorTierAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["code", "name", "version", "budget_usd_max", "team_size", "countered_by", "evidence"]
    list_filter = ["version", "evidence"]


@admin.register(CapabilityThreshold)
class CapabilityThresholdAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["code", "name", "version", "domain", "gating", "required_level", "evidence"]
    list_filter = ["version", "domain", "gating", "crosswalk_group"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["version__framework", "required_level__version__framework"]
    filter_horizontal = ["required_measures"]
    readonly_fields = ["threshold_id"]

    @admin.display(description=_("threshold id"))
    def threshold_id(self, threshold: CapabilityThreshold) -> str:
        return threshold.threshold_id


class ThresholdCriterionInline(admin.StackedInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = ThresholdCriterion
    autocomplete_fields = ["threshold"]
    extra = 0


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["name", "slug", "domain", "unit", "direction", "minimum", "maximum", "saturated"]
    list_filter = ["domain", "unit", "saturated", "evidence"]
    search_fields = ["name", "slug", "description"]
    inlines = [ThresholdCriterionInline]


class EvaluationResultInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = EvaluationResult
    fields = ["benchmark", "score", "evaluated_on", "framework_version", "source_url", "entered_by", "entered_via"]
    readonly_fields = ["entered_by", "entered_via"]
    extra = 0


class ProfileSourceInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = ProfileSource
    extra = 0


@admin.register(ModelProfile)
class ModelProfileAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["name", "developer", "release_date", "slug", "organisation"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "developer", "slug"]
    filter_horizontal = ["measures_in_place"]
    inlines = [ProfileSourceInline, EvaluationResultInline]

    def save_formset(self, request, form, formset, change) -> None:
        # Results added on this page record the staff member who entered them.
        for result in formset.save(commit=False):
            if isinstance(result, EvaluationResult) and result.pk is None:
                result.entered_by = request.user
                result.entered_via = "admin"
            result.save()
        for result in formset.deleted_objects:
            result.delete()
        formset.save_m2m()


@admin.register(EvaluationResult)
class EvaluationResultAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["profile", "benchmark", "score", "evaluated_on", "framework_version", "entered_by"]
    list_filter = ["benchmark", "framework_version", "profile"]
    list_select_related = ["profile", "benchmark", "framework_version__framework", "entered_by"]
    readonly_fields = ["entered_by", "entered_via", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        if obj.pk is None:
            obj.entered_by = request.user
            obj.entered_via = "admin"
        super().save_model(request, obj, form, change)
