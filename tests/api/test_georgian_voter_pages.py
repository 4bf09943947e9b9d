"""A Georgian voter reads no English sentence on any page of the voter's path.

Two nets: the English UI strings (a msgid whose Georgian differs, a phrase of several
words) must not appear in the visible text, and no run of three or more Latin-script
words may appear either (that catches English that never went through a catalog: a
domain message, a hard-coded label, an English fallback of the content).
"""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import SHIPPED_DEMO_FILES
from tests.factories import quiz_form, voter_answers, voter_slice
from tests.page_language import english_phrases, foreign_in
from tests.soup import parse
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings


def _english_in(page: BeautifulSoup, phrases: set[str]) -> list[str]:
    # Words marked lang=en (the language switch's "English") are English on purpose.
    return foreign_in(page, phrases, besides="[lang=en]")


@pytest.fixture
def voter_pages(settings: Settings, engine: sa.Engine) -> dict[str, BeautifulSoup]:
    """Every page of the shipped Zugdidi demo a Georgian voter can reach, in one district."""
    with session_scope(engine) as session:
        load_files(session, paths=SHIPPED_DEMO_FILES)
    with TestClient(create_app(settings)) as client:
        return _pages(client)


def _pages(client: TestClient) -> dict[str, BeautifulSoup]:
    election = voter_slice(client, lang="ka")
    district = next(c["id"] for c in election["constituencies"] if c.get("within"))
    answers, weights = voter_answers(election)
    party = next(e for e in election["entities"] if e.get("kind", "party") == "party")
    empty = {f"answer-{s['id']}": "skip" for s in election["statements"]}
    pages = {
        "home": client.get("/ka/"),
        "start": client.get("/ka/demo/"),
        "place": client.get("/ka/demo/place"),
        "quiz": client.get(f"/ka/demo/quiz?place={district}"),
        "quick": client.get("/ka/demo/quick"),
        "method": client.get("/ka/demo/method"),
        "privacy": client.get("/ka/privacy"),
        "statistics": client.get("/ka/demo/statistics"),
        "profile": client.get(f"/ka/demo/entities/{party['id']}"),
        "join": client.get("/ka/join"),
        "results": client.post(
            "/ka/demo/results", data=quiz_form(answers, weights, place=district)
        ),
        "results, nothing answered": client.post(
            "/ka/demo/results", data={**empty, "place": district}
        ),
        "not found": client.get("/ka/no-such-election/"),
    }
    return {name: parse(response) for name, response in pages.items()}


def test_georgian_voter_pages_show_no_english(voter_pages: dict[str, BeautifulSoup]) -> None:
    phrases = english_phrases("ka")
    assert len(phrases) > 100
    english = {name: _english_in(page, phrases) for name, page in voter_pages.items()}
    assert {name: found for name, found in english.items() if found} == {}


def test_the_check_sees_english_when_it_is_there(voter_pages: dict[str, BeautifulSoup]) -> None:
    page = voter_pages["start"]
    assert page.body is not None
    page.body.append(BeautifulSoup("<p>Which party agrees with you most?</p>", "html.parser"))
    assert _english_in(page, english_phrases("ka"))
