"""An editor adds a candidate through the spreadsheet import page of an election with
races, and imports a district list that the spreadsheets' reader reads."""

import io

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.soup import alerts, content, fields, hrefs, one, parse, texts

BASE = f"{ADMIN}/races"


def _with_candidate(xlsx: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = book["entities"]
    header = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(header)
    row.update(
        id="d2-nika",
        kind="candidate",
        name_ka="ნიკა ჯავახია",
        name_en="Nika Javakhia",
        party="party-b",
        positions_from="party-b",
        races="seat-d2",
        constituency="d2",
    )
    sheet.append([row[name] for name in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_editor_adds_a_candidate_from_a_workbook(races: TestClient, demo: sa.Engine) -> None:
    editor = Editor(races, demo)
    page = parse(races.get(f"{BASE}/spreadsheets"))
    assert f"{BASE}/spreadsheets/races-entities.csv" in hrefs(page)
    assert "constituencies, races and entities" in content(page)
    xlsx = races.get(f"{BASE}/spreadsheets/races.xlsx").content
    before, rev = draft(demo, "races"), revision(demo, "races")
    checked = editor.post(
        f"{BASE}/spreadsheets/import",
        {"revision": str(rev)},
        files={"files": ("races.xlsx", _with_candidate(xlsx), "application/octet-stream")},
    )
    assert checked.status_code == 200, checked.text[:3000]
    changes = texts(parse(checked), "main tr")
    assert any("Nika Javakhia" in row or "ნიკა ჯავახია" in row for row in changes)
    assert draft(demo, "races") == before
    (payload,) = fields(one(parse(checked), "form:has(input[name=payload])"))["payload"]
    editor.ok(f"{BASE}/spreadsheets/apply", {"payload": payload, "revision": str(rev)})
    nika = draft(demo, "races")["entities"][-1]
    assert (nika["id"], nika["races"], nika["party"], nika["positions_from"]) == (
        "d2-nika",
        ["seat-d2"],
        "party-b",
        "party-b",
    )
    assert "Nika Javakhia" in content(parse(races.get(f"{BASE}/races")))


def test_a_candidate_in_a_race_outside_its_place_is_refused_at_its_cell(
    races: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(races, demo)
    xlsx = races.get(f"{BASE}/spreadsheets/races.xlsx").content
    wrong = _with_candidate(xlsx)
    book = openpyxl.load_workbook(io.BytesIO(wrong))
    sheet = book["entities"]
    column = [cell.value for cell in sheet[1]].index("constituency") + 1
    sheet.cell(sheet.max_row, column).value = "d1"
    out = io.BytesIO()
    book.save(out)
    refused = editor.post(
        f"{BASE}/spreadsheets/import",
        {"revision": str(revision(demo, "races"))},
        files={"files": ("races.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert refused.status_code == 400
    rows = [texts(row, "td") for row in parse(refused).select("main tr")]
    (cell,) = [r for r in rows if r[:3] == ["entities", "11", "races"]]
    assert "outside the candidate's constituency" in cell[3]
    # a Georgian editor reads the rule in Georgian
    races.cookies.set("vaa_lang", "ka")
    refused = editor.post(
        f"{BASE}/spreadsheets/import",
        {"revision": str(revision(demo, "races"))},
        files={"files": ("races.xlsx", out.getvalue(), "application/octet-stream")},
    )
    rows = [texts(row, "td") for row in parse(refused).select("main tr")]
    assert any("კანდიდატის საარჩევნო ოლქის („d1“) გარეთ" in r[-1] for r in rows if r)


def test_a_district_list_saved_with_semicolons_and_a_cycle(
    races: TestClient, demo: sa.Engine
) -> None:
    editor = Editor(races, demo)
    # a spreadsheet in a Georgian or Russian locale saves CSV with semicolons and a BOM
    listed = "\ufeffid;name_ka;name_en;within\nd3;მესამე ოლქი;District 3;town\n"
    editor.ok(f"{BASE}/constituencies/import", {"csv": listed}, "races")
    places = draft(demo, "races")["questionnaire"]["constituencies"]
    assert places[-1] == {
        "id": "d3",
        "name": {"ka": "მესამე ოლქი", "en": "District 3"},
        "within": "town",
    }
    cycle = "id,name_ka,name_en,within\ntown,ქალაქი,Town,d3\n"
    refused = editor.post(f"{BASE}/constituencies/import", {"csv": cycle}, slug="races")
    assert refused.status_code == 400
    assert "Place town: with d3 in column within it would lie within itself." in alerts(
        parse(refused)
    )
    assert draft(demo, "races")["questionnaire"]["constituencies"] == places
