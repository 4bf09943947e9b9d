"""Party self-service in the system Chromium: invite, accept, fill in, submit, return with a
comment, resubmit, approve; the approved positions land in the election's draft."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, start_server
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import create_db_engine, session_scope
from vaa.drafts import open_draft
from vaa.settings import Settings

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SHOTS = Path(os.environ.get("VAA_SCREENSHOTS", "/tmp/party-shots"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Its own server on the demo election with an editor account: (base URL, database URL)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('party') / 'vaa.db'}"
    settings = Settings(database_url=url, demo_files=DEMO_FILES)
    engine, _ = prepare_database(settings)
    with session_scope(engine) as session:
        accounts.create_account(
            session, email="editor@example.org", password=PASSWORD, role="editor", actor="test"
        )
    engine.dispose()
    process, base = start_server(url)
    yield base, url
    process.terminate()
    process.wait(timeout=10)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_invite_fill_in_return_resubmit_approve(browser: Browser, server: tuple[str, str]) -> None:
    base, database_url = server
    staff = browser.new_context(viewport=DESKTOP, locale="en-GB")
    party_context = browser.new_context(viewport=PHONE, locale="ka-GE")
    editor, party = staff.new_page(), party_context.new_page()

    # 1. The editor invites Green Coast.
    sign_in(editor, base, "editor@example.org")
    editor.goto(f"{base}/admin/review/demo")
    editor.select_option("#entity", "green-coast")
    editor.fill("#days", "7")
    editor.click("text=Create invitation link")
    link = editor.inner_text("#invitation-link").strip()
    assert "/party/invite/" in link
    shoot(editor, "review-election-desktop")

    # 2. The representative accepts (in Georgian, on a phone) and is signed in.
    party.goto(link)
    party.fill("#email", "rep@green-coast.example")
    party.fill("#password", PASSWORD)
    party.fill("#confirm", PASSWORD)
    party.click("button[type=submit]")
    party.wait_for_url(f"{base}/party/demo/green-coast")
    shoot(party, "party-phone")

    # 3. They change the first statement, watch the counter, save, then submit.
    party.select_option("#answer-e-petitions", "disagree")
    area = party.locator("#justification-e-petitions-en")
    area.fill("We would rather fund paper petitions in every village first.")
    expect(party.locator("#count-e-petitions-en")).to_contain_text("500 სიმბოლოდან 60")
    party.fill("#source-e-petitions", "https://green-coast.example/programme")
    party.click("button[value=save]")
    expect(party.locator("[role=status]")).to_be_visible()
    party.click("button[value=submit]")
    expect(party.locator("[data-status=pending]")).to_be_visible()
    assert party.locator("fieldset.party-fields[disabled]").count() == 1

    # 4. The editor sees the difference and returns it with a comment.
    editor.goto(f"{base}/admin/review/demo/submissions/green-coast")
    change = editor.locator("[data-statement=e-petitions]")
    expect(change).to_contain_text("We would rather fund paper petitions")
    expect(change).to_contain_text("Disagree")
    shoot(editor, "review-submission-desktop")
    editor.fill("#comment", "Please add the Georgian justification too.")
    editor.click("text=Return to the party")
    expect(editor.locator("#submission-status")).to_have_attribute("data-status", "returned")

    # 5. The party reads the comment, adds the Georgian text and resubmits.
    party.reload()
    expect(party.locator(".party-comment")).to_contain_text("Georgian justification")
    party.fill(
        "#justification-e-petitions-ka",
        "ჯერ ყველა სოფელში ქაღალდის პეტიციების დაფინანსებას ვამჯობინებთ.",
    )
    party.click("button[value=submit]")
    expect(party.locator("[data-status=pending]")).to_be_visible()

    # 6. The editor approves; the positions are now in the draft.
    editor.reload()
    expect(editor.locator("[data-statement=e-petitions]")).to_contain_text("ქაღალდის")
    editor.click("text=Approve")
    expect(editor.locator("#submission-status")).to_have_attribute("data-status", "approved")
    party.reload()
    expect(party.locator("[data-status=approved]")).to_be_visible()
    party.set_viewport_size(DESKTOP)
    shoot(party, "party-desktop")
    staff.close()
    party_context.close()

    engine = create_db_engine(Settings(database_url=database_url))
    with session_scope(engine) as session:
        opened = open_draft(session, slug="demo")
        assert opened is not None
        entity = next(e for e in opened.data["entities"] if e["id"] == "green-coast")
    engine.dispose()
    position = entity["positions"]["e-petitions"]
    assert position["answer"] == "disagree"
    assert position["source"] == "https://green-coast.example/programme"
    assert position["justification"]["ka"].startswith("ჯერ ყველა სოფელში")
