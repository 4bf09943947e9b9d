"""Quick mode on simulated voters (not a test): agreement at stop, length, calibration.

    python bench/bench_adaptive.py [QUESTIONNAIRE PARTIES] [--voters N] [--seed S]

Defaults to the test fixture tests/data/flat-*.yaml, and always adds a synthetic
election of another shape (40 statements, 12 parties, 4-point scale). Voter kinds:
`near` (one entity's answers, each kept with probability 0.6, else a random option),
`between` (each statement copied from one of two entities, then the same noise),
`random` (uniform). Everything runs in this process; no network.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaa import adaptive, matching  # noqa: E402
from vaa.loading import read_elections  # noqa: E402
from vaa.results import PreparedElection  # noqa: E402

FloatArray = matching.FloatArray


def election_from_files(paths: list[str]) -> tuple[FloatArray, FloatArray, list[str]]:
    content = read_elections(paths)[0]
    prepared = PreparedElection.build(content, "bench")
    levels = matching.scale_positions(len(content.questionnaire.scale))
    return levels, prepared.entity_answers, prepared.entity_ids


def synthetic(rng: np.random.Generator, q: int = 40, e: int = 12, k: int = 4) -> tuple:
    levels = matching.scale_positions(k)
    p = levels[rng.integers(0, k, size=(e, q))]
    p[rng.random((e, q)) < 0.05] = np.nan  # a few unanswered
    return levels, p, [f"p{i:02d}" for i in range(e)]


def voters(rng: np.random.Generator, levels: FloatArray, p: FloatArray, n: int) -> list:
    k, (e, q) = levels.size, p.shape
    out = []
    for kind in ("near", "between", "random"):
        for _ in range(n):
            noise = levels[rng.integers(0, k, size=q)]
            if kind == "random":
                v = noise
            else:
                a, b = rng.choice(e, size=2, replace=False)
                src = p[a] if kind == "near" else np.where(rng.random(q) < 0.5, p[a], p[b])
                keep = (rng.random(q) < 0.6) & ~np.isnan(src)
                v = np.where(keep, src, noise)
            out.append((kind, v))
    return out


def run(name: str, levels: FloatArray, p: FloatArray, ids: list[str], rng, n: int) -> None:
    q = p.shape[1]
    w = np.ones(q)
    third = round(q / 3)
    rows = []  # (kind, kept at stop, share answered)
    calib = []  # (certainty, kept) at every step
    third_adaptive, third_fixed = [], []
    for kind, v in voters(rng, levels, p, n):
        full = adaptive._top(
            matching.batch_scores(v[None], w[None], p, method="cityblock", missing="max")[0], ids
        )
        answers = np.full(q, np.nan)
        shown = np.zeros(q, dtype=bool)
        stopped = None
        for t in range(q):
            st = adaptive.step(answers, w, shown, levels, p, entity_ids=ids)
            if st.top is not None:
                calib.append((st.certainty, st.top == full))
            if stopped is None and st.certainty >= adaptive.SETTLED:
                stopped = (st.top == full, t / q)
            if t == third:
                third_adaptive.append(st.top == full)
            if stopped is not None and t > third:
                break
            i = st.statement
            assert i is not None
            answers[i], shown[i] = v[i], True
        if stopped is None:
            stopped = (True, 1.0)
        rows.append((kind, *stopped))
        fixed = np.where(np.arange(q) < third, v, np.nan)
        top_fixed = adaptive._top(
            matching.batch_scores(fixed[None], w[None], p, method="cityblock", missing="max")[0],
            ids,
        )
        third_fixed.append(top_fixed == full)
    print(f"\n== {name}: {q} statements, {p.shape[0]} entities, {levels.size}-point scale")
    for kind in ("near", "between", "random", "all"):
        sel = [r for r in rows if kind in ("all", r[0])]
        kept = np.mean([r[1] for r in sel])
        share = np.median([r[2] for r in sel])
        print(
            f"  {kind:8s} n={len(sel):4d} keep full top at stop {100 * kept:5.1f} %, "
            f"median share answered {100 * share:5.1f} %"
        )
    print(
        f"  at a third ({third} statements): adaptive {100 * np.mean(third_adaptive):5.1f} %, "
        f"fixed order {100 * np.mean(third_fixed):5.1f} %"
    )
    print("  calibration (said certainty -> realised agreement, count):")
    c = np.array(calib, dtype=float)
    for lo in np.arange(0, 1.0, 0.1):
        hi = lo + 0.1
        sel = (c[:, 0] >= lo) & ((c[:, 0] < hi) | ((hi >= 1.0) & (c[:, 0] <= 1.0)))
        if sel.any():
            print(
                f"    [{lo:.1f}, {hi:.1f}{']' if hi >= 1 else ')'} said "
                f"{100 * c[sel, 0].mean():5.1f} %  realised {100 * c[sel, 1].mean():5.1f} %  "
                f"n={int(sel.sum())}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "files",
        nargs="*",
        default=[
            str(ROOT / "tests/data/flat-questionnaire.yaml"),
            str(ROOT / "tests/data/flat-parties.yaml"),
        ],
    )
    ap.add_argument("--voters", type=int, default=40, help="voters per kind")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    run("files", *election_from_files(args.files), rng, args.voters)
    run("synthetic", *synthetic(rng), rng, args.voters)


if __name__ == "__main__":
    main()
