"""The voter pages without a connection (frontend/sw.js, api/offline.py).

Each test runs its own server and then stops it and takes the browser offline, so
"offline" is real: nothing answers any more, only the service worker's cache.
"""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from api.app import create_app
from api.static_export import export_static
from tests.api.test_page_etags import publish_new_text
from tests.browser.conftest import PHONE, _free_port, start_server
from tests.browser.test_quiz import _current, _option
from tests.browser.test_results import _api, _ranking, _record, _watch
from tests.conftest import DEMO_FILES
from vaa.bootstrap import prepare_database
from vaa.db import create_db_engine
from vaa.matching import round_half_up
from vaa.settings import Settings

pytestmark = pytest.mark.browser

Server = tuple[subprocess.Popen[bytes], str, str]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own (the test stops it): process, base URL, database URL."""
    url = f"sqlite:///{tmp_path / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    engine.dispose()
    process, base = start_server(url)
    yield process, base, url
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def _slice(base: str, lang: str) -> dict[str, Any]:
    bundle = httpx.get(f"{base}/api/v1/elections/demo").json()["bundle"]
    data: dict[str, Any] = httpx.get(f"{base}{bundle}/{lang}").json()
    return data


def _kept(page: Page) -> list[str]:
    """The names of the worker's caches, once it controls the page."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    names: list[str] = page.evaluate("() => caches.keys()")
    return names


def _wait_for(page: Page, predicate: str, arg: Any, seconds: float = 30) -> None:
    """Poll an async predicate (wait_for_function takes a promise for a true value)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate, arg):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {predicate}"
        time.sleep(0.2)


def _cut_off(page: Page, process: subprocess.Popen[bytes]) -> None:
    """No connection: the server stopped and the browser offline."""
    process.terminate()
    process.wait(timeout=10)
    page.context.set_offline(True)


def _take_quiz(page: Page, election: dict[str, Any], record: dict[str, Any]) -> None:
    page.locator("#start-new a").click()
    page.wait_for_url(re.compile(r"/demo/quiz(\.html)?$"))
    for sid in [s["id"] for s in election["statements"]]:
        step = _current(page)
        if record["weights"].get(sid) == 2:
            step.locator("label.important").click()
        _option(step, record["answers"][sid]).click()
    page.locator("#quiz-weights").wait_for()  # the optional weighting step: left as it is
    page.locator("#quiz-next").click()
    page.wait_for_url(re.compile(r"/demo/results(\.html)?$"))
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")


def test_after_one_visit_the_voter_pages_work_offline(browser: Browser, server: Server) -> None:
    process, base, _ = server
    election = _slice(base, "ka")
    record = _record(election)
    expected = _api(base, record, "ka")
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{base}/ka/demo/")  # the one visit: nothing else is opened online
    assert len([n for n in _kept(page) if n.startswith("archevani-")]) == 1
    title = page.locator("h1").text_content()
    _cut_off(page, process)

    page.goto(f"{base}/ka/demo/")
    assert page.locator("h1").text_content() == title
    _take_quiz(page, election, record)
    assert _ranking(page) == expected  # computed on the phone from the kept bundle
    page.reload()
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")
    assert _ranking(page) == expected
    page.goto(f"{base}/ka/demo/method")
    assert page.locator("main h1").is_visible()
    # Only the language in use was downloaded: nothing of the English pages is kept.
    urls = page.evaluate(
        "async () => (await (await caches.open((await caches.keys())[0])).keys()).map(r => r.url)"
    )
    assert f"{base}/ka/demo/quiz" in urls
    assert not [u for u in urls if "/en/" in u or u.endswith("/en")], urls
    assert [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p] == []
    context.close()


def test_a_visit_in_another_language_keeps_that_one_instead(
    browser: Browser, server: Server
) -> None:
    _, base, _ = server
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    page = context.new_page()
    page.goto(f"{base}/ka/demo/")
    (georgian,) = _kept(page)
    assert georgian.endswith("-ka")
    page.locator("[data-lang-switch][hreflang=en]").click()
    page.wait_for_url("**/en/demo/")
    _wait_for(
        page,
        """async () => {
            const names = await caches.keys();
            return names.length === 1 && names[0].endsWith("-en");
        }""",
        None,
    )
    context.close()


def test_a_new_published_version_replaces_the_old_one_whole(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    process, base, database_url = server
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/en/demo/")
    (old_cache,) = _kept(page)
    old_bundle = httpx.get(f"{base}/api/v1/elections/demo").json()["bundle"]

    engine = create_db_engine(Settings(database_url=database_url))
    publish_new_text(engine, tmp_path, "demonstration questionnaire", "rehearsal questionnaire")
    engine.dispose()
    new_bundle = httpx.get(f"{base}/api/v1/elections/demo").json()["bundle"]
    assert new_bundle != old_bundle
    election = _slice(base, "en")
    record = _record(election)
    expected = _api(base, record, "en")

    page.reload()  # online: the page is new, and the browser finds the new worker
    assert "rehearsal questionnaire" in (page.locator("h1").text_content() or "")
    _wait_for(
        page,
        """async (old) => {
            const names = await caches.keys();
            return names.length === 1 && names[0] !== old
                && navigator.serviceWorker.controller?.state === "activated";
        }""",
        old_cache,
    )
    kept = page.evaluate(
        "async () => (await (await caches.open((await caches.keys())[0])).keys()).map(r => r.url)"
    )
    assert any(new_bundle in url for url in kept)
    assert not any(old_bundle in url for url in kept)
    _cut_off(page, process)

    for url in ("/en/demo/", "/en/demo/method"):
        page.goto(base + url)
        assert "rehearsal questionnaire" in (page.locator("body").text_content() or ""), url
    page.goto(f"{base}/en/demo/")
    _take_quiz(page, election, record)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('vaa:answers:demo'))")
    assert stored["version"] == election["version"]
    config = page.evaluate("() => JSON.parse(document.getElementById('results-data').textContent)")
    assert new_bundle in config["bundle"]
    assert _ranking(page) == expected
    context.close()


def _serve_directory(site: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m http.server` in a directory, on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/sw.js", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return process, base


def test_a_set_with_a_page_of_another_version_is_refused(browser: Browser, tmp_path: Path) -> None:
    """As if a version were published while the worker downloads: nothing is kept."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vaa.db'}", demo_files=DEMO_FILES)
    engine, _ = prepare_database(settings)
    engine.dispose()
    site = tmp_path / "site"
    export_static(create_app(settings), ["demo"], site)
    results = site / "ka" / "demo" / "results.html"
    text = results.read_text("utf-8")
    checksum = re.search(r"/bundle/([0-9a-f]{64})/", text)
    assert checksum
    results.write_text(text.replace(checksum.group(1), "f" * 64), "utf-8")
    process, base = _serve_directory(site)
    try:
        context = browser.new_context(viewport=PHONE, locale="ka-GE")
        page = context.new_page()
        page.goto(f"{base}/ka/demo/index.html")
        _wait_for(  # the worker is installing...
            page, "async () => !!(await navigator.serviceWorker.getRegistration())", None
        )
        _wait_for(  # ...and then no longer
            page,
            """async () => {
                const registration = await navigator.serviceWorker.getRegistration();
                return !registration || (!registration.installing && !registration.waiting);
            }""",
            None,
        )
        # No worker took charge, so nothing is served from a cache: no mixed version. The
        # failed install deletes what it cached; the browser may try the install again, so
        # a cache can exist for a moment while that retry runs, and is then deleted too.
        state = page.evaluate(
            """async () => [navigator.serviceWorker.controller,
                (await navigator.serviceWorker.getRegistration())?.active ?? null]"""
        )
        assert state == [None, None]
        _wait_for(page, "async () => (await caches.keys()).length === 0", None, 10)
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_static_export_works_offline(browser: Browser, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vaa.db'}", demo_files=DEMO_FILES)
    engine, _ = prepare_database(settings)
    engine.dispose()
    app = create_app(settings)
    site = tmp_path / "site"
    export_static(app, ["demo"], site)
    with TestClient(app) as client:
        bundle = client.get("/api/v1/elections/demo").json()["bundle"]
        election = client.get(f"{bundle}/ka").json()
        record = _record(election)
        body = {"answers": record["answers"], "weights": record["weights"], "language": "ka"}
        results = client.post("/api/v1/elections/demo/match", json=body).json()["results"]
    expected = [(r["entity"], f"{int(round_half_up(r['score']))}%") for r in results]
    process, base = _serve_directory(site)
    try:
        context = browser.new_context(viewport=PHONE, locale="ka-GE")
        page = context.new_page()
        problems = _watch(page)
        page.goto(f"{base}/ka/demo/index.html")
        assert len(_kept(page)) == 1
        _cut_off(page, process)
        page.goto(f"{base}/ka/demo/index.html")
        _take_quiz(page, election, record)
        assert _ranking(page) == expected
        page.goto(f"{base}/ka/demo/method.html")
        assert page.locator("main h1").is_visible()
        assert [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p] == []
        context.close()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
