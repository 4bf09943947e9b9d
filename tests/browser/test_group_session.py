"""A group session end to end in the system Chromium: the facilitator creates it, five phones
join by code (one from the QR code's address) and answer, a paper sheet is typed in, the
projector shows only counts until the minimum group and then the aggregate, live; the
session is closed, the report and its CSV hold the group's figures, and a late joiner is told
the session has ended. A second test takes the screenshots the design review looks at."""

import csv
import io
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, start_server
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.settings import Settings

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SHOTS = Path(os.environ.get("VAA_SESSION_SCREENSHOTS", "/tmp/session-shots"))
PROJECTOR = {"width": 1280, "height": 720}
FULL_HD = {"width": 1920, "height": 1080}
A4 = {"width": 794, "height": 1123}  # 210 mm x 297 mm at 96 dpi
NARROW = {"width": 320, "height": 640}
MIN_GROUP = 5
LIVE_SECONDS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own server on the demo election with a facilitator account."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    with session_scope(engine) as session:
        accounts.create_account(
            session,
            email="facilitator@example.org",
            password=PASSWORD,
            role="facilitator",
            actor="test",
        )
    engine.dispose()
    process, base = start_server(url)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a projector's event stream still open
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """New browser contexts, all closed at the end of the test whatever happened."""
    made: list[BrowserContext] = []

    def new(**options: Any) -> BrowserContext:
        # No service worker: a test that refuses a script stands for "no JavaScript",
        # which a worker serving the script from its cache would undo.
        made.append(browser.new_context(**{"service_workers": "block", **options}))
        return made[-1]

    yield new
    for context in made:
        context.close()


@pytest.fixture(scope="module")
def election(server: str) -> dict[str, Any]:
    """The demo's voter slice in English: statement order and scale, as the quiz has them."""
    bundle = httpx.get(f"{server}/api/v1/elections/demo").json()["bundle"]
    return dict(httpx.get(f"{server}{bundle}/en").json())


@pytest.fixture
def staff(browser: Browser, server: str) -> Iterator[BrowserContext]:
    """A desktop context signed in as the facilitator, reading English."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server}/login?lang=en")
    page.fill("#email", "facilitator@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
    page.close()
    yield context
    context.close()


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _digit(person: int, i: int) -> str:
    """Person `person`'s answer to statement i: a key of the quiz (1-5, or s to skip)."""
    return "s" if (person, i) in {(0, 1), (3, 7)} else str((person + i) % 5 + 1)


def create_session(page: Page, server: str, *, language: str, place: str) -> tuple[str, str]:
    """Start a session from the facilitator's list page; return its page URL and join code."""
    page.goto(f"{server}/facilitator")
    page.select_option("#s-election", "demo")
    page.select_option("#s-language", language)
    page.fill("#s-place", place)
    page.fill("#s-day", "2026-10-04")
    page.fill("#s-min", str(MIN_GROUP))
    page.get_by_role("button", name="Start the session").click()
    page.wait_for_url(re.compile(r"/facilitator/sessions/\d+$"))
    return page.url, page.inner_text("#join-code").strip()


def join_by_code(page: Page, server: str, lang: str, code: str) -> None:
    """Type the code on the join page, as someone reading it off the screen."""
    page.goto(f"{server}/{lang}/join")
    page.locator("#join-code-input").press_sequentially(code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/join/{code}")


def consent_and_answer(page: Page, ids: list[str], person: int) -> None:
    """Agree, join, and answer every statement by keyboard; ends on the result page."""
    page.check("#join-consent")
    page.click("#join-submit")
    page.wait_for_url("**/demo/quiz")
    expect(page.locator(".session-banner")).to_be_visible()
    bar = page.locator("#quiz-bar")
    for i in range(len(ids)):
        expect(bar).to_have_attribute("value", str(i + 1))
        page.keyboard.press(_digit(person, i))
    page.click("#quiz-next")  # past the optional weighting step
    page.wait_for_url("**/demo/results")


def test_session_end_to_end(
    contexts: Callable[..., BrowserContext],
    server: str,
    staff: BrowserContext,
    election: dict[str, Any],
) -> None:
    ids = [s["id"] for s in election["statements"]]
    options = [o["id"] for o in election["scale"]]
    facilitator = staff.new_page()
    detail, code = create_session(facilitator, server, language="ka", place="Zugdidi")
    join_url = re.search(r"(http\S+/join/" + code + ")", facilitator.inner_text("main"))
    assert join_url, "the detail page gives the join address"
    assert facilitator.locator(".session-qr svg[role=img]").count() == 1

    projector_context = contexts(viewport=PROJECTOR, locale="en-GB")
    projector_context.add_cookies(staff.cookies())
    projector = projector_context.new_page()
    projector.goto(f"{detail}/projector?lang=en")
    joined, finished = projector.locator("#pj-joined"), projector.locator("#pj-finished")
    expect(finished).to_have_text("0")
    expect(projector.locator("#pj-status")).to_contain_text("once 5 people have finished")
    expect(projector.locator("#pj-main")).to_be_hidden()

    phones = [contexts(viewport=PHONE, locale="ka-GE" if p % 2 else "en-GB") for p in range(5)]
    pages = [c.new_page() for c in phones]
    # Four phones join and finish: the projector only counts them.
    for person in range(4):
        page = pages[person]
        if person == 1:
            page.goto(join_url.group(1))  # the QR code's address
            page.wait_for_url(f"**/ka/join/{code}")
        else:
            join_by_code(page, server, "ka" if person % 2 else "en", code)
        consent_and_answer(page, ids, person)
        expect(finished).to_have_text(str(person + 1), timeout=LIVE_SECONDS * 1000)
    expect(joined).to_have_text("4")
    expect(projector.locator("#pj-main")).to_be_hidden()
    assert projector.locator("#pj-matches li").count() == 0
    assert projector.get_attribute("body", "data-shown") == "no"

    # A paper sheet, typed on the facilitator's keyboard, is the fifth: results appear.
    facilitator.goto(f"{detail}/sheets")
    expect(facilitator.locator("#sheet")).to_be_focused()
    facilitator.keyboard.type("".join(_digit(4, i).replace("s", "-") for i in range(len(ids))))
    facilitator.keyboard.press("Enter")
    expect(facilitator.locator("#sheet-saved")).to_contain_text("1")
    expect(finished).to_have_text("5", timeout=LIVE_SECONDS * 1000)
    expect(projector.locator("#pj-main")).to_be_visible()
    expect(projector.locator("#pj-respondents")).to_contain_text("5")
    matches = projector.locator("#pj-matches li")
    assert matches.count() == len(election["entities"])
    assert projector.locator("#pj-statements li").count() == len(ids)
    assert projector.locator("#pj-divided li").count() >= 1
    main = projector.locator("#pj-main").bounding_box()
    assert main and main["y"] + main["height"] <= PROJECTOR["height"], "fits at 1280x720"

    # The fifth phone answers while the projector is open: it updates without a reload,
    # but the results wait for two more people (steps of three), so this one person's
    # answers cannot be read off the difference.
    projector.evaluate("() => { window.__sameDocument = true; }")
    join_by_code(pages[4], server, "en", code)
    consent_and_answer(pages[4], ids, 5)
    expect(finished).to_have_text("6", timeout=LIVE_SECONDS * 1000)
    expect(projector.locator("#pj-respondents")).to_contain_text("5")
    assert projector.evaluate("() => window.__sameDocument") is True
    for context in phones:
        context.close()

    # Close the session: the projector says so; the report keeps the group's figures.
    facilitator.goto(detail)
    facilitator.click("#close-session")
    expect(facilitator.locator("#session-status")).to_have_text("closed")
    expect(projector.locator("#pj-status")).to_contain_text("ended", timeout=LIVE_SECONDS * 1000)
    projector_context.close()

    expected = {sid: dict.fromkeys([*options, "skip"], 0) for sid in ids}
    for person in range(5):  # the sixth is not counted: fewer than three came after the fifth
        for i, sid in enumerate(ids):
            key = _digit(person, i)
            expected[sid]["skip" if key == "s" else options[int(key) - 1]] += 1

    facilitator.click("#report-link")
    expect(facilitator.locator("#report-joined")).to_have_text("6")
    expect(facilitator.locator("#report-finished")).to_contain_text("6 (100%)")
    expect(facilitator.locator("#report-counted")).to_contain_text("5 of the 6")
    rows = facilitator.locator(".report__statements tbody tr")
    assert rows.count() == len(ids)
    first = [c.strip() for c in rows.nth(0).locator("td").all_inner_texts()]
    assert first[2:] == [str(expected[ids[0]][o]) for o in [*options, "skip"]]
    assert facilitator.locator(".report__matches tbody tr").count() == len(election["entities"])
    assert re.search(r"\d+%", facilitator.inner_text(".report__matches"))

    with facilitator.expect_download() as info:
        facilitator.click("a[href$='report.csv']")
    download = info.value
    assert re.fullmatch(rf"session-{code}-2026-10-04\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    facts = {r["item"]: r["value"] for r in table if r["section"] == "session"}
    assert facts["joined"] == "6" and facts["finished"] == "6" and facts["paper"] == "1"
    assert facts["status"] == "closed" and facts["place"] == "Zugdidi" and facts["counted"] == "5"
    counts = {
        (r["item"], r["option"]): int(r["value"]) for r in table if r["section"] == "statement"
    }
    assert counts == {(sid, o): n for sid, row in expected.items() for o, n in row.items()}
    scores = [r for r in table if r["section"] == "match"]
    assert {r["item"] for r in scores} == {e["id"] for e in election["entities"]}
    assert all(0 <= float(r["value"]) <= 100 for r in scores)

    # Someone arriving late is told the session has ended, by code and by the QR address.
    late = contexts(viewport=PHONE, locale="ka-GE")
    page = late.new_page()
    page.goto(f"{server}/en/join")
    page.fill("#join-code-input", code)
    page.keyboard.press("Enter")
    # The same 404 as for an unknown code, so that codes cannot be probed.
    expect(page.locator("#join-problem")).to_contain_text("If the session has ended")
    response = page.goto(join_url.group(1))
    assert response is not None and response.status == 404
    expect(page.locator("#join-problem")).to_contain_text("დასრულდა")


def _fill_session(server: str, code: str, people: int, election: dict[str, Any]) -> None:
    """People who joined and answered over HTTP, as phones would (for the screenshots)."""
    ids = [s["id"] for s in election["statements"]]
    options = [o["id"] for o in election["scale"]]
    for person in range(people):
        with httpx.Client(base_url=server) as phone:
            page = phone.get(f"/en/join/{code}").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token
            joined = phone.post(
                f"/en/join/{code}", data={"csrf_token": token.group(1), "consent": "yes"}
            ).text
            participant = re.search(r'"participant":"([^"]+)"', joined)
            assert participant
            answers = {
                sid: None if _digit(person, i) == "s" else options[int(_digit(person, i)) - 1]
                for i, sid in enumerate(ids)
            }
            sent = phone.post(
                f"/api/v1/sessions/{code}/answers",
                json={"participant": participant.group(1), "answers": answers, "finished": True},
            )
            assert sent.status_code == 200, sent.text


def _no_overflow(page: Page) -> None:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page.viewport_size and width <= page.viewport_size["width"], page.url


def test_screenshots(
    contexts: Callable[..., BrowserContext],
    server: str,
    staff: BrowserContext,
    election: dict[str, Any],
) -> None:
    """Every session page at the sizes it is used at, in both languages (see SHOTS)."""
    facilitator = staff.new_page()
    detail, code = create_session(facilitator, server, language="ka", place="ზუგდიდი")
    shoot(facilitator, "facilitator-detail-en", full_page=True)
    facilitator.goto(f"{server}/facilitator")
    shoot(facilitator, "facilitator-list-en", full_page=True)

    for lang, locale in (("ka", "ka-GE"), ("en", "en-GB")):
        context = contexts(viewport=PHONE, locale=locale)
        page = context.new_page()
        page.goto(f"{server}/{lang}/join")
        shoot(page, f"join-code-{lang}-phone")
        page.fill("#join-code-input", "ZZZZ")
        page.keyboard.press("Enter")
        page.wait_for_url("**/join?code=*")
        page.wait_for_selector("#join-problem")
        shoot(page, f"join-code-error-{lang}-phone")
        page.goto(f"{server}/{lang}/join/{code}")
        shoot(page, f"join-consent-{lang}-phone", full_page=True)
        page.set_viewport_size(NARROW)
        _no_overflow(page)
        page.set_viewport_size(PHONE)
        # The joined page moves on at once: hold it there to see it.
        page.route("**/js/session-join*.js", lambda route: route.abort())
        page.check("#join-consent")
        page.click("#join-submit")
        page.wait_for_selector("#joined-next")
        shoot(page, f"joined-{lang}-phone")
        page.unroute("**/js/session-join*.js")
        page.goto(f"{server}/{lang}/join/{code}")
        page.check("#join-consent")
        page.click("#join-submit")
        page.wait_for_url("**/demo/quiz")
        expect(page.locator(".session-banner")).to_be_visible()
        shoot(page, f"quiz-in-session-{lang}-phone")
        page.set_viewport_size(NARROW)
        _no_overflow(page)
        shoot(page, f"quiz-in-session-{lang}-320")
        page.set_viewport_size(PHONE)
        page.goto(f"{server}/{lang}/join/{code}/kiosk")
        page.frame_locator("#kiosk-frame").locator("#join-consent").wait_for()
        shoot(page, f"kiosk-{lang}-phone")

    projector_context = contexts(viewport=PROJECTOR, locale="en-GB")
    projector_context.add_cookies(staff.cookies())
    projector = projector_context.new_page()
    for lang in ("ka", "en"):
        projector.goto(f"{detail}/projector?lang={lang}")
        projector.wait_for_selector("#pj-status:not([hidden])")
        for name, size in (("1280", PROJECTOR), ("1920", FULL_HD)):
            projector.set_viewport_size(size)
            shoot(projector, f"projector-before-{lang}-{name}")
    _fill_session(server, code, MIN_GROUP + 1, election)
    for lang in ("ka", "en"):
        projector.goto(f"{detail}/projector?lang={lang}")
        projector.wait_for_selector("#pj-main:not([hidden])")
        for name, size in (("1280", PROJECTOR), ("1920", FULL_HD)):
            projector.set_viewport_size(size)
            for part in ("#pj-main", ".pj-map__x", "#pj-matches li:last-child", "#pj-united"):
                box = projector.locator(part).bounding_box()
                assert box and box["y"] + box["height"] <= size["height"], (part, lang, name)
            shoot(projector, f"projector-after-{lang}-{name}")
        projector.set_viewport_size(PROJECTOR)
    projector_context.close()

    ka = contexts(viewport=DESKTOP, locale="ka-GE")
    ka.add_cookies(staff.cookies())
    for context, lang in ((staff, "en"), (ka, "ka")):
        page = context.new_page()
        page.goto(f"{detail}?lang={lang}")
        shoot(page, f"facilitator-detail-{lang}", full_page=True)
        page.goto(f"{detail}/sheets?lang={lang}")
        shoot(page, f"sheets-{lang}", full_page=True)
        page.goto(f"{detail}/hands?lang={lang}")
        shoot(page, f"hands-{lang}", full_page=True)
        page.goto(f"{detail}/report?lang={lang}")
        shoot(page, f"report-{lang}", full_page=True)
        page.set_viewport_size(A4)
        page.emulate_media(media="print")
        shoot(page, f"report-{lang}-print-a4", full_page=True)
        page.goto(f"{detail}/paper?language={lang}&lang={lang}")
        shoot(page, f"paper-{lang}-print-a4", full_page=True)
        page.close()
