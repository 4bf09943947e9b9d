"""The quiz embedded in a partner's page on another origin (api/pages/embed.py).

The partner page holds exactly the snippet the embed page shows; it is served from a
second loopback port, so the frame is cross-origin as on a real partner site.
"""

import html
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page

from tests.browser.conftest import DESKTOP, PHONE, _free_port, start_server
from tests.browser.test_results import _watch
from tests.conftest import DEMO_FILES
from vaa.bootstrap import prepare_database
from vaa.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture
def partner(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app allowing one partner origin, and that partner's page: (app, partner) URLs."""
    port = _free_port()
    partner = f"http://127.0.0.1:{port}"
    database = f"sqlite:///{tmp_path / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=database, demo_files=DEMO_FILES))
    engine.dispose()
    app, base = start_server(database, VAA_FRAME_ANCESTORS=f"'self' {partner}")
    shown = httpx.get(f"{base}/en/demo/embed").text
    found = re.search(r'<code id="embed-snippet">(.*?)</code>', shown, re.S)
    assert found, "no snippet on the embed page"
    site = tmp_path / "partner"
    site.mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Partner news</title>'
        '<link rel="icon" href="data:,">'
        "<h1>Partner news</h1><p>Before the quiz.</p>\n"
        + html.unescape(found.group(1))
        + '<p id="after">After the quiz.</p>\n',
        "utf-8",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            httpx.get(partner, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, partner
    for process in (server, app):
        process.terminate()
        process.wait(timeout=10)


def _heights(page: Page, frame: Frame) -> tuple[float, float]:
    outer: float = page.evaluate(
        "() => document.querySelector('iframe[data-archevani]').getBoundingClientRect().height"
    )
    inner: float = frame.evaluate("() => document.documentElement.getBoundingClientRect().height")
    return outer, inner


def _fits(page: Page, frame: Frame) -> float:
    """Wait until the frame is as tall as the page inside it; return that height."""
    deadline = time.monotonic() + 15
    while True:
        outer, inner = _heights(page, frame)
        if abs(outer - inner) <= 2:
            return outer
        assert time.monotonic() < deadline, f"frame {outer}px, its page {inner}px"
        time.sleep(0.1)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_partner_page_embeds_the_quiz_and_the_frame_fits(
    browser: Browser, partner: tuple[str, str], viewport: dict[str, int]
) -> None:
    base, site = partner
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    problems = _watch(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site + "/")
    page.wait_for_selector("iframe[data-archevani]")
    frame = page.frame_locator("iframe[data-archevani]")
    frame.locator("#start-new a").wait_for()
    (quiz,) = [f for f in page.frames if f.url.startswith(base)]
    start_height = _fits(page, quiz)
    assert start_height != 760  # the snippet's height, before the quiz reported its own

    frame.locator("#start-new a").click()
    quiz.wait_for_url("**/demo/quiz")
    quiz_height = _fits(page, quiz)
    assert quiz_height != start_height
    step = frame.locator("#quiz .statement:not([hidden])")
    step.locator("label", has=page.locator("input[value='agree']")).click()
    frame.locator("#quiz .statement:not([hidden]) label.important").wait_for()
    # The answers stay inside the frame, in the quiz's own storage; the host has nothing.
    stored = quiz.evaluate("() => localStorage.getItem('vaa:answers:demo')")
    assert stored and "agree" in stored
    assert page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]") == [
        0,
        0,
        "",
    ]
    # No third-party request: only the partner's own page and this site.
    assert requests and all(u.startswith((site + "/", base + "/")) for u in requests), requests
    assert problems == []
    context.close()


def test_other_sites_may_not_frame_the_quiz(partner: tuple[str, str]) -> None:
    base, site = partner
    policy = httpx.get(f"{base}/en/demo/").headers["content-security-policy"]
    assert f"frame-ancestors 'self' {site}" in policy
