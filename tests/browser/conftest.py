"""Browser tests: the real app served by uvicorn, driven through the system Chromium."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import DEMO_FILES, SHIPPED_DEMO_FILES
from vaa.bootstrap import prepare_database
from vaa.settings import ROOT, Settings

CHROMIUM = os.environ.get("VAA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


START_SECONDS = 90.0
"""A loaded two-core machine needs 10 to 30 s to import the app."""


def start_server(database_url: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `uvicorn api.app:create_app` on a free port; return it and its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**os.environ, "VAA_DATABASE_URL": database_url, **env},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"the test server on port {port} did not start")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo election, on SQLite, at a base URL."""
    path: Path = tmp_path_factory.mktemp("live") / "vaa.db"
    url = f"sqlite:///{path}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    engine.dispose()
    # Loopback is the test's proxy: X-Forwarded-For then tells voters apart (donation limits).
    process, base = start_server(url, VAA_TRUSTED_PROXIES="127.0.0.1")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def zugdidi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the shipped demo: the Zugdidi municipal election and its races."""
    path: Path = tmp_path_factory.mktemp("zugdidi") / "vaa.db"
    url = f"sqlite:///{path}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=SHIPPED_DEMO_FILES))
    engine.dispose()
    process, base = start_server(url)
    yield base
    process.terminate()
    process.wait(timeout=10)


def shots_dir(name: str) -> Path:
    """Where a test's screenshots go: under VAA_SCREENSHOTS if set, else the temp folder."""
    return Path(os.environ.get("VAA_SCREENSHOTS") or tempfile.gettempdir()) / name


@pytest.fixture(scope="module")
def slices(live_server: str) -> dict[str, dict[str, Any]]:
    """The demo's voter slice in each language, as the page downloads it."""
    bundle = httpx.get(f"{live_server}/api/v1/elections/demo").json()["bundle"]
    return {lang: httpx.get(f"{live_server}{bundle}/{lang}").json() for lang in ("ka", "en")}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, headless (Playwright's own browser download fails here)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page in Georgian: no storage shared with other tests."""
    context = browser.new_context(viewport=PHONE, locale="ka-GE")
    yield context.new_page()
    context.close()
