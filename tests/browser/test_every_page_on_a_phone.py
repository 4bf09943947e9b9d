"""Every voter page at 360 x 740, as a phone shows it: nothing wider than the screen.

The shipped Zugdidi demo in Georgian and English, and the five-language test election in
Russian (tests/russian_election.py; the demo's content is Georgian and English only):
start, quiz (first and last statement), the weighting step, the result with each section
opened, quick mode, method, privacy, statistics, a party's profile, joining a group
session, its projector and the embedding page. On each the page must not scroll sideways
(document.scrollingElement.scrollWidth <= 360). Screenshots of each go to
shots_dir("everypage") for a person to look at: `-top` the first screen, `-full` the page.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import PHONE, shots_dir, start_server
from tests.browser.test_group_session import create_session
from tests.browser.test_quiz import _past_weights
from tests.conftest import SHIPPED_DEMO_FILES
from tests.russian_election import SLUG as TRI
from tests.russian_election import russian_election_files
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.settings import Settings

pytestmark = pytest.mark.browser

SHOTS = shots_dir("everypage")
PASSWORD = "a long enough password"
ELECTION = {"ka": "demo", "en": "demo", "ru": TRI}
LOCALES = {"ka": "ka-GE", "en": "en-GB", "ru": "ru-RU"}
# How far the page reaches sideways, and which elements stick out past the screen's edge
# (not counting those inside a box that scrolls or clips them, like the language row).
WIDTH = """() => {
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== "visible") return true;
    return false;
  };
  const wide = [...document.querySelectorAll("body *")].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width && r.right > innerWidth + 0.5 && !clipped(e);
  }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
  return {width: document.scrollingElement.scrollWidth, wide};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo and the five-language election on one app; a facilitator's session token."""
    directory = tmp_path_factory.mktemp("everypage")
    url = f"sqlite:///{directory / 'vaa.db'}"
    files = [*SHIPPED_DEMO_FILES, *russian_election_files(directory, also=("hy", "az"))]
    engine, _ = prepare_database(Settings(database_url=url, demo_files=files))
    with session_scope(engine) as session:
        host = accounts.create_account(
            session, email="host@example.org", password=PASSWORD, role="facilitator", actor="t"
        )
        token = accounts.start_session(session, account=host)
    engine.dispose()
    process, base = start_server(url)
    yield base, token
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def group(browser: Browser, server: tuple[str, str]) -> Iterator[tuple[list[Any], str, str]]:
    """One group session on the demo: the facilitator's cookies, its page and join code."""
    base, token = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    signed_in = {"vaa_session": token, "vaa_lang": "en"}
    context.add_cookies([{"name": k, "value": v, "url": base} for k, v in signed_in.items()])
    detail, code = create_session(context.new_page(), base, language="ka", place="Zugdidi")
    yield context.cookies(), detail, code
    context.close()


def _check(page: Page, name: str, lang: str, wide: dict[str, object]) -> None:
    """Note the page if it scrolls sideways; keep its first screen and all of it."""
    seen = page.evaluate(WIDTH)
    if seen["width"] > PHONE["width"]:
        wide[name] = seen
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{name}-top.png"))
    page.screenshot(path=str(SHOTS / f"{lang}-{name}-full.png"), full_page=True)


def _quiz_pages(page: Page, base: str, check: Callable[[str], None]) -> None:
    """Start, quick mode's first statement, the quiz's first and last, the weighting step
    and the result (quick mode first: after the quiz it would say the top is settled)."""
    page.goto(f"{base}/")
    check("start")
    page.goto(f"{base}/quick")
    page.wait_for_selector("#quick[data-ready]")
    check("quick")
    page.goto(f"{base}/quiz")
    page.wait_for_selector("#quiz.quiz--js")
    check("quiz-first")
    total = page.locator("#quiz .statement").count()
    for i in range(total - 1):
        page.locator("#quiz .statement:not([hidden]) label.option").nth(i % 5).click()
    check("quiz-last")
    page.locator("#quiz .statement:not([hidden]) label.option").nth(3).click()
    page.locator("#quiz-weights").wait_for()
    check("weights")
    _past_weights(page)
    page.wait_for_url("**/results")
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")
    check("results")
    for section in page.locator("details.rsec").all():
        section.locator("summary").first.click()
        check(f"results-{section.get_attribute('id')}")


@pytest.mark.parametrize("lang", ["ka", "en", "ru"])
def test_no_voter_page_is_wider_than_a_phone(
    browser: Browser, server: tuple[str, str], group: tuple[list[Any], str, str], lang: str
) -> None:
    root = server[0]
    election = ELECTION[lang]
    base = f"{root}/{lang}/{election}"
    cookies, detail, code = group
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    wide: dict[str, object] = {}

    def check(name: str) -> None:
        _check(page, name, lang, wide)

    _quiz_pages(page, base, check)
    entities = httpx.get(f"{root}/api/v1/elections/{election}/bundle").json()["entities"]
    for name, path in [
        ("method", f"{base}/method"),
        ("privacy", f"{root}/{lang}/privacy"),
        ("statistics", f"{base}/statistics"),
        ("profile", f"{base}/entities/{entities[0]['id']}"),
        ("embed", f"{base}/embed"),
        ("join", f"{root}/{lang}/join"),
        ("join-session", f"{root}/{lang}/join/{code}"),
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        check(name)
    context.close()
    # The projector is the facilitator's: a phone signed in as them.
    projector = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    projector.add_cookies(cookies)  # type: ignore[arg-type]
    page = projector.new_page()
    page.goto(f"{detail}/projector?lang={lang}")
    page.wait_for_selector("#pj-status")
    check("projector")
    projector.close()
    assert wide == {}
    assert len(list(Path(SHOTS).glob(f"{lang}-*-top.png"))) >= 17
