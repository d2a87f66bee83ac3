"""A worker killed in the middle of an ARA run: another worker completes it, exactly."""

import json
import time

import numpy as np
import pytest
from django.conf import settings

from riskapp.assessments.models import AraChunk, AssessmentRun
from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.engines.ara import assess as ara_assess
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.selectors import revision_problem
from tests.workers import wait_for_run

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Short leases so that the surviving worker's reaper re-enqueues the dead worker's chunks
# within seconds instead of minutes.
FAST_REAPER = {"RISKAPP_CHUNK_LEASE_SECONDS": "3", "RISKAPP_REAPER_INTERVAL_SECONDS": "1"}


def large_scenario(rng: np.random.Generator, defenses: int, attacks: int, outcomes: int) -> str:
    """A scenario large enough that a chunk takes a noticeable time, with uncertain gains and
    costs, Dirichlet beliefs, and probability rows in thousandths that sum to 1 exactly."""
    def row() -> dict[str, float]:
        weights = rng.integers(1, 100, size=outcomes)
        thousandths = np.floor(1000 * weights / weights.sum()).astype(int)
        thousandths[0] += 1000 - thousandths.sum()
        return {f"s{s}": int(t) / 1000 for s, t in enumerate(thousandths)}

    attack_ids = ["none"] + [f"a{a}" for a in range(1, attacks)]
    document = {
        "format": "riskapp-scenario/1",
        "title": "Large synthetic scenario",
        "defenses": [{"id": f"d{d}", "name": f"Defense {d}", "cost": d} for d in range(defenses)],
        "attacks": [{"id": "none", "name": "No attack", "cost": 0}] + [
            {"id": f"a{a}", "name": f"Attack {a}", "cost": {"triangular": [a, a + 1, a + 3]}}
            for a in range(1, attacks)],
        "outcomes": [{"id": f"s{s}", "name": f"Outcome {s}", "defender_loss": 10 * s,
                      "attacker_gain": {"uniform": [s, 3 * s + 1]}} for s in range(outcomes)],
        "probabilities": {f"d{d}": {attack: row() for attack in attack_ids} for d in range(defenses)},
        "attacker": {"risk_aversion": {"uniform": [-0.05, 0.05]}, "belief_concentration": 30},
    }
    return json.dumps(document)


@pytest.fixture
def large_revision(db, rng):
    text = large_scenario(rng, defenses=15, attacks=15, outcomes=6)
    return services.import_scenario(parse_scenario(text, syntax="json"))


def test_killed_worker_run_completes_identically(large_revision, start_worker):
    first = start_worker(concurrency=2, environment=FAST_REAPER)
    chunks = 12
    samples = chunks * settings.RISKAPP_ARA_CHUNK_SIZE
    assessment = start_assessment(large_revision, AssessmentRequest(engines=("ara",), samples=samples, seed=99))
    run = assessment.runs.get()

    # Kill the first worker and its pool once it has recorded some chunks but not all.
    deadline = time.monotonic() + 120
    while AraChunk.objects.filter(run=run).count() < 2:
        assert time.monotonic() < deadline, first.log()
        time.sleep(0.05)
    first.kill()
    recorded_by_first = AraChunk.objects.filter(run=run).count()
    assert recorded_by_first < chunks, "the run finished before the worker was killed; make chunks slower"

    second = start_worker(concurrency=2, environment=FAST_REAPER)
    finished = wait_for_run(run.pk, workers=[first, second])

    assert finished.state == AssessmentRun.State.SUCCEEDED, finished.error_message
    assert finished.chunks_done == chunks
    assert AraChunk.objects.filter(run=run).count() == chunks
    workers = set(AraChunk.objects.filter(run=run).values_list("worker", flat=True))
    assert workers == {first.hostname, second.hostname}

    undisturbed = ara_assess(revision_problem(large_revision), seed=99, samples=samples,
                             chunk_size=settings.RISKAPP_ARA_CHUNK_SIZE)
    assert json.dumps(finished.result, sort_keys=True) == json.dumps(undisturbed.to_dict(), sort_keys=True)
