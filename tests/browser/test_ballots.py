"""Three ballots on one day, in a real browser: a Zugdidi voter picks a district in
Georgian on a phone, answers with JavaScript on and with it off, and sees the mayor,
the party list and their district seat ranked separately, with the API's numbers."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import PHONE
from tests.browser.test_results import _axe, _watch
from vaa.matching import round_half_up

pytestmark = pytest.mark.browser

PLACE = "anaklia-rukhi"
Ballots = list[tuple[str, list[tuple[str, str]], list[str]]]


def _answers(base: str) -> dict[str, str | None]:
    bundle = httpx.get(f"{base}/api/v1/elections/demo/bundle").json()
    options = [o["id"] for o in bundle["questionnaire"]["scale"]]
    ids = [s["id"] for s in bundle["questionnaire"]["statements"]]
    return {
        sid: None if i % 9 == 4 else options[(i * 2 + 1) % len(options)]
        for i, sid in enumerate(ids)
    }


def _api(base: str, answers: dict[str, str | None]) -> Ballots:
    body = {"answers": answers, "constituency": PLACE, "language": "ka"}
    races = httpx.post(f"{base}/api/v1/elections/demo/match", json=body).json()["races"]
    return [
        (
            race["title"],
            [(r["entity"], f"{int(round_half_up(r['score']))}%") for r in race["results"]],
            race["did_not_answer"],
        )
        for race in races
    ]


def _ballots(page: Page) -> Ballots:
    sections = page.eval_on_selector_all(
        "#ballots > section.ballot",
        """els => els.map(s => [
            s.querySelector('.ballot__title').textContent.trim(),
            [...s.querySelectorAll('[data-list=rows] > li')].map(li =>
                [li.dataset.entity, li.querySelector('[data-k=pct]').textContent.trim()]),
            s.querySelector('[data-k=silent]').textContent.trim()])""",
    )
    return [(title, [(e, pct) for e, pct in rows], silent) for title, rows, silent in sections]


def _same(page: Page, expected: Ballots) -> None:
    got = _ballots(page)
    assert [(title, rows) for title, rows, _ in got] == [(t, rows) for t, rows, _ in expected]
    for (_, _, silent), (_, _, ids) in zip(got, expected, strict=True):
        assert bool(silent) == bool(ids)  # the silent are listed, never ranked


def _pick_place(page: Page) -> None:
    page.locator("#start-new a").click()
    page.wait_for_url("**/demo/place")
    assert page.locator("h1").text_content() == "სად აძლევთ ხმას?"
    page.locator(f"label:has(input[value='{PLACE}'])").click()
    page.locator("#place-form button[type=submit]").click()
    page.wait_for_url(f"**/demo/quiz?place={PLACE}")


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    yield context
    context.close()


def test_a_district_voter_sees_three_ballots_with_javascript(
    phone: BrowserContext, zugdidi: str
) -> None:
    answers = _answers(zugdidi)
    expected = _api(zugdidi, answers)
    assert len(expected) == 3 and expected[0][0] == "ზუგდიდის მერი"
    page = phone.new_page()
    problems = _watch(page)
    page.goto(f"{zugdidi}/ka/demo/")
    _pick_place(page)
    for sid, answer in answers.items():
        step = page.locator("#quiz .statement:not([hidden])")
        assert step.get_attribute("data-id") == sid
        if answer is None:
            page.locator("#quiz-next").click()
        else:
            step.locator(f"label:has(input[value='{answer}'])").click()
    page.click("#quiz-next")  # past the optional weighting step
    page.wait_for_url("**/demo/results")
    page.wait_for_selector("#ballots > section.ballot")
    _same(page, expected)
    # a candidate card names who stands behind the candidate
    assert page.locator("#ballots .rank__party").first.is_visible()
    assert "წარმდგენი" in (page.locator("#ballots").text_content() or "")
    # the party that answered nothing is named under the list, not ranked
    assert "ახალი ზუგდიდი" in (page.locator("#ballots").text_content() or "")
    # changing the place on the result: the municipality's two races only
    page.select_option("#place-select", "zugdidi")
    assert len(_ballots(page)) == 2
    assert page.evaluate("localStorage.getItem('vaa:place:demo')") == "zugdidi"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []


def test_a_district_voter_sees_three_ballots_without_javascript(
    browser: Browser, zugdidi: str
) -> None:
    answers = _answers(zugdidi)
    expected = _api(zugdidi, answers)
    context = browser.new_context(viewport=PHONE, locale="ka-GE", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{zugdidi}/ka/demo/")
    _pick_place(page)
    assert page.locator("input[type=hidden][name=place]").get_attribute("value") == PLACE
    for sid, answer in answers.items():
        if answer is not None:
            page.locator(f"input[name='answer-{sid}'][value='{answer}']").check()
    page.locator("#quiz-submit").click()
    page.wait_for_url("**/demo/results")
    _same(page, expected)
    # the details follow the chosen race: the district seat's candidates only
    seat = expected[2]
    page.select_option("#race-select", index=2)
    page.locator("#race-form button[type=submit]").click()
    page.wait_for_url("**/demo/results")
    compare = page.eval_on_selector_all("#compare-a option", "os => os.map(o => o.value)")
    assert sorted(compare) == sorted(e for e, _ in seat[1])
    _same(page, expected)  # the place rode along in the form
    context.close()


def test_place_and_result_pages_pass_axe(browser: Browser, zugdidi: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="ka-GE", bypass_csp=True)
    page = context.new_page()
    for lang in ("ka", "en"):
        page.goto(f"{zugdidi}/{lang}/demo/place")
        assert _axe(page) == []
        page.evaluate(
            "([a, p]) => { localStorage.setItem('vaa:answers:demo', JSON.stringify({answers: a, weights: {}}));"
            " localStorage.setItem('vaa:place:demo', p); }",
            [_answers(zugdidi), PLACE],
        )
        page.goto(f"{zugdidi}/{lang}/demo/results")
        page.wait_for_selector("#ballots > section.ballot")
        assert _axe(page) == []
    context.close()


def test_how_sure_reads_the_same_with_and_without_javascript(
    browser: Browser, zugdidi: str
) -> None:
    # A voter who stopped after 8 statements: the first ballot (the mayor, the race quick
    # mode separates) says how likely its top is to stay; both paths compute the same.
    answers = dict(list(_answers(zugdidi).items())[:8])
    form = {f"answer-{sid}": a or "skip" for sid, a in answers.items()} | {"place": PLACE}
    server = httpx.post(f"{zugdidi}/ka/demo/results", data=form).text
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    page = context.new_page()
    page.goto(f"{zugdidi}/ka/demo/")
    page.evaluate(
        "([a, p]) => { localStorage.setItem('vaa:answers:demo', JSON.stringify({answers: a, weights: {}}));"
        " localStorage.setItem('vaa:place:demo', p); }",
        [answers, PLACE],
    )
    page.goto(f"{zugdidi}/ka/demo/results")
    page.wait_for_selector("#ballots > section.ballot")
    line = page.locator("#ballots > section.ballot").first.locator(".summary__certainty")
    assert line.is_visible()
    said = (line.text_content() or "").strip()
    assert said and said in server
    context.close()
