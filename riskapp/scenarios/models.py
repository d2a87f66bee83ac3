from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from riskapp.accounts.models import Organisation, demo_organisation_id


class Scenario(models.Model):
    """A threat scenario; its content lives in immutable revisions."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo scenario"), default=False)
    # NOTE: a scenario created without an organisation (test fixtures, command-line imports)
    # goes to the demo organisation, which every signed-in user can view. Views always pass one.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="scenarios",
                                     default=demo_organisation_id, verbose_name=_("organisation"))
    # Set by a deletion: the scenario disappears from every page but keeps its revisions and runs.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scenarios:detail", args=[self.slug])

    @property
    def latest_revision(self) -> "ScenarioRevision | None":
        return self.revisions.order_by("-number").first()


class ScenarioRevision(models.Model):
    """One immutable version of a scenario.

    ``document`` is the scenario file as canonical JSON text, with every number exactly as
    written, so that export gives back the file and ``digest`` identifies the problem.
    """

    class Origin(models.TextChoices):
        IMPORT = "import", _("imported file")
        DEMO = "demo", _("demo scenario")
        EDITOR = "editor", _("editor")
        WORKSHOP = "workshop", _("workshop")
        RESTORE = "restore", _("restored revision")
        COPY = "copy", _("copy of another scenario")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision number"))
    document = models.TextField(_("scenario document"))
    digest = models.CharField(_("problem digest"), max_length=64, db_index=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["scenario", "number"]
        constraints = [models.UniqueConstraint(fields=["scenario", "number"], name="unique_revision_number")]
        verbose_name = _("scenario revision")
        verbose_name_plural = _("scenario revisions")

    def __str__(self) -> str:
        return f"{self.scenario.title} r{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A scenario revision is immutable; save a new revision instead.")
        super().save(*args, **kwargs)
