"""Refusals read in the reader's language: one error hierarchy (vaa/errors.py), one mapping
to statuses and translated messages (api/errors.py), for the admin, the voter and the API.

Issue 9 item 3: a Georgian editor importing a bad spreadsheet and a Georgian voter sending
an empty form read Georgian; the same requests in English read English. Issue 13: a source
cell without https:// and a formula without a saved value are row problems, not a 500 or a
silently emptied text.
"""

import html
import io
import re
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.soup import content, parse
from tests.soup import text as page_text
from vaa.cli import main
from vaa.settings import Settings, get_settings

GEORGIAN = re.compile(r"[\u10d0-\u10ff]")
ROW = re.compile(
    r'<tr><td>([^<]*)</td><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
)

# Every English message a Georgian page must not show, as the CLI and the API say them.
ENGLISH = [
    "is not a scale option",
    "is not a web address",
    "unknown statement",
    "is empty",
    "holds a formula",
    "no statement answered",
    "is not an answer option",
]


def _workbook(client: TestClient) -> openpyxl.Workbook:
    exported = client.get(f"{ADMIN}/demo/spreadsheets/demo.xlsx")
    assert exported.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(exported.content))


def _set(sheet: Any, row: int, header: str, value: Any) -> None:
    heads = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=heads.index(header) + 1, value=value)


def _broken_workbook(client: TestClient) -> bytes:
    """The demo's workbook with four bad cells an editor could make."""
    book = _workbook(client)
    party = book[
        next(n for n in book.sheetnames if n not in ("instructions", "questionnaire", "themes"))
    ]
    _set(party, 2, "answer", "yes")  # not a scale option
    _set(party, 3, "source", "www.example.org/programme")  # no https://: was a 500
    _set(party, 4, "statement", "no-such-statement")  # names a statement that does not exist
    _set(book["questionnaire"], 2, "text_en", '=CONCAT("Changed", " by formula")')  # no value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(editor: Editor, body: bytes) -> Any:
    return editor.post(
        f"{ADMIN}/demo/spreadsheets/import",
        {"revision": str(revision(editor.engine, "demo"))},
        files={"files": ("demo.xlsx", body, "application/octet-stream")},
    )


def _rows(page: str) -> dict[tuple[str, int, str], str]:
    return {
        (file, int(line), column): html.unescape(text)
        for file, line, column, text in ROW.findall(page)
    }


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> Editor:
    return Editor(client, demo)


@pytest.fixture
def georgian_editor(client: TestClient, demo: sa.Engine) -> Editor:
    editor = Editor(client, demo)
    client.cookies.set("vaa_lang", "ka")
    return editor


def test_a_georgian_editor_reads_every_row_problem_in_georgian(
    georgian_editor: Editor, demo: sa.Engine
) -> None:
    before = draft(demo, "demo")
    page = _import(georgian_editor, _broken_workbook(georgian_editor.client))
    assert page.status_code == 400, page.text[:2000]
    rows = _rows(page.text)
    messages = {column: text for (_file, _line, column), text in rows.items()}
    assert set(messages) >= {"answer", "source", "statement", "text_en"}, rows
    assert messages["answer"].startswith("„yes“ არ არის შკალის პასუხი")
    assert messages["source"].startswith("„www.example.org/programme“ არ არის ვებმისამართი")
    assert messages["statement"] == "მოსაზრება „no-such-statement“ არ არსებობს."
    assert "ფორმულა" in messages["text_en"]
    for text in rows.values():
        assert GEORGIAN.search(text), text
        assert not any(english in text for english in ENGLISH), text
    assert draft(demo, "demo") == before  # nothing was imported


def test_an_english_editor_reads_the_same_rows_in_english(editor: Editor, demo: sa.Engine) -> None:
    page = _import(editor, _broken_workbook(editor.client))
    assert page.status_code == 400
    messages = {column: text for (_f, _l, column), text in _rows(page.text).items()}
    assert messages["answer"].startswith("“yes” is not an answer of the scale")
    assert messages["source"] == (
        "“www.example.org/programme” is not a web address: it must start with https://."
    )
    assert messages["statement"] == "There is no statement “no-such-statement”."
    assert messages["text_en"].startswith("This cell holds a formula whose value was not saved")
    assert not any(GEORGIAN.search(text) for text in messages.values())


def test_a_typed_text_in_the_same_cell_is_read(editor: Editor, demo: sa.Engine) -> None:
    """Only a formula without a value is refused: the same cell typed as text imports."""
    book = _workbook(editor.client)
    _set(book["questionnaire"], 2, "text_en", "Typed in Excel.")
    out = io.BytesIO()
    book.save(out)
    page = _import(editor, out.getvalue())
    assert page.status_code == 200, page.text[:2000]
    assert "Typed in Excel." in content(parse(page))


def _voter_form(client: TestClient, lang: str, answer: str) -> dict[str, str]:
    """The no-JavaScript quiz form as a browser posts it: every statement on `answer`."""
    quiz = client.get(f"/{lang}/demo/quiz")
    assert quiz.status_code == 200
    statements = sorted(set(re.findall(r'name="answer-([a-z0-9-]+)"', quiz.text)))
    assert statements
    return {f"answer-{sid}": answer for sid in statements}


def _notice(page: str) -> str:
    found = re.search(r'<div class="notice" role="alert">(.*?)</div>', page, re.S)
    assert found, page[:3000]
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ka", "გთხოვთ, უპასუხოთ სულ მცირე"),
        ("en", "Please answer at least"),
    ],
)
def test_a_voter_sending_nothing_answered_reads_their_language(
    client: TestClient, lang: str, expected: str
) -> None:
    """Every radio starts on "skip" without JavaScript: one click sends nothing answered."""
    page = client.post(f"/{lang}/demo/results", data=_voter_form(client, lang, "skip"))
    found = re.search(
        r'<div class="notice notice--info" id="results-too-few">(.*?)</div>', page.text, re.S
    )
    assert found, page.text[:3000]
    notice = html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))
    assert expected in notice
    assert not any(english in notice for english in ENGLISH), notice
    if lang == "ka":
        assert "Please" not in notice


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ka", "„maybe“ არ არის მოსაზრების"),
        ("en", "“maybe” is not an answer to statement"),
    ],
)
def test_a_voter_sending_an_invalid_answer_reads_their_language(
    client: TestClient, lang: str, expected: str
) -> None:
    page = client.post(f"/{lang}/demo/results", data=_voter_form(client, lang, "maybe"))
    assert page.status_code == 400
    notice = _notice(page.text)
    assert expected in notice
    if lang == "ka":
        assert not any(english in notice for english in ENGLISH), notice


def test_the_api_keeps_its_english_detail_and_adds_a_stable_code(client: TestClient) -> None:
    refused = client.post(
        "/api/v1/elections/demo/match",
        json={"answers": {"nope": "agree"}},
        headers={"accept-language": "ka"},
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["detail"] == "unknown statement 'nope'"
    assert body["code"] == "answers.statement"
    assert body["message"] == "ამ არჩევნებში მოსაზრება „nope“ არ არსებობს."
    nothing = client.post("/api/v1/elections/demo/match", json={"answers": {}})
    assert nothing.status_code == 400 and nothing.json()["code"] == "answers.none"


def test_an_unknown_election_is_a_404_with_its_code(client: TestClient) -> None:
    missing = client.get("/api/v1/elections/nope/statistics")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no published election 'nope'"
    assert missing.json()["code"] == "election.unknown"
    unknown = client.post("/api/v1/elections/nope/match", json={"answers": {"a": "agree"}})
    assert unknown.status_code == 404
    assert unknown.json() | {"message": ""} == {
        "detail": "no published election 'nope'",
        "code": "election.unknown",
        "message": "",
    }


def test_the_command_line_prints_the_english_message(
    settings: Settings,
    demo: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A domain refusal reaches the terminal as its English sentence, exit status 2."""
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    get_settings.cache_clear()
    try:
        status = main(["user", "add", "not-an-address", "--role", "editor", "--password-stdin"])
    finally:
        get_settings.cache_clear()
    assert status == 2
    assert capsys.readouterr().err == "vaa user: 'not-an-address' is not an e-mail address\n"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ka", "მოთხოვნილი გვერდი ან ჩანაწერი ვერ მოიძებნა."), ("en", "no such invitation")],
)
def test_a_domain_error_no_page_catches_is_the_error_page_in_the_readers_language(
    client: TestClient, demo: sa.Engine, lang: str, expected: str
) -> None:
    """Revoking an invitation that does not exist: NotFound reaches api/errors.py."""
    editor = Editor(client, demo)
    client.cookies.set("vaa_lang", lang)
    page = editor.post("/admin/review/demo/invitations/99999/revoke", {})
    assert page.status_code == 404
    assert f'<html lang="{lang}"' in page.text
    assert expected in html.unescape(page.text)
    if lang == "ka":
        assert "no such invitation" not in page_text(parse(page))
