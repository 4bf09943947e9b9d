"""The quiz in a real browser: completed by pointer, by keyboard and without JavaScript.

Every way through the quiz ends on a result equal to the API's for the same answers;
the answers never leave the device; the pages pass axe-core and fit a 320 px screen.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_results import (
    _api,
    _axe,
    _ranking,
    _record,
    _stored,
    _watch,
)

pytestmark = pytest.mark.browser

Election = dict[str, Any]
# Statements visited twice on the way: going back after BACK_AT, reloading before RELOAD_AT.
BACK_AT = 4
RELOAD_AT = 12
# Answered with "Next" and nothing chosen, which skips.
NEXT_SKIPS = 10


def _current(page: Page) -> Locator:
    return page.locator("#quiz .statement:not([hidden])")


def _at(page: Page, election: Election, i: int) -> None:
    """The quiz shows statement i (0-based), and says so."""
    total = len(election["statements"])
    page.wait_for_selector("#quiz.quiz--js")  # a page just opened: its script takes over
    assert _current(page).count() == 1
    assert _current(page).get_attribute("data-id") == election["statements"][i]["id"]
    assert f"{i + 1}" in (page.locator("#quiz-step").text_content() or "")
    assert page.locator("#quiz-bar").get_attribute("value") == str(i + 1)
    assert str(total) in (page.locator("#quiz-step").text_content() or "")


def _option(step: Locator, value: str | None) -> Locator:
    """The label of an answer (None: skip) on a statement's card."""
    return step.locator("label", has=step.page.locator(f"input[value='{value or 'skip'}']"))


def _past_weights(page: Page) -> None:
    """The optional step after the last statement: leave the weights as they are."""
    page.locator("#quiz-weights").wait_for()
    page.locator("#quiz-next").click()


def _results(page: Page) -> None:
    page.wait_for_url("**/demo/results")
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")


def _assert_stored(page: Page, record: dict[str, Any]) -> None:
    stored = _stored(page)
    assert stored is not None
    assert stored["answers"] == record["answers"]
    assert stored["weights"] == record["weights"]
    assert stored["version"] == record["version"]


@pytest.fixture
def bare(browser: Browser) -> Iterator[BrowserContext]:
    """A phone context that lets the tests inject axe-core."""
    context = browser.new_context(viewport=PHONE, locale="ka-GE", bypass_csp=True)
    yield context
    context.close()


@pytest.mark.parametrize(
    ("lang", "viewport"), [("ka", PHONE), ("en", DESKTOP)], ids=["ka-phone", "en-desktop"]
)
def test_quiz_with_javascript_gives_the_api_result(
    browser: Browser, live_server: str, slices: dict[str, Election], lang: str, viewport: Any
) -> None:
    election = slices[lang]
    record = _record(election)
    ids = [s["id"] for s in election["statements"]]
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{live_server}/{lang}/demo/")
    page.locator("#start-new a").click()
    page.wait_for_url("**/demo/quiz")
    # The intro stays (the first statement must not move when quiz.js takes over).
    assert page.locator("#quiz-intro").is_visible() and page.locator("#quiz-nav").is_visible()
    assert page.locator("#quiz-back").is_disabled()
    for i, sid in enumerate(ids):
        if i == RELOAD_AT:
            page.reload()
        _at(page, election, i)
        step = _current(page)
        if i == 0:
            step.locator(".statement__info summary").click()
            assert step.locator(".statement__info p").is_visible()
        if record["weights"].get(sid) == 2:
            step.locator("label.important").click()
        answer = record["answers"][sid]
        if i == NEXT_SKIPS:
            assert answer is None
            page.locator("#quiz-next").click()
        else:
            _option(step, answer).click()
        if i == BACK_AT:
            page.locator("#quiz-back").click()
            _at(page, election, i)
            assert _option(step, answer).locator("input").is_checked()
            page.locator("#quiz-next").click()
        if i < len(ids) - 1:
            _at(page, election, i + 1)
    _past_weights(page)
    _results(page)
    assert _ranking(page) == _api(live_server, record, lang)
    _assert_stored(page, record)
    assert problems == []
    context.close()


@pytest.mark.parametrize(
    ("lang", "viewport"), [("ka", DESKTOP), ("en", PHONE)], ids=["ka-desktop", "en-phone"]
)
def test_quiz_without_javascript_posts_one_form(
    browser: Browser, live_server: str, slices: dict[str, Election], lang: str, viewport: Any
) -> None:
    election = slices[lang]
    record = _record(election)
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    page.goto(f"{live_server}/{lang}/demo/")
    page.locator("#start-new a").click()
    page.wait_for_url("**/demo/quiz")
    cards = page.locator("#quiz .statement")
    assert cards.count() == len(election["statements"])
    assert page.locator("#quiz-nav").is_hidden() and page.locator("#quiz-intro").is_visible()
    for sid, answer in record["answers"].items():
        radio = page.locator(f"input[name='answer-{sid}'][value='{answer or 'skip'}']")
        if answer is None:
            assert radio.is_checked()  # skipping is the default, not neutral
        else:
            radio.check()
        if record["weights"].get(sid) == 2:
            page.locator(f"input[name='weight-{sid}']").check()
    page.locator("#quiz-submit").click()
    page.wait_for_url("**/demo/results")
    page.wait_for_selector("[data-list=rows] > li")
    assert _ranking(page) == _api(live_server, record, lang)
    assert len(posts) == 1 and posts[0].url == f"{live_server}/{lang}/demo/results"
    context.close()


def test_quiz_by_keyboard_alone_with_reduced_motion(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    """Digits answer, S skips, I marks important, Backspace goes back, Tab and Enter move."""
    election = slices["ka"]
    record = _record(election)
    ids = [s["id"] for s in election["statements"]]
    options = [o["id"] for o in election["scale"]]
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    problems = _watch(page)
    keys = page.keyboard

    def tab_to(selector: str) -> None:
        for _ in range(30):
            keys.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.goto(f"{live_server}/ka/demo/")
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    tab_to("#start-new a")
    keys.press("Enter")
    page.wait_for_url("**/demo/quiz")
    assert page.locator("#quiz-keys").is_visible()
    for i, sid in enumerate(ids):
        _at(page, election, i)
        if record["weights"].get(sid) == 2:
            keys.press("i")
            assert _current(page).locator("input[type=checkbox]").is_checked()
        answer = record["answers"][sid]
        if answer is None:
            keys.press("s")
        else:
            keys.press(str(options.index(answer) + 1))
        if i == BACK_AT:
            keys.press("Backspace")
            _at(page, election, i)
            assert page.evaluate("document.activeElement.closest('.statement')?.dataset.id") == sid
            tab_to("#quiz-next")
            keys.press("Enter")
        if i < len(ids) - 1:
            # The new statement's heading has the focus, so a screen reader reads it.
            assert (
                page.evaluate("document.activeElement.closest('.statement')?.dataset.id")
                == (ids[i + 1])
            )
    # The weighting step has the focus; Enter on "Show my result" leaves it as it is.
    assert page.evaluate("document.activeElement.id") == "quiz-weights-h"
    tab_to("#quiz-next")
    keys.press("Enter")
    _results(page)
    assert _ranking(page) == _api(live_server, record, "ka")
    assert problems == []
    context.close()


def test_start_over_and_continue(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    election = slices["ka"]
    ids = [s["id"] for s in election["statements"]]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{live_server}/ka/demo/")
    assert page.locator("#start-resume").is_hidden()
    page.goto(f"{live_server}/ka/demo/quiz")
    assert page.locator("#quiz-reset").is_hidden()
    for _ in range(3):
        _current(page).locator("label.option").nth(1).click()
    assert page.locator("#quiz-reset").is_visible()

    page.goto(f"{live_server}/ka/demo/")
    assert page.locator("#start-new").is_hidden()
    assert page.locator("#start-resume").is_visible()
    assert "3" in (page.locator("#resume-count").text_content() or "")
    page.locator("#start-resume a[href$='/quiz']").click()
    _at(page, election, 3)

    answers = {"dismiss": 0, "accept": 0}
    choice = ["dismiss"]

    def on_dialog(dialog: Any) -> None:
        answers[choice[0]] += 1
        dialog.dismiss() if choice[0] == "dismiss" else dialog.accept()

    page.on("dialog", on_dialog)
    page.locator("#quiz-reset").click()  # cancelled: nothing is deleted
    assert (_stored(page) or {}).get("answers", {}).get(ids[0]) is not None
    choice[0] = "accept"
    page.locator("#quiz-reset").click()
    assert _stored(page) is None
    _at(page, election, 0)
    assert page.locator("#quiz input:checked").count() == 0
    assert page.locator("#quiz-reset").is_hidden()

    _current(page).locator("label.option").first.click()
    page.goto(f"{live_server}/ka/demo/")
    page.locator("#resume-clear").click()
    assert _stored(page) is None
    assert page.locator("#start-new").is_visible() and page.locator("#start-resume").is_hidden()
    assert page.evaluate("document.activeElement.matches('#start-new a')")
    page.reload()
    assert page.locator("#start-resume").is_hidden()
    assert answers == {"dismiss": 1, "accept": 2}
    assert problems == []
    context.close()


def test_the_language_switch_keeps_your_place(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/ka/demo/quiz")
    for _ in range(6):
        _current(page).locator("label.option").nth(3).click()
    _current(page).locator("label.important").click()
    _at(page, slices["ka"], 6)
    page.locator("a[data-lang-switch][hreflang=en]").click()
    page.wait_for_url("**/en/demo/quiz")
    _at(page, slices["en"], 6)
    assert _current(page).locator("input[type=checkbox]").is_checked()
    assert "Statement 7 of" in (page.locator("#quiz-step").text_content() or "")
    page.locator("#quiz-back").click()
    assert _current(page).locator("label.option").nth(3).locator("input").is_checked()
    page.locator("a[data-lang-switch][hreflang=ka]").click()
    page.wait_for_url("**/ka/demo/quiz")
    _at(page, slices["ka"], 5)
    context.close()


def test_no_request_carries_the_answers(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    """From the start page to the result, nothing the voter chose goes over the wire."""
    election = slices["en"]
    record = _record(election)
    options = [o["id"] for o in election["scale"]]
    context = browser.new_context(viewport=PHONE)
    sent: list[Request] = []
    context.on("request", lambda request: sent.append(request))
    page = context.new_page()
    page.goto(f"{live_server}/en/demo/")
    page.locator("#start-new a").click()
    for sid in record["answers"]:
        step = _current(page)
        if record["weights"].get(sid) == 2:
            step.locator("label.important").click()
        _option(step, record["answers"][sid]).click()
    _past_weights(page)
    _results(page)
    page.locator("#sec-statements > summary").click()  # the statements' folded section
    page.locator("[data-list=statements] > li summary").first.click()
    page.wait_for_function("() => [...document.querySelectorAll('.sp__why')].some(e => !e.hidden)")
    share = page.locator("#share-link").input_value()
    fragment = share.split("#", 1)[1]
    secrets = [*options, "answer-", "weight-", fragment, *fragment.split("&")]
    assert len(sent) > 5
    for request in sent:
        assert request.url.startswith(live_server + "/"), request.url  # nothing third-party
        assert request.method == "GET" and request.post_data is None, request.url
        headers = json.dumps(request.all_headers())
        for secret in secrets:
            assert secret not in request.url, (secret, request.url)
            assert secret not in headers, (secret, request.url, headers)
    paths = [r.url.removeprefix(live_server) for r in sent]
    assert "/en/demo/quiz" in paths and "/en/demo/results" in paths
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_voter_pages_are_accessible(bare: BrowserContext, live_server: str, lang: str) -> None:
    page = bare.new_page()
    found: dict[str, list[str]] = {}
    for name, path in [
        ("home", f"/{lang}/"),
        ("start", f"/{lang}/demo/"),
        ("method", f"/{lang}/demo/method"),
        ("privacy", f"/{lang}/privacy"),
        ("quiz", f"/{lang}/demo/quiz"),
    ]:
        page.goto(live_server + path)
        found[name] = _axe(page)
    # Mid-way: some answered, one important, the background information open.
    for _ in range(9):
        _current(page).locator("label.option").nth(2).click()
    _current(page).locator("label.important").click()
    _current(page).locator(".statement__info summary").click()
    found["quiz mid-way"] = _axe(page)
    page.goto(f"{live_server}/{lang}/demo/")  # now offering to continue
    assert page.locator("#start-resume").is_visible()
    found["start, continue"] = _axe(page)
    assert {name: v for name, v in found.items() if v} == {}


TARGETS = """() => [...document.querySelectorAll("a, button, label, summary, select, input:not([type=radio]):not([type=checkbox]):not([type=hidden])")]
    .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
    .map((e) => { const r = e.getBoundingClientRect(); return [e.id || e.className || e.tagName, e.textContent.trim().slice(0, 30), r.left, r.right, r.width, r.height]; })
    .filter(([, , left, right]) => right > 0 && left < innerWidth)"""


def _small_targets(page: Page) -> list[Any]:
    return [t for t in page.evaluate(TARGETS) if t[4] < 44 or t[5] < 44]


def test_tap_targets_on_the_quiz(bare: BrowserContext, live_server: str) -> None:
    """At 360 px every link, button and answer is at least 44 x 44 CSS pixels."""
    page = bare.new_page()
    small: dict[str, list[Any]] = {}
    for lang in ("ka", "en"):
        page.goto(f"{live_server}/{lang}/demo/quiz")
        _current(page).locator(".statement__info summary").click()
        small[f"{lang} first"] = _small_targets(page)
        _current(page).locator("label.option").first.click()
        small[f"{lang} second"] = _small_targets(page)
        page.evaluate("() => localStorage.clear()")
    assert {k: v for k, v in small.items() if v} == {}


def test_no_page_scrolls_sideways_at_320_px(
    browser: Browser, live_server: str, slices: dict[str, Election]
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    wide: dict[str, int] = {}

    def check(name: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            wide[name] = width

    for lang in ("ka", "en"):
        for name in ("", "demo/", "demo/method", "privacy", "demo/statistics", "demo/quiz"):
            page.goto(f"{live_server}/{lang}/{name}")
            check(f"{lang}/{name}")
        _current(page).locator(".statement__info summary").click()
        for _ in range(len(slices[lang]["statements"])):
            check(f"{lang} quiz {_current(page).get_attribute('data-id')}")
            _current(page).locator("label.option").nth(1).click()
        check(f"{lang} quiz weighting step")
        _past_weights(page)
        _results(page)
        check(f"{lang} results")
        page.goto(f"{live_server}/{lang}/demo/")
        check(f"{lang} start, continue")
        page.evaluate("() => localStorage.clear()")
    without = context.browser.new_context(  # type: ignore[union-attr]
        viewport={"width": 320, "height": 640}, java_script_enabled=False
    )
    page = without.new_page()
    for lang in ("ka", "en"):
        page.goto(f"{live_server}/{lang}/demo/quiz")
        check(f"{lang} quiz without JavaScript")
    without.close()
    context.close()
    assert wide == {}
