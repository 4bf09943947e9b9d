"""Quick mode in a real browser, on a 360 px phone in Georgian: with JavaScript and without.

A voter close to one party answers the statements quick mode asks. Each statement and
each certainty the page shows are the Python engine's (POST /next for the same answers,
asked by the test, not the page); the voter sees the certainty, is offered to stop
when settled, goes on once, then stops and gets a result.
"""

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request

from tests.browser.conftest import PHONE
from tests.browser.test_results import _axe, _stored, _watch

pytestmark = pytest.mark.browser

Election = dict[str, Any]
SHOTS = Path("/tmp/quick-shots")
VOTER = "green-coast"  # the voter answers as this party does, with one change
LIMIT = 28


def _next(base: str, answers: dict[str, str | None]) -> dict[str, Any]:
    """The Python engine's step for these answers."""
    r = httpx.post(f"{base}/api/v1/elections/demo/next", json={"answers": answers})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _answer_of(election: Election, sid: str) -> str:
    party = next(e for e in election["entities"] if e["id"] == VOTER)
    answer: str = party["answers"].get(sid, "neutral")
    return "neutral" if sid == "small-hydro" else answer  # a voter is not a copy


def _shown(page: Page) -> str | None:
    cards = page.locator("#quick .statement:not([hidden])")
    assert cards.count() <= 1
    return cards.first.get_attribute("data-id") if cards.count() else None


def _percent(page: Page) -> int:
    text = page.locator("#quick-sure-text").text_content() or ""
    found = re.search(r"(\d+)%", text)
    assert found, text
    return int(found.group(1))


def _check_step(page: Page, base: str, answers: dict[str, str | None]) -> dict[str, Any]:
    """The page asks what the engine would ask, and shows its certainty."""
    expected = _next(base, answers)
    assert _shown(page) == expected["statement"]
    if answers:
        assert page.locator("#quick-sure").is_visible()
        assert _percent(page) == int(100 * expected["certainty"] + 0.5)
    else:
        assert page.locator("#quick-sure").is_hidden()
    return expected


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)  # no hover
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / name))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_quick_mode_on_a_phone_in_georgian(
    browser: Browser, live_server: str, slices: dict[str, Election], javascript: bool
) -> None:
    election = slices["ka"]
    context = browser.new_context(viewport=PHONE, locale="ka-GE", java_script_enabled=javascript)
    page = context.new_page()
    problems = _watch(page)
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    page.goto(f"{live_server}/ka/demo/")
    page.locator("#start-quick a").click()
    page.wait_for_url("**/ka/demo/quick")
    if javascript:
        page.wait_for_selector("#quick[data-ready]")
    answers: dict[str, str | None] = {}
    went_on = False
    for _ in range(LIMIT):
        step = _check_step(page, live_server, answers)
        settled = page.locator("#quick-settled")
        if step["settled"] and len(answers) >= 5:
            assert "გარკვეულია" in (page.locator("#quick-sure-text").text_content() or "")
            if went_on:
                # went on once: with JavaScript the offer stays out of the way, without
                # it every page offers to stop again
                assert settled.is_visible() != javascript
                break
            assert settled.is_visible()
            _shot(page, f"quick-settled-ka-{'js' if javascript else 'nojs'}.png")
            page.locator("#quick-continue").click()  # go on: answer one more
            went_on = True
            if javascript:
                assert settled.is_hidden()
        elif not went_on:
            assert settled.is_hidden()
        sid = step["statement"]
        assert sid is not None and sid not in answers
        answers[sid] = _answer_of(election, sid)
        card = page.locator(f"#s-{sid}")
        card.locator("label", has=page.locator(f"input[value='{answers[sid]}']")).click()
        if not javascript:
            page.locator("#quick-next").click()
            page.wait_for_load_state()
        else:
            page.wait_for_function(
                "sid => !document.querySelector(`#s-${sid}`).checkVisibility()", arg=sid
            )
        if len(answers) == 2:
            _shot(page, f"quick-ka-{'js' if javascript else 'nojs'}.png")
    assert went_on, "quick mode never said the top match was settled"
    assert len(answers) < len(election["statements"]) / 2 + 2
    # stop: the offer's button without JavaScript, the one under the statement with it
    page.locator("#quick-result" if javascript else "#quick-stop").click()
    page.wait_for_url("**/ka/demo/results")
    page.wait_for_selector("[data-list=rows] > li")
    assert page.locator("[data-list=rows] > li").count() == len(election["entities"])
    if javascript:
        stored = _stored(page)
        assert stored is not None
        assert {k: v for k, v in stored["answers"].items() if v is not None} == answers
        quick = json.loads(page.evaluate("localStorage.getItem('vaa:quick:demo')"))
        assert quick["settled"] is True and quick["answered"] == len(answers)
        assert posts == []  # the answers never left the device
    else:
        # one POST per answer, then the result; nothing else
        assert len(posts) == len(answers) + 1
        assert posts[-1].url == f"{live_server}/ka/demo/results"
    assert problems == []
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_quick_quiz_screenshots(browser: Browser, live_server: str, lang: str) -> None:
    """The quick quiz at 360 x 740 after three answers: fits the width, certainty shown."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/demo/quick")
    page.wait_for_selector("#quick[data-ready]")
    for _ in range(3):
        card = page.locator("#quick .statement:not([hidden])")
        sid = card.get_attribute("data-id")
        card.locator("label", has=page.locator("input[value='agree']")).click()
        page.wait_for_function(
            "sid => !document.querySelector(`#s-${sid}`).checkVisibility()", arg=sid
        )
    assert page.locator("#quick-sure").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, f"quick-{lang}-phone.png")
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_quick_pages_are_accessible(browser: Browser, live_server: str, lang: str) -> None:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(f"{live_server}/{lang}/demo/quick")
    page.wait_for_selector("#quick[data-ready]")
    found["first statement"] = _axe(page)
    party = _party(live_server, lang)
    for _ in range(12):
        if page.locator("#quick-settled").is_visible():
            break
        card = page.locator("#quick .statement:not([hidden])")
        sid = card.get_attribute("data-id") or ""
        answer = party["answers"].get(sid, "neutral")
        card.locator("label", has=page.locator(f"input[value='{answer}']")).click()
        page.wait_for_function(
            "sid => !document.querySelector(`#s-${sid}`).checkVisibility()", arg=sid
        )
    assert page.locator("#quick-settled").is_visible()
    found["settled"] = _axe(page)
    assert {name: v for name, v in found.items() if v} == {}
    context.close()


def _party(base: str, lang: str) -> dict[str, Any]:
    bundle = httpx.get(f"{base}/api/v1/elections/demo").json()["bundle"]
    election = httpx.get(f"{base}{bundle}/{lang}").json()
    party: dict[str, Any] = next(e for e in election["entities"] if e["id"] == VOTER)
    return party


def test_quick_mode_resumes_where_the_voter_left_off(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{live_server}/ka/demo/quick")
    page.wait_for_selector("#quick[data-ready]")
    answers: dict[str, str | None] = {}
    for _ in range(2):
        sid = _shown(page) or ""
        answers[sid] = _answer_of(slices["ka"], sid)
        page.locator(f"#s-{sid} label", has=page.locator(f"input[value='{answers[sid]}']")).click()
        page.wait_for_function(
            "sid => !document.querySelector(`#s-${sid}`).checkVisibility()", arg=sid
        )
    page.goto(f"{live_server}/ka/demo/")
    resume = page.locator("#start-resume .button--big")
    assert resume.is_visible() and page.locator("#start-quick").is_hidden()
    resume.click()
    page.wait_for_selector("#quick[data-ready]")  # quick.js has read the stored answers
    _check_step(page, live_server, answers)  # the stored answers, the engine's next
    # switching to every statement: the full quiz, and the start page continues there
    page.locator("a[href='/ka/demo/quiz']").click()
    page.wait_for_selector("#quiz.quiz--js")  # quiz.js has run
    page.goto(f"{live_server}/ka/demo/")
    assert (resume.get_attribute("href") or "").endswith("/ka/demo/quiz")
    assert problems == []
    context.close()
