"""Fit adaptive.TEMPER on training elections (not a test; not those bench_adaptive reports).

    python bench/fit_temper.py [--voters N] [--seed S] [--grid 1 0.9 0.8 ...]

For each tempering t in the grid, walks the simulated voters of bench_adaptive through
quick mode on the training elections (bench_adaptive.training: 3, 6, 7 and 20
parties, 3- and 5-point scales, seed 0 unless --seed) with the posterior's log-likelihood
counted t times, and prints the mean log loss of the said certainty against whether
the top stayed (a proper score: lowest when calibrated and sharp), the mean and the
worst |said - realised| over the 0.1 bins with at least 50 steps, and the median share
of statements answered at stop. The t with the lowest log loss is the fitted one.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_adaptive import bins, simulate, training, worst_gap  # noqa: E402


def log_loss(calib: np.ndarray) -> float:
    """Mean -log of the probability the certainty gave to what happened (clipped at 1/400)."""
    said = np.clip(calib[:, 0], 1 / 400, 1 - 1 / 400)
    kept = calib[:, 1] > 0
    return float(-np.mean(np.where(kept, np.log(said), np.log(1 - said))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--voters", type=int, default=40, help="voters per kind (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grid", type=float, nargs="+", default=[1.0, 0.85, 0.7, 0.55])
    args = ap.parse_args()
    races = training(np.random.default_rng(args.seed))
    print("tempering  log loss  mean gap  worst gap  median answered  (all training races)")
    print("           then per race: log loss, worst gap, median answered")
    for t in args.grid:
        calib, stops, each = [], [], []
        for r, race in enumerate(races):
            sim = simulate(race, np.random.default_rng(args.seed + 1), args.voters, temper=t)
            c = sim["calib"].copy()
            c[:, 2] += r * 3 * args.voters  # voters of different races are different people
            calib.append(c)
            stops += [row[2] for row in sim["rows"]]
            median = 100 * np.median([row[2] for row in sim["rows"]])
            each.append(f"{race[0]} {log_loss(c):.4f} {worst_gap(c):4.1f} {median:4.1f} %")
        c = np.concatenate(calib)
        gaps = [100 * abs(b[1] - b[2]) for b in bins(c) if b[3] >= 50]
        print(
            f"  {t:8.2f}  {log_loss(c):8.4f}  {np.mean(gaps):8.1f}  {worst_gap(c):9.1f}"
            f"  {100 * np.median(stops):15.1f} %",
            flush=True,
        )
        print("            " + "; ".join(each), flush=True)


if __name__ == "__main__":
    main()
