"""An election whose content has Russian is served wholly in Russian; one without, not at all.

The net is the same as for Georgian voters: no English UI phrase of the catalogs, no run of
three Latin-script words, and here also no Georgian letter on any Russian voter page.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from api.app import create_app
from api.formatting import long_date
from tests.conftest import DEMO_FILES
from tests.factories import quiz_form, voter_answers, voter_slice
from tests.page_language import english_phrases, foreign_in, visible_text
from tests.russian_election import SLUG, russian_election_files
from tests.soup import parse, select
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings

GEORGIAN = re.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf]+")
SWITCH = "[data-lang-switch]"
"""The language switch names each language in itself (ქართული, English): not UI text."""


@pytest.fixture
def app_client(settings: Settings, engine: sa.Engine, tmp_path: Path) -> TestClient:
    with session_scope(engine) as session:
        load_files(session, paths=russian_election_files(tmp_path))
        load_files(session, paths=DEMO_FILES)
    return TestClient(create_app(settings))


def _russian_pages(client: TestClient, lang: str = "ru") -> dict[str, BeautifulSoup]:
    election = voter_slice(client, lang=lang, election=SLUG)
    answers, weights = voter_answers(election)
    party = election["entities"][0]["id"]
    empty = {f"answer-{s['id']}": "skip" for s in election["statements"]}
    base = f"/{lang}/{SLUG}"
    responses = {
        "home": client.get(f"/{lang}/"),
        "start": client.get(f"{base}/"),
        "quiz": client.get(f"{base}/quiz"),
        "quick": client.get(f"{base}/quick"),
        "method": client.get(f"{base}/method"),
        "privacy": client.get(f"/{lang}/privacy"),
        "statistics": client.get(f"{base}/statistics"),
        "profile": client.get(f"{base}/entities/{party}"),
        "join": client.get(f"/{lang}/join"),
        "results": client.post(f"{base}/results", data=quiz_form(answers, weights)),
        "results, nothing answered": client.post(f"{base}/results", data=empty),
        "not found": client.get(f"/{lang}/no-such-election/"),
    }
    assert responses["not found"].status_code == 404
    shown = {n: r for n, r in responses.items() if n != "not found" and "nothing" not in n}
    assert all(r.status_code == 200 for r in shown.values())
    return {name: parse(response) for name, response in responses.items()}


def test_russian_voter_pages_are_wholly_russian(app_client: TestClient) -> None:
    with app_client as client:
        pages = _russian_pages(client)
    # The home page also lists the flat election, under its own title and language.
    other = [a for a in select(pages["home"], "li.card a") if a.get("href") == "/ka/demo/"]
    assert len(other) == 1
    other[0].decompose()
    phrases = english_phrases("ru")
    assert len(phrases) > 100
    foreign = {
        name: foreign_in(page, phrases, besides=SWITCH, script=GEORGIAN)
        for name, page in pages.items()
    }
    assert {name: found for name, found in foreign.items() if found} == {}
    for name, page in pages.items():
        html = page.find("html")
        assert html is not None and html.get("lang") == "ru", name
    # Russian words a voter reads at each step, from the catalogs and the content.
    assert "Все утверждения (28)" in visible_text(pages["start"], besides=SWITCH)
    assert "Показать мой результат" in visible_text(pages["quiz"], besides=SWITCH)
    assert "Совершенно не согласен" in visible_text(pages["quiz"], besides=SWITCH)
    assert "Ваш результат" in visible_text(pages["results"], besides=SWITCH)
    # The election's day, with a Russian month name.
    assert "4 октября 2025" in visible_text(pages["home"], besides=SWITCH)


def test_the_switch_offers_russian_only_where_the_election_has_it(
    app_client: TestClient,
) -> None:
    with app_client as client:
        own = parse(client.get(f"/ka/{SLUG}/"))
        assert {a.get("hreflang") for a in select(own, "a[data-lang-switch]")} == {
            "ka",
            "en",
            "ru",
        }
        # Each language is named in itself, with a capital where its script has them.
        names = {
            a.get("hreflang"): a.get_text(strip=True) for a in select(own, "a[data-lang-switch]")
        }
        assert names == {"ka": "ქართული", "en": "English", "ru": "Русский"}
        flat = parse(client.get("/ka/demo/"))
        assert {a.get("hreflang") for a in select(flat, "a[data-lang-switch]")} == {"ka", "en"}
        # A Russian address of an election without Russian leads to its own language.
        moved = client.get("/ru/demo/quiz", follow_redirects=False)
        assert moved.status_code == 307
        assert moved.headers["location"] == "/ka/demo/quiz"
        refused = client.post(
            "/api/v1/elections/demo/match", json={"answers": {}, "language": "ru"}
        )
        assert refused.status_code == 400


@pytest.mark.parametrize(
    ("language", "month"), [("ru", "октября"), ("hy", "հոկտեմբերի"), ("az", "oktyabr")]
)
def test_dates_have_the_language_month_names(language: str, month: str) -> None:
    assert month in long_date(dt.date(2025, 10, 4), language)


@pytest.mark.parametrize("language", ["hy", "az"])
def test_armenian_and_azerbaijani_pages_have_no_english_ui(
    settings: Settings, engine: sa.Engine, tmp_path: Path, language: str
) -> None:
    # Their content here is the Russian stand-in: the check is on the interface.
    with session_scope(engine) as session:
        load_files(session, paths=russian_election_files(tmp_path, also=(language,)))
    with TestClient(create_app(settings)) as client:
        pages = _russian_pages(client, language)
    phrases = english_phrases(language)
    assert len(phrases) > 100
    shown = {
        name: visible_text(page, besides=SWITCH) for name, page in pages.items()
    }  # once a page
    english = {name: [p for p in phrases if p in text] for name, text in shown.items()}
    assert {name: found for name, found in english.items() if found} == {}
    for name, page in pages.items():
        html = page.find("html")
        assert html is not None and html.get("lang") == language, name
