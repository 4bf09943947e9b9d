"""Refusals in the reader's language, in the system Chromium (issue 9): a Georgian editor
uploads a bad workbook and reads every row problem in Georgian; an English one reads
English; a Georgian voter without JavaScript who sends nothing answered reads Georgian."""

import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DESKTOP, PHONE, start_server
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.settings import Settings

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
GEORGIAN = re.compile(r"[\u10d0-\u10ff]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own server on the demo election with an editor account."""
    url = f"sqlite:///{tmp_path_factory.mktemp('errors') / 'vaa.db'}"
    engine, _ = prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))
    with session_scope(engine) as session:
        accounts.create_account(
            session, email="editor@example.org", password=PASSWORD, role="editor", actor="test"
        )
    engine.dispose()
    process, base = start_server(url)
    yield base
    process.terminate()
    process.wait(timeout=10)


def _sign_in(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", "editor@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)


def _set(sheet: Any, row: int, header: str, value: Any) -> None:
    heads = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=heads.index(header) + 1, value=value)


def _broken(page: Page, base: str) -> bytes:
    """The draft's workbook, downloaded as the editor, with three bad cells."""
    exported = page.request.get(f"{base}/admin/elections/demo/spreadsheets/demo.xlsx")
    assert exported.ok
    book = openpyxl.load_workbook(io.BytesIO(exported.body()))
    party = book[
        next(n for n in book.sheetnames if n not in ("instructions", "questionnaire", "themes"))
    ]
    _set(party, 2, "answer", "yes")
    _set(party, 3, "source", "www.example.org")
    _set(party, 4, "statement", "no-such-statement")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_messages(page: Page, base: str) -> dict[str, str]:
    page.goto(f"{base}/admin/elections/demo/spreadsheets")
    body = _broken(page, base)
    page.set_input_files(
        "#f-files",
        files=[{"name": "demo.xlsx", "mimeType": "application/octet-stream", "buffer": body}],
    )
    page.click("form[action$='/spreadsheets/import'] button[type=submit]")
    page.wait_for_selector("#problems-h")
    rows = page.locator("section[aria-labelledby=problems-h] tbody tr")
    found: dict[str, str] = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        found[cells[2]] = cells[3]
    return found


def test_a_georgian_editor_reads_the_import_problems_in_georgian(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="ka-GE")
    page = context.new_page()
    _sign_in(page, server, "ka")
    messages = _row_messages(page, server)
    assert set(messages) == {"answer", "source", "statement"}, messages
    assert messages["answer"].startswith("„yes“ არ არის შკალის პასუხი")
    assert (
        messages["source"]
        == "„www.example.org“ არ არის ვებმისამართი: ის უნდა იწყებოდეს https://-ით."
    )
    assert messages["statement"] == "მოსაზრება „no-such-statement“ არ არსებობს."
    assert all(GEORGIAN.search(text) for text in messages.values())
    context.close()


def test_an_english_editor_reads_them_in_english(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    _sign_in(page, server, "en")
    messages = _row_messages(page, server)
    assert (
        messages["source"] == "“www.example.org” is not a web address: it must start with https://."
    )
    assert messages["statement"] == "There is no statement “no-such-statement”."
    assert not any(GEORGIAN.search(text) for text in messages.values())
    context.close()


def test_a_georgian_voter_without_javascript_sending_nothing_reads_georgian(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="ka-GE", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/ka/demo/quiz")
    page.click("#quiz-submit")  # every statement still on "skip"
    notice = page.locator("#results-too-few")
    notice.wait_for()
    text = notice.inner_text()
    assert "გთხოვთ, უპასუხოთ სულ მცირე" in text
    assert not re.search(r"[A-Za-z]{4,}", text), text  # not a word of English
    context.close()
