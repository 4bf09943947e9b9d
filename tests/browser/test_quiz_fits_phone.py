"""One screen per statement on a 360 x 740 phone, with the shipped Zugdidi demo.

For every statement, in Georgian and English, the statement, every answer and the
"important" box are on screen without scrolling; "important" can be marked before the
answer (the tap that answers keeps it) and after it (going back); an optional step after
the last statement marks the important ones and can be skipped. Without JavaScript the
same path posts forms from page to page and the result gets the same weights.
"""

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.browser.conftest import PHONE, shots_dir
from tests.browser.test_results import _stored, _watch

pytestmark = pytest.mark.browser

SHOTS = shots_dir("quizscreen")
# The controls a voter needs on every statement, and where they are on the screen.
BOXES = """(form) => {
  const s = document.querySelector(`#${form} .statement:not([hidden])`);
  const box = (e, name) => { const r = e.getBoundingClientRect(); return [name, r.left, r.top, r.right, r.bottom]; };
  return [box(s.querySelector("h2"), "statement"),
    ...[...s.querySelectorAll("label.option")].map((e) => box(e, e.textContent.trim())),
    box(s.querySelector("label.important"), "important")];
}"""


@pytest.fixture(scope="module")
def ids(zugdidi: str) -> list[str]:
    bundle = httpx.get(f"{zugdidi}/api/v1/elections/demo/bundle").json()
    return [s["id"] for s in bundle["questionnaire"]["statements"]]


def _current(page: Page) -> Locator:
    return page.locator("#quiz .statement:not([hidden])")


def _shoot(page: Page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _off_screen(boxes: list[Any], top: float = 0, bottom: float = PHONE["height"]) -> list[Any]:
    return [b for b in boxes if b[1] < 0 or b[3] > PHONE["width"] or b[2] < top or b[4] > bottom]


def _weights_on_result(page: Page) -> set[str]:
    """The statements the result page counts as important (its own boxes)."""
    # In the folded "statement by statement" section: present, not necessarily shown.
    page.wait_for_selector("[data-list=statements] [data-statement]", state="attached")
    names = page.eval_on_selector_all(
        "[data-list=statements] input[name^='weight-']:checked", "es => es.map(e => e.name)"
    )
    return {n.removeprefix("weight-") for n in names}


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_every_statement_fits_one_phone_screen(
    browser: Browser, zugdidi: str, ids: list[str], lang: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="ka-GE" if lang == "ka" else "en-GB")
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{zugdidi}/{lang}/demo/quiz")
    page.wait_for_selector("#quiz.quiz--js")
    assert page.locator("#quiz-intro").is_visible()  # says which mode this is
    wide: dict[str, list[Any]] = {}
    for i, sid in enumerate(ids):
        assert _current(page).get_attribute("data-id") == sid
        # The progress is one line.
        step = page.locator("#quiz-step")
        line = step.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        assert (step.bounding_box() or {"height": 0})["height"] <= line * 1.2
        assert page.locator("#s-" + sid + " details.statement__info").get_attribute("open") is None
        outside = _off_screen(page.evaluate(BOXES, "quiz"))
        if outside:
            wide[sid] = outside
        if i in (0, len(ids) // 2):
            _shoot(page, f"{lang}-statement-{i + 1}")
        _current(page).locator("label.option").nth(i % 6).click()
    page.locator("#quiz-weights").wait_for()
    _shoot(page, f"{lang}-weighting-step")
    assert page.locator("#quiz-next").is_visible()  # "see my result", without scrolling
    assert wide == {}
    assert problems == []
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_quick_mode_statements_fit_one_phone_screen(
    browser: Browser, zugdidi: str, ids: list[str], lang: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{zugdidi}/{lang}/demo/quick")
    page.wait_for_selector("#quick[data-ready]")
    assert page.locator("#quick-intro").is_visible()  # says which mode this is
    wide: dict[str, list[Any]] = {}
    for i in range(len(ids)):
        if page.locator("#quick-settled").is_visible():
            _shoot(page, f"{lang}-quick-settled")
            page.locator("#quick-continue").click()  # go on answering
        statement = page.locator("#quick .statement:not([hidden])")
        if not statement.count():
            break
        outside = _off_screen(page.evaluate(BOXES, "quick"))
        if outside:
            wide[statement.get_attribute("data-id") or ""] = outside
        if i in (0, 3):
            _shoot(page, f"{lang}-quick-{i + 1}")
        statement.locator("label.option").nth(i % 6).click()
    assert wide == {}
    context.close()


def test_important_before_and_after_answering_reaches_the_result(
    browser: Browser, zugdidi: str, ids: list[str]
) -> None:
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{zugdidi}/ka/demo/quiz")
    page.wait_for_selector("#quiz.quiz--js")
    # Before answering: the box first, then the tap that answers and moves on keeps it.
    _current(page).locator("label.important").click()
    _shoot(page, "ka-important-before-answering")
    _current(page).locator("label.option").nth(3).click()
    assert _current(page).get_attribute("data-id") == ids[1]
    # After answering: back to the statement, which shows its answer, then the box.
    _current(page).locator("label.option").nth(1).click()
    page.locator("#quiz-back").click()
    assert _current(page).get_attribute("data-id") == ids[1]
    assert _current(page).locator("label.option").nth(1).locator("input").is_checked()
    assert not _current(page).locator("input[type=checkbox]").is_checked()
    _current(page).locator("label.important").click()
    _shoot(page, "ka-important-after-going-back")
    page.locator("#quiz-next").click()
    assert _current(page).get_attribute("data-id") == ids[2]
    back = page.locator("#quiz-back")
    back.click()
    assert _current(page).locator("input[type=checkbox]").is_checked()
    page.locator("#quiz-next").click()
    for i in range(2, len(ids)):
        # every fourth statement skipped: the last step lists the answered ones only
        _current(page).locator("label.option").nth(5 if i % 4 == 0 else 2).click()
    items = page.locator("#quiz-weights-list input")
    answered = [sid for i, sid in enumerate(ids) if i < 2 or i % 4]
    assert items.count() == len(answered)
    boxes = dict(
        zip(
            answered,
            page.eval_on_selector_all("#quiz-weights-list input", "es => es.map(e => e.checked)"),
            strict=True,
        )
    )
    assert {sid for sid, on in boxes.items() if on} == {ids[0], ids[1]}
    # The last step: one more on, one off.
    page.locator("#quiz-weights-list label").nth(0).click()
    page.locator("#quiz-weights-list label").nth(4).click()
    _shoot(page, "ka-weighting-step-marked")
    page.locator("#quiz-next").click()
    page.wait_for_url("**/demo/results")
    expected = {ids[1], answered[4]}
    assert {sid for sid, w in (_stored(page) or {})["weights"].items() if w >= 2} == expected
    assert _weights_on_result(page) == expected
    assert problems == []
    context.close()


def test_the_weighting_step_can_be_skipped(browser: Browser, zugdidi: str, ids: list[str]) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{zugdidi}/en/demo/quiz")
    page.wait_for_selector("#quiz.quiz--js")
    for i in range(len(ids) - 1):
        if i == 3:
            _current(page).locator("label.important").click()
        _current(page).locator("label.option").nth(1).click()
    # The last statement, left open: "Show my result" goes straight to the result, past
    # the optional step.
    skip = page.locator("#quiz-submit")
    assert skip.is_visible()
    _shoot(page, "en-last-statement")
    skip.click()
    page.wait_for_url("**/demo/results")
    assert _weights_on_result(page) == {ids[3]}
    # Back on the quiz the last step is where the voter left: leaving it as it is.
    page.goto(f"{zugdidi}/en/demo/quiz")
    page.locator("#quiz-weights").wait_for()
    page.locator("#quiz-next").click()
    page.wait_for_url("**/demo/results")
    assert _weights_on_result(page) == {ids[3]}
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_without_javascript_each_card_fits_and_the_weighting_step_works(
    browser: Browser, zugdidi: str, ids: list[str], lang: str
) -> None:
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, service_workers="block"
    )
    page = context.new_page()
    page.goto(f"{zugdidi}/{lang}/demo/quiz")
    tall: dict[str, float] = {}
    for i, sid in enumerate(ids):
        card = page.locator(f"#s-{sid}")
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        assert box is not None
        if box["height"] > PHONE["height"]:
            tall[sid] = box["height"]
        if i % 3 == 0:
            card.locator("label.option").nth(i % 5).click()
    assert tall == {}
    page.locator(f"#s-{ids[0]} label.important").click()  # with its answer
    page.locator(f"#s-{ids[1]} label.important").click()  # skipped: does not count
    page.locator("#quiz-weigh").click()
    page.wait_for_url("**/demo/quiz/weights")
    _shoot(page, f"{lang}-nojs-weighting-step")
    answered = ids[::3]
    listed = page.eval_on_selector_all("#quiz-weights-list input", "es => es.map(e => e.name)")
    assert listed == [f"weight-{sid}" for sid in answered]
    assert page.locator(f"input[name='weight-{ids[0]}']").is_checked()
    page.locator(f"input[name='weight-{ids[3]}']").check()
    # Back to the statements: the answers and weights are still there.
    page.locator("#quiz-back").click()
    page.wait_for_url("**/demo/quiz")
    for i, sid in enumerate(answered):
        assert page.locator(f"#s-{sid} label.option").nth(3 * i % 5).locator("input").is_checked()
    assert page.locator(f"#s-{ids[3]} input[type=checkbox]").is_checked()
    page.locator("#quiz-weigh").click()
    page.wait_for_url("**/demo/quiz/weights")
    page.locator("#quiz-next").click()
    page.wait_for_url("**/demo/results")
    assert _weights_on_result(page) == {ids[0], ids[3]}
    context.close()
