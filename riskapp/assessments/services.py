"""Starting, recording, merging, cancelling and reaping assessment runs.

An ARA run is split into chunks of a fixed number of draws. Each chunk task stores its
statistics in a row unique on (run, index). Inserting the row, counting the rows and merging
them in index order happen in one transaction under the run row's lock. A redelivered or
retried chunk is therefore harmless, which is what makes late acknowledgement safe.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent
from riskapp.assessments.locking import lock_run
from riskapp.assessments.models import AraChunk, Assessment, AssessmentRun, ChunkLease
from riskapp.engines import ENGINE_NAMES, get_engine
from riskapp.engines.ara import AraOptions, ChunkStatistics, merge_chunks, should_stop
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.selectors import revision_problem

logger = logging.getLogger(__name__)

# Seeds are integers 0 <= seed < 2**53 so that they survive a round trip through JSON numbers.
SEED_LIMIT = 2**53

# Fewer ARA draws than this give standard errors that mean nothing.
MIN_SAMPLES = 100


class AssessmentRequestError(ValueError):
    """A request to start an assessment breaks a rule; the message names the field."""


@dataclass(frozen=True)
class AssessmentRequest:
    engines: tuple[str, ...] = ENGINE_NAMES
    samples: int = 10_000
    seed: int | None = None
    target_standard_error: float | None = None

    def validate(self) -> None:
        if not self.engines:
            raise AssessmentRequestError("engines: choose at least one engine")
        for name in self.engines:
            if name not in ENGINE_NAMES:
                raise AssessmentRequestError(f"engines: {name!r} is not one of {', '.join(ENGINE_NAMES)}")
        maximum = settings.RISKAPP_LIMITS["max_samples"]
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or \
                not MIN_SAMPLES <= self.samples <= maximum:
            raise AssessmentRequestError(
                f"samples: {self.samples!r} must be an integer from {MIN_SAMPLES} to {maximum}")
        if self.seed is not None and (isinstance(self.seed, bool) or not 0 <= self.seed < SEED_LIMIT):
            raise AssessmentRequestError(f"seed: {self.seed!r} must be an integer from 0 to 2^53 - 1")


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def ara_options(request: AssessmentRequest) -> AraOptions:
    if request.target_standard_error is None:
        return AraOptions(samples=request.samples, chunk_size=settings.RISKAPP_ARA_CHUNK_SIZE)
    return AraOptions(samples=request.samples, chunk_size=settings.RISKAPP_ARA_CHUNK_SIZE,
                      target_standard_error=request.target_standard_error, max_samples=request.samples)


def start_assessment(revision: ScenarioRevision, request: AssessmentRequest, *,
                     user: AbstractBaseUser | None = None) -> Assessment:
    """Create the runs of an assessment; run the fast engines now and queue ARA's chunks.

    The risk matrix and the game solver finish in milliseconds for problems within the size
    limits, so they run in the request. ARA chunks are sent to Celery once the transaction
    that created their rows has committed, so a worker never looks for a row not yet visible.
    """
    request.validate()
    problem = revision_problem(revision)
    now = timezone.now()

    with transaction.atomic():
        assessment = Assessment.objects.create(revision=revision, created_by=user)
        for engine in request.engines:
            if engine == "ara":
                _queue_ara_run(assessment, request, user=user, now=now)
            else:
                run = AssessmentRun.objects.create(assessment=assessment, revision=revision, engine=engine,
                                                   created_by=user, started_at=now)
                _run_in_process(run, problem)
        audit.record(user, revision.scenario.organisation, AuditEvent.Action.RUN, assessment,
                     f"Started {', '.join(request.engines)} on {revision}")
    return assessment


def _run_in_process(run: AssessmentRun, problem) -> None:
    started = time.perf_counter()
    try:
        result = get_engine(run.engine)(problem)
    except Exception as error:  # noqa: BLE001 - any engine failure is recorded on the run
        logger.exception("Engine %s failed on run %s", run.engine, run.pk)
        run.state = AssessmentRun.State.FAILED
        run.error_message = f"{type(error).__name__}: {error}"
    else:
        run.state = AssessmentRun.State.SUCCEEDED
        run.result = result.to_dict()
        run.options = result.options
        run.chunks_done = run.chunks_planned
    run.finished_at = timezone.now()
    run.save()
    logger.info("Run %s (%s) finished as %s in %.3f s", run.pk, run.engine, run.state,
                time.perf_counter() - started)


def _queue_ara_run(assessment: Assessment, request: AssessmentRequest, *, user, now) -> AssessmentRun:
    options = ara_options(request)
    seed = request.seed if request.seed is not None else new_seed()
    planned = options.planned_chunks()
    run = AssessmentRun.objects.create(
        assessment=assessment,
        revision=assessment.revision,
        engine="ara",
        options=options.to_dict(),
        seed=seed,
        chunks_planned=planned,
        created_by=user,
        deadline=now + timedelta(seconds=settings.RISKAPP_RUN_TIME_LIMIT_SECONDS),
    )
    first_batch = planned if options.target_standard_error is None else 1
    ChunkLease.objects.bulk_create([
        ChunkLease(run=run, index=index, enqueued_at=now, expires_at=run.deadline) for index in range(first_batch)
    ])
    transaction.on_commit(lambda: enqueue_chunks(run.pk, range(first_batch)))
    logger.info("Queued ARA run %s: %d chunks, seed %d", run.pk, planned, seed)
    return run


def enqueue_chunks(run_id: int, indexes) -> None:
    from riskapp.assessments.tasks import run_ara_chunk

    for index in indexes:
        run_ara_chunk.delay(run_id, index)


def claim_chunk(run_id: int, index: int, *, worker: str) -> AssessmentRun | None:
    """Mark a chunk as taken by ``worker``; return the run, or None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        run = lock_run(run_id)
        if run is None or run.is_finished or run.cancel_requested:
            return None
        if AraChunk.objects.filter(run=run, index=index).exists():
            return None
        lease, _ = ChunkLease.objects.get_or_create(run=run, index=index,
                                                    defaults={"enqueued_at": now, "expires_at": now})
        lease.worker = worker
        lease.attempts += 1
        lease.claimed_at = now
        lease.expires_at = now + timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS)
        lease.save(update_fields=["worker", "attempts", "claimed_at", "expires_at"])
        if run.state == AssessmentRun.State.QUEUED:
            run.state = AssessmentRun.State.RUNNING
            run.started_at = now
            run.save(update_fields=["state", "started_at"])
    return run


def record_chunk(run_id: int, statistics: ChunkStatistics, *, worker: str = "", seconds: float = 0.0) -> bool:
    """Store one chunk's statistics and finish the run when every planned chunk is in.

    Returns False when the chunk was already stored or the run is finished: a redelivered
    chunk changes nothing.
    """
    to_enqueue: list[int] = []
    with transaction.atomic():
        run = lock_run(run_id)
        if run is None or run.is_finished:
            return False
        if AraChunk.objects.filter(run=run, index=statistics.index).exists():
            return False
        AraChunk.objects.create(run=run, index=statistics.index, draws=statistics.draws,
                                statistics=statistics.to_dict(), worker=worker, seconds=seconds)
        chunks = _stored_chunks(run)
        run.chunks_done = len(chunks)

        options = AraOptions.from_dict(run.options)
        contiguous = _contiguous_prefix(chunks)
        if options.target_standard_error is not None:
            to_enqueue = _adaptive_step(run, options, contiguous)
        if run.chunks_done >= run.chunks_planned and len(contiguous) == run.chunks_planned:
            _finish(run, contiguous, options)
        run.save()
    if to_enqueue:
        transaction.on_commit(lambda: enqueue_chunks(run_id, to_enqueue))
    return True


def _stored_chunks(run: AssessmentRun) -> list[ChunkStatistics]:
    rows = AraChunk.objects.filter(run=run).order_by("index").values_list("statistics", flat=True)
    return [ChunkStatistics.from_dict(row) for row in rows]


def _contiguous_prefix(chunks: list[ChunkStatistics]) -> list[ChunkStatistics]:
    prefix = []
    for expected, chunk in enumerate(chunks):
        if chunk.index != expected:
            break
        prefix.append(chunk)
    return prefix


def _adaptive_step(run: AssessmentRun, options: AraOptions, contiguous: list[ChunkStatistics]) -> list[int]:
    """Decide at the checkpoint after chunks 0..n-1, in order; return chunk indexes to queue next.

    An adaptive run queues one chunk at a time and stops only at a checkpoint, so its result
    never depends on which chunks happen to be finished.
    """
    if len(contiguous) != run.chunks_done:
        return []
    if should_stop(revision_problem(run.revision), contiguous, options=options) or \
            len(contiguous) >= options.planned_chunks():
        run.chunks_planned = len(contiguous)
        return []
    next_index = len(contiguous)
    now = timezone.now()
    ChunkLease.objects.get_or_create(run=run, index=next_index,
                                     defaults={"enqueued_at": now, "expires_at": run.deadline or now})
    run.chunks_planned = max(run.chunks_planned, next_index + 1)
    return [next_index]


def _finish(run: AssessmentRun, chunks: list[ChunkStatistics], options: AraOptions) -> None:
    problem = revision_problem(run.revision)
    result = merge_chunks(problem, chunks, options=options, seed=run.seed)
    run.result = result.to_dict()
    run.state = AssessmentRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    run.chunks_planned = len(chunks)
    logger.info("ARA run %s succeeded: %d chunks, %d draws", run.pk, len(chunks), sum(c.draws for c in chunks))


def fail_run(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = lock_run(run_id)
        if run is None or run.is_finished:
            return
        run.state = AssessmentRun.State.FAILED
        run.error_message = message
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error_message", "finished_at"])
    logger.warning("Run %s failed: %s", run_id, message)


def cancel_run(run_id: int, *, user: AbstractBaseUser | None = None) -> bool:
    """Mark a run as cancelled; chunks still queued see the mark and do nothing."""
    with transaction.atomic():
        run = lock_run(run_id)
        if run is None or run.is_finished:
            return False
        run.cancel_requested = True
        run.state = AssessmentRun.State.CANCELLED
        run.finished_at = timezone.now()
        run.save(update_fields=["cancel_requested", "state", "finished_at"])
        audit.record(user, run.revision.scenario.organisation, AuditEvent.Action.CANCEL, run,
                     f"Cancelled the {run.engine} run of assessment {run.assessment_id}")
    logger.info("Run %s cancelled", run_id)
    return True


def reap_expired_work(now=None) -> dict[str, int]:
    """Fail runs past their deadline and re-enqueue chunks that no worker will finish.

    Two kinds of chunk are re-enqueued. A claimed chunk whose lease expired without a result
    lost its worker: the filesystem transport deletes a message when a worker takes it, and
    Redis redelivers only after its visibility timeout. A chunk never claimed is re-enqueued
    only when its run has stalled (nothing claimed or recorded for a whole lease period),
    because a worker that died after taking a message but before claiming the chunk leaves
    no other trace. Re-enqueuing a chunk that is in fact still queued or running is harmless:
    ``claim_chunk`` and ``record_chunk`` ignore a chunk already recorded.
    """
    now = now or timezone.now()
    lease_period = timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS)
    failed = 0
    requeued: dict[int, list[int]] = {}
    open_runs = AssessmentRun.objects.filter(engine="ara", state__in=[AssessmentRun.State.QUEUED,
                                                                     AssessmentRun.State.RUNNING])
    for run in open_runs:
        if run.deadline is not None and now > run.deadline:
            limit = settings.RISKAPP_RUN_TIME_LIMIT_SECONDS
            fail_run(run.pk, f"The run exceeded its time limit of {limit} seconds and was stopped.")
            failed += 1
            continue
        with transaction.atomic():
            indexes = _reap_run(run, now, lease_period)
        if indexes:
            requeued[run.pk] = indexes
    for run_id, indexes in requeued.items():
        logger.warning("Re-enqueuing chunks %s of run %s", indexes, run_id)
        enqueue_chunks(run_id, indexes)
    return {"failed": failed, "requeued": sum(len(v) for v in requeued.values())}


def _reap_run(run: AssessmentRun, now, lease_period: timedelta) -> list[int]:
    done = set(AraChunk.objects.filter(run=run).values_list("index", flat=True))
    recent = now - lease_period
    stalled = not (
        AraChunk.objects.filter(run=run, created_at__gte=recent).exists()
        or ChunkLease.objects.filter(run=run, claimed_at__gte=recent).exists()
    )
    indexes = []
    for lease in ChunkLease.objects.select_for_update().filter(run=run).order_by("index"):
        if lease.index in done:
            continue
        lost_worker = lease.claimed_at is not None and lease.expires_at < now
        lost_message = stalled and lease.claimed_at is None and lease.enqueued_at < recent
        if not (lost_worker or lost_message):
            continue
        lease.claimed_at = None
        lease.worker = ""
        lease.enqueued_at = now
        lease.save(update_fields=["claimed_at", "worker", "enqueued_at"])
        indexes.append(lease.index)
    return indexes


def record_heartbeat(hostname: str) -> None:
    from riskapp.assessments.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"last_seen": timezone.now()})
