from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """One request to assess a scenario revision with one or more engines."""

    revision = models.ForeignKey("scenarios.ScenarioRevision", on_delete=models.PROTECT,
                                 related_name="assessments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class BackgroundJob(models.Model):
    """The state, result, error, timings and author that every background job records."""

    State = JobState
    FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)

    options = models.JSONField(_("options"), default=dict)
    state = models.CharField(_("state"), max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    result = models.JSONField(_("result"), null=True, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES


class AssessmentRun(BackgroundJob):
    """One engine run: options, seed, state, progress, timings and the result JSON.

    ARA runs are split into ``chunks_planned`` chunks of ``options["chunk_size"]`` draws;
    ``chunks_done`` counts the ``AraChunk`` rows stored so far.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="runs")
    revision = models.ForeignKey("scenarios.ScenarioRevision", on_delete=models.PROTECT, related_name="runs")
    engine = models.CharField(_("engine"), max_length=30)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    chunks_planned = models.PositiveIntegerField(_("chunks planned"), default=1)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)

    class Meta:
        ordering = ["assessment", "engine"]
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")

    def __str__(self) -> str:
        return f"{self.engine} run {self.pk} ({self.state})"

    @property
    def progress(self) -> float:
        if self.state == self.State.SUCCEEDED:
            return 1.0
        return self.chunks_done / self.chunks_planned if self.chunks_planned else 0.0


class AraChunk(models.Model):
    """The statistics of one chunk of ARA draws, stored once per (run, index).

    ``statistics`` contains counts and sums (see ``riskapp.engines.ara.ChunkStatistics``), from
    which the merged estimate and its paired standard errors follow exactly.
    """

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField(_("chunk index"))
    draws = models.PositiveIntegerField(_("draws"))
    statistics = models.JSONField(_("statistics"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    seconds = models.FloatField(_("seconds"), default=0.0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="unique_chunk_per_run")]

    def __str__(self) -> str:
        return f"chunk {self.index} of run {self.run_id}"


class ChunkLease(models.Model):
    """When a chunk was enqueued, which worker took it and until when.

    ``claimed_at`` is None while the chunk waits in the queue; a claimed chunk whose lease
    has expired without a result is re-enqueued by the reaper.
    """

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="leases")
    index = models.PositiveIntegerField(_("chunk index"))
    enqueued_at = models.DateTimeField(_("enqueued at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="unique_lease_per_chunk")]

    def __str__(self) -> str:
        return f"lease of chunk {self.index} of run {self.run_id}"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker reported itself alive."""

    hostname = models.CharField(_("hostname"), max_length=200, unique=True)
    last_seen = models.DateTimeField(_("last seen"))

    def __str__(self) -> str:
        return self.hostname


class SensitivityAnalysis(BackgroundJob):
    """A one-way sensitivity analysis of an assessment's recommendations, run as one Celery task.

    Progress is parameters done over parameters planned; ``heartbeat_at`` advances with every
    parameter, so the reaper can tell a task whose worker died from one that is still working.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sensitivity_analyses")
    parameters_planned = models.PositiveIntegerField(_("parameters planned"), default=0)
    parameters_done = models.PositiveIntegerField(_("parameters done"), default=0)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sensitivity analysis")
        verbose_name_plural = _("sensitivity analyses")

    def __str__(self) -> str:
        return f"Sensitivity analysis {self.pk} of assessment {self.assessment_id}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:sensitivity", args=[self.pk])

    @property
    def progress(self) -> float:
        if self.state == self.State.SUCCEEDED:
            return 1.0
        return self.parameters_done / self.parameters_planned if self.parameters_planned else 0.0
