"""The browser's engine reproduces the Python one: vectors fresh, node suite green, and able to fail.

Node is required (CI installs it): a missing node fails these tests rather than skipping.
"""

import subprocess
from pathlib import Path

import pytest

from tests.conformance.node import assert_caught, run_node_suite
from vaa.cli import main
from vaa.conformance import DEFAULT_PATH
from vaa.settings import ROOT

SUITE = Path(__file__).parent / "matching.test.mjs"
ENGINE = ROOT / "frontend" / "static" / "js" / "matching.js"
RACES = ROOT / "frontend" / "static" / "js" / "races.js"
ADAPTIVE = ROOT / "frontend" / "static" / "js" / "adaptive.js"

# Each mutant breaks one rule of matching.md; the suite must notice every one.
MUTANTS = {
    "directional sign": ("(1 - v * p) / 2", "(1 + v * p) / 2"),
    "z quantile": ("const Z = 1.645;", "const Z = 1.96;"),
    "max imputes the nearest pole": ("(v > 0 ? -1 : 1)", "(v > 0 ? 1 : -1)"),
    "ties by id": ("(ids[a] < ids[b] ? -1", "(ids[a] > ids[b] ? -1"),
    "shared ranks": ("ranks[e] = r;", "ranks[e] = order.length + 1;"),
    "euclidean interval ends": (
        "[100 * (1 - Math.sqrt(hi)), 100 * (1 - Math.sqrt(lo))]",
        "[100 * (1 - Math.sqrt(lo)), 100 * (1 - Math.sqrt(hi))]",
    ),
}


RACE_MUTANTS = {
    "a district voter loses the municipality's races": (
        "home.includes(r.constituency)",
        "r.constituency === place",
    ),
    "the silent are ranked": (
        "members: standing.filter(([e]) => answeredAny(e))",
        "members: standing",
    ),
}


# Quick mode (docs/adaptive.md): other draws, or the other of two tied statements.
ADAPTIVE_MUTANTS = {
    "another hash": ("Math.imul(x, 0x846ca68b)", "Math.imul(x, 0x846ca68c)"),
    "ties go to the last statement": (
        "return idx[0];",
        "return idx[idx.length - 1];",
    ),
    "no 'no party' component": (
        "out[singles + pairs] = singles ? eps : 1;",
        "out[singles + pairs] = 0;",
    ),
    "no pairs": ("const between = pairs ? BETWEEN : 0;", "const between = 0;"),
    "untempered posterior": ("Math.log(pi0[z]) + temper * l", "Math.log(pi0[z]) + l"),
    "component information first": (
        "topGains(options, tops, remaining, k, entities.length),\n    informationGains(pi, comp, k),",
        "informationGains(pi, comp, k),\n    topGains(options, tops, remaining, k, entities.length),",
    ),
    "a tied draw keeps only the top by id": (
        "if (top !== null && lead[top]) keep += 1;",
        "if (t === top) keep += 1;",
    ),
    "no lookahead (information about the top first)": (
        "    lookahead(nextTops, options, leading, remaining),\n",
        "",
    ),
    "the lookahead ignores the drawn answer": (
        "const t = nextTops[i][options[s][i]];",
        "const t = nextTops[i][0];",
    ),
    "the lookahead counts only the draw's top by id": (
        "if (t !== null && leading[s][t]) kept += 1;",
        "if (t !== null && leading[s].indexOf(true) === t) kept += 1;",
    ),
}


def run_suite(
    engine: Path | None = None, races: Path | None = None, adaptive: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the node suite, against `engine` instead of matching.js (`races` instead of
    races.js, `adaptive` instead of adaptive.js) if given."""
    return run_node_suite(
        SUITE, {"MATCHING_JS": engine, "RACES_JS": races, "ADAPTIVE_JS": adaptive}
    )


def test_committed_vectors_are_current(tmp_path: Path) -> None:
    out = tmp_path / "vectors.json"
    assert main(["conformance", "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_PATH.read_bytes(), "run `vaa conformance` and commit"


def test_browser_engine_matches_python() -> None:
    result = run_suite()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


# Each browser port, the run_suite argument that swaps it, and the mutants it must catch.
PORTS = {
    "engine": (ENGINE, MUTANTS),
    "races": (RACES, RACE_MUTANTS),
    "adaptive": (ADAPTIVE, ADAPTIVE_MUTANTS),
}


@pytest.mark.parametrize(
    ("port", "mutant"), [(port, mutant) for port, (_, found) in PORTS.items() for mutant in found]
)
def test_suite_catches_a_broken_port(port: str, mutant: str, tmp_path: Path) -> None:
    path, mutants = PORTS[port]
    assert_caught(path, mutants[mutant], lambda broken: run_suite(**{port: broken}), tmp_path)
