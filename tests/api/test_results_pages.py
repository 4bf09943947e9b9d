"""The result page without JavaScript: the server scores the posted answers, stores nothing."""

import html
import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from vaa.matching import round_half_up


def _slice(client: TestClient, lang: str) -> dict[str, Any]:
    bundle = client.get("/api/v1/elections/demo").json()["bundle"]
    data: dict[str, Any] = client.get(f"{bundle}/{lang}").json()
    return data


def _answers(election: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, int]]:
    """A voter with an opinion on most statements, a few skipped and two marked important."""
    options = [o["id"] for o in election["scale"]]
    answers: dict[str, str | None] = {}
    for i, s in enumerate(election["statements"]):
        answers[s["id"]] = None if i % 7 == 3 else options[(i * 3 + 1) % len(options)]
    ids = [s["id"] for s in election["statements"]]
    return answers, {ids[0]: 2, ids[5]: 2}


def _form(answers: dict[str, str | None], weights: dict[str, int], **extra: str) -> dict[str, str]:
    form = {f"answer-{sid}": option or "skip" for sid, option in answers.items()}
    form.update({f"weight-{sid}": str(w) for sid, w in weights.items()})
    form.update(extra)
    return form


def _ranking(html: str) -> list[tuple[str, str]]:
    """(entity, shown percentage) for every row of the ranking, in page order."""
    ranking = html.split('data-list="rows"', 1)[1].split("</ol>", 1)[0]
    return re.findall(
        r'<li class="rank" data-entity="([^"]+)">.*?data-k="pct">([^<]*)<', ranking, re.S
    )


def _expected(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["entity"], f"{int(round_half_up(r['score']))}%") for r in body["results"]]


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return {
            t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
        }


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_posted_answers_rank_like_the_api(client: TestClient, lang: str) -> None:
    election = _slice(client, lang)
    answers, weights = _answers(election)
    page = client.post(f"/{lang}/demo/results", data=_form(answers, weights))
    assert page.status_code == 200
    api = client.post(
        "/api/v1/elections/demo/match",
        json={"answers": answers, "weights": weights, "language": lang},
    ).json()
    shown = _ranking(page.text)
    assert shown == _expected(api)
    assert len(shown) == len(election["entities"])  # every party, none hidden
    top = api["results"][0]
    text = html.unescape(page.text)
    assert top["name"] in text and f"({int(round_half_up(top['score']))}%)" in text
    low, high = (int(round_half_up(v)) for v in top["interval"])
    likely = {
        "en": f"likely between {low}% and {high}%",
        "ka": f"სავარაუდოდ {low}%-დან {high}%-მდე",
    }
    assert likely[lang] in text


def test_method_switch_reposts_the_answers_with_a_method(client: TestClient) -> None:
    election = _slice(client, "en")
    answers, weights = _answers(election)
    for method in ["cityblock", "euclidean", "directional", "hybrid"]:
        page = client.post("/en/demo/results", data=_form(answers, weights, method=method))
        api = client.post(
            "/api/v1/elections/demo/match",
            json={"answers": answers, "weights": weights, "method": method},
        ).json()
        assert _ranking(page.text) == _expected(api)
        assert f'name="method" value="{method}" checked' in page.text
    # The method form carries every answer again as hidden fields.
    form = page.text.split('id="method-form"', 1)[1].split("</form>", 1)[0]
    for sid, option in answers.items():
        assert f'name="answer-{sid}" value="{option or "skip"}"' in form


def test_result_explains_itself_statement_by_statement(client: TestClient) -> None:
    election = _slice(client, "en")
    answers, weights = _answers(election)
    page = html.unescape(client.post("/en/demo/results", data=_form(answers, weights)).text)
    reasons = client.get(
        f"/api/v1/elections/demo/bundle/{election['version']}/en/justifications"
    ).json()["entities"]
    entity, statements = next((e, r) for e, r in reasons.items() if r)
    sid, reason = next(iter(statements.items()))
    assert reason["justification"] in page
    assert f'<li class="st" data-statement="{sid}">' in page
    # The voter can change an answer on the page: each statement has its select.
    assert page.count('<select id="answer-') == len(election["statements"])
    # Sharing: the answers go in the fragment, which browsers never send.
    link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', page)
    assert link and "/en/demo/results#v=" in link.group(1)
    assert entity in page


def test_compare_two_parties(client: TestClient) -> None:
    election = _slice(client, "en")
    answers, weights = _answers(election)
    a, b = election["entities"][0], election["entities"][-1]
    pair = {"compare-a": a["id"], "compare-b": b["id"]}
    page = html.unescape(client.post("/en/demo/results", data=_form(answers, weights, **pair)).text)
    differ = [
        s for s in election["statements"] if a["answers"].get(s["id"]) != b["answers"].get(s["id"])
    ]
    summary = f"{a['name']} and {b['name']} answer {len(differ)} of {len(election['statements'])} statements differently."
    assert summary in page
    assert page.split('data-list="compare"', 1)[1].split("</ul>", 1)[0].count(
        '<li class="cmp">'
    ) == len(differ)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"answer-no-such-statement": "agree"}, "There is no statement “no-such-statement”"),
        ({"answer-{sid}": "maybe"}, "“maybe” is not an answer to statement"),
        ({"answer-{sid}": "agree", "weight-{sid}": "5"}, "must be 0, 1 or 2"),
        ({"answer-{sid}": "agree", "method": "astrology"}, "no matching method “astrology”"),
        ({"answer-{sid}": "skip"}, "You have not answered any statement yet"),
        ({"answer-{sid}": "agree", "weight-{sid}": "0"}, "You have not answered any statement"),
        ({}, "The form holds no answers."),
    ],
)
def test_unreadable_answers_get_a_page_not_a_crash(
    client: TestClient, fields: dict[str, str], problem: str
) -> None:
    sid = _slice(client, "en")["statements"][0]["id"]
    data = {k.format(sid=sid): v for k, v in fields.items()}
    page = client.post("/en/demo/results", data=data)
    assert page.status_code == 400
    assert "We could not read your answers" in page.text
    assert problem in html.unescape(page.text)
    assert 'href="/en/demo/"' in page.text


def test_repeated_answer_field_is_refused(client: TestClient) -> None:
    sid = _slice(client, "en")["statements"][0]["id"]
    body = f"answer-{sid}=agree&answer-{sid}=disagree"
    page = client.post(
        "/ka/demo/results",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 400
    assert "თქვენი პასუხების წაკითხვა ვერ მოხერხდა" in page.text


def test_scoring_stores_nothing(client: TestClient, engine: sa.Engine) -> None:
    election = _slice(client, "en")
    answers, weights = _answers(election)
    before = _row_counts(engine)
    assert client.post("/en/demo/results", data=_form(answers, weights)).status_code == 200
    assert client.post("/en/demo/results", data={"answer-x": "y"}).status_code == 400
    assert _row_counts(engine) == before


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_without_answers_the_page_asks_for_them(client: TestClient, lang: str) -> None:
    page = client.get(f"/{lang}/demo/results")
    assert page.status_code == 200
    first = {"en": "Answer the statements first", "ka": "ჯერ მოსაზრებებს უპასუხეთ"}[lang]
    assert first in page.text
    assert f'href="/{lang}/demo/"' in page.text
    # The shell the browser fills: templates and the data block, and no results yet.
    assert '<template id="tpl-rank">' in page.text
    assert 'id="results-data"' in page.text
    assert _ranking(page.text) == []
    assert client.get(f"/{lang}/nope/results").status_code == 404
    assert client.get("/xx/demo/results").status_code == 404


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_headline_states_the_top_match_first(client: TestClient, lang: str) -> None:
    election = _slice(client, lang)
    answers, weights = _answers(election)
    page = client.post(f"/{lang}/demo/results", data=_form(answers, weights))
    assert page.status_code == 200
    body = client.post(
        "/api/v1/elections/demo/match", json={"answers": answers, "weights": weights}
    ).json()
    top = body["results"][0]
    name = next(e["name"] for e in election["entities"] if e["id"] == top["entity"])
    headline = re.search(r'id="headline" data-k="headline">([^<]*)<', page.text)
    assert headline is not None
    text = html.unescape(headline.group(1))
    assert name in text and f"{int(round_half_up(top['score']))}%" in text
    start = {"en": "On the statements you answered", "ka": "თქვენ მიერ პასუხგაცემულ"}[lang]
    assert text.startswith(start)
    # The headline comes before the ranking; the close-to-top detail is inside <details>.
    assert page.text.index('id="headline"') < page.text.index('data-list="rows"')
    assert page.text.index('<details class="summary__detail"') < page.text.index('data-k="close"')


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_fewer_than_five_answers_get_no_result(client: TestClient, lang: str) -> None:
    election = _slice(client, lang)
    ids = [s["id"] for s in election["statements"]]
    option = election["scale"][0]["id"]
    answers: dict[str, str | None] = {sid: None for sid in ids}
    answers.update({sid: option for sid in ids[:4]})
    page = client.post(f"/{lang}/demo/results", data=_form(answers, {}))
    assert page.status_code == 200
    assert _ranking(page.text) == []
    assert 'id="results-too-few">' in page.text  # shown, not hidden
    why = {"en": "at least 5 statements", "ka": "სულ მცირე 5 მოსაზრებას"}[lang]
    assert why in page.text
    assert f'href="/{lang}/demo/quiz"' in page.text
    answers[ids[4]] = option
    page = client.post(f"/{lang}/demo/results", data=_form(answers, {}))
    assert len(_ranking(page.text)) == 7
