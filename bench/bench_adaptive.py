"""Quick mode on simulated voters (not a test): agreement at stop, length, calibration.

    python bench/bench_adaptive.py [QUESTIONNAIRE PARTIES ...] [--voters N] [--seed S] [--large]

Evaluates race by race, as voters see them: each race of the given election (its
answering entities) separately, a flat election as one race. Defaults to the shipped
demo (questionnaires/demo.yaml, parties/demo.yaml), and always adds three generated
elections of other shapes (seeded): "synthetic" (40 statements, 12 parties, 4-point
scale), "blocs" (25 statements, 7 parties in two blocs of similar parties, 5-point
scale) and "districts" (20 statements, 3-point scale, two races: 9 parties in three
families, 3 mayoral candidates copied from their nominating parties); --large adds
bench/large_election.py (40 statements, 28 parties). None of these is the training
set adaptive.TEMPER was fitted on (training() below, bench/fit_temper.py).
Voter kinds: `near` (one entity's answers, each kept with probability 0.6, else a
random option), `between` (each statement copied from one of two entities, then the
same noise), `random` (uniform). A top "agrees with the full result" when it is among
the full questionnaire's leaders (every entity tied at the best score: a voter whose
full result is a tie keeps their top if it is one of the tied). At a third of the
statements (round(Q / 3) answered) the adaptive top is compared with the top of the
questionnaire's first third in its fixed order, and with a random order per voter (what
a fixed order chosen without regard to this race gets on average); the same voters
and the same answers in all three. A voter stops at the first step with certainty >=
adaptive.SETTLED and at least MINIMUM answers (as the quiz offers). Everything runs in
this process; no network.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.large_election import write as write_large  # noqa: E402
from vaa import adaptive, matching  # noqa: E402
from vaa.loading import read_elections  # noqa: E402
from vaa.results import PreparedElection  # noqa: E402

FloatArray = matching.FloatArray
MINIMUM = 5  # api/views/headline.MINIMUM_ANSWERS: the quiz offers to stop from here
KINDS = ("near", "between", "random")
Race = tuple[str, FloatArray, FloatArray, list[str]]  # name, levels, positions, ids


def races_from_files(paths: list[str], flat: str = "all") -> list[Race]:
    content = read_elections(paths)[0]
    prepared = PreparedElection.build(content, "bench")
    levels = matching.scale_positions(len(content.questionnaire.scale))
    fixed = prepared.fixed
    groups = [(b.id, fixed.members(b)) for b in fixed.ballots(None)]
    if not content.questionnaire.races:
        groups = [(flat, list(fixed.everyone))]
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


def districts(rng: np.random.Generator, q: int = 20, k: int = 3) -> list[Race]:
    """An election with two races on a 3-point scale: a list of 9 parties in three
    families (each party its family's line, moved on a fifth of the statements), and a
    mayor's race of 3 candidates, each a copy of a nominating party (parties 0, 3 and 6)
    who differs on a tenth of the statements."""
    levels = matching.scale_positions(k)
    lines = rng.integers(0, k, size=(3, q))
    parties = np.empty((9, q))
    for c in range(9):
        j = lines[c // 3].copy()
        moved = rng.random(q) < 0.2
        j[moved] = rng.integers(0, k, size=moved.sum())
        parties[c] = levels[j]
    mayor = parties[[0, 3, 6]].copy()
    own = rng.random(mayor.shape) < 0.1
    mayor[own] = levels[rng.integers(0, k, size=own.sum())]
    return [
        ("districts-list", levels, parties, [f"d{i}" for i in range(9)]),
        ("districts-mayor", levels, mayor, ["m0", "m1", "m2"]),
    ]


def training(rng: np.random.Generator) -> list[Race]:
    """The elections bench/fit_temper.py fits adaptive.TEMPER on (never those reported
    here): 3 parties on 30 statements (5-point), 6 on 24 (3-point), two blocs of 7, and
    20 parties on 30 statements (5-point)."""
    return [
        ("train-3", *synthetic(rng, q=30, e=3, k=5)[1:]),
        ("train-6", *synthetic(rng, q=24, e=6, k=3)[1:]),
        ("train-blocs", *blocs(rng)[1:]),
        ("train-20", *synthetic(rng, q=30, e=20, k=5)[1:]),
    ]


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


def scores_of(v: FloatArray, w: FloatArray, p: FloatArray) -> FloatArray:
    return matching.batch_scores(v[None], w[None], p, method="cityblock", missing="max")


def top_of(v: FloatArray, w: FloatArray, p: FloatArray, rank) -> int:
    return int(adaptive.tops(scores_of(v, w, p), rank)[0])


def leaders_of(v: FloatArray, w: FloatArray, p: FloatArray) -> NDArray[np.bool_]:
    """(E,) True for each entity sharing the full result's top (an exact tie keeps
    every tied entity: a voter whose top is one of them keeps their top match)."""
    return adaptive.leaders(scores_of(v, w, p))[0]


def simulate(race: Race, rng: np.random.Generator, n: int, temper: float = adaptive.TEMPER) -> dict:
    """Walk n voters of each kind through quick mode; what the reports need."""
    _, levels, p, ids = race
    q = p.shape[1]
    w = np.ones(q)
    rank = adaptive._id_rank(ids)
    third = round(q / 3)
    rows = []  # (kind, kept at stop, share answered)
    calib = []  # (certainty, kept, voter) at every step with a top
    at_third = []  # (adaptive kept, fixed order kept, a random order kept)
    for voter, (kind, v) in enumerate(voters(rng, levels, p, n)):
        full = leaders_of(v, w, p)
        answers = np.full(q, np.nan)
        shown = np.zeros(q, dtype=bool)
        stopped = None
        adaptive_third = None
        for t in range(q + 1):
            st = adaptive.step(answers, w, shown, levels, p, entity_ids=ids, temper=temper)
            if st.top is not None:
                calib.append((st.certainty, full[st.top], voter))
            if stopped is None and (t == q or (st.certainty >= adaptive.SETTLED and t >= MINIMUM)):
                stopped = (bool(full[st.top]), t / q)
            if t == third:
                adaptive_third = bool(full[st.top])
            if stopped is not None and t >= third:
                break
            i = st.statement
            assert i is not None
            answers[i], shown[i] = v[i], True
        rows.append((kind, *stopped))
        fixed = np.where(np.arange(q) < third, v, np.nan)
        shuffled = np.where(rng.permutation(q) < third, v, np.nan)
        at_third.append(
            (
                adaptive_third,
                bool(full[top_of(fixed, w, p, rank)]),
                bool(full[top_of(shuffled, w, p, rank)]),
            )
        )
    return {"rows": rows, "calib": np.array(calib, dtype=float), "third": third, "at": at_third}


def bins(calib: FloatArray) -> list[tuple[float, float, float, int, int, float]]:
    """Calibration bins of width 0.1 (the last closed): (low, said, realised, steps,
    voters, standard error of realised - said). A voter gives several steps to a bin and
    those are not independent, so the error is clustered by voter."""
    out = []
    for lo in np.arange(0, 1.0, 0.1):
        hi = lo + 0.1
        sel = (calib[:, 0] >= lo) & ((calib[:, 0] < hi) | ((hi >= 1.0) & (calib[:, 0] <= 1.0)))
        if sel.any():
            said, kept, who = calib[sel, 0], calib[sel, 1], calib[sel, 2].astype(int)
            gap = kept - said
            sums = np.bincount(who, weights=gap - gap.mean())
            se = float(np.sqrt((sums**2).sum())) / sel.sum()
            out.append((lo, said.mean(), kept.mean(), int(sel.sum()), np.unique(who).size, se))
    return out


def worst_gap(calib: FloatArray, enough: int = 50) -> float:
    """The largest |said - realised| in points over the bins with at least `enough` steps."""
    return max((100 * abs(b[1] - b[2]) for b in bins(calib) if b[3] >= enough), default=0.0)


def run(race: Race, rng: np.random.Generator, n: int, temper: float) -> dict:
    name, levels, p, _ = race
    started = time.monotonic()
    sim = simulate(race, rng, n, temper)
    rows, third = sim["rows"], sim["third"]
    at = 100 * np.array(sim["at"], dtype=float)  # (voters, 3): adaptive, fixed, random order
    a3, f3, r3 = at.mean(axis=0)
    # the gain is a paired difference (the same voters in both orders): its standard error
    se = (at[:, 0] - at[:, 1]).std(ddof=1) / np.sqrt(len(at))
    print(f"\n== {name}: {p.shape[1]} statements, {p.shape[0]} entities, {levels.size}-point scale")
    for kind in (*KINDS, "all"):
        sel = [r for r in rows if kind in ("all", r[0])]
        print(
            f"  {kind:8s} n={len(sel):4d} keep full top at stop "
            f"{100 * np.mean([r[1] for r in sel]):5.1f} %, "
            f"median share answered {100 * np.median([r[2] for r in sel]):5.1f} %"
        )
    print(
        f"  at a third ({third} statements): adaptive {a3:5.1f} %, fixed order {f3:5.1f} %, "
        f"a random order {r3:5.1f} %; gain over the fixed order {a3 - f3:+5.1f} +- {se:3.1f}"
    )
    print("  calibration (said certainty -> realised agreement, steps, gap +- its standard error):")
    for lo, said, real, count, people, err in bins(sim["calib"]):
        hi = lo + 0.1
        print(
            f"    [{lo:.1f}, {hi:.1f}{']' if hi >= 1 else ')'} said "
            f"{100 * said:5.1f} %  realised {100 * real:5.1f} %  n={count} steps of "
            f"{people} voters, gap {100 * (real - said):+5.1f} +- {100 * err:4.1f}"
        )
    print(f"  ({time.monotonic() - started:.0f} s)")
    return {
        "race": name,
        "keep": 100 * np.mean([r[1] for r in rows]),
        "median": 100 * np.median([r[2] for r in rows]),
        "gain": a3 - f3,
        "gain_se": se,
        "random_gain": a3 - r3,
        "worst": worst_gap(sim["calib"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "files",
        nargs="*",
        default=[str(ROOT / "questionnaires/demo.yaml"), str(ROOT / "parties/demo.yaml")],
        help="questionnaire and parties files (pairs; default the demo)",
    )
    ap.add_argument(
        "--large", action="store_true", help="also bench/large_election.py (28 parties, slow)"
    )
    ap.add_argument("--voters", type=int, default=20, help="voters per kind (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--temper", type=float, default=adaptive.TEMPER, help="tempering (default adaptive.TEMPER)"
    )
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    races = []
    for i in range(0, len(args.files) - 1, 2):
        races += races_from_files(args.files[i : i + 2])
    races += [synthetic(rng), blocs(rng), *districts(rng)]
    if args.large:
        with tempfile.TemporaryDirectory() as tmp:
            races += races_from_files([str(f) for f in write_large(Path(tmp))], flat="large")
    summary = [run(race, rng, args.voters, args.temper) for race in races]
    print("\n== summary (targets: keep >= 90, median <= 50, gain >= +15, worst bin <= 10)")
    print("   gain: at a third, adaptive minus the fixed order +- its standard error")
    print("   (in brackets: adaptive minus a random order)")
    for s in summary:
        print(
            f"  {s['race']:16s} keep {s['keep']:5.1f} %  median {s['median']:5.1f} %  "
            f"gain {s['gain']:+5.1f} +- {s['gain_se']:3.1f} ({s['random_gain']:+5.1f})  "
            f"worst calibration gap (n >= 50) {s['worst']:4.1f}"
        )


if __name__ == "__main__":
    main()
