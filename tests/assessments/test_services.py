"""Assessment runs without a worker: chunk recording, merging, cancelling and the reaper."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from riskapp.assessments import services
from riskapp.assessments.models import AraChunk, AssessmentRun, ChunkLease
from riskapp.assessments.services import AssessmentRequest, AssessmentRequestError, start_assessment
from riskapp.engines.ara import assess as ara_assess
from riskapp.engines.ara import run_chunk
from riskapp.scenarios.selectors import revision_problem

pytestmark = pytest.mark.django_db

CHUNK = settings.RISKAPP_ARA_CHUNK_SIZE


def _start_ara(revision, *, samples=3 * CHUNK, seed=5, **extra) -> AssessmentRun:
    assessment = start_assessment(revision, AssessmentRequest(engines=("ara",), samples=samples, seed=seed, **extra))
    return assessment.runs.get()


def _record(run: AssessmentRun, index: int, draws: int = CHUNK) -> bool:
    statistics = run_chunk(revision_problem(run.revision), seed=run.seed, index=index, draws=draws)
    return services.record_chunk(run.pk, statistics, worker="test")


def test_fast_engines_finish_in_request(example_revision):
    assessment = start_assessment(example_revision, AssessmentRequest(engines=("risk_matrix", "game")))
    runs = {run.engine: run for run in assessment.runs.all()}
    assert runs["risk_matrix"].state == "succeeded"
    assert runs["game"].state == "succeeded"
    assert runs["game"].result["engine"] == "game"
    assert runs["risk_matrix"].result["problem_digest"] == example_revision.digest


def test_ara_run_queued_with_planned_chunks(example_revision):
    run = _start_ara(example_revision, samples=2 * CHUNK + 1)
    assert run.state == "queued"
    assert run.chunks_planned == 3
    assert run.seed == 5
    assert sorted(ChunkLease.objects.filter(run=run).values_list("index", flat=True)) == [0, 1, 2]


def test_record_chunk_twice_stores_once(example_revision):
    run = _start_ara(example_revision)
    assert _record(run, 0) is True
    assert _record(run, 0) is False
    run.refresh_from_db()
    assert run.chunks_done == 1
    assert AraChunk.objects.filter(run=run).count() == 1


def test_chunks_in_any_order_give_same_result(example_revision):
    run = _start_ara(example_revision, seed=77)
    for index in (2, 0, 1):
        _record(run, index)
    run.refresh_from_db()
    assert run.state == "succeeded"

    expected = ara_assess(revision_problem(example_revision), seed=77, samples=3 * CHUNK, chunk_size=CHUNK)
    assert json.dumps(run.result, sort_keys=True) == json.dumps(expected.to_dict(), sort_keys=True)


def test_chunk_after_finish_is_ignored(example_revision):
    run = _start_ara(example_revision, samples=CHUNK)
    assert _record(run, 0) is True
    run.refresh_from_db()
    result = run.result
    assert _record(run, 0) is False
    run.refresh_from_db()
    assert run.result == result


def test_cancelled_run_refuses_chunks(example_revision):
    run = _start_ara(example_revision)
    assert services.cancel_run(run.pk) is True
    run.refresh_from_db()
    assert run.state == "cancelled"
    assert services.claim_chunk(run.pk, 0, worker="w") is None
    assert services.cancel_run(run.pk) is False


def test_claim_marks_run_running(example_revision):
    run = _start_ara(example_revision)
    claimed = services.claim_chunk(run.pk, 1, worker="w1")
    assert claimed is not None
    run.refresh_from_db()
    assert run.state == "running"
    lease = ChunkLease.objects.get(run=run, index=1)
    assert lease.worker == "w1"
    assert lease.attempts == 1


def test_reaper_requeues_expired_lease(example_revision):
    run = _start_ara(example_revision)
    services.claim_chunk(run.pk, 0, worker="dead-worker")
    later = timezone.now() + timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS + 1)

    summary = services.reap_expired_work(now=later)

    # Chunk 0 lost its worker; chunks 1 and 2 belong to a run idle for a lease period.
    assert summary == {"failed": 0, "requeued": 3}
    lease = ChunkLease.objects.get(run=run, index=0)
    assert lease.worker == ""
    assert lease.claimed_at is None
    assert lease.enqueued_at == later


def test_reaper_leaves_active_lease(example_revision):
    run = _start_ara(example_revision)
    services.claim_chunk(run.pk, 0, worker="busy-worker")
    soon = timezone.now() + timedelta(seconds=1)
    assert services.reap_expired_work(now=soon) == {"failed": 0, "requeued": 0}


def test_reaper_requeues_queued_chunks_of_stalled_run(example_revision):
    # Nothing claimed or recorded for a lease period: messages taken by a dead worker
    # before it claimed them are sent again.
    _start_ara(example_revision)
    later = timezone.now() + timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS + 1)
    assert services.reap_expired_work(now=later) == {"failed": 0, "requeued": 3}


def test_reaper_waits_while_run_progresses(example_revision):
    run = _start_ara(example_revision)
    services.claim_chunk(run.pk, 0, worker="w")
    _record(run, 0)
    # A chunk was recorded within the lease period, so the queued chunks are only waiting.
    soon = timezone.now() + timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS / 2)
    ChunkLease.objects.filter(run=run).update(enqueued_at=soon - timedelta(days=1))
    assert services.reap_expired_work(now=soon) == {"failed": 0, "requeued": 0}


def test_reaper_skips_recorded_chunks(example_revision):
    run = _start_ara(example_revision)
    services.claim_chunk(run.pk, 0, worker="w")
    _record(run, 0)
    later = timezone.now() + timedelta(seconds=settings.RISKAPP_CHUNK_LEASE_SECONDS + 1)
    assert services.reap_expired_work(now=later) == {"failed": 0, "requeued": 2}
    assert ChunkLease.objects.get(run=run, index=0).worker == "w"


def test_reaper_fails_run_past_deadline(example_revision):
    run = _start_ara(example_revision)
    later = run.deadline + timedelta(seconds=1)

    summary = services.reap_expired_work(now=later)

    assert summary["failed"] == 1
    run.refresh_from_db()
    assert run.state == "failed"
    assert f"time limit of {settings.RISKAPP_RUN_TIME_LIMIT_SECONDS} seconds" in run.error_message


def test_adaptive_run_stops_at_first_checkpoint(example_revision):
    run = _start_ara(example_revision, samples=4 * CHUNK, target_standard_error=1e6)
    assert list(ChunkLease.objects.filter(run=run).values_list("index", flat=True)) == [0]
    _record(run, 0)
    run.refresh_from_db()
    assert run.state == "succeeded"
    assert run.chunks_planned == 1
    assert run.result["counts"]["draws"] == CHUNK


def test_adaptive_run_queues_next_chunk(example_revision):
    run = _start_ara(example_revision, samples=4 * CHUNK, target_standard_error=1e-12)
    _record(run, 0)
    run.refresh_from_db()
    assert run.state == "queued"
    assert sorted(ChunkLease.objects.filter(run=run).values_list("index", flat=True)) == [0, 1]


@pytest.mark.parametrize(("request_fields", "message"), [
    ({"engines": ()}, "engines: choose at least one engine"),
    ({"engines": ("ara", "oracle")}, "engines: 'oracle' is not one of"),
    ({"samples": 0}, "samples: 0 must be an integer from 100"),
    ({"samples": 99}, "samples: 99 must be an integer from 100"),
    ({"samples": True}, "samples: True must be an integer"),
    ({"samples": 10**9}, "samples: 1000000000 must be an integer from 100"),
    ({"seed": -1}, "seed: -1 must be an integer from 0 to 2^53 - 1"),
    ({"seed": 2**53}, "seed: 9007199254740992 must be an integer"),
])
def test_invalid_request_names_field(example_revision, request_fields, message):
    with pytest.raises(AssessmentRequestError, match=message.replace("^", r"\^")):
        start_assessment(example_revision, AssessmentRequest(**request_fields))
    assert not AssessmentRun.objects.exists()
