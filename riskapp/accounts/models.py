"""Organisations, the roles their members hold, and the audit trail of what members did."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DEMO_SLUG = "demo"


class Role(models.IntegerChoices):
    """A member's role; each role may do everything the lower ones may."""

    VIEWER = 10, _("viewer")
    ANALYST = 20, _("analyst")  # imports, edits and runs assessments
    FACILITATOR = 30, _("facilitator")  # runs elicitation workshops
    ADMIN = 40, _("admin")  # manages members and reads the audit trail


class Organisation(models.Model):
    """A team whose scenarios, assessments and reports only its members can see.

    Every signed-in user may view the scenarios of the demo organisation (``is_demo``); writing to
    them still needs a membership.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_demo = models.BooleanField(_("demo organisation"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:audit", args=[self.slug])


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(_("role"), choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organisation}"


class AuditEvent(models.Model):
    """One action of a user on an organisation's data; rows are only ever added."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        IMPORT = "import", _("import")
        RUN = "run", _("run")
        CANCEL = "cancel", _("cancel")
        EXPORT = "export", _("export")
        DELETE = "delete", _("delete")
        OPEN = "open", _("open")
        CLOSE = "close", _("close")
        REVEAL = "reveal", _("reveal")
        POOL = "pool", _("pool")
        APPLY = "apply", _("apply")
        RESTORE = "restore", _("restore")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=80)
    summary = models.CharField(_("summary"), max_length=500)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


def demo_organisation() -> Organisation:
    """Return the demo organisation, creating it on first use."""
    organisation, _created = Organisation.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demo", "is_demo": True})
    return organisation


def demo_organisation_id() -> int:
    """Return the demo organisation's id, the owner of a scenario created without one (fixtures, CLI imports)."""
    return demo_organisation().pk
