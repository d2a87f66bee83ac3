from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from riskapp.catalog.models import (
    DangerousCapability,
    Framework,
    FrameworkVersion,
    Measure,
    SafetyLevel,
    Source,
    ThreatActorTier,
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
