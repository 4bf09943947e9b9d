"""Voter pages: the result, and the statistics of donated answers.

The result page has two paths that show the same content from the same templates:
without JavaScript the quiz POSTs the answers, the server scores them
(vaa.results.score_answers), renders and stores nothing; with JavaScript the page is
a shell whose <template> elements results.js fills from the answers kept on the
device (matching.js), so the answers never leave it. `result_view` below and
`resultView` in results.js build the same view from a match response; keep them in step.
"""

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api import csrf
from api.deps import SessionDep
from api.i18n import translations
from api.pages.render import LanguageDep, VoterElectionDep, render
from api.routes.donations import statistics_response
from api.routes.elections import load_prepared
from api.throttle import client_address, retry_minutes, throttles
from api.views.headline import enough_answers, grade_lead, minimum_answers
from vaa.donations import (
    THRESHOLD,
    InvalidDonation,
    InvalidToken,
    UnknownElection,
    donate,
    spend_token,
    statistics,
)
from vaa.matching import round_half_up
from vaa.publish import justification_slice
from vaa.results import InvalidAnswers, MatchRequest, PreparedElection, score_answers
from vaa.store import VersionRef, bundle_bytes, published_ref

router = APIRouter(include_in_schema=False)

METHODS = ("cityblock", "euclidean", "directional", "hybrid")
RADAR_SERIES = 3
SUGGESTIONS = 6
NO_COLOR = "#6b7785"


def N_(message: str) -> str:
    """Mark a message for the catalogs; it is translated later, per language."""
    return message


# Every text the result shows, by key. The server fills %(name)s; results.js gets the
# same translations with {name} placeholders (see `texts`).
TEXTS = {
    "pct": N_("%(value)s%%"),
    "basis": N_(
        "Answered statements: %(answered)s of %(total)s, %(important)s of them marked important. Method: %(method)s."
    ),
    "top": N_("Your top match: %(name)s (%(score)s)."),
    "top_tied": N_("Tied for your top match: %(names)s (%(score)s)."),
    "top_none": N_("No party can be compared with your answers."),
    "headline": N_("On the statements you answered, %(name)s agrees with you most (%(score)s)."),
    "headline_tied": N_(
        "On the statements you answered, %(names)s agree with you equally (%(score)s)."
    ),
    "lead_clear": N_("That is a clear lead."),
    "lead_ahead": N_("It is ahead of %(other)s (%(score)s)."),
    "lead_neck": N_("It is neck and neck with %(other)s (%(score)s)."),
    "lead_tied": N_("They are tied."),
    "certainty_intro": N_("How sure is this?"),
    "too_few": N_(
        "Please answer at least %(minimum)s statements: with fewer, the result would say more about chance than about your views. You have answered %(answered)s."
    ),
    "close": N_(
        "Too close to call: with these answers, %(top)s cannot be told apart from %(others)s."
    ),
    "sens_same": N_("Your top match is the same under all four calculation methods."),
    "sens_differs": N_("Your top match depends on the calculation method: %(list)s."),
    "sens_item": N_("%(method)s – %(name)s"),
    "nobody": N_("nobody"),
    "rank": N_("Rank %(rank)s"),
    "interval": N_("likely between %(low)s and %(high)s"),
    "tied": N_("tied with %(names)s"),
    "near": N_("too close to call with the top"),
    "no_score": N_("no answers to compare"),
    "you_answer": N_("Your answer: %(answer)s"),
    "you_skipped": N_("You skipped this statement."),
    "you_left_out": N_("Your answer: %(answer)s (left out of the calculation)"),
    "no_answer": N_("No answer"),
    "agreement": N_("agreement %(pct)s"),
    "suggest_intro": N_(
        "%(a)s and %(b)s are too close to call. They answer these statements differently: mark the ones that matter more to you, and they will count double."
    ),
    "suggest_answers": N_("%(a)s: %(a_answer)s · %(b)s: %(b_answer)s"),
    "compare_summary": N_("%(a)s and %(b)s answer %(n)s of %(total)s statements differently."),
    "compare_same": N_("%(a)s and %(b)s answer every statement the same way."),
    "compare_pick": N_("Choose two different parties."),
    "map_position": N_("%(axis)s %(value)s (towards %(pole)s)"),
    "map_centre": N_("%(axis)s 0 (centre)"),
    "map_missing": N_("Not on the map (no answers on these axes): %(names)s."),
    "theme_none": N_("–"),
    "you": N_("You"),
    "voter_position": N_("Your position"),
    "dropped": N_(
        "Some of your answers were for statements that are no longer in the questionnaire; they were left out."
    ),
    "copied": N_("Link copied."),
    "copy_failed": N_("Copying did not work: select the link above and copy it."),
    "continued": N_("Saved: these answers are now yours on this device."),
    "donate_sending": N_("Sending…"),
    "donate_thanks": N_("Thank you! Your answers were added to the statistics anonymously."),
    "donate_failed": N_("Sending did not work. Please try again later."),
    "donate_tick": N_("Please tick the box first."),
    "loading": N_("Calculating your result…"),
    "reasons_loading": N_("Loading the parties' reasons…"),
    "reasons_failed": N_(
        "The parties' reasons could not be loaded. Check your connection and open the statement again."
    ),
    "updated": N_("Result updated."),
    "load_failed": N_(
        "The election data could not be loaded. Check your connection and reload the page."
    ),
    "share_old": N_(
        "This link was made for an earlier version of the questionnaire, so its answers cannot be shown. You can answer the current statements yourself."
    ),
    "share_broken": N_("This link is incomplete or damaged, so its answers cannot be shown."),
}

METHOD_NAMES = {
    "cityblock": N_("Distance"),
    "euclidean": N_("Squared distance"),
    "directional": N_("Direction"),
    "hybrid": N_("Mixed"),
}
METHOD_HINTS = {
    "cityblock": N_("How far apart your answer and the party's are on the scale."),
    "euclidean": N_("Like distance, but large differences count more."),
    "directional": N_(
        "Whether you are on the same side, and how strongly; neutral answers count half."
    ),
    "hybrid": N_("The average of distance and direction."),
}


# --------------------------------------------------------------------------- texts


class Texts:
    """The result's texts in one language: `t("key", name=...)`."""

    def __init__(self, language: str) -> None:
        self.gettext = translations(language).gettext

    def __call__(self, key: str, **values: Any) -> str:
        return str(self.gettext(TEXTS[key]) % values)

    def pct(self, value: float | None) -> str:
        if value is None:
            return self("theme_none")
        return self("pct", value=int(round_half_up(value)))

    def method(self, method: str) -> str:
        return str(self.gettext(METHOD_NAMES[method]))

    def for_script(self) -> dict[str, Any]:
        """The texts with {name} placeholders, and the method names, for results.js."""

        def braces(message: str) -> str:
            out, i = [], 0
            while i < len(message):
                if message.startswith("%%", i):
                    out.append("%")
                    i += 2
                elif message.startswith("%(", i):
                    end = message.index(")s", i)
                    out.append("{" + message[i + 2 : end] + "}")
                    i = end + 2
                else:
                    out.append(message[i])
                    i += 1
            return "".join(out)

        return {
            "texts": {key: braces(self.gettext(message)) for key, message in TEXTS.items()},
            "methods": {m: self.method(m) for m in METHODS},
        }


# --------------------------------------------------------------------------- the view


def result_view(
    election: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    weights: Mapping[str, float],
    compare: tuple[str, str] | None,
    t: Texts,
    certainty: float | None = None,
) -> dict[str, Any]:
    """Everything the result page shows, as texts and numbers (results.js: resultView)."""
    entities = {e["id"]: e for e in election["entities"]}
    options = {o["id"]: o["label"] for o in election["scale"]}
    statements = election["statements"]
    results = response["results"]
    name = {r["entity"]: _entity_name(entities[r["entity"]]) for r in results}
    answers: dict[str, str | None] = response.get("answers", {})

    # Summary
    top = results[0]
    method = response["method"]
    if top["score"] is None:
        top_text = t("top_none")
    else:
        tied = [r for r in results if r["rank"] == 1]
        top_text = (
            t("top", name=name[top["entity"]], score=t.pct(top["score"]))
            if len(tied) == 1
            else t(
                "top_tied",
                names=", ".join(name[r["entity"]] for r in tied),
                score=t.pct(top["score"]),
            )
        )
    others = [name[r["entity"]] for r in results[1:] if r["close_to_top"]]
    close = t("close", top=name[top["entity"]], others=", ".join(others)) if others else ""
    headline, lead = headline_texts(results, name, t, certainty=certainty)
    sensitivity = response["sensitivity"]
    if len(set(sensitivity.values())) == 1:
        sens = t("sens_same")
    else:
        sens = t(
            "sens_differs",
            list="; ".join(
                t(
                    "sens_item",
                    method=t.method(m),
                    name=name.get(e, t("nobody")) if e else t("nobody"),
                )
                for m, e in sensitivity.items()
            ),
        )
    important = sum(1 for sid in response["answered_ids"] if weights.get(sid, 1) >= 2)
    basis = t(
        "basis",
        answered=response["answered"],
        total=len(statements),
        important=important,
        method=t.method(method),
    )

    # Ranking
    rows = []
    for r in results:
        entity = entities[r["entity"]]
        score = r["score"]
        ties = [name[o["entity"]] for o in results if o["rank"] == r["rank"] and o is not r]
        notes = []
        if score is None:
            notes.append(t("no_score"))
        elif r["interval"] is not None:
            low, high = r["interval"]
            notes.append(t("interval", low=t.pct(low), high=t.pct(high)))
        if ties and score is not None:
            notes.append(t("tied", names=", ".join(ties)))
        if r["close_to_top"] and r is not top and not (ties and r["rank"] == 1):
            notes.append(t("near"))
        rows.append(
            {
                "entity": r["entity"],
                "rank": t("rank", rank=r["rank"]),
                "position": str(r["rank"]),
                "name": name[r["entity"]],
                "fictional": bool(entity.get("fictional")),
                "color": entity.get("color") or NO_COLOR,
                "pct": t.pct(score) if score is not None else t("theme_none"),
                "bar": _num(score or 0),
                "iv": _interval_path(r["interval"]),
                "note": " · ".join(notes),
            }
        )

    # Themes: a radar of the top entities and a table of every entity
    themes = election["themes"]
    scored = [r for r in results if r["score"] is not None]
    radar = [
        {
            "entity": r["entity"],
            "name": name[r["entity"]],
            "points": radar_points([r["themes"].get(th["id"]) for th in themes]),
            "color": entities[r["entity"]].get("color") or NO_COLOR,
        }
        for r in scored[:RADAR_SERIES]
    ]
    theme_rows = [
        {"name": name[r["entity"]], "cells": [t.pct(r["themes"].get(th["id"])) for th in themes]}
        for r in results
    ]

    # Statement by statement
    by_statement = []
    for s in statements:
        sid = s["id"]
        answer = answers.get(sid)
        weight = weights.get(sid, 1)
        if answer is None:
            you = t("you_skipped")
        elif weight == 0:
            you = t("you_left_out", answer=options[answer])
        else:
            you = t("you_answer", answer=options[answer])
        parties = []
        for r in results:
            entity_answer = entities[r["entity"]]["answers"].get(sid)
            match = r["statements"].get(sid)
            agreement = None if match is None else match["agreement"]
            parties.append(
                {
                    "entity": r["entity"],
                    "name": name[r["entity"]],
                    "answer": options[entity_answer] if entity_answer else t("no_answer"),
                    "agreement": "" if agreement is None else t("agreement", pct=t.pct(agreement)),
                }
            )
        by_statement.append(
            {
                "id": sid,
                "you": you,
                "important": weight >= 2 and answer is not None,
                "answer": answer or "skip",
                "parties": parties,
            }
        )

    return {
        "basis": basis,
        "headline": headline,
        "lead": lead,
        "top": top_text,
        "close": close,
        "sensitivity": sens,
        "rows": rows,
        "radar": radar,
        "theme_rows": theme_rows,
        "voter": map_point(response["position"], [a["id"] for a in election["axes"]]),
        "voter_list": position_text(response["position"], election["axes"], t),
        "statements": by_statement,
        "suggest": suggestions(election, response, weights=weights, t=t, name=name),
        "compare": compare_view(election, answers, compare or _top_two(results), t=t),
    }


def headline_texts(
    results: list[dict[str, Any]],
    name: Mapping[str, str],
    t: Texts,
    *,
    certainty: float | None = None,
) -> tuple[str, str]:
    """The headline (what is certain) and the graded line on the lead (results.js: headlineTexts)."""
    lead = grade_lead(results, certainty)
    if lead["grade"] == "none":
        return t("top_none"), ""
    score = t.pct(results[0]["score"])
    if lead["grade"] == "tied":
        names = ", ".join(name[e] for e in lead["top"])
        return t("headline_tied", names=names, score=score), t("lead_tied")
    headline = t("headline", name=name[lead["top"][0]], score=score)
    if lead["grade"] == "clear" or lead["other"] is None:
        return headline, t("lead_clear")
    other = next(r for r in results if r["entity"] == lead["other"])
    key = "lead_ahead" if lead["grade"] == "ahead" else "lead_neck"
    return headline, t(key, other=name[lead["other"]], score=t.pct(other["score"]))


def _entity_name(entity: Mapping[str, Any]) -> str:
    return str(entity["name"])


def _num(x: float) -> float:
    """A coordinate with two decimals (what SVG needs, and what results.js writes)."""
    return round(x * 100) / 100


def _interval_path(interval: list[float] | None) -> str:
    if interval is None:
        return ""
    low, high = (_num(v) for v in interval)
    return f"M{low} 11H{high}M{low} 9V13M{high} 9V13"


def _top_two(results: list[dict[str, Any]]) -> tuple[str, str]:
    ids = [r["entity"] for r in results]
    return (ids[0], ids[1] if len(ids) > 1 else ids[0])


def suggestions(
    election: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    weights: Mapping[str, float],
    t: Texts,
    name: Mapping[str, str],
) -> dict[str, Any] | None:
    """When the top two are too close to call: the statements they differ on, to weigh."""
    results = response["results"]
    if len(results) < 2 or not results[1]["close_to_top"] or results[1]["score"] is None:
        return None
    a, b = results[0], results[1]
    entities = {e["id"]: e for e in election["entities"]}
    options = {o["id"]: o["label"] for o in election["scale"]}
    answers = response["answers"]
    differ = []
    for i, s in enumerate(election["statements"]):
        ma, mb = a["statements"].get(s["id"]), b["statements"].get(s["id"])
        if ma is None or mb is None or ma["agreement"] is None or mb["agreement"] is None:
            continue
        gap = abs(ma["agreement"] - mb["agreement"])
        if gap > 1e-9:
            differ.append((-gap, i, s))
    differ.sort(key=lambda item: (item[0], item[1]))

    def answer(entity: str, sid: str) -> str:
        option = entities[entity]["answers"].get(sid)
        return str(options[option]) if option else t("no_answer")

    return {
        "intro": t("suggest_intro", a=name[a["entity"]], b=name[b["entity"]]),
        "items": [
            {
                "id": s["id"],
                "text": s["text"],
                "answers": t(
                    "suggest_answers",
                    a=name[a["entity"]],
                    a_answer=answer(a["entity"], s["id"]),
                    b=name[b["entity"]],
                    b_answer=answer(b["entity"], s["id"]),
                ),
                "you": t("you_answer", answer=options[answers[s["id"]]]),
                "important": weights.get(s["id"], 1) >= 2,
            }
            for _gap, _i, s in differ[:SUGGESTIONS]
        ],
    }


def compare_view(
    election: Mapping[str, Any],
    answers: Mapping[str, str | None],
    pair: tuple[str, str],
    *,
    t: Texts,
) -> dict[str, Any]:
    """Where two entities answer differently, with the voter's own answer beside them."""
    entities = {e["id"]: e for e in election["entities"]}
    options = {o["id"]: o["label"] for o in election["scale"]}
    a, b = (entities.get(pair[0]), entities.get(pair[1]))
    if a is None or b is None or a is b:
        return {"a": pair[0], "b": pair[1], "summary": t("compare_pick"), "items": []}
    index = {o["id"]: j for j, o in enumerate(election["scale"])}
    differ = []
    for i, s in enumerate(election["statements"]):
        sid = s["id"]
        ia, ib = index.get(a["answers"].get(sid)), index.get(b["answers"].get(sid))
        if ia == ib:
            continue
        # Opposite answers first; a statement only one of them answered last.
        gap = -1 if ia is None or ib is None else abs(ia - ib)
        differ.append((-gap, i, s))
    differ.sort(key=lambda item: (item[0], item[1]))
    items = [
        {
            "text": s["text"],
            "a_answer": options.get(a["answers"].get(s["id"]), t("no_answer")),
            "b_answer": options.get(b["answers"].get(s["id"]), t("no_answer")),
            "you": options.get(answers.get(s["id"]) or "", t("you_skipped")),
        }
        for _gap, _i, s in differ
    ]
    names = {"a": _entity_name(a), "b": _entity_name(b)}
    summary = (
        t("compare_summary", n=len(items), total=len(election["statements"]), **names)
        if items
        else t("compare_same", **names)
    )
    return {
        "a": a["id"],
        "b": b["id"],
        "a_name": names["a"],
        "b_name": names["b"],
        "summary": summary,
        "items": items,
    }


# --------------------------------------------------------------------------- charts

RADAR_CX, RADAR_CY, RADAR_R = 160.0, 135.0, 88.0
RADAR_LINE = 14.0  # the labels' line height, for 13 px text (20-results.css)
MAP_SIZE, MAP_PAD = 300.0, 16.0


def _radar_xy(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (
        _num(RADAR_CX + RADAR_R * fraction * math.cos(angle)),
        _num(RADAR_CY + RADAR_R * fraction * math.sin(angle)),
    )


def radar_points(scores: list[float | None]) -> str:
    """A polygon's points for theme scores (None at the centre); charts.js: radarPoints."""
    return " ".join(
        "{},{}".format(*_radar_xy(i, len(scores), (s or 0) / 100)) for i, s in enumerate(scores)
    )


def radar_frame(themes: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The radar's fixed parts: rings, spokes and the theme labels around them."""
    count = len(themes)
    rings = [
        " ".join("{},{}".format(*_radar_xy(i, count, level)) for i in range(count))
        for level in (0.25, 0.5, 0.75, 1.0)
    ]
    spokes, labels = [], []
    for i, theme in enumerate(themes):
        x, y = _radar_xy(i, count, 1)
        spokes.append({"x": x, "y": y})
        lx, ly = _radar_xy(i, count, 1.14)
        dx = lx - RADAR_CX
        anchor = "middle" if abs(dx) < 8 else ("start" if dx > 0 else "end")
        # Above and below there is room across; beside, a long Georgian word is enough.
        lines = _wrap(str(theme["label"]), 18 if anchor == "middle" else 12)
        if ly < RADAR_CY - RADAR_R:  # above the chart: the last line ends at the spoke
            top = ly - RADAR_LINE * (len(lines) - 1)
        elif ly > RADAR_CY + RADAR_R:  # below: the first line starts under it
            top = ly + 10
        else:  # beside: centred on the spoke
            top = ly + 4 - RADAR_LINE / 2 * (len(lines) - 1)
        labels.append({"x": lx, "y": _num(top), "anchor": anchor, "lines": lines})
    return {
        "rings": rings,
        "spokes": spokes,
        "labels": labels,
        "cx": RADAR_CX,
        "cy": RADAR_CY,
        "r": RADAR_R,
        "line": RADAR_LINE,
    }


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def map_point(position: Mapping[str, float | None], axes: list[str]) -> dict[str, float] | None:
    """Where a position sits on the map, or None when it has no place (charts.js: mapPoint)."""
    if not axes:
        return None
    x = position.get(axes[0])
    y = position.get(axes[1]) if len(axes) > 1 else 0.0
    if x is None or y is None:
        return None
    half = MAP_SIZE / 2 - MAP_PAD
    return {"x": _num(MAP_SIZE / 2 + x * half), "y": _num(MAP_SIZE / 2 - y * half)}


def map_frame(
    election: Mapping[str, Any], prepared: PreparedElection, t: Texts
) -> dict[str, Any] | None:
    """The map's fixed parts: every entity's point and label, placed so labels do not collide."""
    axes = election["axes"][:2]
    if not axes:
        return None
    ids = [a["id"] for a in axes]
    names = {e["id"]: e for e in election["entities"]}
    points, missing = [], []
    for e, entity_id in enumerate(prepared.entity_ids):
        position = {
            aid: (None if math.isnan(v) else float(v))
            for aid, v in zip(prepared.axis_ids, prepared.entity_positions[e], strict=True)
        }
        point = map_point(position, ids)
        entity = names[entity_id]
        if point is None:
            missing.append(_entity_name(entity))
            continue
        points.append(
            {
                **point,
                "entity": entity_id,
                "label": _map_label(entity),
                "name": _entity_name(entity),
                "color": entity.get("color") or NO_COLOR,
                "text": position_text(position, election["axes"], t),
            }
        )
    _place_labels(points)
    return {
        "axes": axes,
        "points": points,
        "missing": t("map_missing", names=", ".join(missing)) if missing else "",
        "size": MAP_SIZE,
        "mid": MAP_SIZE / 2,
        "pad": MAP_PAD,
    }


def _map_label(entity: Mapping[str, Any]) -> str:
    """The entity's name on the map; its short name only when the name is long."""
    name = _entity_name(entity)
    return str(entity.get("short") or name) if len(name) > 18 else name


Box = tuple[float, float, float, float]
PARTY_LABELS = [(8, 4, "start"), (-8, 4, "end"), (0, -10, "middle"), (0, 18, "middle")]
VOTER_LABELS = [
    (0, -13, "middle"),
    (0, 21, "middle"),
    (11, 4, "start"),
    (-11, 4, "end"),
    (0, -27, "middle"),
    (0, 35, "middle"),
    (24, 4, "start"),
    (-24, 4, "end"),
]


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _best_place(
    x: float, y: float, width: float, taken: list[Box], places: list[tuple[int, int, str]]
) -> tuple[int, int, str, Box]:
    """The label place hiding the least of what is taken; nearer places win ties."""

    def box(dx: int, dy: int, anchor: str) -> Box:
        left = x + dx - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
        return (left, y + dy - 11, left + width, y + dy + 3)

    def cost(i: int) -> float:
        b = box(*places[i])
        outside = max(0.0, -b[0]) + max(0.0, b[2] - MAP_SIZE) + max(0.0, -b[1])
        return (
            sum(_overlap(b, t) for t in taken) + 50 * (outside + max(0.0, b[3] - MAP_SIZE)) + i / 2
        )

    best = min(range(len(places)), key=cost)
    return (*places[best], box(*places[best]))


def _dot(p: Mapping[str, Any]) -> Box:
    return (p["x"] - 6, p["y"] - 6, p["x"] + 6, p["y"] + 6)


def _place_labels(points: list[dict[str, Any]]) -> None:
    """Put each party's label beside its point where it hides the least (greedy)."""
    taken = [_dot(p) for p in points]
    for p in points:
        others = [b for b in taken if b != _dot(p)]
        dx, dy, anchor, box = _best_place(
            p["x"], p["y"], 7.0 * len(p["label"]) + 2, others, PARTY_LABELS
        )
        p.update(lx=_num(p["x"] + dx), ly=_num(p["y"] + dy), anchor=anchor, box=box)
        taken.append(box)


def voter_label(
    point: Mapping[str, float] | None, points: list[dict[str, Any]], label: str
) -> dict[str, Any]:
    """Where the voter's own label goes, relative to the star (results.js: placeVoterLabel)."""
    if point is None:
        return {"x": 0, "y": -13, "anchor": "middle"}
    taken = [p["box"] for p in points] + [_dot(p) for p in points]
    dx, dy, anchor, _box = _best_place(
        point["x"], point["y"], 7.5 * len(label) + 2, taken, VOTER_LABELS
    )
    return {"x": dx, "y": dy, "anchor": anchor}


def position_text(
    position: Mapping[str, float | None], axes: list[Mapping[str, Any]], t: Texts
) -> str:
    """A position in words: 'Economy 0.5 (towards Market-led); ...' (results.js: positionText)."""
    parts = []
    for axis in axes:
        value = position.get(axis["id"])
        if value is None:
            continue
        shown = float(round_half_up(value * 10)) / 10
        if shown == 0:
            parts.append(t("map_centre", axis=axis["label"]))
        else:
            parts.append(
                t(
                    "map_position",
                    axis=axis["label"],
                    value=f"{shown:+.1f}".replace("-", "−"),
                    pole=axis["high"] if shown > 0 else axis["low"],
                )
            )
    return "; ".join(parts)


# --------------------------------------------------------------------------- sharing


def share_key(election: Mapping[str, Any]) -> str:
    """Names the questions and options a share link was made for (not the party data).

    A link stays valid while the statements and the scale stay the same; a new
    questionnaire gets a new key, and results.js tells the voter the link is old.
    """
    shape = json.dumps(
        [[s["id"] for s in election["statements"]], [o["id"] for o in election["scale"]]]
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:8]


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def share_fragment(
    election: Mapping[str, Any],
    answers: Mapping[str, str | None],
    weights: Mapping[str, float],
    method: str | None,
) -> str:
    """The URL fragment of a share link (answers.js encodeShare, with the key and method)."""
    option_ids = [o["id"] for o in election["scale"]]
    a = "".join(
        DIGITS[option_ids.index(answers[s["id"]])] if answers.get(s["id"]) else "-"
        for s in election["statements"]
    )
    w = "".join(
        "0" if weights.get(s["id"], 1) == 0 else "2" if weights.get(s["id"], 1) >= 2 else "1"
        for s in election["statements"]
    )
    params = {"v": share_key(election), "a": a, "w": w}
    if method and method != election["matching"]["method"]:
        params["m"] = method
    return urlencode(params, safe="-")


# --------------------------------------------------------------------------- the form


class FormProblem(ValueError):
    """The posted form cannot be read as answers."""


def read_form(form: FormData) -> tuple[MatchRequest, tuple[str, str] | None]:
    """The quiz's no-JavaScript form as a match request, and the pair to compare, if any.

    `answer-<statement>` = option id or "skip", `weight-<statement>` = "0", "1" or "2",
    `method`, `compare-a`, `compare-b`; other fields (buttons) are ignored.
    """
    answers: dict[str, str | None] = {}
    weights: dict[str, float] = {}
    method: str | None = None
    pair: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise FormProblem(f"{key!r} is not a text field")
        if key in seen and key.startswith(("answer-", "method", "compare-")):
            raise FormProblem(f"{key!r} is given twice")
        seen.add(key)
        if key.startswith("answer-"):
            answers[key[7:]] = None if value == "skip" else value
        elif key.startswith("weight-"):
            if value not in ("0", "1", "2"):
                raise FormProblem(f"{key!r} must be 0, 1 or 2, not {value[:20]!r}")
            weights[key[7:]] = max(weights.get(key[7:], 0), float(value))
        elif key == "method":
            if value not in METHODS:
                raise FormProblem(f"unknown method {value[:20]!r}")
            method = value
        elif key in ("compare-a", "compare-b"):
            pair[key[8:]] = value
    if not answers:
        raise FormProblem("no answers in the form")
    compare = (pair["a"], pair["b"]) if "a" in pair and "b" in pair else None
    request = MatchRequest.model_validate(
        {"answers": answers, "weights": weights, "method": method}, strict=False
    )
    return request, compare


# --------------------------------------------------------------------------- pages


def _page_context(
    election: dict[str, Any], session: Session, lang: str, t: Texts
) -> tuple[VersionRef, PreparedElection, dict[str, Any]]:
    ref = published_ref(session, slug=election["election"])
    assert ref is not None  # voter_election found it a moment ago
    prepared = load_prepared(session, ref)
    slug = election["election"]
    script = {
        "election": slug,
        "version": election["version"],
        "lang": lang,
        "bundle": election["bundle_url"],
        "justifications": election["justifications_url"],
        "donate": f"/api/v1/elections/{slug}/donations",
        "donateToken": f"/api/v1/elections/{slug}/donation-tokens",
        "shareKey": share_key(election),
        "method": election["matching"]["method"],
        "minimum": minimum_answers(len(prepared.statement_ids)),
        **t.for_script(),
    }
    context = {
        "election": election,
        "texts": t,
        "methods": [
            {"id": m, "name": t.method(m), "hint": translations(lang).gettext(METHOD_HINTS[m])}
            for m in METHODS
        ],
        "radar": radar_frame(election["themes"]) if len(election["themes"]) >= 3 else None,
        "map": map_frame(election, prepared, t),
        "start_url": f"/{lang}/{slug}/",
        "quiz_url": f"/{lang}/{slug}/quiz",
        "results_url": f"/{lang}/{slug}/results",
        "statistics_url": f"/{lang}/{slug}/statistics",
        "donate_url": f"/{lang}/{slug}/donations",
        "script": script,
    }
    return ref, prepared, context


@router.get("/{lang}/{election}/results", response_class=HTMLResponse)
def read_results(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Show the result computed in the browser from the answers kept on the device."""
    t = Texts(lang)
    _ref, _prepared, context = _page_context(election, session, lang, t)
    return render(
        request,
        "results.html",
        language=lang,
        languages=election["languages"],
        view=None,
        **context,
    )


def _no_result(
    request: Request,
    lang: str,
    election: dict[str, Any],
    context: dict[str, Any],
    *,
    status_code: int = 200,
    **message: str,
) -> HTMLResponse:
    """The results page without a ranking, saying why (a bad form, too few answers)."""
    return render(
        request,
        "results.html",
        language=lang,
        languages=election["languages"],
        status_code=status_code,
        view=None,
        **message,
        **context,
    )


@router.post("/{lang}/{election}/results", response_class=HTMLResponse)
async def create_results(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Score the posted answers (the quiz without JavaScript); nothing is stored."""
    t = Texts(lang)
    ref, prepared, context = _page_context(election, session, lang, t)
    try:
        match, compare = read_form(await request.form())
        match = match.model_copy(update={"language": lang})
        response = score_answers(prepared, match)
    except (FormProblem, InvalidAnswers, ValueError) as exc:
        return _no_result(request, lang, election, context, status_code=400, problem=str(exc))
    answers = {sid: match.answers.get(sid) for sid in prepared.statement_ids}
    response = {
        **response,
        "answers": answers,
        "answered_ids": [
            sid
            for sid in prepared.statement_ids
            if answers.get(sid) is not None and match.weights.get(sid, 1) > 0
        ],
    }
    answered = len(response["answered_ids"])
    statements = len(prepared.statement_ids)
    if not enough_answers(answered, statements=statements, settled=False):
        too_few = t("too_few", minimum=minimum_answers(statements), answered=answered)
        return _no_result(request, lang, election, context, too_few=too_few)
    view = result_view(election, response, weights=match.weights, compare=compare, t=t)
    if context["map"]:
        view["voter_label"] = voter_label(view["voter"], context["map"]["points"], t("you"))
    reasons = json.loads(
        justification_slice(bundle_bytes(session, version_id=ref.version_id), lang)
    )
    state = {
        "answers": answers,
        "weights": {sid: int(w) for sid, w in match.weights.items() if w != 1},
        "method": response["method"],
        "compare": (view["compare"]["a"], view["compare"]["b"]),
    }
    share = str(request.url_for("read_results", lang=lang, election=election["election"]))
    share += "#" + share_fragment(election, answers, match.weights, match.method)
    page = render(
        request,
        "results.html",
        language=lang,
        languages=election["languages"],
        view=view,
        state=state,
        reasons=reasons["entities"],
        share_url=share,
        csrf_token=csrf.anonymous_token(request),  # for the donation form below the result
        **context,
    )
    csrf.attach_anonymous_cookie(request, page)
    return page


async def _donation_csrf(request: Request) -> None:
    # The anonymous double-submit token, even for a signed-in editor trying the quiz: a
    # donation is not an account's action, and the results page carries that token.
    await csrf.check(request, request.cookies.get(csrf.anonymous_cookie(request)))


@router.post(
    "/{lang}/{election}/donations", response_model=None, dependencies=[Depends(_donation_csrf)]
)
async def create_donation_page(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> Response:
    """Store the answers anonymously when the voter ticked the box (no JavaScript)."""
    t = Texts(lang)
    form = await request.form()
    status = 400
    try:
        if form.get("consent") != "yes":
            raise FormProblem(translations(lang).gettext("Please tick the box first."))
        match, _compare = read_form(form)
        version = form.get("version")
        if not isinstance(version, str):
            raise FormProblem("no questionnaire version in the form")
        # The form's CSRF token (checked above) is this visitor's one-time donation token.
        token = form.get(csrf.FIELD)
        spend_token(session, token=token if isinstance(token, str) else "")
        wait = throttles(request).donations.check(client_address(request))
        if wait:
            status = 429
            raise FormProblem(
                translations(lang).gettext(
                    "Too many answers have been given from your connection lately. "
                    "Please try again in %(minutes)s min."
                )
                % {"minutes": retry_minutes(wait)}
            )
        donate(
            session,
            election=election["election"],
            version=version,
            answers=match.answers,
            weights={sid: int(w) for sid, w in match.weights.items()},
        )
    except InvalidToken:
        session.rollback()
        _ref, _prepared, context = _page_context(election, session, lang, t)
        return render(
            request,
            "results.html",
            language=lang,
            languages=election["languages"],
            status_code=403,
            view=None,
            problem=translations(lang).gettext(
                "This form has already been sent or is too old. Please show your result "
                "again to give your answers."
            ),
            **context,
        )
    except (FormProblem, InvalidDonation, UnknownElection, ValueError) as exc:
        session.rollback()
        _ref, _prepared, context = _page_context(election, session, lang, t)
        return render(
            request,
            "results.html",
            language=lang,
            languages=election["languages"],
            status_code=status,
            view=None,
            problem=str(exc),
            **context,
        )
    session.commit()
    return RedirectResponse(f"/{lang}/{election['election']}/statistics?thanks=1", status_code=303)


@router.get("/{lang}/{election}/statistics", response_class=HTMLResponse)
def read_statistics_page(
    request: Request, lang: LanguageDep, election: VoterElectionDep, session: SessionDep
) -> HTMLResponse:
    """Show how the voters who gave their answers answered, once there are enough of them."""
    found = statistics_response(statistics(session, election=election["election"]))
    labels = {o["id"]: o["label"] for o in election["scale"]}
    texts = {s["id"]: s for s in election["statements"]}
    rows = []
    for s in found.statements or []:
        if s.statement not in texts:
            continue
        bars = [
            {"label": labels[a.option], "count": a.count, "share": _share(a.count, s.total)}
            for a in s.answers
        ]
        bars.append(
            {
                "label": translations(lang).gettext("Skipped"),
                "count": s.skipped,
                "share": _share(s.skipped, s.total),
                "skipped": True,
            }
        )
        rows.append(
            {
                "statement": texts[s.statement],
                "bars": bars,
                "total": s.total,
                "important": s.important,
            }
        )
    return render(
        request,
        "statistics.html",
        language=lang,
        languages=election["languages"],
        election=election,
        statistics=found,
        threshold=THRESHOLD,
        rows=rows,
        thanks=request.query_params.get("thanks") == "1",
        pct=Texts(lang).pct,
        results_url=f"/{lang}/{election['election']}/results",
    )


def _share(count: int, total: int) -> float:
    return 0.0 if total == 0 else 100 * count / total
