"""The result page without JavaScript: the server scores the posted answers, stores nothing."""

import re
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.factories import quiz_form, voter_answers, voter_slice
from tests.soup import fields, one, parse, select, shown, text, texts
from vaa.matching import round_half_up


def _ranking(page: BeautifulSoup) -> list[tuple[str, str]]:
    """(entity, shown percentage) for every row of the ranking, in page order."""
    return [
        (str(row["data-entity"]), text(one(row, "[data-k=pct]")))
        for row in select(page, "[data-list=rows] > li.rank")
    ]


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
    election = voter_slice(client, lang=lang)
    answers, weights = voter_answers(election)
    response = client.post(f"/{lang}/demo/results", data=quiz_form(answers, weights))
    assert response.status_code == 200
    api = client.post(
        "/api/v1/elections/demo/match",
        json={"answers": answers, "weights": weights, "language": lang},
    ).json()
    page = parse(response)
    shown_ranking = _ranking(page)
    assert shown_ranking == _expected(api)
    assert len(shown_ranking) == len(election["entities"])  # every party, none hidden
    top = api["results"][0]
    top_row = select(page, "[data-list=rows] > li.rank")[0]
    assert text(one(top_row, ".rank__name [data-k=name]")) == top["name"]
    assert f"({int(round_half_up(top['score']))}%)" in text(one(page, "#headline"))
    low, high = (int(round_half_up(v)) for v in top["interval"])
    likely = {
        "en": f"likely between {low}% and {high}%",
        "ka": f"სავარაუდოდ {low}%-დან {high}%-მდე",
    }
    assert likely[lang] in text(one(top_row, ".rank__note"))


def test_method_switch_reposts_the_answers_with_a_method(client: TestClient) -> None:
    election = voter_slice(client, lang="en")
    answers, weights = voter_answers(election)
    for method in ["cityblock", "euclidean", "directional", "hybrid"]:
        page = parse(
            client.post("/en/demo/results", data=quiz_form(answers, weights, method=method))
        )
        api = client.post(
            "/api/v1/elections/demo/match",
            json={"answers": answers, "weights": weights, "method": method},
        ).json()
        assert _ranking(page) == _expected(api)
        assert fields(one(page, "#method-form"))["method"] == [method]
    # Recalculating sends every answer again, from hidden fields.
    sent = fields(one(page, "#method-form"))
    for sid, option in answers.items():
        assert sent[f"answer-{sid}"] == [option or "skip"]


def test_result_explains_itself_statement_by_statement(client: TestClient) -> None:
    election = voter_slice(client, lang="en")
    answers, weights = voter_answers(election)
    page = parse(client.post("/en/demo/results", data=quiz_form(answers, weights)))
    reasons = client.get(
        f"/api/v1/elections/demo/bundle/{election['version']}/en/justifications"
    ).json()["entities"]
    entity, statements = next((e, r) for e, r in reasons.items() if r)
    sid, reason = next(iter(statements.items()))
    name = next(e["name"] for e in election["entities"] if e["id"] == entity)
    item = one(page, f'li.st[data-statement="{sid}"]')
    party = next(p for p in select(item, "li.sp") if text(one(p, "[data-k=name]")) == name)
    assert text(one(party, ".sp__why")) == reason["justification"]
    # The voter can change an answer on the page: each statement has its select.
    assert len(select(page, "#statements-form select[name^=answer-]")) == len(
        election["statements"]
    )


def test_compare_two_parties(client: TestClient) -> None:
    election = voter_slice(client, lang="en")
    answers, weights = voter_answers(election)
    a, b = election["entities"][0], election["entities"][-1]
    pair = {"compare-a": a["id"], "compare-b": b["id"]}
    page = parse(client.post("/en/demo/results", data=quiz_form(answers, weights, **pair)))
    differ = [
        s for s in election["statements"] if a["answers"].get(s["id"]) != b["answers"].get(s["id"])
    ]
    summary = f"{a['name']} and {b['name']} answer {len(differ)} of {len(election['statements'])} statements differently."
    assert text(one(page, ".compare-summary")) == summary
    assert sorted(texts(page, "[data-list=compare] > li.cmp .cmp__text")) == sorted(
        s["text"] for s in differ
    )


@pytest.mark.parametrize(
    ("fields_sent", "problem"),
    [
        ({"answer-no-such-statement": "agree"}, "unknown statement"),
        ({"answer-{sid}": "maybe"}, "is not an answer option"),
        ({"answer-{sid}": "agree", "weight-{sid}": "5"}, "must be 0, 1 or 2"),
        ({"answer-{sid}": "agree", "method": "astrology"}, "unknown method"),
        ({}, "no answers"),
    ],
)
def test_unreadable_answers_get_a_page_not_a_crash(
    client: TestClient, fields_sent: dict[str, str], problem: str
) -> None:
    sid = voter_slice(client, lang="en")["statements"][0]["id"]
    data = {k.format(sid=sid): v for k, v in fields_sent.items()}
    response = client.post("/en/demo/results", data=data)
    assert response.status_code == 400
    alert = one(parse(response), "[role=alert]")
    assert text(one(alert, "h2")) == "We could not read your answers"
    assert problem in text(alert)
    assert one(alert, "a.button")["href"] == "/en/demo/"


def test_repeated_answer_field_is_refused(client: TestClient) -> None:
    sid = voter_slice(client, lang="en")["statements"][0]["id"]
    body = f"answer-{sid}=agree&answer-{sid}=disagree"
    response = client.post(
        "/ka/demo/results",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert text(one(parse(response), "[role=alert] h2")) == "თქვენი პასუხების წაკითხვა ვერ მოხერხდა"


def test_scoring_stores_nothing(client: TestClient, engine: sa.Engine) -> None:
    election = voter_slice(client, lang="en")
    answers, weights = voter_answers(election)
    before = _row_counts(engine)
    assert client.post("/en/demo/results", data=quiz_form(answers, weights)).status_code == 200
    assert client.post("/en/demo/results", data={"answer-x": "y"}).status_code == 400
    assert _row_counts(engine) == before


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_without_answers_the_page_asks_for_them(client: TestClient, lang: str) -> None:
    response = client.get(f"/{lang}/demo/results")
    assert response.status_code == 200
    page = parse(response)
    empty = one(page, "#results-empty")
    first = {"en": "Answer the statements first", "ka": "ჯერ მოსაზრებებს უპასუხეთ"}[lang]
    assert shown(empty) and text(one(empty, "h2")) == first
    assert one(empty, "a.button")["href"] == f"/{lang}/demo/"
    # The shell the browser fills: templates and the data block, and no results yet.
    assert select(page, "template#tpl-rank")
    assert select(page, "script#results-data")
    assert _ranking(page) == []
    assert not shown(one(page, "#results"))
    assert client.get(f"/{lang}/nope/results").status_code == 404
    assert client.get("/xx/demo/results").status_code == 404


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_headline_states_the_top_match_first(client: TestClient, lang: str) -> None:
    election = voter_slice(client, lang=lang)
    answers, weights = voter_answers(election)
    response = client.post(f"/{lang}/demo/results", data=quiz_form(answers, weights))
    assert response.status_code == 200
    body = client.post(
        "/api/v1/elections/demo/match", json={"answers": answers, "weights": weights}
    ).json()
    top = body["results"][0]
    name = next(e["name"] for e in election["entities"] if e["id"] == top["entity"])
    page = parse(response)
    headline = text(one(page, "#headline"))
    assert name in headline and f"{int(round_half_up(top['score']))}%" in headline
    start = {"en": "On the statements you answered", "ka": "თქვენ მიერ პასუხგაცემულ"}[lang]
    assert headline.startswith(start)
    # The headline comes before the ranking; the close-to-top detail is inside <details>.
    first = select(page, "#headline, [data-list=rows]")[0]
    assert first.get("id") == "headline"
    assert select(page, "details#certainty [data-k=close]")


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_fewer_than_five_answers_get_no_result(client: TestClient, lang: str) -> None:
    election = voter_slice(client, lang=lang)
    ids = [s["id"] for s in election["statements"]]
    option = election["scale"][0]["id"]
    answers: dict[str, str | None] = {sid: None for sid in ids}
    answers.update({sid: option for sid in ids[:4]})
    page = parse(client.post(f"/{lang}/demo/results", data=quiz_form(answers)))
    assert _ranking(page) == []
    too_few = one(page, "#results-too-few")
    assert shown(too_few)
    why = {"en": "at least 5 statements", "ka": "სულ მცირე 5 მოსაზრებას"}[lang]
    assert why in text(too_few)
    assert one(too_few, "a.button")["href"] == f"/{lang}/demo/quiz"
    answers[ids[4]] = option
    page = parse(client.post(f"/{lang}/demo/results", data=quiz_form(answers)))
    assert len(_ranking(page)) == 7


# --------------------------------------------------------------------------- no dead ends
# Without JavaScript the answers live only in the page; every way on must carry them.


def _result(client: TestClient, lang: str, **extra: str) -> BeautifulSoup:
    answers, weights = voter_answers(voter_slice(client, lang=lang))
    response = client.post(f"/{lang}/demo/results", data=quiz_form(answers, weights, **extra))
    assert response.status_code == 200
    return parse(response)


def _submit(client: TestClient, form: Any, **extra: str) -> BeautifulSoup:
    """Send a form of a page as the browser would, with any extra fields ticked."""
    sent = {name: values[-1] for name, values in fields(form).items()}
    response = client.post(str(form["action"]), data={**sent, **extra})
    assert response.status_code == 200, text(parse(response).find("main"))
    return parse(response)


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_without_javascript_no_share_link_is_offered_but_the_page_can_be_kept(
    client: TestClient, lang: str
) -> None:
    page = _result(client, lang)
    # A share link carries the answers in its fragment, which only the script can read.
    assert not shown(one(page, "#share-link"))
    keep = one(page, "#share [data-nojs-share]")
    assert shown(keep)
    says = {
        "en": "save this page or print it from your browser's menu",
        "ka": "შეინახეთ ან ამობეჭდეთ ეს გვერდი ბრაუზერის მენიუდან",
    }[lang]
    assert says in text(keep)
    # The page the script fills still has the link, for results.js to reveal.
    shell = parse(client.get(f"/{lang}/demo/results"))
    assert select(shell, "#share [data-share-link] #share-link")


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_switching_language_keeps_the_answers(client: TestClient, lang: str) -> None:
    other = {"ka": "en", "en": "ka"}[lang]
    page = _result(client, lang, method="directional")
    switch = one(page, f"nav.lang-switch form[action='/{other}/demo/results']")
    assert text(switch) == {"en": "English", "ka": "ქართული"}[other]
    assert one(page, "nav.lang-switch [aria-current]").name == "span"  # no link to lose them
    switched = _submit(client, switch)
    assert one(switched, "html")["lang"] == other
    answers, weights = voter_answers(voter_slice(client, lang=other))
    api = client.post(
        "/api/v1/elections/demo/match",
        json={"answers": answers, "weights": weights, "method": "directional"},
    ).json()
    assert _ranking(switched) == _expected(api)
    assert fields(one(switched, "#method-form"))["method"] == ["directional"]


def test_after_donating_back_to_your_result_shows_it(client: TestClient, engine: sa.Engine) -> None:
    a, b = (e["id"] for e in voter_slice(client, lang="ka")["entities"][:2])
    page = _result(client, "ka", method="hybrid", **{"compare-a": a, "compare-b": b})
    ranking = _ranking(page)
    thanks = _submit(client, one(page, "#donate-form"), consent="yes")
    assert "თქვენი პასუხები ანონიმურად დაემატა სტატისტიკას" in text(one(thanks, "[role=status]"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM donation")).scalar_one() == 1
    before = _row_counts(engine)
    back = one(thanks, "form[action='/ka/demo/results']")
    assert text(back) == "თქვენს შედეგზე დაბრუნება"
    again = _submit(client, back)
    assert _ranking(again) == ranking
    assert fields(one(again, "#method-form"))["method"] == ["hybrid"]
    assert fields(one(again, "#compare-form"))["compare-a"] == [a]
    # The statistics page's language switch keeps the way back too; nothing more is stored.
    english = _submit(client, one(thanks, "nav.lang-switch form[action='/en/demo/statistics']"))
    assert one(english, "html")["lang"] == "en"
    assert _ranking(_submit(client, one(english, "form[action='/en/demo/results']"))) == ranking
    assert _row_counts(engine) == before


@pytest.mark.parametrize("lang", ["ka", "en"])
@pytest.mark.parametrize("weight", ["1", "0"])
def test_nothing_answered_is_said_in_the_page_language(
    client: TestClient, lang: str, weight: str
) -> None:
    election = voter_slice(client, lang=lang)
    answers: dict[str, str | None] = {s["id"]: None for s in election["statements"]}
    first = election["statements"][0]["id"]
    if weight == "0":  # answered, but left out of the calculation
        answers[first] = election["scale"][0]["id"]
    response = client.post(f"/{lang}/demo/results", data=quiz_form(answers, {first: int(weight)}))
    assert response.status_code == 200
    page = parse(response)
    assert not select(page, "[role=alert]")
    too_few = text(one(page, "#results-too-few"))
    says = {
        "en": "Please answer at least 5 statements",
        "ka": "გთხოვთ, უპასუხოთ სულ მცირე 5 მოსაზრებას",
    }[lang]
    assert says in too_few
    if lang == "ka":
        assert not re.search("[A-Za-z]", too_few), too_few
