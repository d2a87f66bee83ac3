from django.contrib import admin
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


class FrameworkVersionInline(admin.TabularInline):
    model = FrameworkVersion
    fields = ["label", "slug", "effective_date", "status"]
    show_change_link = True
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "slug"]
    search_fields = ["name", "publisher", "slug"]
    inlines = [FrameworkVersionInline]


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0


class SafetyLevelInline(admin.TabularInline):
    model = SafetyLevel
    fields = ["order", "code", "slug", "name", "provisional"]
    show_change_link = True
    extra = 0


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "effective_date", "status"]
    list_filter = ["status", "framework"]
    search_fields = ["slug", "label", "framework__name"]
    inlines = [SourceInline, SafetyLevelInline]


class DangerousCapabilityInline(admin.StackedInline):
    model = DangerousCapability
    extra = 0


class MeasureInline(admin.StackedInline):
    model = Measure
    fields = ["version", "kind", "code", "name", "description", "supersedes", "evidence", "source_url"]
    extra = 0


@admin.register(SafetyLevel)
class SafetyLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "order", "provisional"]
    list_filter = ["version", "provisional"]
    search_fields = ["code", "name", "summary"]
    inlines = [DangerousCapabilityInline, MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
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
    list_display = ["code", "domain", "level", "evidence"]
    list_filter = ["domain", "level__version"]
    search_fields = ["code", "description"]


@admin.register(ThreatActorTier)
class ThreatActorTierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "budget_usd_max", "team_size", "countered_by", "evidence"]
    list_filter = ["version", "evidence"]
