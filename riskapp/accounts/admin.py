from django.contrib import admin

from riskapp.accounts.models import AuditEvent, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "organisation", "action", "object_type", "object_id", "summary"]
    list_filter = ["organisation", "action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
