"""The browser's result view reproduces the server's: vectors fresh, node suite green, and
able to fail (a mutant of each rule of results-view.js and charts.js is caught).

Node is required (CI installs it): a missing node fails these tests rather than skipping.
"""

from pathlib import Path
from subprocess import CompletedProcess

import pytest

from api.views.vectors import DEFAULT_PATH, main
from tests.conformance.node import assert_caught, run_node_suite, tally
from vaa.settings import ROOT

SUITE = Path(__file__).parent / "results_view.test.mjs"
JS = ROOT / "frontend" / "static" / "js"
VIEW = JS / "results-view.js"
CHARTS = JS / "charts.js"

# Each mutant breaks one rule the result page follows; the suite must notice every one.
VIEW_MUTANTS = {
    "a certainty of 0.9 is not yet clear": (
        "certainty >= CLEAR_CERTAINTY ?",
        "certainty > CLEAR_CERTAINTY ?",
    ),
    "five points behind is still neck and neck": (
        'results[0].score - runner.score < NECK_GAP ? "neck"',
        'results[0].score - runner.score <= NECK_GAP ? "neck"',
    ),
    "a tie needs three": (
        'if (top.length > 1) return { grade: "tied"',
        'if (top.length > 2) return { grade: "tied"',
    ),
    "a tie's headline names one": (
        't("headline_tied", { names: lead.top.map((e) => name[e]).join(", "), score })',
        't("headline_tied", { names: name[lead.top[0]], score })',
    ),
    "important means weight above 2": (
        "response.answered_ids.filter((sid) => w(sid) >= 2)",
        "response.answered_ids.filter((sid) => w(sid) > 2)",
    ),
    "a left-out answer reads as counted": (
        'weight === 0 ? t("you_left_out"',
        'weight === -1 ? t("you_left_out"',
    ),
    "a candidate keeps no party colour": (
        "return entity.color || (party && party.color) || NO_COLOR;",
        "return entity.color || NO_COLOR;",
    ),
    "borrowed answers not said": (
        "if (entity.party && entity.positions_from === entity.party && !backing.length)",
        "if (entity.party && entity.positions_from === entity.party && backing.length)",
    ),
    "certainty said with every statement seen": (
        "if (certainty == null || unseen <= 0)",
        "if (certainty == null || unseen < 0)",
    ),
    "tie breakers include answered statements": (
        "if (response.answers[s.id] == null && ia != null",
        "if (ia != null",
    ),
    "five suggestions": ("const SUGGESTIONS = 6;", "const SUGGESTIONS = 5;"),
    "one-sided differences first in a comparison": (
        "const gap = ia == null || ib == null ? -1 : Math.abs(ia - ib);",
        "const gap = ia == null || ib == null ? 99 : Math.abs(ia - ib);",
    ),
    "the position's poles swapped": (
        "pole: shown > 0 ? axis.high : axis.low",
        "pole: shown > 0 ? axis.low : axis.high",
    ),
    "no decimal comma": ('value.toFixed(1).replace(".", decimalSign)', "value.toFixed(1)"),
    "a share link always names the method": (
        "if (method && method !== election.matching.method)",
        "if (method)",
    ),
    "a share link without its key": ("let fragment = `v=${key}&` +", "let fragment = "),
    "the silent of a race not named": (
        'silent: silent ? t("did_not_answer", { names: silent }) : ""',
        'silent: ""',
    ),
    "left-out statements counted as answered": (
        "const answered = ids.filter((sid, i) => voter[i] != null && w[i] > 0);",
        "const answered = ids.filter((sid, i) => voter[i] != null);",
    ),
    "a race ranks everyone": (
        "ballot.members.length ? rank(ballot.members)",
        "ballot.members.length ? rank(election.entities.map((_, e) => e))",
    ),
}

CHART_MUTANTS = {
    "the radar starts at the bottom": (
        "const angle = -Math.PI / 2 + (2 * Math.PI * i) / scores.length;",
        "const angle = Math.PI / 2 + (2 * Math.PI * i) / scores.length;",
    ),
    "the radar's radius": (
        "const RADAR = { cx: 160, cy: 135, r: 88 };",
        "const RADAR = { cx: 160, cy: 135, r: 90 };",
    ),
    "the map upside down": ("y: num(MAP.size / 2 - y * half)", "y: num(MAP.size / 2 + y * half)"),
    "banker's coordinates": ("Math.round(x * 100) / 100", "Math.round(x * 100 - 0.5) / 100"),
    "the whisker reversed": ("return `M${lo} 11H${hi}", "return `M${hi} 11H${lo}"),
    "the star may cover a party": (
        "Math.max(Math.abs(x - p.x), Math.abs(y - p.y)) < STAR + DOT",
        "Math.max(Math.abs(x - p.x), Math.abs(y - p.y)) < STAR",
    ),
    "the star's label measured narrower": (
        "const width = 8.2 * label.length + 2;",
        "const width = 7.8 * label.length + 2;",
    ),
}


def run_suite(view: Path | None = None, charts: Path | None = None) -> CompletedProcess[str]:
    """Run the node suite, against `view` instead of results-view.js (`charts` instead of
    charts.js) if given."""
    return run_node_suite(SUITE, {"RESULTS_VIEW_JS": view, "CHARTS_JS": charts})


def test_committed_vectors_are_current(tmp_path: Path) -> None:
    out = tmp_path / "results_view_vectors.json"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_PATH.read_bytes(), "run `python -m api.views.vectors`"


def test_browser_view_matches_python() -> None:
    result = run_suite()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert tally(result)[0] > 200, result.stdout[-2000:]


PORTS = {"view": (VIEW, VIEW_MUTANTS), "charts": (CHARTS, CHART_MUTANTS)}


@pytest.mark.parametrize(
    ("port", "mutant"), [(port, mutant) for port, (_, found) in PORTS.items() for mutant in found]
)
def test_suite_catches_a_broken_view(port: str, mutant: str, tmp_path: Path) -> None:
    path, mutants = PORTS[port]
    assert_caught(path, mutants[mutant], lambda broken: run_suite(**{port: broken}), tmp_path)
