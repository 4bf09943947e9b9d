"""Tie-breakers in a real browser: a too-close top two offers unanswered statements that
may separate them; one tap answers one, on the device, and the result is recalculated."""

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import PHONE
from tests.browser.test_results import _watch

pytestmark = pytest.mark.browser


def _statements(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#tiebreak [data-list=tiebreak] > li", "els => els.map(e => e.dataset.statement)"
    )


def test_one_tap_answers_a_tie_breaker(
    browser: Browser, live_server: str, slices: dict[str, Any]
) -> None:
    ids = [s["id"] for s in slices["en"]["statements"]]
    answers = {sid: "neutral" for sid in ids[:6]}
    server = httpx.post(
        f"{live_server}/en/demo/results",
        data={f"answer-{sid}": answers.get(sid, "skip") for sid in ids},
    ).text
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{live_server}/en/demo/")
    page.evaluate(
        "a => localStorage.setItem('vaa:answers:demo', JSON.stringify({answers: a, weights: {}}))",
        answers,
    )
    page.goto(f"{live_server}/en/demo/results")
    page.wait_for_selector("#tiebreak:not([hidden]) [data-list=tiebreak] > li")
    offered = _statements(page)
    assert offered and all(f'data-statement="{sid}"' in server for sid in offered)  # as the server
    page.locator("#tiebreak [data-list=tiebreak] > li").first.locator(
        "button[data-option]"
    ).first.click()
    stored = page.evaluate("JSON.parse(localStorage.getItem('vaa:answers:demo')).answers")
    assert stored[offered[0]] is not None
    assert offered[0] not in _statements(page)
    assert problems == []
    context.close()
