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
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from api.i18n import LOCALES
from api.views.headline import minimum_answers
from api.views.texts import TEXTS
from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.page_language import english_phrases, foreign_in
from tests.soup import content, one, parse, select, shown, text
from vaa.cli import main
from vaa.errors import MESSAGES, format_message
from vaa.settings import Settings, get_settings

GEORGIAN = re.compile(r"[\u10d0-\u10ff]")

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


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> Editor:
    return Editor(client, demo)


@pytest.fixture
def georgian_editor(client: TestClient, demo: sa.Engine) -> Editor:
    editor = Editor(client, demo)
    client.cookies.set("vaa_lang", "ka")
    return editor


def _catalog(language: str) -> dict[str, str]:
    """Every translation of a language, read from its .po files (not through the app)."""
    found: dict[str, str] = {}
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            found.update({str(m.id): str(m.string) for m in read_po(po) if m.id})
    return found


def _in(language: str, code: str, **params: Any) -> str:
    """A domain code's message as the language's errors catalog words it."""
    return format_message(_catalog(language)[MESSAGES[code]], params)


def _problems(page: BeautifulSoup) -> dict[str, str]:
    """The import's problem table: column -> its message."""
    rows = [
        [text(td) for td in select(tr, "td")] for tr in select(page, ".sheet-problems tbody tr")
    ]
    return {column: message for _file, _line, column, message in rows}


def test_a_georgian_editor_reads_every_row_problem_in_georgian(
    georgian_editor: Editor, demo: sa.Engine
) -> None:
    """Each problem is its code's Georgian message from the catalog, with the cell's value,
    and nothing else on the page is English."""
    before = draft(demo, "demo")
    response = _import(georgian_editor, _broken_workbook(georgian_editor.client))
    assert response.status_code == 400, response.text[:2000]
    page = parse(response)
    assert page.html is not None and page.html["lang"] == "ka"
    scale = [o["id"] for o in before["questionnaire"]["scale"]]
    assert _problems(page) == {
        "answer": _in("ka", "sheet.answer.option", value="yes", options=scale),
        "source": _in("ka", "sheet.cell.url", value="www.example.org/programme"),
        "statement": _in("ka", "sheet.statement.unknown", value="no-such-statement"),
        "text_en": _in("ka", "sheet.cell.formula"),
    }
    assert "ფორმულა" in _problems(page)["text_en"]  # the catalog's Georgian, not its msgid
    # the rest of the page: no English sentence, no run of Latin words (the problem cells,
    # equal to the catalog's Georgian above, echo the cells' ids and values)
    rest = foreign_in(page, english_phrases("ka"), besides="[lang=en], .sheet-problems tbody")
    assert rest == []
    assert draft(demo, "demo") == before  # nothing was imported


def test_an_english_editor_reads_the_same_rows_in_english(editor: Editor, demo: sa.Engine) -> None:
    page = _import(editor, _broken_workbook(editor.client))
    assert page.status_code == 400
    messages = _problems(parse(page))
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
    names = {str(radio["name"]) for radio in select(parse(quiz), "input[name^=answer-]")}
    assert names
    return {name: answer for name in sorted(names)}


def test_a_georgian_voter_sending_nothing_answered_reads_georgian(client: TestClient) -> None:
    """Every radio starts on "skip" without JavaScript: one click sends nothing answered.
    The page asks for more answers in the catalog's Georgian, and shows no English."""
    form = _voter_form(client, "ka", "skip")
    response = client.post("/ka/demo/results", data=form)
    assert response.status_code == 200
    page = parse(response)
    notice = one(page, "#results-too-few")
    assert shown(notice)
    wanted = _catalog("ka")[TEXTS["too_few"]] % {
        "minimum": minimum_answers(len(form)),
        "answered": 0,
    }
    assert text(one(notice, "[data-k=too_few]")) == wanted
    assert GEORGIAN.search(wanted) and "Please" not in wanted
    assert foreign_in(page, english_phrases("ka"), besides="[lang=en]") == []


def test_a_georgian_voter_sending_an_empty_form_reads_georgian(client: TestClient) -> None:
    """A form with no answers at all (a stale or cut-off page): the refusal is the
    errors catalog's Georgian for form.empty."""
    response = client.post("/ka/demo/results", data={"place": ""})
    assert response.status_code == 400
    page = parse(response)
    assert text(one(page, ".notice[role=alert] .muted")) == _in("ka", "form.empty")
    assert foreign_in(page, english_phrases("ka"), besides="[lang=en]") == []


def test_an_english_voter_sending_nothing_answered_reads_english(client: TestClient) -> None:
    response = client.post("/en/demo/results", data=_voter_form(client, "en", "skip"))
    assert response.status_code == 200
    notice = text(one(parse(response), "#results-too-few [data-k=too_few]"))
    assert notice.startswith("Please answer at least") and not GEORGIAN.search(notice)


def test_a_georgian_app_sending_no_answers_gets_the_georgian_message(client: TestClient) -> None:
    """The API's refusal of nothing answered: English detail, stable code, Georgian message."""
    refused = client.post(
        "/api/v1/elections/demo/match", json={"answers": {}}, headers={"accept-language": "ka"}
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "answers.none"
    assert body["detail"] == MESSAGES["answers.none"]
    assert body["message"] == _in("ka", "answers.none")
    assert GEORGIAN.search(body["message"]) and body["message"] != body["detail"]


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
    notice = text(one(parse(page), ".notice[role=alert]"))
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
        assert "no such invitation" not in text(parse(page))
