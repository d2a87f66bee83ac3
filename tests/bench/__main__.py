"""Run every benchmark and print docs/benchmarks.md: python -m tests.bench > docs/benchmarks.md.

Each benchmark module prints a Markdown section with its figures as ratios against a baseline
measured in the same run; this runner adds the machine and the date.
"""

import datetime
import os
import platform
import subprocess
import sys

MODULES = ["tests.bench.bench_ara", "tests.bench.bench_workers", "tests.bench.bench_game", "tests.bench.bench_editor"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    print("# Benchmarks\n")
    print(f"Measured on {datetime.date.today().isoformat()} on {machine()}, with `make bench`.")
    print("Figures are ratios against a baseline measured in the same run, so they carry over between")
    print("machines better than seconds do; the seconds are given for context.\n")
    status = 0
    for module in MODULES:
        completed = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True)
        if completed.returncode != 0:
            print(f"## {module}\n\nThe benchmark failed:\n\n```\n{completed.stderr[-2000:]}\n```\n")
            status = 1
            continue
        print(completed.stdout.rstrip() + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
