"""Benchmark of ARA runs on Celery workers: python -m tests.bench.bench_workers.

Runs the same ARA run (seed, options, scenario) on one worker process and then on two, on the
filesystem broker and a fresh SQLite database, and prints a Markdown section with the
wall-clock time of each, the speed-up of two over one, and the peak resident memory of a
worker's pool process at two run sizes. Each worker is a prefork pool with one process.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(tempfile.mkdtemp(prefix="riskapp-bench-"))
CHUNK_SIZE = 20_000
CHUNKS = 24
ENVIRONMENT = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "riskapp.settings",
    "RISKAPP_DATA_DIR": str(DATA_DIR),
    "RISKAPP_ARA_CHUNK_SIZE": str(CHUNK_SIZE),
    "RISKAPP_LOG_LEVEL": "WARNING",
}
os.environ.update(ENVIRONMENT)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from riskapp.assessments.models import AssessmentRun, WorkerHeartbeat  # noqa: E402
from riskapp.assessments.services import AssessmentRequest, start_assessment  # noqa: E402
from riskapp.scenarios import services  # noqa: E402
from riskapp.scenarios.format import parse_scenario  # noqa: E402


def benchmark_scenario() -> str:
    """10 defenses × 10 attacks × 5 outcomes with Dirichlet beliefs and uncertain numbers."""
    rng = np.random.default_rng(2026)
    defenses, attacks, outcomes = 10, 10, 5

    def row() -> dict[str, float]:
        thousandths = np.floor(1000 * rng.dirichlet(np.ones(outcomes))).astype(int)
        thousandths[0] += 1000 - thousandths.sum()
        return {f"s{s}": int(t) / 1000 for s, t in enumerate(thousandths)}

    attack_ids = ["none"] + [f"a{a}" for a in range(1, attacks)]
    return json.dumps({
        "format": "riskapp-scenario/1",
        "title": "Worker benchmark",
        "defenses": [{"id": f"d{d}", "name": f"Defense {d}", "cost": d} for d in range(defenses)],
        "attacks": [{"id": "none", "name": "No attack", "cost": 0}] + [
            {"id": f"a{a}", "name": f"Attack {a}", "cost": {"triangular": [a, 2 * a, 3 * a + 1]}}
            for a in range(1, attacks)],
        "outcomes": [{"id": f"s{s}", "name": f"Outcome {s}", "defender_loss": 25 * s,
                      "attacker_gain": {"uniform": [0, 20 * (s + 1)]}} for s in range(outcomes)],
        "probabilities": {f"d{d}": {a: row() for a in attack_ids} for d in range(defenses)},
        "attacker": {"risk_aversion": {"uniform": [-0.02, 0.05]}, "belief_concentration": 50},
    })


def start_workers(count: int) -> list[subprocess.Popen]:
    processes = []
    for number in range(count):
        hostname = f"bench{count}-{number}@localhost"
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "riskapp", "worker", "--pool=prefork", "--concurrency=1",
             f"--hostname={hostname}", "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
            cwd=PROJECT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.monotonic() + 60
    expected = {f"bench{count}-{number}@localhost" for number in range(count)}
    while set(WorkerHeartbeat.objects.filter(hostname__in=expected).values_list("hostname", flat=True)) != expected:
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark workers did not start within 60 s")
        time.sleep(0.1)
    return processes


def pool_rss_mib(processes: list[subprocess.Popen]) -> float:
    """Largest resident memory among the pool processes of the given workers, in MiB."""
    largest = 0.0
    for process in processes:
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]) / 1024)
    return largest


def timed_run(revision, workers: int, chunks: int) -> tuple[float, float, dict]:
    processes = start_workers(workers)
    try:
        started = time.perf_counter()
        assessment = start_assessment(revision, AssessmentRequest(engines=("ara",), samples=chunks * CHUNK_SIZE,
                                                                  seed=7))
        run = assessment.runs.get()
        peak = 0.0
        while not run.is_finished:
            peak = max(peak, pool_rss_mib(processes))
            time.sleep(0.1)
            run.refresh_from_db()
        seconds = time.perf_counter() - started
        if run.state != AssessmentRun.State.SUCCEEDED:
            raise RuntimeError(f"the benchmark run ended {run.state}: {run.error_message}")
        return seconds, peak, run.result
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def main() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT,
                   env=ENVIRONMENT, check=True)
    revision = services.import_scenario(parse_scenario(benchmark_scenario(), syntax="json"))

    one_seconds, one_peak, one_result = timed_run(revision, workers=1, chunks=CHUNKS)
    two_seconds, two_peak, two_result = timed_run(revision, workers=2, chunks=CHUNKS)
    _, small_peak, _ = timed_run(revision, workers=1, chunks=CHUNKS // 4)
    identical = json.dumps(one_result, sort_keys=True) == json.dumps(two_result, sort_keys=True)

    draws = CHUNKS * CHUNK_SIZE
    print("## ARA runs on Celery workers\n")
    print(f"One ARA run of {draws:,} draws in {CHUNKS} chunks of {CHUNK_SIZE:,} on the 10 × 10 × 5 benchmark "
          "problem, filesystem broker, SQLite, each worker a prefork pool of one process, wall-clock time from "
          "starting the assessment to the stored result.\n")
    print("| workers | seconds | speed-up over one worker |")
    print("|---|---|---|")
    print(f"| 1 | {one_seconds:.1f} | 1.00 |")
    print(f"| 2 | {two_seconds:.1f} | {one_seconds / two_seconds:.2f} |")
    print(f"\nThe two runs gave bit-identical results: {'yes' if identical else 'NO'}.\n")
    print("Peak resident memory of a worker's pool process:\n")
    print("| draws in the run | peak MiB |")
    print("|---|---|")
    print(f"| {draws // 4:,} | {small_peak:.0f} |")
    print(f"| {draws:,} | {one_peak:.0f} |")


if __name__ == "__main__":
    main()
