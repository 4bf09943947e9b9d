"""An admin archives the demo in the system Chromium: it leaves the public home page,
and its own pages say it is archived."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, start_server
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings

pytestmark = pytest.mark.browser

ADMIN = "admin@ngo.example"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo and a second election (the same files under another name), one admin."""
    folder = tmp_path_factory.mktemp("archive")
    url = f"sqlite:///{folder / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    copies: list[Path] = []
    for source in DEMO_FILES:
        copy = folder / source.name
        copy.write_text(
            source.read_text(encoding="utf-8").replace("election: demo", "election: tbilisi"),
            encoding="utf-8",
        )
        copies.append(copy)
    with session_scope(engine) as session:
        load_files(session, paths=copies)
        accounts.create_account(session, email=ADMIN, password=PASSWORD, role="admin", actor="test")
    engine.dispose()
    process, base = start_server(url)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_an_admin_archives_the_demo_and_it_leaves_the_home_page(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
    page = context.new_page()
    page.goto(f"{server}/en/")
    expect(page.locator('.election-list a[href="/en/demo/"]')).to_be_visible()
    expect(page.locator('.election-list a[href="/en/tbilisi/"]')).to_be_visible()

    page.goto(f"{server}/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server}/admin/elections/demo?lang=en")
    page.locator("#visibility input[value=archived]").check()
    page.click("text=Save visibility")
    expect(page.get_by_role("status")).to_contain_text("Who sees the election has been changed")
    expect(page.locator("#visibility input[value=archived]")).to_be_checked()

    page.goto(f"{server}/en/", wait_until="load")
    # Only one election is listed now, so the home page goes straight to it.
    expect(page).to_have_url(f"{server}/en/tbilisi/")
    page.goto(f"{server}/en/demo/")
    expect(page.locator("#election-archived")).to_contain_text("This election is archived")
    context.close()
