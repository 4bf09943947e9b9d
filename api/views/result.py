"""The result page's view model: everything the page shows, as texts and numbers.

Built from the match response (vaa.results.score_answers) and the voter slice of the
election; pure (no request, no database). `result_view` has a JavaScript twin,
`resultView` in frontend/static/js/results-view.js, which builds the same view in the
browser from the answers kept on the device; keep them in step.
"""

from collections.abc import Mapping
from typing import Any

from babel.numbers import get_decimal_symbol

from api.views.charts import (
    NO_COLOR,
    coordinate,
    interval_path,
    map_frame,
    map_point,
    position_text,
    radar_frame,
    radar_points,
)
from api.views.headline import grade_lead, minimum_answers
from api.views.profile import profile_urls
from api.views.share import share_key
from api.views.texts import Texts, entity_name
from vaa.results import MatchRequest, PreparedElection
from vaa.rules import METHODS

RADAR_SERIES = 3
SUGGESTIONS = 6


def result_view(
    election: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    weights: Mapping[str, float],
    compare: tuple[str, str] | None,
    t: Texts,
    certainty: float | None = None,
    profiles: Mapping[str, str] | None = None,
    unseen: int = 0,
) -> dict[str, Any]:
    """Everything the result page shows, as texts and numbers (results.js: resultView).

    `profiles` gives each entity's profile address (results.js adds it from the page data).
    """
    entities = {e["id"]: e for e in election["entities"]}
    options = {o["id"]: o["label"] for o in election["scale"]}
    statements = election["statements"]
    results = response["results"]
    name = {r["entity"]: entity_name(entities[r["entity"]]) for r in results}
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
                "affiliation": affiliation(entity, entities, t),
                "rank": t("rank", rank=r["rank"]),
                "position": str(r["rank"]),
                "name": name[r["entity"]],
                "profile": (profiles or {}).get(r["entity"], ""),
                "fictional": bool(entity.get("fictional")),
                "color": color_of(entity, entities),
                "pct": t.pct(score) if score is not None else t("theme_none"),
                "bar": coordinate(score or 0),
                "iv": interval_path(r["interval"]),
                "note": " · ".join(notes),
            }
        )

    # Themes: a radar of the top entities and a card of every entity
    themes = election["themes"]
    scored = [r for r in results if r["score"] is not None]
    radar = [
        {
            "entity": r["entity"],
            "name": name[r["entity"]],
            "points": radar_points([r["themes"].get(th["id"]) for th in themes]),
            "color": color_of(entities[r["entity"]], entities),
        }
        for r in scored[:RADAR_SERIES]
    ]
    theme_rows = [
        {
            "name": name[r["entity"]],
            "cells": [t.pct(r["themes"].get(th["id"])) for th in themes],
            "bars": [coordinate(r["themes"].get(th["id"]) or 0) for th in themes],
        }
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
        "certainty": certainty_text(certainty, unseen, t),
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
        "tiebreak": tie_breakers(election, response, t=t, name=name),
        "compare": compare_view(election, answers, compare or _top_two(results), t=t),
    }


def color_of(entity: Mapping[str, Any], entities: Mapping[str, Mapping[str, Any]]) -> str:
    """An entity's colour; a candidate without one wears its nominating party's
    (results-view.js: colorOf)."""
    party = entities.get(entity.get("party") or "")
    return str(entity.get("color") or (party or {}).get("color") or NO_COLOR)


def affiliation(
    entity: Mapping[str, Any], entities: Mapping[str, Mapping[str, Any]], t: Texts
) -> str:
    """Who stands behind a candidate (results-view.js: affiliation); empty for a party."""
    if entity.get("kind") != "candidate":
        return ""

    def named(entity_id: str) -> str:
        found = entities.get(entity_id)
        return entity_name(found) if found else entity_id

    party, backing = entity.get("party"), entity.get("backing") or []
    borrowed = entity.get("positions_from")
    if party and borrowed == party and not backing:
        return t("nominated_on_answers", party=named(party))
    if party and backing:
        text = t("nominated_backed", party=named(party), backing=", ".join(map(named, backing)))
    elif party:
        text = t("nominated", party=named(party))
    elif backing:
        text = t("backed", backing=", ".join(map(named, backing)))
    else:
        text = t("independent")
    if entity.get("positions_from"):
        text += " · " + t("positions_of", entity=named(entity["positions_from"]))
    return text


def certainty_text(certainty: float | None, unseen: int, t: Texts) -> str:
    """The certainty of the top match in words (results-view.js: certaintyText), or ''."""
    if certainty is None or unseen <= 0:
        return ""
    return t("certainty_line", n=unseen, pct=t.pct(100 * certainty))


def race_response(response: Mapping[str, Any], race: Mapping[str, Any]) -> dict[str, Any]:
    """The match response narrowed to one race: its ranking and its method sensitivity."""
    return {**response, "results": race["results"], "sensitivity": race["sensitivity"]}


def ballot_views(
    election: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    weights: Mapping[str, float],
    t: Texts,
    profiles: Mapping[str, str] | None = None,
    certainty: Mapping[str, float] | None = None,
    unseen: int = 0,
) -> list[dict[str, Any]]:
    """One section per race the voter votes in, in ballot order (results.js: ballotViews):
    its title, headline, lead, "too close" line and ranking; who did not answer."""
    entities = {e["id"]: e for e in election["entities"]}
    ballots = []
    for race in response.get("races", []):
        silent = ", ".join(entity_name(entities[e]) for e in race["did_not_answer"])
        base: dict[str, Any] = {
            "race": race["race"],
            "title": race["title"],
            "silent": t("did_not_answer", names=silent) if silent else "",
        }
        if not race["results"]:
            ballots.append(
                {
                    **base,
                    "headline": t("race_nobody"),
                    "lead": "",
                    "close": "",
                    "certainty": "",
                    "rows": [],
                }
            )
            continue
        view = result_view(
            election,
            race_response(response, race),
            weights=weights,
            compare=None,
            t=t,
            profiles=profiles,
            certainty=(certainty or {}).get(race["race"]),
            unseen=unseen,
        )
        keys = ("headline", "lead", "close", "certainty", "rows")
        ballots.append({**base, **{k: view[k] for k in keys}})
    return ballots


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


def _top_two(results: list[dict[str, Any]]) -> tuple[str, str]:
    ids = [r["entity"] for r in results]
    return (ids[0], ids[1] if len(ids) > 1 else ids[0])


TIE_BREAKERS = 3


def tie_breakers(
    election: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    t: Texts,
    name: Mapping[str, str],
) -> dict[str, Any] | None:
    """When the top two are too close to call: up to three statements the voter has not
    answered on which the two answer most differently, to answer in one tap each
    (results-view.js: tieBreakers). None when they are not close or none is left."""
    results = response["results"]
    if len(results) < 2 or not results[1]["close_to_top"] or results[1]["score"] is None:
        return None
    a, b = results[0]["entity"], results[1]["entity"]
    entities = {e["id"]: e for e in election["entities"]}
    index = {o["id"]: j for j, o in enumerate(election["scale"])}
    options = {o["id"]: o["label"] for o in election["scale"]}
    answers = response["answers"]
    found = []
    for i, s in enumerate(election["statements"]):
        ia = index.get(entities[a]["answers"].get(s["id"]))
        ib = index.get(entities[b]["answers"].get(s["id"]))
        if answers.get(s["id"]) is None and ia is not None and ib is not None and ia != ib:
            found.append((-abs(ia - ib), i, s))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1]))
    return {
        "intro": t("tiebreak_intro", a=name[a], b=name[b]),
        "items": [
            {
                "id": s["id"],
                "text": s["text"],
                "answers": t(
                    "suggest_answers",
                    a=name[a],
                    a_answer=options[entities[a]["answers"][s["id"]]],
                    b=name[b],
                    b_answer=options[entities[b]["answers"][s["id"]]],
                ),
            }
            for _gap, _i, s in found[:TIE_BREAKERS]
        ],
    }


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
    names = {"a": entity_name(a), "b": entity_name(b)}
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


def page_frame(
    election: Mapping[str, Any], prepared: PreparedElection, *, lang: str, t: Texts
) -> dict[str, Any]:
    """What the results page shows with or without a result: charts' frames, links, the
    method choices, and the data block results.js starts from."""
    slug = election["election"]
    script = {
        "election": slug,
        "version": election["version"],
        "lang": lang,
        "decimal": get_decimal_symbol(lang),  # results-view.js: translator
        "bundle": election["bundle_url"],
        "justifications": election["justifications_url"],
        "donate": f"/api/v1/elections/{slug}/donations",
        "donateToken": f"/api/v1/elections/{slug}/donation-tokens",
        "shareKey": share_key(election),
        "method": election["matching"]["method"],
        "minimum": minimum_answers(len(prepared.statement_ids)),
        "profiles": profile_urls(election, lang),
        **t.for_script(),
    }
    return {
        "election": election,
        "texts": t,
        "methods": [{"id": m, "name": t.method(m), "hint": t.hint(m)} for m in METHODS],
        "radar": radar_frame(election["themes"]) if len(election["themes"]) >= 3 else None,
        "map": map_frame(election, prepared, t),
        "start_url": f"/{lang}/{slug}/",
        "quiz_url": f"/{lang}/{slug}/quiz",
        "method_url": f"/{lang}/{slug}/method",
        "results_url": f"/{lang}/{slug}/results",
        "statistics_url": f"/{lang}/{slug}/statistics",
        "donate_url": f"/{lang}/{slug}/donations",
        "script": script,
    }


def with_answers(
    response: Mapping[str, Any], match: MatchRequest, statement_ids: list[str]
) -> dict[str, Any]:
    """The match response with the voter's answers and the statements that counted."""
    answers = {sid: match.answers.get(sid) for sid in statement_ids}
    return {
        **response,
        "answers": answers,
        "answered_ids": [
            sid
            for sid in statement_ids
            if answers.get(sid) is not None and match.weights.get(sid, 1) > 0
        ],
    }


def form_state(
    answers: Mapping[str, str | None],
    weights: Mapping[str, float],
    method: str,
    compare: tuple[str, str] | None,
    *,
    place: str | None = None,
    race: str | None = None,
) -> dict[str, Any]:
    """What the page's forms carry again as hidden fields (results_macros.html hidden_state).

    Without JavaScript the answers live only in the page: every form that leads back to
    the result (recalculate, language, donation) posts them again; none is stored.
    """
    return {
        "answers": dict(answers),
        "weights": {sid: int(w) for sid, w in weights.items() if w != 1},
        "method": method,
        "compare": compare,
        "place": place,
        "race": race,
    }


def carried_state(
    election: Mapping[str, Any], match: MatchRequest, compare: tuple[str, str] | None
) -> dict[str, Any]:
    """A posted form's answers, to carry on to the next page's forms (only known statements)."""
    return form_state(
        {s["id"]: match.answers.get(s["id"]) for s in election["statements"]},
        match.weights,
        match.method or election["matching"]["method"],
        compare,
        place=match.constituency,
    )


def answered_any(match: MatchRequest) -> bool:
    """Whether the form answers any statement with a weight above 0 (known or not)."""
    return any(
        option is not None and match.weights.get(sid, 1) > 0
        for sid, option in match.answers.items()
    )
