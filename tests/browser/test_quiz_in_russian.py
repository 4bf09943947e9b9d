"""A Russian voter takes the quiz on a phone: start, every statement, result, all in Russian.

The election's content has Georgian, English and Russian (tests/russian_election.py); the
same walk in Georgian, English, Armenian and Azerbaijani gives the same ranking. Screenshots go to
/work/shots/langs/ (VAA_SHOTS overrides) for a person to look at.
"""

import os
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser import conftest as browser_conftest
from tests.browser.conftest import PHONE, shots_dir, start_server
from tests.browser.test_quiz import _past_weights
from tests.browser.test_quiz_fits_phone import BOXES, _off_screen
from tests.browser.test_results import _ranking, _record, _watch
from tests.page_language import LATIN_RUN
from tests.russian_election import SLUG, russian_election_files
from vaa.bootstrap import prepare_database
from vaa.settings import Settings

pytestmark = pytest.mark.browser

SHOTS = shots_dir("langs")
GEORGIAN = re.compile(r"[\u10a0-\u10ff]")
LOCALES = {"ru": "ru-RU", "ka": "ka-GE", "en": "en-GB", "hy": "hy-AM", "az": "az-AZ"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the three-language election only."""
    directory = tmp_path_factory.mktemp("tri")
    url = f"sqlite:///{directory / 'vaa.db'}"
    # Armenian and Azerbaijani pages carry the Russian texts: there only the UI is theirs.
    files = russian_election_files(directory, also=("hy", "az"))
    settings = Settings(database_url=url, demo_files=files)
    engine, _ = prepare_database(settings)
    engine.dispose()
    # A fixed port when the machine's rules ask for one (VAA_TEST_PORT), a free one otherwise.
    fixed = os.environ.get("VAA_TEST_PORT")
    free_port = browser_conftest._free_port
    if fixed:
        browser_conftest._free_port = lambda: int(fixed)
    try:
        process, base = start_server(url)
    finally:
        browser_conftest._free_port = free_port
    yield base
    process.terminate()
    process.wait(timeout=10)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _text(page: Page) -> str:
    return " ".join((page.locator("main").inner_text() or "").split())


def _api(base: str, record: dict[str, Any], lang: str) -> list[str]:
    body = {"answers": record["answers"], "weights": record["weights"], "language": lang}
    response = httpx.post(f"{base}/api/v1/elections/{SLUG}/match", json=body)
    return [r["entity"] for r in response.json()["results"]]


@pytest.mark.parametrize("lang", ["ru", "ka", "en", "hy", "az"])
def test_quiz_on_a_phone_in_each_language(browser: Browser, server: str, lang: str) -> None:
    bundle = httpx.get(f"{server}/api/v1/elections/{SLUG}").json()["bundle"]
    election = httpx.get(f"{server}{bundle}/{lang}").json()
    record = _record(election)
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{server}/{lang}/{SLUG}/")
    _shot(page, f"{lang}-1-start")
    page.locator("#start-new a").click()
    page.wait_for_url(f"**/{SLUG}/quiz")
    off_screen = {}  # statement -> the controls not on the first screen
    for i, statement in enumerate(election["statements"]):
        step = page.locator("#quiz .statement:not([hidden])")
        assert step.get_attribute("data-id") == statement["id"]
        outside = _off_screen(page.evaluate(BOXES, "quiz"))
        if outside:
            off_screen[statement["id"]] = outside
        if i in (0, 1):
            _shot(page, f"{lang}-2-quiz-{i}")
        if record["weights"].get(statement["id"]) == 2:
            step.locator("label.important").click()
        value = record["answers"][statement["id"]] or "skip"
        step.locator("label", has=page.locator(f"input[value='{value}']")).click()
    # the statement, every answer and "important" on one 360x740 screen
    assert off_screen == {}
    _past_weights(page)
    page.wait_for_url(f"**/{SLUG}/results")
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")
    _shot(page, f"{lang}-3-result")
    assert [entity for entity, _pct in _ranking(page)] == _api(server, record, lang)
    assert page.locator("html").get_attribute("lang") == lang
    if lang == "ru":
        shown = _text(page)
        assert "Ваш результат" in shown
        assert not GEORGIAN.search(shown), shown
        assert not LATIN_RUN.findall(re.sub(r"https?://\S+", " ", shown))
    assert problems == []
    context.close()


# Where each language link is, and whether the row's "more" arrow is showing.
SWITCH = """() => {
  const nav = document.querySelector(".lang-switch"), n = nav.getBoundingClientRect();
  const links = [...nav.querySelectorAll("a")].map((a) => {
    const r = a.getBoundingClientRect();
    return [a.lang, !!a.getAttribute("aria-current"), r.left >= n.left && r.right <= n.right + 0.5];
  });
  return {links, more: getComputedStyle(nav.querySelector("ul"), "::after").opacity,
          wide: document.scrollingElement.scrollWidth};
}"""


@pytest.mark.parametrize("page_name", ["", "quiz", "quick"])  # start, quiz, quick mode
@pytest.mark.parametrize("lang", ["ka", "en", "ru", "hy", "az"])
def test_the_current_language_is_in_sight_in_the_header(
    browser: Browser, server: str, lang: str, page_name: str
) -> None:
    """Five languages do not fit beside the name at 360 px: the row scrolls sideways, the
    current language first and in sight, an arrow saying more are hidden, each one a tap."""
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    page.goto(f"{server}/{lang}/{SLUG}/{page_name}")
    seen = page.evaluate(SWITCH)
    assert seen["links"][0][:2] == [lang, True]  # first, and marked as the current one
    assert [shown for _code, _current, shown in seen["links"]][:1] == [True]
    assert not all(shown for _code, _current, shown in seen["links"])  # the row does scroll
    assert seen["more"] == "1" and seen["wide"] <= PHONE["width"]
    _shot(page, f"{lang}-0-{page_name or 'start'}-header")
    # Scrolled to its end the arrow goes; every other language is there to tap.
    page.locator(".lang-switch").evaluate("n => n.scrollTo(n.scrollWidth, 0)")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.lang-switch ul'), '::after').opacity === '0'"
    )
    others = [code for code, current, _shown in seen["links"] if not current]
    assert sorted(others) == sorted(set(LOCALES) - {lang})
    target = others[-1]
    page.locator(f".lang-switch a[lang={target}]").click()
    page.wait_for_url(f"**/{target}/{SLUG}/{page_name}")
    assert page.evaluate(SWITCH)["links"][0][:2] == [target, True]
    context.close()
