"""Fixtures shared by every test package."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so that random test inputs are the same on every run."""
    return np.random.default_rng(20261204)


@pytest.fixture
def example_revision(db):
    """The example scenario file stored as revision 1 of a scenario."""
    from riskapp.scenarios import services
    from riskapp.scenarios.format import parse_scenario
    from tests.workers import PROJECT

    example = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"
    return services.import_scenario(parse_scenario(example.read_bytes(), syntax="json"))


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery worker processes on the configured broker; stop them afterwards."""
    from riskapp.celery import app
    from tests.workers import start_worker_process

    app.control.purge()  # drop messages that earlier tests queued with no worker running
    workers = []

    def start(**options):
        worker = start_worker_process(tmp_path, **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
