"""Reads of assessments, runs and worker liveness."""

import json
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from riskapp.assessments.models import Assessment, SensitivityAnalysis, WorkerHeartbeat

# A worker silent for this many heartbeat intervals is taken to be gone.
WORKER_SILENCE_FACTOR = 3


def worker_status(now=None) -> dict:
    """Report whether any Celery worker has reported itself within the last few heartbeat intervals."""
    now = now or timezone.now()
    horizon = now - timedelta(seconds=WORKER_SILENCE_FACTOR * settings.RISKAPP_WORKER_HEARTBEAT_SECONDS)
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


def sensitivity_progress(analysis: SensitivityAnalysis) -> dict:
    workers = worker_status()
    return {
        "analysis": analysis.pk,
        "state": analysis.state,
        "state_label": str(analysis.get_state_display()),
        "finished": analysis.is_finished,
        "progress": analysis.progress,
        "parameters_done": analysis.parameters_done,
        "parameters_planned": analysis.parameters_planned,
        "error_message": analysis.error_message,
        "worker_alive": workers["alive"],
    }


def defense_names(revision) -> dict[str, str]:
    document = json.loads(revision.document)
    return {defense["id"]: defense["name"] for defense in document["defenses"]}


def engine_titles() -> dict[str, str]:
    return {"risk_matrix": str(_("Risk matrix")), "game": str(_("Game-theoretic solver")),
            "ara": str(_("ARA Monte Carlo"))}


def tornado_labels() -> dict[str, str]:
    return {
        "title": str(_("How far each input can move before the recommendation changes")),
        "axis": str(_("factor on the input (×1 = scenario value)")),
        "holds": str(_("recommendation holds")),
        "open": str(_("holds to the end of the searched range")),
        "robust": str(_("{count} more inputs change no recommendation within the searched range.")),
    }


def sensitivity_rows(result: dict, names: dict[str, str]) -> list[dict]:
    """Return one row per input with, per engine, where the recommendation changes and to what."""
    engines = result["options"]["engines"]
    rows = []
    for parameter in result["parameters"]:
        cells = []
        for engine in engines:
            interval = parameter["intervals"][engine]
            cells.append({
                "low": interval["low"], "high": interval["high"],
                "low_defense": names.get(interval["low_defense"], interval["low_defense"]),
                "high_defense": names.get(interval["high_defense"], interval["high_defense"]),
            })
        rows.append({"label": parameter["label"], "kind": parameter["kind"], "nominal": parameter["nominal"],
                     "cells": cells})
    return rows
