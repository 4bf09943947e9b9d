"""Conformance vectors for the result page's JavaScript twin (results-view.js, charts.js).

The page is drawn twice: by the server from `result_view` (no JavaScript) and by the
browser from `resultView` (answers kept on the device). `build_vectors` runs the Python
view on fixed cases of the elections in tests/data and records each input (the match
response, the voter slice, the options) and the view it gives; the node suite
tests/conformance/results_view.test.mjs runs the JavaScript on the same inputs and
asserts the same view, field by field.

Texts come from a fixed message table, not the catalogs: each message names its key
and its parameters (`headline(name=Open City, score=pct(value=73)%)`), so the vectors
prove both sides pick the same message with the same values, and stay fresh when a
translation changes. Run `python -m api.views.vectors` to write them again.
"""

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from babel.numbers import get_decimal_symbol

from api.views.charts import map_frame, voter_label, voter_mark
from api.views.headline import grade_lead, minimum_answers
from api.views.result import ballot_views, race_response, result_view, with_answers
from api.views.share import share_fragment, share_key
from api.views.texts import METHOD_HINTS, METHOD_NAMES, TEXTS, Texts
from vaa.content import ElectionContent
from vaa.loading import read_elections
from vaa.publish import build_bundle, voter_slice
from vaa.results import MatchRequest, PreparedElection, score_answers
from vaa.rules import METHODS
from vaa.settings import ROOT

DEFAULT_PATH = ROOT / "tests" / "conformance" / "results_view_vectors.json"
DATA = ROOT / "tests" / "data"
FILES = {
    "demo": [DATA / "flat-questionnaire.yaml", DATA / "flat-parties.yaml"],
    "races": [DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"],
    "example": [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"],
}
COLORS = {"races": ("#2e7d32", "#1565c0")}  # party-a and party-b
# Both sides compute the same IEEE expressions and round coordinates to two decimals.
TOLERANCE = 1e-6
ENGINE_TOLERANCE = 0.01

Case = dict[str, Any]


class FixedTexts(Texts):
    """The result's texts from a fixed table: `key(param=%(param)s, ...)` for each message."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.gettext = _table().__getitem__


@cache
def _table() -> dict[str, str]:
    table = {}
    for key, message in TEXTS.items():
        names = re.findall(r"%\((\w+)\)s", message)
        inner = ", ".join(f"{n}=%({n})s" for n in names)
        # keep a literal %% (pct's "73%"), so its conversion for the script is checked too
        table[message] = f"{key}({inner})" + ("%%" if "%%" in message else "")
    for method in METHODS:
        table[METHOD_NAMES[method]] = f"method:{method}"
        table[METHOD_HINTS[method]] = f"hint:{method}"
    return table


# --- the elections ---------------------------------------------------------------------


class Election:
    """One election of tests/data: its content, prepared arrays and voter slice."""

    def __init__(self, key: str, language: str) -> None:
        (content,) = read_elections(FILES[key])
        self.content: ElectionContent = content
        self.prepared = PreparedElection.build(content, f"vectors-{key}")
        self.slice: dict[str, Any] = json.loads(voter_slice(build_bundle(content), language))
        # The race election's file gives no colours: its parties get some here, so that a
        # candidate wearing its party's colour is checked too.
        for entity, color in zip(self.slice["entities"], COLORS.get(key, ()), strict=False):
            entity["color"] = color
        self.language = language
        self.t = FixedTexts(language)
        self.statement_ids = list(self.prepared.statement_ids)
        self.options = [o["id"] for o in self.slice["scale"]]
        self.scored: list[Case] = []  # every voter `respond` scored: the matchResponse cases

    def respond(
        self,
        answers: Mapping[str, str | None],
        weights: Mapping[str, float] | None = None,
        *,
        method: str | None = None,
        place: str | None = None,
    ) -> dict[str, Any]:
        """The match response with the voter's answers, as the page builds it."""
        match = MatchRequest(
            answers=dict(answers),
            weights=dict(weights or {}),
            method=method,  # type: ignore[arg-type]  # one of METHODS
            constituency=place,
            language=self.language,  # as the page asks: the race titles in its language
        )
        response = with_answers(score_answers(self.prepared, match), match, self.statement_ids)
        state = {
            "answers": dict(answers),
            "weights": dict(weights or {}),
            "method": response["method"],
            "place": place,
        }
        if state not in (c["args"] for c in self.scored):
            name = f"score {len(self.scored) + 1} of {self.content.slug}-{self.language}"
            case = _named(name, self, "matchResponse", state, _as_browser(response))
            # the two engines agree to 0.01 (matching.md), not to the view's tolerance
            self.scored.append({**case, "tolerance": ENGINE_TOLERANCE})
        return response

    def answers_of(self, entity: str, only: Sequence[str] | None = None) -> dict[str, str]:
        """An entity's own answers (on `only` of the statements, if given)."""
        found = next(e for e in self.slice["entities"] if e["id"] == entity)["answers"]
        return {sid: o for sid, o in found.items() if only is None or sid in only}

    def cycled(self, count: int, shift: int = 0) -> dict[str, str]:
        """A deterministic voter: the first `count` statements, options in turn."""
        return {
            sid: self.options[(i * 3 + shift) % len(self.options)]
            for i, sid in enumerate(self.statement_ids[:count])
        }


# What results-view.js matchResponse builds of the API's response: the keys the view reads.
RESPONSE_KEYS = (
    "method",
    "answered",
    "answered_ids",
    "answers",
    "constituency",
    "position",
    "sensitivity",
)
RESULT_KEYS = ("entity", "rank", "score", "themes", "statements", "interval", "close_to_top")
RACE_KEYS = ("race", "title", "constituency", "did_not_answer", "sensitivity")


def _as_browser(response: Mapping[str, Any]) -> dict[str, Any]:
    def results(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: r[k] for k in RESULT_KEYS} for r in found]

    return {
        **{k: response[k] for k in RESPONSE_KEYS},
        "results": results(response["results"]),
        "races": [
            {**{k: race[k] for k in RACE_KEYS}, "results": results(race["results"])}
            for race in response["races"]
        ],
    }


def _named(name: str, election: Election, function: str, args: Case, expected: Any) -> Case:
    return {
        "name": name,
        "function": function,
        "election": f"{election.content.slug}-{election.language}",
        "args": args,
        "expected": expected,
    }


def _view_case(
    name: str,
    election: Election,
    response: Mapping[str, Any],
    *,
    weights: Mapping[str, float] | None = None,
    compare: tuple[str, str] | None = None,
    certainty: float | None = None,
    unseen: int = 0,
) -> Case:
    """A `resultView` case: the view of one ranking."""
    options = _options(election, weights, unseen)
    view = result_view(election.slice, response, compare=compare, certainty=certainty, **options)
    args = {**_args(response, options), "compare": list(compare or []) or None}
    return _named(name, election, "resultView", {**args, "certainty": certainty}, view)


def _ballot_case(
    name: str,
    election: Election,
    response: Mapping[str, Any],
    *,
    certainty: Mapping[str, float] | None = None,
    unseen: int = 0,
    weights: Mapping[str, float] | None = None,
) -> Case:
    """A `ballotViews` case: one section per race on the voter's ballots."""
    options = _options(election, weights, unseen)
    views = ballot_views(election.slice, response, certainty=certainty, **options)
    args = {**_args(response, options), "certainty": dict(certainty or {})}
    return _named(name, election, "ballotViews", args, views)


def _options(
    election: Election, weights: Mapping[str, float] | None, unseen: int
) -> dict[str, Any]:
    profiles = {e["id"]: f"/profile/{e['id']}" for e in election.slice["entities"]}
    return {"weights": dict(weights or {}), "t": election.t, "profiles": profiles, "unseen": unseen}


def _args(response: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """A view's arguments as the JavaScript takes them (the texts come with the election)."""
    return {"response": response, **{k: v for k, v in options.items() if k != "t"}}


# --- the cases -------------------------------------------------------------------------


def _demo_cases(demo: Election) -> list[Case]:
    ids = demo.statement_ids
    entities = [e["id"] for e in demo.slice["entities"]]
    every = demo.cycled(len(ids))
    important = {ids[0]: 2.0, ids[3]: 2.0, ids[7]: 0.0, ids[11]: 2.0}
    # two parties answering alike: a voter who answers only where they agree ties them
    a, b = entities[0], entities[4]
    alike = [s for s in ids if demo.answers_of(a).get(s) == demo.answers_of(b).get(s)]
    tied = demo.answers_of(a, only=alike)
    few = demo.cycled(6, shift=1)
    partial = demo.cycled(10, shift=2)
    cases = [
        _view_case("demo, a party's own answers", demo, demo.respond(demo.answers_of(a))),
        _view_case("demo, every statement answered", demo, demo.respond(every)),
        _view_case(
            "demo, weights: important and left out",
            demo,
            demo.respond(every, important),
            weights=important,
        ),
        _view_case("demo, a tie at the top", demo, demo.respond(tied)),
        _view_case("demo, six answers: too close to call", demo, demo.respond(few)),
        _view_case(
            "demo, compare a chosen pair",
            demo,
            demo.respond(every),
            compare=(entities[2], entities[5]),
        ),
        _view_case(
            "demo, compare one party with itself",
            demo,
            demo.respond(every),
            compare=(entities[1], entities[1]),
        ),
        _view_case(
            "demo, compare an unknown party",
            demo,
            demo.respond(every),
            compare=(entities[1], "nobody-here"),
        ),
    ]
    for method in METHODS:
        cases.append(
            _view_case(
                f"demo, method {method}",
                demo,
                demo.respond(partial, important, method=method),
                weights=important,
            )
        )
    unseen = len(ids) - len(partial)
    for certainty in (0.9, 0.6, 0.4):
        cases.append(
            _view_case(
                f"demo, quick mode, certainty {certainty}",
                demo,
                demo.respond(partial),
                certainty=certainty,
                unseen=unseen,
            )
        )
    cases.append(
        _view_case(
            "demo, a certainty with every statement seen",
            demo,
            demo.respond(every),
            certainty=0.8,
            unseen=0,
        )
    )
    return cases


def _races_cases(races: Election) -> list[Case]:
    answers = races.cycled(len(races.statement_ids))
    weights = {races.statement_ids[1]: 2.0}
    cases = []
    for place in [None, *(c["id"] for c in races.slice["constituencies"])]:
        where = place or "every place"
        response = races.respond(answers, weights, place=place)
        cases.append(_ballot_case(f"races, ballots in {where}", races, response, weights=weights))
        for race in response["races"]:
            if race["results"]:
                cases.append(
                    _view_case(
                        f"races, {race['race']} in {where}",
                        races,
                        race_response(response, race),
                        weights=weights,
                    )
                )
    one = {races.statement_ids[0]: races.options[2]}
    response = races.respond(one, place="d1")
    quick = response["races"][0]["race"]
    cases.append(
        _ballot_case(
            "races, one answer, certainty for the first race",
            races,
            response,
            certainty={quick: 0.55},
            unseen=len(races.statement_ids) - 1,
        )
    )
    cases.append(_view_case("races, everyone on one answer", races, response))
    # The data has no race in which nobody answered: the same response with its last race
    # silenced, as the API sends such a race (no ranking, everyone in did_not_answer).
    last = response["races"][-1]
    silent = {
        **last,
        "results": [],
        "did_not_answer": [r["entity"] for r in last["results"]] + last["did_not_answer"],
        "sensitivity": {},
    }
    cases.append(
        _ballot_case(
            "races, a race where nobody answered",
            races,
            {**response, "races": [*response["races"][:-1], silent]},
        )
    )
    return cases


def _example_cases(example: Election) -> list[Case]:
    ids = example.statement_ids
    return [
        _view_case(
            "example, every statement",
            example,
            example.respond(example.cycled(len(ids))),
        ),
        _view_case(
            "example, one statement left out",
            example,
            example.respond(example.cycled(len(ids), shift=1), {ids[0]: 0.0}),
            weights={ids[0]: 0.0},
        ),
    ]


def _r(entity: str, rank: int, score: float | None, close: bool) -> dict[str, Any]:
    return {"entity": entity, "rank": rank, "score": score, "close_to_top": close}


# Ranked results for the headline's grade, each boundary on both sides.
GRADES: list[tuple[str, list[dict[str, Any]], float | None]] = [
    ("nobody scored", [_r("a", 1, None, False), _r("b", 1, None, False)], None),
    ("nothing ranked", [], None),
    ("alone", [_r("a", 1, 70.0, False)], None),
    ("runner-up unscored", [_r("a", 1, 70.0, False), _r("b", 2, None, False)], None),
    ("no one close", [_r("a", 1, 70.0, True), _r("b", 2, 50.0, False)], None),
    ("close, 4 behind", [_r("a", 1, 70.0, True), _r("b", 2, 66.0, True)], None),
    ("close, exactly 5 behind", [_r("a", 1, 70.0, True), _r("b", 2, 65.0, True)], None),
    ("close, 4.99 behind", [_r("a", 1, 70.0, True), _r("b", 2, 65.01, True)], None),
    ("third close only", [_r("a", 1, 70, True), _r("b", 2, 60, False), _r("c", 3, 59, True)], None),
    ("two tied", [_r("a", 1, 60.0, True), _r("b", 1, 60.0, True), _r("c", 3, 40, False)], None),
    ("three tied", [_r("a", 1, 60, True), _r("b", 1, 60, True), _r("c", 1, 60, True)], 0.95),
    *(
        (f"certainty {c}", [_r("a", 1, 70.0, True), _r("b", 2, 69.0, True)], c)
        for c in (0.95, 0.9, 0.8999, 0.6, 0.5999, 0.1)
    ),
    ("certainty, no one close", [_r("a", 1, 70.0, False), _r("b", 2, 40.0, False)], 0.5),
]


def _grade_cases(demo: Election) -> list[Case]:
    return [
        _named(
            f"grade: {name}",
            demo,
            "gradeLead",
            {"results": results, "certainty": certainty},
            grade_lead(results, certainty),
        )
        for name, results, certainty in GRADES
    ]


def _minimum_cases(demo: Election, example: Election) -> list[Case]:
    """Whether a result is shown: nothing, fewer than the minimum, the minimum, settled."""
    cases = []
    for election in (demo, example):
        statements = len(election.statement_ids)
        minimum = minimum_answers(statements)
        for answered in (0, minimum - 1, minimum, statements):
            for settled in (False, True):
                args = {"answered": answered, "settled": settled, "minimum": minimum}
                expected = {
                    "enough": settled or answered >= minimum,
                    "too_few": election.t("too_few", minimum=minimum, answered=answered),
                }
                cases.append(
                    _named(
                        f"minimum of {election.content.slug}: {answered} answered"
                        + (", settled" if settled else ""),
                        election,
                        "enoughAnswers",
                        args,
                        expected,
                    )
                )
    return cases


def _share_cases(demo: Election, races: Election) -> list[Case]:
    ids = demo.statement_ids
    every = demo.cycled(len(ids))
    some = {**demo.cycled(5), ids[6]: None}
    weights = {ids[0]: 2.0, ids[2]: 0.0, ids[4]: 3.0}
    cases = []
    plans: list[tuple[str, Election, dict[str, str | None], dict[str, float], str, str | None]] = [
        ("every answer, default method", demo, dict(every), {}, "cityblock", None),
        ("some skipped, weights", demo, some, weights, "cityblock", None),
        ("another method", demo, some, {}, "hybrid", None),
        ("a place", races, dict(races.cycled(2)), {}, "cityblock", "d1"),
        ("a place and a method", races, {}, {}, "directional", "town"),
    ]
    for name, election, answers, w, method, place in plans:
        args = {
            "answers": answers,
            "weights": w,
            "method": method,
            "place": place,
            "key": share_key(election.slice),
        }
        expected = share_fragment(election.slice, answers, w, method, place)
        cases.append(_named(f"share link: {name}", election, "shareFragment", args, expected))
    return cases


def _mark_cases(demo: Election, views: list[Case]) -> list[Case]:
    """The voter's star and its label on the demo's map, for each view's point and a few
    placed on purpose (on a party, in a corner, off the map)."""
    frame = map_frame(demo.slice, demo.prepared, demo.t)
    assert frame is not None  # the demo has two axes
    parties = [{"x": p["x"], "y": p["y"], "box": list(p["box"])} for p in frame["points"]]
    points = [c["expected"]["voter"] for c in views if c["election"] == "demo-en"]
    first = parties[0]
    points += [
        {"x": first["x"], "y": first["y"]},
        {"x": first["x"] + 3, "y": first["y"] - 2},
        {"x": 16.0, "y": 16.0},
        {"x": 284.0, "y": 150.0},
        None,
    ]
    # and a grid over the map, "You" in two lengths: where the label goes depends on its width
    grid = [{"x": 30.0 + 60 * i, "y": 30.0 + 60 * j} for i in range(5) for j in range(5)]
    grid += [
        {"x": 38.0, "y": 70.0},
        {"x": 46.0, "y": 258.0},
    ]  # found where a label 5% narrower goes elsewhere
    cases = []
    seen: list[Any] = []
    for point, label in [
        *((p, demo.t("you")) for p in points),
        *((p, text) for p in grid for text in ("You()", "Your position")),
    ]:
        if (point, label) in seen:
            continue
        seen.append((point, label))
        mark = voter_mark(point, parties)
        expected = {"mark": mark, "label": voter_label(mark, parties, label)}
        args = {"point": point, "parties": parties, "label": label}
        name = f"voter's star at {point}, {label!r}"
        cases.append(_named(name, demo, "voterMark", args, expected))
    return cases


def _translator_cases(election: Election) -> list[Case]:
    """Every message with sample values, and percentages rounded half up."""
    t = election.t
    cases = []
    for key, message in TEXTS.items():
        values = {n: f"<{n}>" for n in re.findall(r"%\((\w+)\)s", message)}
        cases.append(
            _named(
                f"text {key} in {election.language}",
                election,
                "translate",
                {"key": key, "values": values},
                t(key, **values),
            )
        )
    for value in (72.5, 72.49, 0.0, 100.0, None):
        expected = t.pct(value)
        cases.append(_named(f"pct {value}", election, "pct", {"value": value}, expected))
    return cases


def build_vectors() -> dict[str, Any]:
    """Every case with the Python view's expected output, and what the cases share."""
    demo, demo_ka = Election("demo", "en"), Election("demo", "ka")
    races, example = Election("races", "en"), Election("example", "en")
    views = [
        *_demo_cases(demo),
        _view_case(
            "demo in Georgian (the decimal comma)",
            demo_ka,
            demo_ka.respond(demo_ka.cycled(12, shift=1)),
        ),
        *_races_cases(races),
        *_example_cases(example),
    ]
    cases = [
        *views,
        *(c for e in (demo, demo_ka, races, example) for c in e.scored),
        *_grade_cases(demo),
        *_minimum_cases(demo, example),
        *_share_cases(demo, races),
        *_mark_cases(demo, views),
        *_translator_cases(demo),
        *_translator_cases(demo_ka),
    ]
    elections = {}
    for e in (demo, demo_ka, races, example):
        elections[f"{e.content.slug}-{e.language}"] = {
            "election": e.slice,
            # what the page hands results.js (page_frame's script): texts, methods, decimal
            "texts": {**e.t.for_script(), "decimal": get_decimal_symbol(e.language)},
        }
    return {
        "about": "Generated by `python -m api.views.vectors` from api.views; do not edit by hand.",
        "tolerance": TOLERANCE,
        "elections": elections,
        "cases": cases,
    }


def dump_vectors(vectors: Mapping[str, Any]) -> str:
    """The vectors as JSON text, one case (or election) per line: a change is a small diff."""

    def block(items: Sequence[str]) -> str:
        return "[\n" + ",\n".join(items) + "\n]"

    compact = {"separators": (",", ":"), "ensure_ascii": False}
    elections = ",\n".join(
        f"{json.dumps(k)}:{json.dumps(v, **compact)}"  # type: ignore[arg-type]
        for k, v in vectors["elections"].items()
    )
    cases = [json.dumps(c, **compact) for c in vectors["cases"]]  # type: ignore[arg-type]
    return (
        "{\n"
        f'"about": {json.dumps(vectors["about"])},\n'
        f'"tolerance": {json.dumps(vectors["tolerance"])},\n'
        '"elections": {\n' + elections + "\n},\n"
        '"cases": ' + block(cases) + "\n}\n"
    )


def write_vectors(path: Path = DEFAULT_PATH) -> int:
    """Write the vectors to `path`; returns the number of cases."""
    vectors = build_vectors()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_vectors(vectors), encoding="utf-8")
    return len(vectors["cases"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, metavar="PATH")
    args = parser.parse_args(argv)
    print(f"{write_vectors(args.out)} cases written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
