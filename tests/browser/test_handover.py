"""The result in place of the quiz (issue 12, frontend/static/js/handover.js): after the
last answer the result page replaces the quiz without a page load, and behaves as the page
a navigation would have given: its address, title and language links, its folded
sections, the back button to the quiz as the voter left it, forward to the result again.
"""

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page

from tests.browser.conftest import PHONE, shots_dir
from tests.browser.test_quiz import _current, _option, _past_weights

pytestmark = pytest.mark.browser

ROWS = "#results:not([hidden]) [data-list=rows] > li"


@pytest.fixture
def quiz(browser: Browser, zugdidi: str) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def _answer_all(page: Page, base: str, lang: str) -> None:
    """Every statement of the shipped demo, once the quiz has prepared its result."""
    page.goto(f"{base}/{lang}/demo/quiz")
    page.wait_for_selector("#quiz.quiz--js")
    page.wait_for_load_state("networkidle")
    total = page.locator("#quiz .statement").count()
    for i in range(total):
        step = _current(page)
        sid = step.get_attribute("data-id")
        _option(step, "agree" if i % 2 else "disagree").click()
        if i < total - 1:
            page.wait_for_function(
                "sid => !document.querySelector(`#quiz .statement[data-id='${sid}']:not([hidden])`)",
                arg=sid,
            )


def _soup(page: Page) -> BeautifulSoup:
    return BeautifulSoup(page.content(), "html.parser")


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_the_result_replaces_the_quiz_as_its_own_page(quiz: Page, zugdidi: str, lang: str) -> None:
    page = quiz
    _answer_all(page, zugdidi, lang)
    loads = page.evaluate("performance.getEntriesByType('navigation').length")
    page.evaluate("window.sameDocument = true")
    _past_weights(page)
    page.wait_for_selector(ROWS)
    assert page.evaluate("window.sameDocument === true")  # no page load
    assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
    assert page.url == f"{zugdidi}/{lang}/demo/results"

    # What a voter, a search engine or a screen reader sees is the result page's own.
    page.wait_for_selector("[data-list=statements] > li", state="attached")
    soup = _soup(page)
    shell = BeautifulSoup(page.request.get(f"{zugdidi}/{lang}/demo/results").text(), "html.parser")
    assert soup.title and shell.title and soup.title.text == shell.title.text
    assert soup.select_one("body")["class"] == shell.select_one("body")["class"]
    assert not soup.select("#quiz")
    switch = {a["hreflang"]: a["href"] for a in soup.select("a[data-lang-switch]")}
    assert all(href.split("#")[0].endswith("/demo/results") for href in switch.values()), switch
    alternates = [link["href"] for link in soup.select("head link[rel=alternate]")]
    assert alternates and all(href.endswith("/demo/results") for href in alternates), alternates
    assert len(alternates) == len(shell.select("head link[rel=alternate]"))
    # The first race's ranking is on the first screen, and the folded sections open.
    first = page.locator(ROWS).first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= PHONE["height"]
    page.locator("#sec-statements > summary").click()
    page.locator("[data-list=statements] > li summary").first.click()
    page.wait_for_selector("[data-list=statements] > li .sp__why:not([hidden])")
    page.locator("#sec-statements > summary").click()
    page.evaluate("scrollTo(0, 0)")
    folder = shots_dir("instantrank")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"result-in-place-{lang}.png"))

    # Back: the quiz as the voter left it, at the weighting step; still no page load.
    page.go_back()
    page.wait_for_selector("#quiz-weights:not([hidden])")
    assert page.url == f"{zugdidi}/{lang}/demo/quiz"
    assert page.evaluate("window.sameDocument === true")
    assert not _soup(page).select("#results")
    # Forward, or "Show my result" again: the result page, loaded as a page.
    page.go_forward()
    page.wait_for_selector(ROWS)
    assert page.url == f"{zugdidi}/{lang}/demo/results"
    page.go_back()
    page.wait_for_selector("#quiz-weights:not([hidden])")
    page.locator("#quiz-next").click()
    page.wait_for_url("**/demo/results")
    page.wait_for_selector(ROWS)


def test_the_keys_of_the_quiz_stay_with_the_quiz(quiz: Page, zugdidi: str) -> None:
    page = quiz
    _answer_all(page, zugdidi, "en")
    _past_weights(page)
    page.wait_for_selector(ROWS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.locator("body").press("Backspace")  # on the quiz: back to the last statement
    page.locator("body").press("Digit1")
    page.wait_for_timeout(300)
    assert errors == []
    assert page.url.endswith("/en/demo/results")
    assert page.locator(ROWS).count() > 0
