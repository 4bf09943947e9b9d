"""Spreadsheets carry places, races and candidates: round trips, and every rule of the
YAML files reported at the sheet (or CSV file), row and column of the cell."""

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest

from tests.conftest import DATA, SHIPPED_DEMO_FILES
from vaa.content import ElectionContent
from vaa.formats import DataError, Problem
from vaa.loading import read_elections
from vaa.spreadsheets import Change, export_csv, export_xlsx, import_csv, import_xlsx, preview

RACE_FILES = [DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"]
FLAT_FILES = [DATA / "flat-questionnaire.yaml", DATA / "flat-parties.yaml"]


def _content(paths: list[Path]) -> ElectionContent:
    (content,) = read_elections(paths)
    return content


def races() -> ElectionContent:
    return _content(RACE_FILES)


def _problems(call: Callable[[], object]) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        call()
    return caught.value.problems


def _edited(data: bytes, edits: list[tuple[str, int, str, Any]]) -> bytes:
    """The workbook with cells changed: (sheet, row, column header, value); row 0 appends."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet_name, row, column, value in edits:
        sheet = book[sheet_name]
        header = [cell.value for cell in sheet[1]]
        cell = sheet.cell(row=row or sheet.max_row + 1, column=header.index(column) + 1)
        cell.value = value  # cell(value=None) would leave the old value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _without(data: bytes, *sheets: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for name in sheets:
        del book[name]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(files: dict[str, bytes], name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


ELECTIONS = [
    pytest.param(lambda: _content(SHIPPED_DEMO_FILES), id="zugdidi-demo"),
    pytest.param(races, id="races"),
]


# -- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("make", ELECTIONS)
def test_yaml_to_xlsx_and_back_gives_the_same_content(
    make: Callable[[], ElectionContent],
) -> None:
    content = make()
    assert content.questionnaire.races and content.questionnaire.constituencies
    assert import_xlsx(export_xlsx(content), current=content) == content
    # read against an election without races, the sheets alone bring them back
    bare = content.model_copy(
        update={
            "questionnaire": content.questionnaire.model_copy(
                update={"constituencies": [], "races": []}
            ),
            "entities": [e.model_copy(update={"races": []}) for e in content.entities],
        }
    )
    assert import_xlsx(export_xlsx(content), current=bare) == content


@pytest.mark.parametrize("make", ELECTIONS)
def test_yaml_to_csv_and_back_gives_the_same_content(make: Callable[[], ElectionContent]) -> None:
    content = make()
    assert import_csv(export_csv(content), current=content) == content


def test_race_sheets_layout() -> None:
    content = races()
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(content)))
    assert book.sheetnames[:6] == [
        "instructions",
        "questionnaire",
        "themes",
        "constituencies",
        "races",
        "entities",
    ]
    rows = [[c.value for c in row] for row in book["constituencies"].iter_rows()]
    assert rows[:3] == [
        ["id", "name_ka", "name_en", "within"],
        ["town", "ქალაქი", "Town", None],
        ["d1", "პირველი ოლქი", "District 1", "town"],
    ]
    races_rows = [[c.value for c in row] for row in book["races"].iter_rows()]
    assert races_rows[0] == ["id", "title_ka", "title_en", "constituency"]
    assert races_rows[3] == ["seat-d1", "პირველი ოლქის მაჟორიტარი", "District 1 seat", "d1"]
    entities = [[c.value for c in row] for row in book["entities"].iter_rows()]
    header = entities[0]
    beka = dict(zip(header, entities[5], strict=True))
    assert (beka["id"], beka["kind"], beka["party"], beka["backing"], beka["races"]) == (
        "m-beka",
        "candidate",
        "party-b",
        "party-c",
        "mayor",
    )
    assert beka["positions_from"] == "party-b"
    instructions = " ".join(str(c.value) for row in book["instructions"].iter_rows() for c in row)
    assert "positions_from" in instructions and "ბიულეტენის რიგითობით" in instructions
    files = export_csv(content)
    assert list(files) == [
        "races-questionnaire.csv",
        "races-themes.csv",
        "races-constituencies.csv",
        "races-races.csv",
        "races-entities.csv",
        "races-positions.csv",
    ]
    assert _csv(files, "races-entities.csv")[0] == header


def test_a_flat_election_exports_no_race_sheets_and_imports_unchanged() -> None:
    flat = _content(FLAT_FILES)
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(flat)))
    assert not {"constituencies", "races", "entities"} & set(book.sheetnames)
    assert not any(name.endswith(("races.csv", "entities.csv")) for name in export_csv(flat))
    assert import_xlsx(export_xlsx(flat), current=flat) == flat
    assert import_csv(export_csv(flat), current=flat) == flat


def test_a_workbook_without_the_race_sheets_keeps_the_current_races() -> None:
    content = races()
    data = _without(export_xlsx(content), "constituencies", "races", "entities")
    assert import_xlsx(data, current=content) == content
    files = {k: v for k, v in export_csv(content).items() if k.endswith("positions.csv")}
    assert import_csv(files, current=content) == content


def test_a_constituencies_sheet_without_within_keeps_the_tree() -> None:
    content = races()
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(content)))
    book["constituencies"].delete_cols(4)  # within
    book["constituencies"]["C3"] = "First district"
    out = io.BytesIO()
    book.save(out)
    new = import_xlsx(out.getvalue(), current=content)
    assert [(c.id, c.within) for c in new.questionnaire.constituencies] == [
        ("town", None),
        ("d1", "town"),
        ("d2", "town"),
    ]
    assert new.questionnaire.constituencies[1].name["en"] == "First district"


def test_a_new_candidate_with_its_own_sheet() -> None:
    content = races()
    data = _edited(
        export_xlsx(content),
        [
            ("entities", 0, "id", "d2-nika"),
            ("entities", 11, "kind", "Candidate"),
            ("entities", 11, "name_ka", "ნიკა"),
            ("entities", 11, "name_en", "Nika"),
            ("entities", 11, "party", "party-b"),
            ("entities", 11, "backing", "party-a; party-c"),
            ("entities", 11, "races", "seat-d2"),
            ("entities", 11, "constituency", "d2"),
            ("entities", 11, "fictional", "yes"),
        ],
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.create_sheet("d2-nika")
    sheet.append(["statement", "answer"])
    sheet.append([content.questionnaire.statements[0].id, "agree"])
    out = io.BytesIO()
    book.save(out)
    new = import_xlsx(out.getvalue(), current=content)
    nika = new.entities[-1]
    assert (nika.id, nika.kind, nika.party, nika.backing, nika.races, nika.fictional) == (
        "d2-nika",
        "candidate",
        "party-b",
        ["party-a", "party-c"],
        ["seat-d2"],
        True,
    )
    assert nika.positions[content.questionnaire.statements[0].id].answer == "agree"
    assert new.entities[:-1] == content.entities
    changes = preview(content, new)
    assert Change("added", "entity", "d2-nika", "", None, "ნიკა") in changes


def test_preview_lists_places_races_and_entity_fields() -> None:
    content = races()
    data = _edited(
        export_xlsx(content),
        [
            ("races", 2, "title_en", "The mayor"),
            ("constituencies", 3, "within", None),
            ("entities", 7, "races", "seat-d1, mayor"),
        ],
    )
    # d1 outside town: the candidate's two races are apart, and seat-d1 is no longer in town
    problems = _problems(lambda: import_xlsx(data, current=content))
    assert {(p.file, p.line, p.field) for p in problems} == {("entities", 7, "races")}
    data = _edited(
        export_xlsx(content),
        [("races", 2, "title_en", "The mayor"), ("entities", 4, "races", "list")],
    )
    assert preview(content, import_xlsx(data, current=content)) == [
        Change("changed", "race", "mayor", "title.en", "Mayor", "The mayor"),
    ]
    data = _edited(
        export_xlsx(content),
        [("constituencies", 4, "name_en", "District Two"), ("entities", 5, "races", "list")],
    )
    assert preview(content, import_xlsx(data, current=content)) == [
        Change("changed", "constituency", "d2", "name.en", "District 2", "District Two"),
        Change("changed", "entity", "m-ana", "races", "mayor", "list"),
    ]


# -- every rule at its sheet, row and column ---------------------------------------------


def test_every_race_rule_is_reported_at_its_cell_all_at_once() -> None:
    content = races()
    entities = [e.id for e in content.entities]
    row = {entity: entities.index(entity) + 2 for entity in entities}
    data = _edited(
        export_xlsx(content),
        [
            # a cycle: town within d1, d1 within town
            ("constituencies", 2, "within", "d1"),
            ("constituencies", 4, "within", "nowhere"),
            ("races", 5, "constituency", "atlantis"),
            ("entities", row["m-ana"], "races", "mayor, governor"),
            ("entities", row["m-ana"], "party", "party-z"),
            ("entities", row["d1-eka"], "races", "seat-d1 seat-d2"),
            ("entities", row["m-dato"], "races", None),
            ("entities", row["d1-gia"], "positions_from", "m-beka"),
            ("entities", row["d2-lela"], "backing", "party-c"),
        ],
    )
    problems = _problems(lambda: import_xlsx(data, current=content))
    assert [(p.file, p.line, p.field, p.message) for p in problems] == [
        (
            "constituencies",
            2,
            "within",
            "'town' would lie within itself (a cycle through 'd1')",
        ),
        ("constituencies", 3, "within", "'d1' would lie within itself (a cycle through 'town')"),
        ("constituencies", 4, "within", "unknown constituency 'nowhere'"),
        ("entities", row["m-ana"], "party", "unknown party 'party-z'"),
        (
            "entities",
            row["m-ana"],
            "races",
            "unknown race 'governor' (races: ['mayor', 'list', 'seat-d1', 'seat-d2'])",
        ),
        (
            "entities",
            row["m-dato"],
            "races",
            "stands in no race: name the races it stands in "
            "(only a party that nominates or backs candidates may name none)",
        ),
        (
            "entities",
            row["d1-eka"],
            "races",
            "race 'seat-d1' is held in 'd1', apart from the candidate's other race in "
            "'atlantis': a candidate stands in one place",
        ),
        (
            "entities",
            row["d1-eka"],
            "races",
            "race 'seat-d2' is held in 'atlantis', apart from the candidate's other race in "
            "'d1': a candidate stands in one place",
        ),
        (
            "entities",
            row["d1-eka"],
            "races",
            "race 'seat-d2' is held in 'atlantis', outside the candidate's constituency 'd1'",
        ),
        (
            "entities",
            row["d1-gia"],
            "positions_from",
            "'m-beka' takes its own positions from 'party-b': name that entity instead",
        ),
        (
            "entities",
            row["d1-gia"],
            "positions_from",
            "an entity with positions_from has no positions of its own",
        ),
        ("entities", row["d2-lela"], "backing", "'party-c' is already the nominating party"),
        ("races", 5, "constituency", "unknown constituency 'atlantis'"),
    ]


def test_csv_problems_name_the_file_row_and_column() -> None:
    content = races()
    files = {name: data.decode("utf-8-sig") for name, data in export_csv(content).items()}
    rows = list(csv.reader(io.StringIO(files["races-entities.csv"])))
    header = rows[0]
    ana = next(i for i, r in enumerate(rows) if r[0] == "m-ana")
    rows[ana][header.index("races")] = "seat-d1, seat-d2"
    rows[ana][header.index("constituency")] = "d1"
    files["races-entities.csv"] = _csv_text(rows)
    problems = _problems(lambda: import_csv(files, current=content))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("races-entities.csv", ana + 1, "races"),
        ("races-entities.csv", ana + 1, "races"),
        ("races-entities.csv", ana + 1, "races"),
    ]
    assert [p.message for p in problems] == [
        "race 'seat-d1' is held in 'd1', apart from the candidate's other race in 'd2': "
        "a candidate stands in one place",
        "race 'seat-d2' is held in 'd2', apart from the candidate's other race in 'd1': "
        "a candidate stands in one place",
        "race 'seat-d2' is held in 'd2', outside the candidate's constituency 'd1'",
    ]


def test_a_race_removed_while_candidates_stand_in_it() -> None:
    content = races()
    data = _without(export_xlsx(content), "entities")
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["races"].delete_rows(5)  # seat-d2
    out = io.BytesIO()
    book.save(out)
    problems = _problems(lambda: import_xlsx(out.getvalue(), current=content))
    assert [(p.file, p.line, p.field) for p in problems] == [("races", 1, "id")]
    assert problems[0].message == "entity 'd2-lela', races[0]: unknown race 'seat-d2' " + (
        "(races: ['mayor', 'list', 'seat-d1'])"
    )


def test_positions_of_their_own_for_a_candidate_on_its_partys_positions() -> None:
    content = races()
    statement = content.questionnaire.statements[1].id
    data = export_xlsx(content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["m-beka"]
    line = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == statement)
    sheet.cell(line, 3, "agree")
    out = io.BytesIO()
    book.save(out)
    problems = _problems(lambda: import_xlsx(out.getvalue(), current=content))
    assert [(p.file, p.field) for p in problems] == [("m-beka", "answer")]
    assert "positions_from has no positions of its own" in problems[0].message


def test_rows_with_bad_cells_are_refused_and_nothing_else_is_read() -> None:
    content = races()
    data = _edited(
        export_xlsx(content),
        [
            ("entities", 2, "fictional", "perhaps"),
            ("entities", 3, "name_ka", None),
            ("entities", 3, "name_en", None),
            ("entities", 4, "kind", "movement"),
            ("entities", 5, "color", "green"),
            ("entities", 6, "races", "mayor Mayor"),
            ("races", 4, "id", "mayor"),
            ("races", 3, "title_ka", None),
            ("races", 3, "title_en", None),
            ("constituencies", 2, "name_ka", None),
            ("constituencies", 3, "name_ka", None),
            ("constituencies", 3, "name_en", None),
        ],
    )
    problems = _problems(lambda: import_xlsx(data, current=content))
    # a place named in one language only is a partial translation, allowed in a draft
    assert [(p.file, p.line, p.field, p.message) for p in problems] == [
        ("constituencies", 3, "name_ka", "a name is needed in at least one language"),
        ("entities", 2, "fictional", "'perhaps' is neither yes nor empty"),
        ("entities", 3, "name_ka", "a name is needed in at least one language"),
        ("entities", 4, "kind", "'movement' is not a kind: write party or candidate"),
        (
            "entities",
            5,
            "color",
            "is not valid: String should match pattern '^#[0-9a-fA-F]{6}$'",
        ),
        (
            "entities",
            6,
            "races",
            "'Mayor' is not a valid id (lower-case letters, digits and hyphens)",
        ),
        ("races", 3, "title_ka", "a race needs a title in at least one language"),
        ("races", 4, "id", "duplicate id 'mayor' (also in row 2)"),
    ]
    strict = _problems(lambda: import_xlsx(data, current=content, require_all_languages=True))
    assert ("constituencies", 2, "name_ka", "is empty") in [
        (p.file, p.line, p.field, p.message) for p in strict
    ]


def test_formula_like_names_are_never_formulas() -> None:
    content = races()
    evil = '=HYPERLINK("https://evil.example","x")'
    changed = content.model_copy(
        update={
            "entities": [
                content.entities[0].model_copy(update={"name": {"ka": evil, "en": "+1"}}),
                *content.entities[1:],
            ]
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(changed)))
    cell = book["entities"]["C2"]
    assert cell.value == evil and cell.data_type == "s"
    files = export_csv(changed)
    assert _csv(files, "races-entities.csv")[1][2] == "'" + evil
    assert import_csv(files, current=content) == changed
    assert import_xlsx(export_xlsx(changed), current=content) == changed


def test_an_entities_sheet_added_to_a_flat_workbook_adds_a_party() -> None:
    flat = _content(FLAT_FILES)
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(flat)))
    sheet = book.create_sheet("entities")
    sheet.append(["id", "kind", "name_ka", "name_en"])
    for entity in flat.entities:
        sheet.append([entity.id, entity.kind, entity.name["ka"], entity.name["en"]])
    sheet.append(["new-party", "party", "ახალი პარტია", "New party"])
    out = io.BytesIO()
    book.save(out)
    new = import_xlsx(out.getvalue(), current=flat)
    assert [e.id for e in new.entities] == [*(e.id for e in flat.entities), "new-party"]
    # the columns left out (colour, web address...) keep the current values
    assert new.entities[: len(flat.entities)] == flat.entities
    assert not new.questionnaire.races
    sheet.append(["nameless", "party"])
    out = io.BytesIO()
    book.save(out)
    problems = _problems(lambda: import_xlsx(out.getvalue(), current=flat))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("entities", len(flat.entities) + 3, "name_ka")
    ]


def test_an_entity_named_like_a_race_sheet_gets_its_own_sheet() -> None:
    content = races()
    renamed = content.model_copy(
        update={"entities": [content.entities[0].model_copy(update={"id": "entities"})]}
    )
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(renamed)))
    assert book.sheetnames[-1] == "entities-2"
