"""Read-only admin pages of workshops.

Judgements and poolings are the record of an elicitation, so these pages have no add, change or
delete.
"""

from django.contrib import admin

from riskapp.workshops.models import Judgement, Participant, Pooling, Question, Round, Workshop


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "target", "defense_id", "attack_id", "outcome_id", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Workshop)
class WorkshopAdmin(ReadOnlyAdmin):
    list_display = ["title", "revision", "code", "created_by", "created_at"]
    search_fields = ["title", "code", "revision__scenario__title"]
    inlines = [QuestionInline]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["workshop", "number", "state", "opened_at", "closed_at", "revealed_at"]
    list_filter = ["state"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["workshop", "label", "joined_at", "left_at"]
    exclude = ["token_digest"]


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    list_display = ["round", "question", "participant", "likelihood", "consequence", "value", "low", "best", "high",
                    "confidence", "outside_group_iqr", "updated_at"]
    list_select_related = ["round__workshop", "question", "participant"]


@admin.register(Pooling)
class PoolingAdmin(ReadOnlyAdmin):
    list_display = ["round", "method", "created_at", "revision", "applied_at"]
    list_filter = ["method"]
