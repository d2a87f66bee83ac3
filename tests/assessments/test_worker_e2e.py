"""ARA runs on real Celery worker processes, on the broker and database that are configured.

The test command runs this module with the filesystem broker, Redis and RabbitMQ, and on
SQLite and PostgreSQL, by setting CELERY_BROKER_URL and DATABASE_URL.
"""

import json

import pytest
from django.conf import settings

from riskapp.assessments.models import AraChunk, AssessmentRun
from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.engines.ara import assess as ara_assess
from riskapp.scenarios.selectors import revision_problem
from tests.workers import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _json(value) -> str:
    return json.dumps(value, sort_keys=True)


def test_ara_run_completes_on_worker(example_revision, start_worker):
    worker = start_worker(concurrency=2)
    samples = 4 * settings.RISKAPP_ARA_CHUNK_SIZE
    assessment = start_assessment(example_revision, AssessmentRequest(samples=samples, seed=20261204))

    ara_run = assessment.runs.get(engine="ara")
    run = wait_for_run(ara_run.pk, workers=[worker])

    assert run.state == AssessmentRun.State.SUCCEEDED, run.error_message
    assert run.chunks_done == 4
    assert AraChunk.objects.filter(run=run).count() == 4
    assert set(AraChunk.objects.filter(run=run).values_list("worker", flat=True)) == {worker.hostname}
    assert run.result["counts"]["draws"] == samples

    # The worker's result equals an in-process run of the same chunks, bit for bit.
    expected = ara_assess(revision_problem(example_revision), seed=20261204, samples=samples,
                          chunk_size=settings.RISKAPP_ARA_CHUNK_SIZE).to_dict()
    assert _json(run.result) == _json(expected)

