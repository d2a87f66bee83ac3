"""Starting, running, cancelling and reaping sensitivity analyses."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent
from riskapp.assessments.models import Assessment, AssessmentRun, SensitivityAnalysis
from riskapp.assessments.services import AssessmentRequestError
from riskapp.engines.sensitivity import analyse, parameters
from riskapp.scenarios.selectors import revision_problem

logger = logging.getLogger(__name__)

# ARA draws per evaluation: each parameter needs a few dozen runs, so they are kept short.
DEFAULT_SAMPLES = 2_000
MAX_SAMPLES = 20_000


class AnalysisCancelled(Exception):
    """The analysis was cancelled while it ran."""


def start_sensitivity(assessment: Assessment, *, samples: int = DEFAULT_SAMPLES,
                      user: AbstractBaseUser | None = None) -> SensitivityAnalysis:
    """Queue a sensitivity analysis of the assessment's scenario revision for all three engines."""
    if isinstance(samples, bool) or not isinstance(samples, int) or not 100 <= samples <= MAX_SAMPLES:
        raise AssessmentRequestError(f"samples: {samples!r} must be an integer from 100 to {MAX_SAMPLES}")
    ara_run = assessment.runs.filter(engine="ara").exclude(seed=None).first()
    seed = ara_run.seed if ara_run is not None else 0
    planned = len(parameters(revision_problem(assessment.revision)))

    with transaction.atomic():
        analysis = SensitivityAnalysis.objects.create(
            assessment=assessment,
            options={"samples": samples, "seed": seed, "engines": ["risk_matrix", "game", "ara"]},
            parameters_planned=planned,
            created_by=user,
            deadline=timezone.now() + timedelta(seconds=settings.RISKAPP_RUN_TIME_LIMIT_SECONDS),
        )
        audit.record(user, assessment.revision.scenario.organisation, AuditEvent.Action.RUN, analysis,
                     f"Started a sensitivity analysis of assessment {assessment.pk} with {samples} samples")
        transaction.on_commit(lambda: _enqueue(analysis.pk))
    logger.info("Queued sensitivity analysis %s of assessment %s: %d parameters", analysis.pk, assessment.pk,
                planned)
    return analysis


def _enqueue(analysis_id: int) -> None:
    from riskapp.assessments.tasks import run_sensitivity

    run_sensitivity.delay(analysis_id)


def claim_analysis(analysis_id: int) -> SensitivityAnalysis | None:
    """Mark the analysis as running; return None when it is finished or cancelled."""
    with transaction.atomic():
        analysis = SensitivityAnalysis.objects.select_for_update().filter(pk=analysis_id).first()
        if analysis is None or analysis.is_finished or analysis.cancel_requested:
            return None
        now = timezone.now()
        analysis.state = AssessmentRun.State.RUNNING
        analysis.started_at = analysis.started_at or now
        analysis.heartbeat_at = now
        analysis.parameters_done = 0
        analysis.save(update_fields=["state", "started_at", "heartbeat_at", "parameters_done"])
    return analysis


def run_analysis(analysis_id: int) -> None:
    """Compute the analysis, reporting progress after each parameter; the task calls this."""
    analysis = claim_analysis(analysis_id)
    if analysis is None:
        return
    options = analysis.options
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        updated = SensitivityAnalysis.objects.filter(pk=analysis_id, cancel_requested=False).update(
            parameters_done=done, parameters_planned=total, heartbeat_at=timezone.now())
        if not updated:
            raise AnalysisCancelled

    try:
        result = analyse(revision_problem(analysis.assessment.revision), engines=tuple(options["engines"]),
                         seed=options["seed"], samples=options["samples"], progress=progress)
    except AnalysisCancelled:
        logger.info("Sensitivity analysis %s stopped after cancellation", analysis_id)
        return
    except Exception as error:  # noqa: BLE001 - the analysis is failed with the error
        logger.exception("Sensitivity analysis %s failed", analysis_id)
        _finish(analysis_id, state=AssessmentRun.State.FAILED, error_message=f"{type(error).__name__}: {error}")
        return
    _finish(analysis_id, state=AssessmentRun.State.SUCCEEDED, result=result)
    logger.info("Sensitivity analysis %s succeeded in %.1f s", analysis_id, time.perf_counter() - started)


def _finish(analysis_id: int, **fields) -> None:
    SensitivityAnalysis.objects.filter(pk=analysis_id).exclude(state__in=AssessmentRun.FINISHED_STATES).update(
        finished_at=timezone.now(), **fields)


def cancel_analysis(analysis_id: int, *, user: AbstractBaseUser | None = None) -> bool:
    with transaction.atomic():
        updated = SensitivityAnalysis.objects.filter(pk=analysis_id).exclude(
            state__in=AssessmentRun.FINISHED_STATES).update(cancel_requested=True,
                                                            state=AssessmentRun.State.CANCELLED,
                                                            finished_at=timezone.now())
        if updated:
            analysis = SensitivityAnalysis.objects.select_related("assessment__revision__scenario__organisation").get(
                pk=analysis_id)
            audit.record(user, analysis.assessment.revision.scenario.organisation, AuditEvent.Action.CANCEL,
                         analysis, f"Cancelled the sensitivity analysis of assessment {analysis.assessment_id}")
    return bool(updated)


def reap_analyses(now=None) -> dict[str, int]:
    """Fail analyses past their deadline and re-enqueue those whose worker stopped reporting.

    A running analysis reports after every parameter; one silent for a whole lease period lost
    its worker. A queued one still waiting after a lease period while workers are alive lost
    its message (the filesystem transport deletes a message when a worker takes it).
    """
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS)
    failed = requeued = 0
    open_analyses = SensitivityAnalysis.objects.exclude(state__in=AssessmentRun.FINISHED_STATES)
    for analysis in open_analyses:
        if analysis.deadline is not None and now > analysis.deadline:
            limit = settings.RISKAPP_RUN_TIME_LIMIT_SECONDS
            _finish(analysis.pk, state=AssessmentRun.State.FAILED,
                    error_message=f"The analysis exceeded its time limit of {limit} seconds and was stopped.")
            failed += 1
            continue
        last_sign = analysis.heartbeat_at or analysis.created_at
        if last_sign < silent_since:
            SensitivityAnalysis.objects.filter(pk=analysis.pk).update(state=AssessmentRun.State.QUEUED,
                                                                      heartbeat_at=now)
            _enqueue(analysis.pk)
            requeued += 1
    if requeued or failed:
        logger.warning("Sensitivity reaper: %d re-enqueued, %d failed", requeued, failed)
    return {"failed": failed, "requeued": requeued}
