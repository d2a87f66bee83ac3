"""Celery tasks: thin wrappers that pass ids to the services."""

import functools
import logging
import time

from celery import shared_task
from celery.signals import worker_ready

from riskapp.assessments import services
from riskapp.assessments.sensitivity import reap_analyses, run_analysis
from riskapp.engines.ara import AraOptions, run_chunk
from riskapp.engines.problem import Problem
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.selectors import revision_problem

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=32)
def _cached_problem(revision_id: int, digest: str) -> Problem:
    # Revisions are immutable, so (id, digest) identifies the compiled problem for good.
    return revision_problem(ScenarioRevision.objects.get(pk=revision_id))


@shared_task(bind=True, name="riskapp.assessments.tasks.run_ara_chunk")
def run_ara_chunk(self, run_id: int, index: int) -> None:
    """Compute and record chunk ``index`` of ARA run ``run_id``; a no-op if already done."""
    worker = self.request.hostname or ""
    run = services.claim_chunk(run_id, index, worker=worker)
    if run is None:
        return

    started = time.perf_counter()
    try:
        problem = _cached_problem(run.revision_id, run.revision.digest)
        draws = AraOptions.from_dict(run.options).chunk_draws(index)
        statistics = run_chunk(problem, seed=run.seed, index=index, draws=draws)
    except Exception as error:  # noqa: BLE001 - the run is failed with the error, not retried forever
        logger.exception("Chunk %d of run %s failed", index, run_id)
        services.fail_run(run_id, f"Chunk {index} failed: {type(error).__name__}: {error}")
        return
    seconds = time.perf_counter() - started
    services.record_chunk(run_id, statistics, worker=worker, seconds=seconds)
    logger.info("Chunk %d of run %s: %d draws in %.3f s", index, run_id, draws, seconds)


@shared_task(name="riskapp.assessments.tasks.run_sensitivity")
def run_sensitivity(analysis_id: int) -> None:
    """Run sensitivity analysis ``analysis_id``; a no-op if it has finished or was cancelled."""
    run_analysis(analysis_id)


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    """Record the worker and re-enqueue work that a previous worker left behind."""
    hostname = getattr(sender, "hostname", None) or "unknown"
    services.record_heartbeat(hostname)
    summary = services.reap_expired_work()
    reap_analyses()
    logger.info("Worker %s ready; reaper at start: %s", hostname, summary)
