"""Real Celery worker processes for tests, and waiting for runs to finish."""

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

PROJECT = Path(__file__).resolve().parents[1]

# Seconds a worker may take to start, and a run to finish, before the test fails.
WORKER_START_TIMEOUT = 60
RUN_TIMEOUT = 180


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

    def kill(self) -> None:
        """Kill the worker and its pool processes at once, as a crash of the machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_worker_process(log_folder: Path, *, concurrency: int = 2, environment: dict | None = None) -> WorkerProcess:
    """Start a Celery worker on the configured broker and test database; wait until it is ready."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    hostname = f"{name}@{socket.gethostname()}"
    log_path = log_folder / f"{name}.log"
    env = {**os.environ, "DATABASE_URL": database_url(), "RISKAPP_LOG_LEVEL": "INFO", **(environment or {})}
    command = [sys.executable, "-m", "celery", "-A", "riskapp", "worker", "--pool=prefork",
               f"--concurrency={concurrency}", f"--hostname={hostname}", "--loglevel=INFO",
               "--without-mingle", "--without-gossip"]
    with log_path.open("wb") as log:
        # A session of its own, so that a fault test can kill the worker and its pool at once.
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    worker = WorkerProcess(process, hostname, log_path)

    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not WorkerHeartbeat.objects.filter(hostname=hostname).exists():
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited with status {process.returncode}:\n{worker.log()}")
        if time.monotonic() > deadline:
            worker.stop()
            pytest.fail(f"The Celery worker did not start within {WORKER_START_TIMEOUT} s:\n{worker.log()}")
        time.sleep(0.2)
    return worker


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
