"""A result that is there at once (issue 12): what a voter's phone asks the network for.

Every request the browser sends, its own and its service worker's, goes through a small
recording proxy in front of the test server, so "no request" means nothing reached the
network, whatever a cache answered. At 360x740, a first visit: the start page, every
statement answered, the result.
"""

import contextlib
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import PHONE
from tests.browser.test_quiz import _current, _option, _past_weights

_REQUEST = re.compile(rb"(GET|POST|HEAD) (\S+) HTTP/1\.1\r\n")
_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


@dataclass
class Sent:
    at: float
    method: str
    path: str
    status: int | None = None


@dataclass
class Recorder:
    """A TCP proxy to the test server that notes each request and the status it got."""

    target: tuple[str, int]
    log: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    listener: socket.socket | None = None

    def start(self) -> str:
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            server = socket.create_connection(self.target)
            pending: deque[Sent] = deque()
            for args in ((client, server, pending, True), (server, client, pending, False)):
                threading.Thread(target=self._pipe, args=args, daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, pending: deque[Sent], up: bool):
        try:
            while data := source.recv(65536):
                with self.lock:
                    if up:
                        for method, path in _REQUEST.findall(data):
                            sent = Sent(time.monotonic(), method.decode(), path.decode())
                            self.log.append(sent)
                            pending.append(sent)
                    else:
                        for status in _STATUS.findall(data):
                            if pending:
                                pending.popleft().status = int(status)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)  # the other side sees the end, then closes
            source.close()

    def since(self, moment: float) -> list[Sent]:
        with self.lock:
            return [s for s in self.log if s.at >= moment]

    def quiet(self, seconds: float = 1.0, limit: float = 60.0) -> None:
        """Wait until no request has been sent for `seconds` (the worker's downloads end)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                last = self.log[-1].at if self.log else 0.0
            if time.monotonic() - last >= seconds:
                return
            time.sleep(0.1)


@pytest.fixture
def recorder(live_server: str) -> Iterator[tuple[Recorder, str]]:
    parts = urlsplit(live_server)
    record = Recorder((parts.hostname or "127.0.0.1", parts.port or 80))
    yield record, record.start()
    record.stop()


def _answer_all_but_last(page: Page) -> None:
    total = page.locator("#quiz .statement").count()
    for i in range(total - 1):
        step = _current(page)
        sid = step.get_attribute("data-id")
        _option(step, "agree" if i % 2 else "disagree").click()
        page.wait_for_function(
            "sid => !document.querySelector(`#quiz .statement[data-id='${sid}']:not([hidden])`)",
            arg=sid,
        )


def _first_visit(
    browser: Browser, base: str, record: Recorder, workers: str
) -> tuple[Page, list[Sent]]:
    """The start page, the quiz answered up to the last statement, the voter pausing."""
    context = browser.new_context(viewport=PHONE, locale="en-GB", service_workers=workers)
    page = context.new_page()
    page.goto(f"{base}/en/demo/")
    page.locator("#start-new a[href$='/demo/quiz']").click()
    page.wait_for_url("**/demo/quiz")
    _answer_all_but_last(page)
    if workers == "allow":
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    record.quiet()
    last = time.monotonic()
    _option(_current(page), "agree").click()
    _past_weights(page)  # the optional weighting step, then "Show my result"
    page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")
    return page, record.since(last)


def test_the_ranking_follows_the_last_answer_with_no_request(
    browser: Browser, recorder: tuple[Recorder, str]
) -> None:
    record, base = recorder
    page, after_last = _first_visit(browser, base, record, "allow")
    # The result page, its modules and the election were kept by the service worker while
    # the voter answered (the quiz prefetched them too).
    assert page.url.endswith("/en/demo/results")
    assert page.locator("#results [data-list=rows] > li").count() > 0
    assert [(s.method, s.path) for s in after_last] == []
    page.context.close()


def test_without_a_worker_nothing_is_asked_either(
    browser: Browser, recorder: tuple[Recorder, str]
) -> None:
    # No service worker (blocked, or a browser without one): the quiz prefetched the
    # result page, its modules and the election, and parsed the page while the voter
    # answered; the result replaces the quiz in place (handover.js), with no page load.
    record, base = recorder
    page, after_last = _first_visit(browser, base, record, "block")
    assert page.url.endswith("/en/demo/results")
    assert page.locator("#results [data-list=rows] > li").count() > 0
    assert [(s.path, s.status) for s in after_last] == []
    page.context.close()


def test_reasons_load_when_a_statement_is_opened_and_nothing_twice(
    browser: Browser, recorder: tuple[Recorder, str]
) -> None:
    record, base = recorder
    page, _ = _first_visit(browser, base, record, "allow")
    page.wait_for_load_state("networkidle")
    record.quiet()
    assert not [s.path for s in record.log if "justifications" in s.path]
    assert page.locator("[data-list=statements] .sp__why:not([hidden])").count() == 0
    page.locator("#sec-statements > summary").click()  # the section; no statement yet
    page.wait_for_load_state("networkidle")
    record.quiet()
    assert not [s.path for s in record.log if "justifications" in s.path]

    opened = time.monotonic()
    page.locator("[data-list=statements] > li summary").first.click()
    page.wait_for_selector("[data-list=statements] > li .sp__why:not([hidden])")
    asked = [s.path for s in record.since(opened)]
    assert len([p for p in asked if p.endswith("/justifications")]) == 1, asked
    # A second statement: the reasons are in memory, nothing more is asked.
    again = time.monotonic()
    page.locator("[data-list=statements] > li summary").nth(1).click()
    page.wait_for_selector("[data-list=statements] > li:nth-child(2) .sp__why:not([hidden])")
    assert [s.path for s in record.since(again)] == []

    # No file is downloaded twice: each module under its one hashed URL, each page once
    # (the worker may only ask again whether a page it keeps changed: 304).
    fetched = Counter(s.path for s in record.log if s.status == 200)
    assert [path for path, n in fetched.items() if n > 1] == []
    statics = Counter(s.path for s in record.log if s.path.startswith("/static/"))
    assert [path for path, n in statics.items() if n > 1] == []
    modules = {p.rsplit("/", 1)[1] for p in statics if p.endswith(".js")}
    assert len(modules) == len([p for p in statics if p.endswith(".js")])
    page.context.close()
