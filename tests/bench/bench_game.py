"""Benchmark the game solver against nashpy, pygambit and the plain commitment method.

Run ``python -m tests.bench.bench_game``; it prints a Markdown section. Every comparison runs
on the same random games in the same run, and the table gives each time as a ratio to the
riskapp solver's, so the figures carry over between machines better than seconds do. The
other libraries run in a child process with a time limit, because nashpy's Lemke–Howson has
no pivot cap and can loop without end.
"""

import multiprocessing
import statistics
import sys
import time
import warnings
from fractions import Fraction

import nashpy
import numpy as np
import pygambit

from riskapp.engines.game import lemke_howson, nash_equilibria, strong_stackelberg, zero_sum_value

# Seconds a foreign solver may run on one game before it is reported as not finished. nashpy's
# Lemke–Howson gets less, because the paths of its that end on these games take under 0.1 s.
TIME_LIMIT = 30.0
NASHPY_ENUMERATION_LIMIT = 45.0
NASHPY_LEMKE_HOWSON_LIMIT = 5.0


def random_game(size: int, index: int, *, zero_sum: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer payoffs uniform in [−50, 49], from a generator seeded by size and index."""
    generator = np.random.default_rng(1000 * size + index)
    a = generator.integers(-50, 50, size=(size, size))
    b = -a if zero_sum else generator.integers(-50, 50, size=(size, size))
    return a, b


def gambit_game(a: np.ndarray, b: np.ndarray):
    return pygambit.Game.from_arrays(
        [[Fraction(int(v)) for v in row] for row in a], [[Fraction(int(v)) for v in row] for row in b]
    )


def gambit_enummixed(a, b) -> int:
    return len(pygambit.nash.enummixed_solve(gambit_game(a, b), rational=True).equilibria)


def gambit_lcp_one(a, b) -> int:
    return len(pygambit.nash.lcp_solve(gambit_game(a, b), rational=False, stop_after=1).equilibria)


def gambit_lp(a, b) -> float:
    return float(
        pygambit.nash.lp_solve(gambit_game(a, b), rational=False).equilibria[0].payoff(gambit_game(a, b).players[0])
    )


def nashpy_vertex(a, b) -> int:
    return sum(1 for _ in nashpy.Game(a, b).vertex_enumeration())


def nashpy_lemke_howson(a, b) -> int:
    x, y = nashpy.Game(a, b).lemke_howson(initial_dropped_label=0)
    return int(np.all(np.isfinite(x)) and len(x) == a.shape[0])


def nashpy_linear_program(a, b) -> float:
    x, y = nashpy.Game(a, b).linear_program()
    return float(np.asarray(x) @ a @ np.asarray(y))


def _child(function, a, b, pipe) -> None:
    # nashpy's float tableau overflows on some games; its warnings would only clutter stderr.
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        output = function(a, b)
    pipe.send((time.perf_counter() - start, output))


def run_limited(function, a, b, limit: float = TIME_LIMIT):
    """Run ``function(a, b)`` in a child process; return (seconds, output) or None past the limit."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(function, a, b, sender))
    process.start()
    ready = receiver.poll(limit)
    if not ready:
        process.terminate()
        process.join()
        return None
    measured = receiver.recv()
    process.join()
    return measured


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    output = function(*args, **kwargs)
    return time.perf_counter() - start, output


class Table:
    def __init__(self):
        self.rows = []

    def add(self, task: str, solver: str, seconds: list[float], reference: float | None, outcome: str) -> None:
        if seconds:
            median = statistics.median(seconds)
            ratio = "1" if reference is None else f"{median / reference:.2f}"
            self.rows.append((task, solver, f"{median:.3f} s", ratio, outcome))
        else:
            self.rows.append((task, solver, "—", "—", outcome))

    def markdown(self) -> str:
        lines = ["| Task | Solver | Median time | Time ÷ riskapp | Outcome |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def bench_enumeration(table: Table, games: int = 3) -> None:
    task = "All extreme equilibria, 10×10"
    pairs = [random_game(10, k) for k in range(games)]
    ours_float = [timed(nash_equilibria, a, b) for a, b in pairs]
    ours_exact = [timed(nash_equilibria, a.tolist(), b.tolist(), exact=True) for a, b in pairs]
    counts = [len(result.equilibria) for _, result in ours_exact]
    reference = statistics.median(t for t, _ in ours_float)
    table.add(
        task,
        "riskapp vertex enumeration, float",
        [t for t, _ in ours_float],
        None,
        f"{[len(r.equilibria) for _, r in ours_float]} equilibria",
    )
    table.add(task, "riskapp vertex enumeration, exact", [t for t, _ in ours_exact], reference, f"{counts} equilibria")

    gambit = [run_limited(gambit_enummixed, a, b) for a, b in pairs]
    finished = [g for g in gambit if g is not None]
    table.add(
        task,
        "pygambit `enummixed_solve(rational=True)`",
        [t for t, _ in finished],
        reference,
        f"{[n for _, n in finished]} equilibria (duplicates included)"
        + ("" if len(finished) == games else f"; {games - len(finished)} not finished in {TIME_LIMIT:.0f} s"),
    )

    # nashpy's vertex enumeration takes about 40 s on one such game on an idle 2-core machine,
    # so it runs on the first game only.
    nashpy_run = run_limited(nashpy_vertex, *pairs[0], limit=NASHPY_ENUMERATION_LIMIT)
    if nashpy_run is None:
        table.add(
            task,
            "nashpy `vertex_enumeration()` (first game)",
            [],
            None,
            f"not finished in {NASHPY_ENUMERATION_LIMIT:.0f} s",
        )
    else:
        table.add(
            task,
            "nashpy `vertex_enumeration()` (first game)",
            [nashpy_run[0]],
            ours_float[0][0],
            f"{nashpy_run[1]} equilibria (riskapp: {counts[0]})",
        )


def bench_one_equilibrium(table: Table, games: int = 5) -> None:
    task = "One equilibrium, 50×50"
    pairs = [random_game(50, k) for k in range(games)]
    ours = [timed(lemke_howson, a, b, label=0) for a, b in pairs]
    reference = statistics.median(t for t, _ in ours)
    table.add(
        task,
        "riskapp Lemke–Howson, label 0",
        [t for t, _ in ours],
        None,
        f"{sum(p.status == 'found' for _, p in ours)}/{games} verified equilibria",
    )

    gambit = [run_limited(gambit_lcp_one, a, b) for a, b in pairs]
    finished = [g for g in gambit if g is not None]
    table.add(
        task,
        "pygambit `lcp_solve(rational=False, stop_after=1)`",
        [t for t, _ in finished],
        reference,
        f"{len(finished)}/{games} finished",
    )

    nashpy_runs = [run_limited(nashpy_lemke_howson, a, b, limit=NASHPY_LEMKE_HOWSON_LIMIT) for a, b in pairs]
    finished = [r for r in nashpy_runs if r is not None]
    valid = sum(output for _, output in finished)
    table.add(
        task,
        "nashpy `lemke_howson(0)`",
        [t for t, _ in finished],
        reference,
        f"{len(finished)}/{games} finished within {NASHPY_LEMKE_HOWSON_LIMIT:.0f} s, {valid} with a well-formed answer",
    )


def bench_zero_sum(table: Table) -> None:
    task = "Zero-sum value, 1000×1000"
    a, b = random_game(1000, 0, zero_sum=True)
    seconds, solution = timed(zero_sum_value, a)
    table.add(
        task,
        "riskapp minimax LP (HiGHS interior point)",
        [seconds],
        None,
        f"value {solution.value:.4f}, exploitability {solution.exploitability:.1e}",
    )

    nashpy_run = run_limited(nashpy_linear_program, a, b, limit=60.0)
    if nashpy_run is None:
        table.add(task, "nashpy `linear_program()`", [], None, "not finished in 60 s")
    else:
        table.add(task, "nashpy `linear_program()`", [nashpy_run[0]], seconds, f"value {nashpy_run[1]:.4f}")

    gambit_run = run_limited(gambit_lp, a, b)
    if gambit_run is None:
        table.add(task, "pygambit `lp_solve(rational=False)`", [], None, f"not finished in {TIME_LIMIT:.0f} s")
    else:
        table.add(task, "pygambit `lp_solve(rational=False)`", [gambit_run[0]], seconds, f"value {gambit_run[1]:.4f}")


def bench_commitment(table: Table, games: int = 2) -> None:
    task = "Strong Stackelberg commitment, 200×200"
    generators = [np.random.default_rng(200_000 + k) for k in range(games)]
    pairs = [(g.uniform(-50, 50, size=(200, 200)), g.uniform(-50, 50, size=(200, 200))) for g in generators]
    ours = [timed(strong_stackelberg, a, b) for a, b in pairs]
    plain = [timed(strong_stackelberg, a, b, prune=False) for a, b in pairs]
    reference = statistics.median(t for t, _ in ours)
    agree = all(abs(p.value - o.value) <= 1e-9 * 50 for (_, p), (_, o) in zip(plain, ours, strict=True))
    table.add(
        task,
        "riskapp pruned LPs",
        [t for t, _ in ours],
        None,
        f"{statistics.median(s.lps_solved for _, s in ours):.0f} LPs per game (median)",
    )
    table.add(
        task,
        "plain one LP per response (same HiGHS LPs)",
        [t for t, _ in plain],
        reference,
        f"200 LPs per game; same leader value: {'yes' if agree else 'NO'}",
    )
    table.add(task, "nashpy, pygambit", [], None, "no Stackelberg solver in either library")


def main() -> int:
    table = Table()
    bench_enumeration(table)
    bench_one_equilibrium(table)
    bench_zero_sum(table)
    bench_commitment(table)
    print("## Game solver\n")
    print(table.markdown())
    print()
    print(
        "Random games with integer payoffs uniform in [−50, 49] (zero-sum: B = −A), seeded by "
        "size and index; the commitment games use float payoffs uniform in [−50, 50], because "
        "with integer payoffs the best pure commitment usually reaches the largest payoff and no "
        "LP is needed. Times are medians over the games listed (3 at 10×10, 5 at 50×50, 1 at "
        "1000×1000, 2 at 200×200); nashpy and pygambit ran in a child process with a time limit, "
        "and their times exclude starting it. nashpy 0.0.43, pygambit 16.7.0, scipy HiGHS."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
