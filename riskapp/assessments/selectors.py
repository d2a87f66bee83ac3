"""Reads of assessments, runs and worker liveness."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from riskapp.assessments.models import Assessment, WorkerHeartbeat


def worker_status(now=None) -> dict:
    """Whether any Celery worker has reported itself within three heartbeat intervals."""
    now = now or timezone.now()
    horizon = now - timedelta(seconds=3 * settings.RISKAPP_WORKER_HEARTBEAT_SECONDS)
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=horizon).count()
    return {"alive": alive > 0, "workers": alive, "last_seen": latest.last_seen if latest else None}


def assessment_progress(assessment: Assessment) -> dict:
    runs = []
    for run in assessment.runs.order_by("pk"):
        runs.append({
            "id": run.pk,
            "engine": run.engine,
            "state": run.state,
            "state_label": str(run.get_state_display()),
            "progress": run.progress,
            "chunks_done": run.chunks_done,
            "chunks_planned": run.chunks_planned,
            "error_message": run.error_message,
        })
    workers = worker_status()
    return {
        "assessment": assessment.pk,
        "finished": all(run["state"] in ("succeeded", "failed", "cancelled") for run in runs),
        "runs": runs,
        "worker_alive": workers["alive"],
        "worker_last_seen": workers["last_seen"].isoformat() if workers["last_seen"] else None,
    }
