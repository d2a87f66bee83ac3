"""Chunks recorded by concurrent transactions: each stored once, the run merged once.

Runs on SQLite (BEGIN IMMEDIATE serialises the transactions) and, in the test command's
PostgreSQL pass, on PostgreSQL (SELECT ... FOR UPDATE on the run row).
"""

import json
import threading

import pytest
from django.conf import settings
from django.db import connection

from riskapp.assessments import services
from riskapp.assessments.models import AraChunk, AssessmentRun
from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.engines.ara import assess as ara_assess
from riskapp.engines.ara import run_chunk
from riskapp.scenarios.selectors import revision_problem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHUNK = settings.RISKAPP_ARA_CHUNK_SIZE


def _record_together(run: AssessmentRun, indexes: list[int]) -> list[bool]:
    """Record the chunks from one thread each, released at the same moment."""
    problem = revision_problem(run.revision)
    statistics = [run_chunk(problem, seed=run.seed, index=index, draws=CHUNK) for index in indexes]
    barrier = threading.Barrier(len(indexes))
    outcomes: list[bool | BaseException] = [False] * len(indexes)

    def record(position: int) -> None:
        try:
            barrier.wait()
            outcomes[position] = services.record_chunk(run.pk, statistics[position], worker=f"thread-{position}")
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(position,)) for position in range(len(indexes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert errors == []
    return outcomes


def test_concurrent_chunks_merge_once(example_revision):
    chunks = 6
    assessment = start_assessment(example_revision, AssessmentRequest(engines=("ara",), samples=chunks * CHUNK,
                                                                      seed=31))
    run = assessment.runs.get()

    stored = _record_together(run, list(range(chunks)))

    assert stored == [True] * chunks
    run.refresh_from_db()
    assert run.state == AssessmentRun.State.SUCCEEDED
    assert run.chunks_done == chunks
    expected = ara_assess(revision_problem(example_revision), seed=31, samples=chunks * CHUNK, chunk_size=CHUNK)
    assert json.dumps(run.result, sort_keys=True) == json.dumps(expected.to_dict(), sort_keys=True)


def test_concurrent_duplicates_stored_once(example_revision):
    assessment = start_assessment(example_revision, AssessmentRequest(engines=("ara",), samples=3 * CHUNK, seed=8))
    run = assessment.runs.get()

    stored = _record_together(run, [1, 1, 1, 1])

    assert sorted(stored) == [False, False, False, True]
    assert AraChunk.objects.filter(run=run).count() == 1
    run.refresh_from_db()
    assert run.chunks_done == 1
    assert run.state == AssessmentRun.State.QUEUED
