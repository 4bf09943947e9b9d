"""Quick mode on simulated voters (not a test): agreement at stop, length, calibration.

    python bench/bench_adaptive.py [QUESTIONNAIRE PARTIES] [--voters N] [--seed S]

Evaluates race by race, as voters see them: each race of the given election (its
answering entities) separately, a flat election as one race. Defaults to the shipped
demo (questionnaires/demo.yaml, parties/demo.yaml), and always adds two synthetic
elections of other shapes: "synthetic" (40 statements, 12 parties, 4-point scale) and
"blocs" (25 statements, 7 parties in two blocs of similar parties, 5-point scale).
Voter kinds: `near` (one entity's answers, each kept with probability 0.6, else a
random option), `between` (each statement copied from one of two entities, then the
same noise), `random` (uniform). A voter stops at the first step with certainty >=
adaptive.SETTLED and at least MINIMUM answers (as the quiz offers). Everything runs in
this process; no network.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaa import adaptive, matching  # noqa: E402
from vaa.loading import read_elections  # noqa: E402
from vaa.results import PreparedElection  # noqa: E402

FloatArray = matching.FloatArray
MINIMUM = 5  # api/views/headline.MINIMUM_ANSWERS: the quiz offers to stop from here
KINDS = ("near", "between", "random")
Race = tuple[str, FloatArray, FloatArray, list[str]]  # name, levels, positions, ids


def races_from_files(paths: list[str]) -> list[Race]:
    content = read_elections(paths)[0]
    prepared = PreparedElection.build(content, "bench")
    levels = matching.scale_positions(len(content.questionnaire.scale))
    fixed = prepared.fixed
    groups = [(b.id, fixed.members(b)) for b in fixed.ballots(None)]
    if not content.questionnaire.races:
        groups = [("all", list(fixed.everyone))]
    out = []
    for name, members in groups:
        members = [e for e in members if fixed.answering[e]]
        if len(members) >= 2:
            ids = [prepared.entity_ids[e] for e in members]
            out.append((name, levels, prepared.entity_answers[members], ids))
    return out


def synthetic(rng: np.random.Generator, q: int = 40, e: int = 12, k: int = 4) -> Race:
    levels = matching.scale_positions(k)
    p = levels[rng.integers(0, k, size=(e, q))]
    p[rng.random((e, q)) < 0.05] = np.nan  # a few unanswered
    return "synthetic", levels, p, [f"p{i:02d}" for i in range(e)]


def blocs(rng: np.random.Generator, q: int = 25, e: int = 7, k: int = 5) -> Race:
    """Two blocs (4 and 3 parties): each party is its bloc's line, moved one step on a
    quarter of the statements and anywhere on a tenth."""
    levels = matching.scale_positions(k)
    lines = rng.integers(0, k, size=(2, q))
    p = np.empty((e, q))
    for c in range(e):
        j = lines[0 if c < 4 else 1].copy()
        step = rng.random(q) < 0.25
        j[step] = np.clip(j[step] + rng.choice([-1, 1], size=step.sum()), 0, k - 1)
        wild = rng.random(q) < 0.1
        j[wild] = rng.integers(0, k, size=wild.sum())
        p[c] = levels[j]
    return "blocs", levels, p, [f"b{i}" for i in range(e)]


def voters(rng: np.random.Generator, levels: FloatArray, p: FloatArray, n: int) -> list:
    k, (e, q) = levels.size, p.shape
    out = []
    for kind in KINDS:
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


def top_of(v: FloatArray, w: FloatArray, p: FloatArray, rank) -> int:
    scores = matching.batch_scores(v[None], w[None], p, method="cityblock", missing="max")
    return int(adaptive.tops(scores, rank)[0])


def run(race: Race, rng: np.random.Generator, n: int) -> dict:
    name, levels, p, ids = race
    started = time.monotonic()
    q = p.shape[1]
    w = np.ones(q)
    rank = adaptive._id_rank(ids)
    third = round(q / 3)
    rows = []  # (kind, kept at stop, share answered)
    calib = []  # (certainty, kept) at every step with a top
    at_third = []  # (adaptive kept, fixed kept)
    for kind, v in voters(rng, levels, p, n):
        full = top_of(v, w, p, rank)
        answers = np.full(q, np.nan)
        shown = np.zeros(q, dtype=bool)
        stopped = None
        adaptive_third = None
        for t in range(q + 1):
            st = adaptive.step(answers, w, shown, levels, p, entity_ids=ids)
            if st.top is not None:
                calib.append((st.certainty, st.top == full))
            if stopped is None and (t == q or (st.certainty >= adaptive.SETTLED and t >= MINIMUM)):
                stopped = (st.top == full, t / q)
            if t == third:
                adaptive_third = st.top == full
            if stopped is not None and t >= third:
                break
            i = st.statement
            assert i is not None
            answers[i], shown[i] = v[i], True
        rows.append((kind, *stopped))
        fixed = np.where(np.arange(q) < third, v, np.nan)
        at_third.append((adaptive_third, top_of(fixed, w, p, rank) == full))
    keep = np.mean([r[1] for r in rows])
    median = np.median([r[2] for r in rows])
    a3, f3 = (100 * np.mean([x[i] for x in at_third]) for i in (0, 1))
    print(f"\n== {name}: {q} statements, {p.shape[0]} entities, {levels.size}-point scale")
    for kind in (*KINDS, "all"):
        sel = [r for r in rows if kind in ("all", r[0])]
        print(
            f"  {kind:8s} n={len(sel):4d} keep full top at stop "
            f"{100 * np.mean([r[1] for r in sel]):5.1f} %, "
            f"median share answered {100 * np.median([r[2] for r in sel]):5.1f} %"
        )
    print(f"  at a third ({third} statements): adaptive {a3:5.1f} %, fixed order {f3:5.1f} %")
    print("  calibration (said certainty -> realised agreement, count):")
    c = np.array(calib, dtype=float)
    worst = 0.0
    for lo in np.arange(0, 1.0, 0.1):
        hi = lo + 0.1
        sel = (c[:, 0] >= lo) & ((c[:, 0] < hi) | ((hi >= 1.0) & (c[:, 0] <= 1.0)))
        if sel.any():
            said, real, count = 100 * c[sel, 0].mean(), 100 * c[sel, 1].mean(), int(sel.sum())
            if count >= 50:
                worst = max(worst, abs(said - real))
            print(
                f"    [{lo:.1f}, {hi:.1f}{']' if hi >= 1 else ')'} said "
                f"{said:5.1f} %  realised {real:5.1f} %  n={count}"
            )
    print(f"  ({time.monotonic() - started:.0f} s)")
    return {
        "race": name,
        "keep": 100 * keep,
        "median": 100 * median,
        "gain": a3 - f3,
        "worst": worst,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "files",
        nargs="*",
        default=[str(ROOT / "questionnaires/demo.yaml"), str(ROOT / "parties/demo.yaml")],
    )
    ap.add_argument("--voters", type=int, default=20, help="voters per kind (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    races = [*races_from_files(args.files), synthetic(rng), blocs(rng)]
    summary = [run(race, rng, args.voters) for race in races]
    print("\n== summary (targets: keep >= 90, median <= 50, gain >= +15, worst bin <= 10)")
    for s in summary:
        print(
            f"  {s['race']:16s} keep {s['keep']:5.1f} %  median {s['median']:5.1f} %  "
            f"third gain {s['gain']:+5.1f}  worst calibration gap (n >= 50) {s['worst']:4.1f}"
        )


if __name__ == "__main__":
    main()
