"""Quick mode's pages through the real app: the start page's choice, one statement per page
without JavaScript (answers carried in the form, stored nowhere), bad forms, the method page.

Each page must ask what POST /next asks for the same answers, and show its certainty.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.static_export import export_static
from tests.conftest import DATA
from tests.soup import alerts, content, one, parse, texts
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings

QUICK = "/en/demo/quick"


def _asked(html: str) -> list[str]:
    """The statements shown and enabled on a quick page (the others are hidden, disabled)."""
    cards = re.findall(
        r'<fieldset class="statement" id="s-([\w-]+)" data-id="[\w-]+"([^>]*)>', html
    )
    return [sid for sid, rest in cards if "disabled" not in rest]


def _carried(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="quick-carried" name="([\w-]+)" value="([\w-]+)"', html))


def _next(client: TestClient, answers: dict[str, str | None], slug: str = "demo") -> dict:
    r = client.post(f"/api/v1/elections/{slug}/next", json={"answers": answers})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_start_page_offers_quick_mode_and_every_statement(client: TestClient) -> None:
    page = client.get("/ka/demo/").text
    assert 'href="/ka/demo/quick"' in page and "სწრაფი რეჟიმი" in page
    assert 'href="/ka/demo/quiz"' in page and "სრული კითხვარი: 28 მოსაზრება" in page


def test_without_javascript_each_answer_brings_the_engines_next_statement(
    client: TestClient,
) -> None:
    page = client.get(QUICK).text
    first = _next(client, {})
    assert _asked(page) == [first["statement"]]
    assert 'id="quick-sure" hidden' in page  # no certainty before an answer
    answers: dict[str, str | None] = {}
    form: dict[str, str] = {}
    important = ""
    for n, answer in enumerate(["agree", "skip", "disagree-strongly", "agree", "neutral"]):
        (shown,) = _asked(page)
        fields = {**form, "shown": shown}
        if answer != "skip" or n % 2:  # once: "Next" with nothing chosen skips too
            fields[f"answer-{shown}"] = answer
        answers[shown] = None if answer == "skip" else answer
        if n == 3:
            fields[f"weight-{shown}"] = "2"  # marked important: carried on, and counted
            important = shown
        r = client.post(QUICK, data=fields)
        assert r.status_code == 200, r.text
        page = r.text
        weights = {important: 2} if n >= 3 else {}
        r = client.post(
            "/api/v1/elections/demo/next", json={"answers": answers, "weights": weights}
        )
        expected = r.json()
        assert _asked(page) == [expected["statement"]]
        assert expected["statement"] not in answers
        percent = int(100 * expected["certainty"] + 0.5)
        assert f"{percent}% sure that it would stay the same" in page
        form = _carried(page)
        assert form == {
            **{f"answer-{k}": v or "skip" for k, v in answers.items()},
            **{f"weight-{k}": str(w) for k, w in weights.items()},
        }
        assert f"skipped: {n + 1} of 28" in page


def test_settled_offers_to_stop_and_posts_to_the_result(client: TestClient) -> None:
    # green-coast's own answers settle the demo after five (certainty 0.9725)
    party = client.get("/api/v1/elections/demo/bundle").json()["entities"]
    positions = next(e for e in party if e["id"] == "green-coast")["positions"]
    answers: dict[str, str | None] = {}
    page = client.get(QUICK).text
    while 'id="quick-settled"' in page and re.search(r'id="quick-settled"[^>]* hidden', page):
        (shown,) = _asked(page)
        answers[shown] = positions[shown]["answer"]
        data = {f"answer-{k}": v or "skip" for k, v in answers.items()}
        page = client.post(QUICK, data={**data}).text
        assert len(answers) < 15
    assert _next(client, answers)["settled"] and len(answers) >= 5
    assert "Your top match is settled" in page
    assert 'formaction="/en/demo/results"' in page and 'href="#quick-question"' in page
    # "Show my result" posts the carried answers to the result page, which scores them
    result = client.post("/en/demo/results", data=_carried(page))
    assert result.status_code == 200 and "Green Coast" in content(parse(result))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ("shown=no-such", "no-such"),
        ("answer-e-petitions=maybe", "maybe"),
        ("weight-e-petitions=7", "weight-e-petitions"),
        ("answer-e-petitions=agree&answer-e-petitions=skip", "given twice"),
    ],
)
def test_a_bad_form_is_a_clear_400(client: TestClient, fields: str, problem: str) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = client.post(QUICK, content=fields, headers=form)
    assert r.status_code == 400
    refusal = alerts(parse(r))
    assert "Your answers could not be read." in refusal and problem in refusal


@pytest.fixture
def races(settings: Settings, demo: sa.Engine) -> Iterator[TestClient]:
    with session_scope(demo) as session:
        load_files(session, paths=[DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"])
    with TestClient(create_app(settings)) as client:
        yield client


def test_quick_mode_carries_the_place(races: TestClient) -> None:
    start = races.get("/en/races/").text
    assert 'href="/en/races/place?next=quick"' in start
    place = races.get("/en/races/place?next=quick").text
    assert 'action="/en/races/quick"' in place
    page = races.get("/en/races/quick?place=d1").text
    assert '<input type="hidden" name="place" value="d1">' in page
    (shown,) = _asked(page)
    after = races.post("/en/races/quick", data={"place": "d1", f"answer-{shown}": "agree"}).text
    assert '<input type="hidden" name="place" value="d1">' in after
    # the first race on the ballot (the mayor's) is the one quick mode separates
    r = races.post(
        "/api/v1/elections/races/next", json={"answers": {shown: "agree"}, "race": "mayor"}
    ).json()
    assert _asked(after) == [r["statement"]]
    assert f"{int(100 * r['certainty'] + 0.5)}% sure" in after


def test_the_method_page_defines_the_certainty_with_an_example(client: TestClient) -> None:
    page = parse(client.get("/en/demo/method"))
    one(page, "#certainty")
    said = " ".join(texts(page, "main p"))
    assert "We imagine 400 voters who gave exactly your answers so far" in said
    # the engine's numbers with the tempered posterior (docs/adaptive.md, worked example)
    assert "43% of the imagined voters are like party A, 13% like party B, 29% halfway" in said
    assert "for 349 of the 400 party A stays at the top: the certainty is 87%" in said
    assert "Each of your answers counts here as 85% of a full answer." in said
    assert "When the certainty reaches 90%, and you have answered at least 5" in said
    ka = " ".join(texts(parse(client.get("/ka/demo/method")), "main p"))
    assert "400-დან 349-ის შემთხვევაში" in ka
    assert "სრული პასუხის 85%-ად ითვლება" in ka


def test_the_static_export_holds_quick_mode_and_every_module_it_imports(
    client: TestClient, tmp_path: Path
) -> None:
    written = export_static(client.app, ["demo"], tmp_path)  # type: ignore[arg-type]
    assert tmp_path / "ka" / "demo" / "quick.html" in written
    modules = [p for p in written if p.suffix == ".js"]
    assert any(p.name == "adaptive.js" for p in modules)
    for module in modules:
        for name in re.findall(r'from "\./([\w.-]+\.js)"', module.read_text(encoding="utf-8")):
            assert (module.parent / name).is_file(), f"{module} imports a missing {name}"


def test_when_every_statement_is_seen_the_page_offers_the_result(client: TestClient) -> None:
    ids = [
        s["id"]
        for s in client.get("/api/v1/elections/demo/bundle").json()["questionnaire"]["statements"]
    ]
    data = {f"answer-{sid}": "agree" if i % 3 else "skip" for i, sid in enumerate(ids)}
    page = client.post(QUICK, data=data).text
    assert _asked(page) == []
    assert re.search(r'id="quick-done"\s*>', page) and 'id="quick-next" hidden' in page
    assert "Your top match is settled: 100% sure" in page
    assert re.search(r'formaction="/en/demo/results" id="quick-result"\s*>', page)
