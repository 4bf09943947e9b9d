"""The results page on a phone (issue 12, item 3), with the shipped Zugdidi demo: a voter
who picked a district and answered sees the headline and the first race's ranking on the
first screen, opens the themes, the map, the statements and the comparison as sections,
reads every chart label, finds every party beside (never under) their own star, and sees
the ranking change when they pick another method."""

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import PHONE
from tests.browser.forms import post_answers
from tests.browser.test_ballots import PLACE, _answers
from tests.browser.test_results import _watch

pytestmark = pytest.mark.browser

SECTIONS = ("#sec-themes", "#sec-map", "#sec-statements", "#sec-compare")
NARROW = {"width": 320, "height": 640}


def _record(base: str, lang: str, answers: dict[str, str | None]) -> dict[str, Any]:
    version = httpx.get(f"{base}/api/v1/elections/demo").json()["version"]
    return {"version": version, "answers": answers, "weights": {}, "current": len(answers)}


def _open(
    context: BrowserContext, base: str, lang: str, answers: dict[str, str | None] | None = None
) -> Page:
    """Keep the place and the answers as the place page and the quiz do, then open the result."""
    page = context.new_page()
    page.goto(f"{base}/{lang}/privacy")
    page.evaluate(
        """([answers, place]) => {
            localStorage.setItem("vaa:answers:demo", JSON.stringify(answers));
            localStorage.setItem("vaa:place:demo", place);
        }""",
        [_record(base, lang, answers or _answers(base)), PLACE],
    )
    page.goto(f"{base}/{lang}/demo/results")
    page.wait_for_selector("#ballots > section.ballot [data-list=rows] > li")
    return page


def _post(page: Page, base: str, lang: str, answers: dict[str, str | None]) -> None:
    """The same answers sent as the quiz's form does without JavaScript."""
    page.goto(f"{base}/{lang}/privacy")
    post_answers(
        page,
        base,
        lang,
        answers,
        extra={"place": PLACE},
        ready="#ballots > section.ballot [data-list=rows] > li",
    )


def _unfold(page: Page, *sections: str) -> None:
    """Open the folded sections (a page that has none shows everything already)."""
    for section in sections or SECTIONS:
        if page.locator(f"details{section}").count():
            page.locator(f"{section} > summary").click()
            assert page.locator(section).get_attribute("open") is not None, section


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=PHONE, service_workers="block")
    yield made
    made.close()


SMALL_TEXT = """() => [...document.querySelectorAll("#results svg text")]
    .filter((t) => t.getClientRects().length && !t.closest("[hidden]"))
    .map((t) => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])
    .filter(([, px]) => px < 12)"""


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_the_first_screen_shows_the_headline_and_the_first_ranking(
    context: BrowserContext, zugdidi: str, lang: str
) -> None:
    page = _open(context, zugdidi, lang)
    problems = _watch(page)
    first = page.locator("#ballots > section.ballot").first
    headline = first.locator("[data-k=headline]").bounding_box()
    assert headline and headline["y"] + headline["height"] <= PHONE["height"]
    rows = first.locator("[data-list=rows] > li").all()
    bottoms = [(r.bounding_box() or {"y": 1e9, "height": 0}) for r in rows]
    # The top of the ranking, three at least, is on the first screen without scrolling.
    inside = [b for b in bottoms if b["y"] + b["height"] <= PHONE["height"]]
    assert len(inside) >= min(3, len(rows)), [b["y"] + b["height"] for b in bottoms]
    # Themes, map, statements and comparison wait folded below, each opening on a tap.
    for section in SECTIONS:
        assert page.locator(section).get_attribute("open") is None, section
        summary = page.locator(f"{section} > summary")
        assert summary.locator("h2").is_visible()
        summary.click()
        assert page.locator(f"{section} > :not(summary)").first.is_visible(), section
    assert problems == []


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_every_section_open_reads_at_320_px_without_scrolling_sideways(
    browser: Browser, zugdidi: str, lang: str
) -> None:
    context = browser.new_context(viewport=NARROW, service_workers="block")
    page = _open(context, zugdidi, lang)
    _unfold(page)
    page.locator("[data-list=statements] > li summary").first.click()
    page.locator(".table-details:has(.positions) > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # Nothing wider than the phone hides in a box that scrolls sideways either (the themes).
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll("#results *")]
            .filter((e) => e.getClientRects().length && !e.closest(".visually-hidden"))
            .filter((e) => e.getBoundingClientRect().right > width + 0.5)
            .map((e) => e.tagName + "." + e.className)""",
        NARROW["width"],
    )
    assert wide == []
    # Every party reads by theme: one card each, with every theme.
    cards = page.locator("[data-list=theme_rows] > li")
    assert (
        cards.count()
        == page.locator("#ballots > section.ballot").first.locator("[data-list=rows] > li").count()
    )
    assert cards.first.locator("dt").count() == 6
    assert page.evaluate(SMALL_TEXT) == []
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_chart_labels_render_at_12_px_or_more(
    context: BrowserContext, zugdidi: str, lang: str
) -> None:
    page = _open(context, zugdidi, lang)
    _unfold(page)
    assert page.locator(".radar text").count() >= 6
    assert page.locator(".map text").count() >= 3
    assert page.evaluate(SMALL_TEXT) == []


STAR_AND_POINTS = """() => {
    const star = document.querySelector("#map-you path").getBoundingClientRect();
    const line = document.querySelector("#map-you-line");
    const points = [...document.querySelectorAll(".map__party:not([hidden]) circle")]
        .map((c) => c.getBoundingClientRect());
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return {
        points: points.length,
        hidden: points.filter((p) => hit(star, p)).length,
        line: Boolean(line) && !line.hasAttribute("hidden"),
    };
}"""


def test_the_voters_star_never_hides_a_party(
    browser: Browser, context: BrowserContext, zugdidi: str
) -> None:
    """A voter who answers exactly as a mayoral candidate sits on that candidate's point:
    the star is drawn beside it, with a line to the exact place, with and without JS."""
    slice_url = httpx.get(f"{zugdidi}/api/v1/elections/demo").json()["bundle"]
    election = httpx.get(f"{zugdidi}{slice_url}/ka").json()
    ids = [s["id"] for s in election["statements"]]
    twin = next(e for e in election["entities"] if e["id"] == "irakli-kardava")
    answers = {sid: twin["answers"].get(sid) for sid in ids}
    assert sum(a is not None for a in answers.values()) >= 20
    page = _open(context, zugdidi, "ka", answers)
    _unfold(page, "#sec-map")
    found = page.evaluate(STAR_AND_POINTS)
    assert found["points"] >= 3 and found["hidden"] == 0 and found["line"], found

    plain = browser.new_context(viewport=PHONE, java_script_enabled=False)
    server = plain.new_page()
    _post(server, zugdidi, "ka", answers)
    _unfold(server, "#sec-map")
    assert server.evaluate(STAR_AND_POINTS) == found
    plain.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_changing_the_method_says_so_and_lights_the_ranking_up(
    context: BrowserContext, zugdidi: str, lang: str
) -> None:
    page = _open(context, zugdidi, lang)
    status = page.locator("#method-status")
    assert status.get_attribute("aria-live") == "polite" and status.text_content() == ""
    radio = page.locator("#method-form input[value=directional]")
    name = page.locator("#method-form label:has(input[value=directional]) strong").text_content()
    radio.check()
    page.wait_for_function("() => document.querySelector('#method-status').textContent !== ''")
    assert name and name.strip() in (status.text_content() or "")
    assert status.is_visible()
    assert page.locator("#ballots [data-list=rows].is-updated").count() >= 1


def test_positions_in_words_use_the_georgian_decimal_comma(
    browser: Browser, context: BrowserContext, zugdidi: str
) -> None:
    page = _open(context, zugdidi, "ka")
    _unfold(page, "#sec-map")
    page.locator(".table-details:has(.positions) > summary").click()
    mine = page.locator("#voter-position").text_content() or ""
    assert "," in mine and not any(c.isdigit() and n == "." for c, n in itertools.pairwise(mine)), (
        mine
    )
    plain = browser.new_context(viewport=PHONE, java_script_enabled=False)
    server = plain.new_page()
    _post(server, zugdidi, "ka", _answers(zugdidi))
    assert server.locator("#voter-position").text_content() == mine
    parties = server.locator(".positions li").all_text_contents()
    assert any("," in p for p in parties) and not any("0." in p for p in parties)
    plain.close()
