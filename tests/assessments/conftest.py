"""Fixtures for job tests: stored scenarios and real Celery worker processes."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from riskapp.assessments.models import AssessmentRun, WorkerHeartbeat
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"

# Seconds a worker may take to start, and a run to finish, before the test fails.
WORKER_START_TIMEOUT = 60
RUN_TIMEOUT = 180


@pytest.fixture
def example_revision(db):
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")
    return services.import_scenario(document)


def database_url() -> str:
    """The URL of the database the tests use, for worker processes to reach it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor == "postgresql":
        user = settings["USER"] or ""
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"
    raise AssertionError(f"no worker support for the {connection.vendor} test database")


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    hostname: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def child_pids(self) -> list[int]:
        """Pids of the prefork pool's processes."""
        output = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in output.split()]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery worker processes on the configured broker; stop them afterwards."""
    from riskapp.celery import app

    app.control.purge()  # drop messages that earlier tests queued with no worker running
    workers: list[WorkerProcess] = []

    def start(concurrency: int = 2) -> WorkerProcess:
        name = f"test-{uuid.uuid4().hex[:8]}"
        hostname = f"{name}@{socket.gethostname()}"
        log_path = tmp_path / f"{name}.log"
        env = {**os.environ, "DATABASE_URL": database_url(), "RISKAPP_LOG_LEVEL": "INFO"}
        command = [sys.executable, "-m", "celery", "-A", "riskapp", "worker", "--pool=prefork",
                   f"--concurrency={concurrency}", f"--hostname={hostname}", "--loglevel=INFO",
                   "--without-mingle", "--without-gossip"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = WorkerProcess(process, hostname, log_path)
        workers.append(worker)

        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not WorkerHeartbeat.objects.filter(hostname=hostname).exists():
            if process.poll() is not None:
                pytest.fail(f"The Celery worker exited with status {process.returncode}:\n{worker.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start within {WORKER_START_TIMEOUT} s:\n{worker.log()}")
            time.sleep(0.2)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for_run(run_id: int, *, timeout: float = RUN_TIMEOUT, workers=()) -> AssessmentRun:
    """Poll the database until the run has finished; fail with the workers' logs otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        run = AssessmentRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        if time.monotonic() > deadline:
            logs = "\n\n".join(worker.log() for worker in workers)
            pytest.fail(f"Run {run_id} is still {run.state} after {timeout} s "
                        f"({run.chunks_done}/{run.chunks_planned} chunks).\n{logs}")
        time.sleep(0.2)
