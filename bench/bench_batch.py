"""Throughput and memory of vaa.matching.batch_scores, next to a match()-per-voter loop.

Synthetic voters on a 5-point scale (~10 % skipped, ~20 % marked important) against 30
entities (~5 % unanswered) on 40 statements. Each size runs in its own subprocess, so
its peak resident memory is its own; the baseline scores a small sample one voter at a
time with match() in a Python loop, in the same run. Not a test: figures drift by
several percent between runs.

    python bench/bench_batch.py [--quick] [--method cityblock] [--missing max]
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaa.matching import (  # noqa: E402
    METHODS,
    MISSING_POLICIES,
    Method,
    Missing,
    batch_scores,
    match,
    scale_positions,
)

STATEMENTS = 40
ENTITIES = 30
BASELINE_VOTERS = 2_000
REPEATS = 3  # timing runs per size (shared machines are noisy)
PAIRED = 6  # runs of float32, the floor and the finished floor, in turns
MB = 1024 * 1024


def synthetic(
    n: int, seed: int = 1
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """n voters' answers and weights (n, 40) and 30 entities' positions (30, 40)."""
    rng = np.random.default_rng(seed)
    positions = scale_positions(5)
    answers = np.empty((n, STATEMENTS))
    weights = np.empty((n, STATEMENTS))
    # built in slices so that generating the data leaves no large temporaries behind
    for start in range(0, n, 100_000):
        rows = slice(start, min(start + 100_000, n))
        shape = (rows.stop - rows.start, STATEMENTS)
        answers[rows] = positions[rng.integers(0, 5, shape)]
        answers[rows][rng.random(shape) < 0.10] = np.nan
        weights[rows] = np.where(rng.random(shape) < 0.20, 2.0, 1.0)
    entities = positions[rng.integers(0, 5, (ENTITIES, STATEMENTS))]
    entities[rng.random((ENTITIES, STATEMENTS)) < 0.05] = np.nan
    return answers, weights, entities


def _status_mb(field: str) -> float | None:
    """A VmRSS/VmHWM figure of this process in MB (None off Linux)."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def matmul_floor(
    answers: NDArray[np.float64],
    weights: NDArray[np.float64],
    tables: dict[float, NDArray[np.float32]],
    chunk_size: int = 4096,
    finish: bool = False,
) -> NDArray[np.float32]:
    """The one-hot matmul floor: per chunk and scale position x, the weights of the voters
    at x (float32) times that position's (Q, E) distance table, summed. No checks, no
    gaps, no division: the least any exact one-hot method must do.

    `finish`: the floor plus what batch_scores owes beyond it: each table (Q, E + 1)
    holds 100 g and a column of ones, so the product also sums the weights, and one
    division per chunk writes the scores (still no checks and no padding)."""
    n, width = answers.shape[0], next(iter(tables.values())).shape[1]
    e = width - 1 if finish else width
    out = np.empty((n, e), dtype=np.float32)
    wf = np.empty((chunk_size, answers.shape[1]), dtype=np.float32)
    buffer = np.empty_like(wf)
    product, sums = (np.empty((chunk_size, width), dtype=np.float32) for _ in range(2))
    for start in range(0, n, chunk_size):
        v, w = answers[start : start + chunk_size], weights[start : start + chunk_size]
        c = v.shape[0]
        total = sums[:c] if finish else out[start : start + c]
        total.fill(0.0)
        np.copyto(wf[:c], w, casting="same_kind")
        for x, table in tables.items():
            np.multiply(wf[:c], v == x, out=buffer[:c])
            np.matmul(buffer[:c], table, out=product[:c])
            total += product[:c]
        if finish:
            with np.errstate(invalid="ignore"):
                np.divide(total[:, :e], total[:, e:], out=out[start : start + c])
    return out


def time_batch(n: int, method: Method, missing: Missing) -> dict[str, Any]:
    """Wall and CPU times on n voters of batch_scores (float64), batch_scores(dtype=float32)
    and the matmul floor: the best and the median of REPEATS runs of float64, the medians
    of PAIRED runs of the other two in turns."""
    from vaa.matching import _distance_table  # the engine's own tables, for the floor

    answers, weights, entities = synthetic(n)
    tables = {
        float(x): _distance_table(float(x), entities, method, missing).astype(np.float32)
        for x in scale_positions(5)
    }
    # the finished floor's tables: 100 g where d counts (as batch_scores' own), and ones
    finished = {
        x: np.hstack([100 * (1 - table), np.ones((table.shape[0], 1), dtype=np.float32)])
        for x, table in tables.items()
    }
    runs: dict[str, Callable[[], object]] = {
        "float64": lambda: batch_scores(answers, weights, entities, method=method, missing=missing),
        "float32": lambda: batch_scores(
            answers, weights, entities, method=method, missing=missing, dtype=np.float32
        ),
        "floor": lambda: matmul_floor(answers, weights, tables),
        "finished": lambda: matmul_floor(answers, weights, finished, finish=True),
    }
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    # Each untimed once first (a fresh process's first call pays 15 ms more); float64 on
    # its own, then float32, the floor and the finished floor in turns: a run
    # right after float64 meets a cold cache and fresh pages (at 10k voters 1-2 ms, a
    # third of the floor's time), so none of the three may follow it.
    rounds = (
        [["float64"]] * (1 + REPEATS)
        + [["float32", "floor", "finished"]]
        + [
            ["float32", "floor", "finished"][r % 3 :] + ["float32", "floor", "finished"][: r % 3]
            for r in range(PAIRED)
        ]
    )
    for timed, names in enumerate(rounds):
        for name in names:
            start, cpu = time.perf_counter(), time.process_time()
            runs[name]()
            if timed and timed != 1 + REPEATS:
                walls[name].append(time.perf_counter() - start)
                cpus[name].append(time.process_time() - cpu)
    median = {name: statistics.median(w) for name, w in walls.items()}
    cpu_median = {name: statistics.median(c) for name, c in cpus.items()}
    return {
        "wall": min(walls["float64"]),
        "median": median["float64"],
        "rate": n / min(walls["float64"]),
        "f32_median": median["float32"],
        "floor_median": median["floor"],
        "f32_cpu": cpu_median["float32"],
        "floor_cpu": cpu_median["floor"],
        "finished_cpu": cpu_median["finished"],
    }


def measure_batch_memory(n: int, method: Method, missing: Missing) -> dict[str, Any]:
    """Peak memory of batch_scores on n voters above what the process held before the call."""
    answers, weights, entities = synthetic(n)
    rss_before = _status_mb("VmRSS")
    clean = _reset_peak_rss()
    scores = batch_scores(answers, weights, entities, method=method, missing=missing)
    peak = _status_mb("VmHWM")
    if not clean or peak is None or rss_before is None:
        # no resettable mark: the process-wide high-water mark is all there is
        peak, rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0.0
    del scores
    # a second, traced run: numpy reports its buffers to tracemalloc
    tracemalloc.start()
    scores = batch_scores(answers, weights, entities, method=method, missing=missing)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "rss_delta_mb": peak - rss_before,
        "rss_clean": clean,
        "traced_peak_mb": traced_peak / MB,
        "output_mb": scores.nbytes / MB,
        "inputs_mb": (answers.nbytes + weights.nbytes + entities.nbytes) / MB,
    }


def baseline(method: Method, missing: Missing) -> dict[str, Any]:
    """match() per voter in a Python loop on a small sample, and its agreement with batch."""
    answers, weights, entities = synthetic(BASELINE_VOTERS, seed=2)
    ids = [f"entity-{e:02d}" for e in range(ENTITIES)]
    themes = np.zeros(STATEMENTS, dtype=np.intp)
    looped = np.full((BASELINE_VOTERS, ENTITIES), np.nan)
    start = time.perf_counter()
    for r in range(BASELINE_VOTERS):
        looped[r] = match(
            answers[r],
            weights[r],
            entities,
            entity_ids=ids,
            themes=themes,
            n_themes=1,
            method=method,
            missing=missing,
        ).scores
    wall = time.perf_counter() - start
    batched = batch_scores(answers, weights, entities, method=method, missing=missing)
    return {
        "voters": BASELINE_VOTERS,
        "wall": wall,
        "rate": BASELINE_VOTERS / wall,
        "max_diff": float(np.nanmax(np.abs(batched - looped))),
    }


def _run_worker(n: int, method: str, missing: str, measure: str) -> dict[str, Any]:
    """Time or measure one size in a fresh interpreter and read its figures."""
    env = dict(os.environ)
    if measure == "memory":
        # a fixed mmap threshold makes glibc hand large freed buffers back to the kernel,
        # so RSS tracks live memory rather than pages kept from building the data; it
        # slows the chunks down (fresh pages each time), hence a separate timing run
        env["MALLOC_MMAP_THRESHOLD_"] = "131072"
    command = [sys.executable, __file__, "--worker", str(n), "--measure", measure]
    done = subprocess.run(
        [*command, "--method", method, "--missing", missing],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k voters")
    parser.add_argument("--method", choices=METHODS, default="cityblock")
    parser.add_argument("--missing", choices=MISSING_POLICIES, default="max")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["time", "memory"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    method, missing = cast(Method, args.method), cast(Missing, args.missing)  # from choices
    if args.worker:
        run = time_batch if args.measure == "time" else measure_batch_memory
        print(json.dumps(run(args.worker, method, missing)))
        return
    sizes = [10_000, 100_000] if args.quick else [100_000, 1_000_000]
    print(
        f"batch_scores: {STATEMENTS} statements x {ENTITIES} entities, 5-point scale, "
        f"~10 % skipped, ~20 % weight 2; method={args.method}, missing={args.missing}"
    )
    base = baseline(method, missing)
    rows = [
        {
            "voters": n,
            **_run_worker(n, method, missing, "time"),
            **_run_worker(n, method, missing, "memory"),
        }
        for n in sizes
    ]
    header = (
        f"{'voters':>10}  {'best s':>7}  {'median s':>8}  {'voters/s':>11}  {'speed-up':>8}  "
        f"{'peak RSS +MB':>12}  {'traced MB':>9}  {'output MB':>9}  {'work MB':>7}  {'inputs MB':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        rss = f"{row['rss_delta_mb']:.0f}" + ("" if row["rss_clean"] else "*")
        print(
            f"{row['voters']:>10,}  {row['wall']:>7.2f}  {row['median']:>8.2f}  {row['rate']:>11,.0f}  "
            f"{row['rate'] / base['rate']:>7.0f}x  {rss:>12}  {row['traced_peak_mb']:>9.0f}  "
            f"{row['output_mb']:>9.0f}  {row['traced_peak_mb'] - row['output_mb']:>7.0f}  "
            f"{row['inputs_mb']:>9.0f}"
        )
    print(
        f"\nbaseline: match() per voter in a Python loop, {base['voters']:,} voters: "
        f"{base['wall']:.2f} s, {base['rate']:,.0f} voters/s "
        f"(match() also computes agreements, themes, intervals, ranks)"
    )
    print(f"batch vs loop on the baseline sample: max |difference| {base['max_diff']:.1e}")
    print(
        "\nvs the one-hot matmul floor (float32, same process, medians of "
        f"{PAIRED} runs of each in turns; {'missing=skip: the floor ignores gaps' if missing == 'skip' else 'gaps imputed in the tables'}):"
    )
    print(
        f"{'voters':>10}  {'floor s':>8}  {'float32 s':>9}  {'ratio':>6}  {'float64 s':>9}  {'ratio':>6}"
        f"  {'CPU: floor s':>12}  {'float32 s':>9}  {'ratio':>6}  {'finished s':>10}  {'ratio':>6}"
    )
    for row in rows:
        floor = row["floor_median"]
        print(
            f"{row['voters']:>10,}  {floor:>8.3f}  {row['f32_median']:>9.3f}  "
            f"{row['f32_median'] / floor:>6.2f}  {row['median']:>9.3f}  {row['median'] / floor:>6.2f}"
            f"  {row['floor_cpu']:>12.3f}  {row['f32_cpu']:>9.3f}  {row['f32_cpu'] / row['floor_cpu']:>6.2f}"
            f"  {row['finished_cpu']:>10.3f}  {row['f32_cpu'] / row['finished_cpu']:>6.2f}"
        )
    print(
        "CPU: the process's CPU time (one BLAS thread), which other load on a shared "
        "machine disturbs far less than the wall clock;\nfinished: the floor plus the "
        "denominator column and the division that batch_scores owes"
    )
    print(
        "peak RSS +MB: the call's peak resident memory above the RSS before it, output "
        "included;\ntraced MB: numpy's peak allocation during the call (tracemalloc); "
        "work MB: traced minus the output"
    )
    if not all(row["rss_clean"] for row in rows):
        print("* peak RSS mark not resettable here: process-wide maximum, inputs included")


if __name__ == "__main__":
    main()
