"""An admin adds an editor and a facilitator in the system Chromium; each sets a password
with the one-time link and lands on their own work, with the links of their role only;
a page that is not theirs says so in their language and points back to their work.

With VAA_SCREENSHOTS=<dir> the accounts page and the 403 page are photographed.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, start_server
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.settings import Settings

pytestmark = pytest.mark.browser

ADMIN = "admin@ngo.example"
PASSWORD = "correct horse battery staple"
SHOTS = Path(os.environ["VAA_SCREENSHOTS"]) if os.environ.get("VAA_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own server: the demo election and one admin."""
    url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    with session_scope(engine) as session:
        accounts.create_account(session, email=ADMIN, password=PASSWORD, role="admin", actor="test")
    engine.dispose()
    process, base = start_server(url)
    yield base
    process.terminate()
    process.wait(timeout=10)


def shoot(page: Page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def add_account(admin: Page, email: str, role: str) -> str:
    """Fill the accounts page's form; return the one-time link it shows."""
    admin.fill("#email", email)
    admin.select_option("#role", role)
    admin.click("text=Add the account and make its link")
    link = admin.locator("#password-link")
    expect(link).to_be_visible()
    return link.inner_text().strip()


def set_password(browser: Browser, link: str, lang: str) -> Page:
    """Open the link in a fresh browser (the new person's own device) and set a password."""
    context = browser.new_context(viewport=PHONE, locale="ka-GE" if lang == "ka" else "en-GB")
    page = context.new_page()
    page.goto(link)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_admin_adds_an_editor_and_a_facilitator(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    admin = context.new_page()
    errors: list[str] = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(admin, server, ADMIN)
    admin.wait_for_url(f"{server}/admin")
    admin.click(".staff-nav >> text=Accounts")
    admin.wait_for_url(f"{server}/admin/users")

    editor_link = add_account(admin, "editor@ngo.example", "editor")
    shoot(admin, "accounts-link-en")
    facilitator_link = add_account(admin, "facilitator@ngo.example", "facilitator")
    rows = admin.locator(".account-list > li")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="facilitator@ngo.example")).to_contain_text(
        "Waiting for the password link"
    )

    # The editor, in Georgian, lands on the elections; the nav has no accounts or sessions.
    editor = set_password(browser, editor_link, "ka")
    editor.wait_for_url(f"{server}/admin/elections")
    nav = editor.locator(".staff-nav")
    expect(nav.locator('a[href="/admin/review"]')).to_be_visible()
    expect(nav.locator('a[href="/admin/users"]')).to_have_count(0)
    expect(nav.locator('a[href="/facilitator"]')).to_have_count(0)

    # The facilitator lands on the group sessions; an admin page says no, in their language,
    # and points back to their work.
    facilitator = set_password(browser, facilitator_link, "en")
    facilitator.wait_for_url(f"{server}/facilitator")
    expect(facilitator.locator("h1")).to_have_text("Group sessions")
    facilitator.goto(f"{server}/admin/users")
    expect(facilitator.locator("h1")).to_have_text("You do not have access to this page")
    shoot(facilitator, "forbidden-en-phone")
    facilitator.click("text=Go to your start page")
    facilitator.wait_for_url(f"{server}/facilitator")

    # The admin sees both set up and may disable one; the link cannot be used twice.
    admin.goto(f"{server}/admin/users")
    expect(rows.filter(has_text="facilitator@ngo.example")).to_contain_text("Active")
    shoot(admin, "accounts-en")
    # The party colours are SVG fills, so our own CSP blocks nothing (no console error).
    admin.goto(f"{server}/admin/elections/demo/entities")
    expect(admin.locator("svg.swatch").first).to_be_visible()
    assert errors == []
    admin.goto(editor_link)
    expect(admin.locator("h1")).to_have_text("This link does not work")
    admin.goto(f"{server}/admin/users")
    row = rows.filter(has_text="editor@ngo.example")
    row.locator("button", has_text="Disable").click()
    expect(admin.locator(".notice--info[role=status]")).to_contain_text("has been disabled")
    expect(rows.filter(has_text="editor@ngo.example")).to_contain_text("Disabled")
    editor.reload()
    expect(editor.locator("#email")).to_be_visible()  # signed out: the sign-in form
    context.close()
