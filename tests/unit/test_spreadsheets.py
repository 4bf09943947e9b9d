"""Spreadsheets: export, import (every problem with sheet, row and column), preview."""

import csv
import io
from collections.abc import Callable

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest

from tests.conftest import DATA
from vaa.content import (
    Axis,
    ElectionContent,
    Entity,
    Position,
    Questionnaire,
    ScaleOption,
    Statement,
    Theme,
)
from vaa.formats import DataError, Problem
from vaa.loading import read_elections
from vaa.spreadsheets import (
    Change,
    export_csv,
    export_xlsx,
    import_csv,
    import_xlsx,
    preview,
    sheet_titles,
)

FIVE = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]
LONG_ID = "a-candidate-with-a-very-long-identifier"


def example() -> ElectionContent:
    (content,) = read_elections(
        [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]
    )
    return content


def bilingual() -> ElectionContent:
    """An English and German election with the awkward cases a sheet must carry."""

    def text(en: str, de: str) -> dict[str, str]:
        return {"en": en, "de": de}

    questionnaire = Questionnaire(
        election="synthetic",
        title=text("Synthetic", "Synthetisch"),
        languages=["en", "de"],
        scale=[
            ScaleOption(id="no", label=text("No", "Nein")),
            ScaleOption(id="maybe", label=text("Maybe", "Vielleicht")),
            ScaleOption(id="yes", label=text("Yes", "Ja")),
        ],
        themes=[
            Theme(id="t2", label=text("Transport", "Verkehr")),
            Theme(id="t1", label=text("Schools", "Schulen")),
        ],
        axes=[
            Axis(
                id="x",
                label=text("X", "X"),
                low=text("Left", "Links"),
                high=text("Right", "Rechts"),
            ),
            Axis(id="y", label=text("Y", "Y"), low=text("Down", "Unten"), high=text("Up", "Oben")),
        ],
        statements=[
            Statement(
                id="trams",
                theme="t2",
                text=text("More trams.", "Mehr Straßenbahnen."),
                info=text("Background.", "Hintergrund."),
                axes={"x": 1, "y": -0.25},
            ),
            Statement(
                id="2024",
                theme="t1",
                text=text("=1+1 is\non two lines", "-minus first"),
                axes={"x": 0},
            ),
            Statement(id="fees", theme="t1", text=text("+plus", "@at"), info={"en": "Only EN"}),
        ],
        matching={"method": "hybrid", "missing": "skip"},
    )
    entities = [
        Entity(
            id="themes",
            kind="party",
            name=text("Themes Party", "Themenpartei"),
            color="#112233",
            positions={
                "trams": Position(answer="yes", justification=text("'quoted", "'=x")),
                "fees": Position(
                    answer="no", justification={"en": "English only"}, source="https://e.org/x?a=1"
                ),
            },
        ),
        Entity(
            id=LONG_ID,
            kind="candidate",
            name=text("Candidate", "Kandidatin"),
            party="themes",
            positions={"2024": Position(answer="maybe")},
        ),
        Entity(id="silent", kind="party", name=text("Silent", "Still")),
    ]
    return ElectionContent(questionnaire=questionnaire, entities=entities)


ELECTIONS = [pytest.param(example, id="example"), pytest.param(bilingual, id="bilingual")]


def _problems(call: Callable[[], object]) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        call()
    return caught.value.problems


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _saved(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# -- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("make", ELECTIONS)
def test_xlsx_round_trip_gives_the_same_content(make: Callable[[], ElectionContent]) -> None:
    content = make()
    again = import_xlsx(export_xlsx(content), current=content)
    assert again == content
    assert preview(content, again) == []


@pytest.mark.parametrize("make", ELECTIONS)
def test_csv_round_trip_gives_the_same_content(make: Callable[[], ElectionContent]) -> None:
    content = make()
    again = import_csv(export_csv(content), current=content)
    assert again == content


def test_round_trip_keeps_order_explicit_zero_loadings_and_partial_translations() -> None:
    content = bilingual()
    for again in (
        import_xlsx(export_xlsx(content), current=content),
        import_csv(export_csv(content), current=content),
    ):
        assert [t.id for t in again.questionnaire.themes] == ["t2", "t1"]
        assert again.questionnaire.statements[1].axes == {"x": 0}
        assert again.questionnaire.statements[1].text["en"] == "=1+1 is\non two lines"
        assert again.questionnaire.statements[2].info == {"en": "Only EN"}
        assert again.entities[0].positions["trams"].justification == {
            "en": "'quoted",
            "de": "'=x",
        }


# -- layout ------------------------------------------------------------------------------


def test_workbook_layout_is_fit_to_fill_in_by_hand() -> None:
    workbook = _workbook(export_xlsx(example()))
    assert workbook.sheetnames == ["instructions", "questionnaire", "themes", "party-a", "party-b"]

    questionnaire = workbook["questionnaire"]
    header = [c.value for c in questionnaire[1]]
    assert header == ["id", "theme", "text_ka", "text_en", "info_ka", "info_en", "axis_economic"]
    assert all(c.font.bold for c in questionnaire[1])
    assert questionnaire.freeze_panes == "B2"
    assert [c.value for c in questionnaire["A"]] == ["id", "s1", "s2", "s3", "s4"]
    assert [c.value for c in questionnaire["G"]][1:] == [1, -0.5, None, None]
    assert questionnaire.column_dimensions["C"].width == 50
    assert questionnaire.column_dimensions["A"].width == 18
    rules = {str(dv.sqref): dv for dv in questionnaire.data_validations.dataValidation}
    assert rules["B2:B204"].formula1 == "themes!$A$2:$A$102"
    assert (rules["G2:G204"].type, rules["G2:G204"].formula1) == ("decimal", "-1")

    themes = workbook["themes"]
    assert [[c.value for c in row] for row in themes.iter_rows()] == [
        ["id", "label_ka", "label_en"],
        ["first", "პირველი", "First"],
        ["second", "მეორე", "Second"],
    ]

    party = workbook["party-b"]
    assert [[c.value for c in row] for row in party.iter_rows()] == [
        ["statement", "statement_text", "answer", "justification_ka", "justification_en", "source"],
        ["s1", "დებულება 1", "disagree-strongly", None, None, None],
        ["s2", "დებულება 2", "agree-strongly", None, None, None],
        ["s3", "დებულება 3", None, None, None, None],
        ["s4", "დებულება 4", "disagree-strongly", None, None, None],
    ]
    assert party.freeze_panes == "B2"
    assert all(c.font.bold for c in party[1])
    (answers,) = party.data_validations.dataValidation
    assert str(answers.sqref) == "C2:C5"
    assert answers.type == "list"
    assert answers.formula1 == '"' + ",".join(FIVE) + '"'

    instructions = workbook["instructions"]
    assert [instructions["A1"].value, instructions["B1"].value] == ["მაგალითი", "Example"]
    assert instructions["A2"].value == "როგორ შევავსოთ ეს ფაილი"
    assert instructions["B2"].value == "How to fill in this workbook"
    column_a = [c.value for c in instructions["A"]]
    assert column_a[column_a.index("answer") + 1 :][:5] == FIVE
    assert "axis_economic" in column_a
    assert column_a[column_a.index("sheet") + 1 :] == ["party-a", "party-b"]


def test_text_is_never_a_formula_and_sheet_titles_are_valid() -> None:
    content = bilingual()
    assert sheet_titles(content.entities) == {
        "themes": "themes-2",
        LONG_ID: LONG_ID[:31],
        "silent": "silent",
    }
    workbook = _workbook(export_xlsx(content))
    assert workbook.sheetnames[3:] == ["themes-2", LONG_ID[:31], "silent"]
    cell = workbook["questionnaire"]["C3"]
    assert (cell.value, cell.data_type) == ("=1+1 is\non two lines", "s")
    (answers,) = workbook["silent"].data_validations.dataValidation
    assert answers.formula1 == '"no,maybe,yes"'


def test_a_long_scale_lists_its_answers_from_the_instructions_sheet() -> None:
    content = example()
    scale = [
        ScaleOption(
            id=f"option-{n:02d}-with-a-rather-long-identifier", label={"ka": "ა", "en": "A"}
        )
        for n in range(11)
    ]
    questionnaire = content.questionnaire.model_copy(update={"scale": scale})
    positions = {"s1": Position(answer=scale[10].id)}
    long_scale = ElectionContent(
        questionnaire=questionnaire,
        entities=[content.entities[0].model_copy(update={"positions": positions})],
    )
    workbook = _workbook(export_xlsx(long_scale))
    (answers,) = workbook["party-a"].data_validations.dataValidation
    assert answers.formula1 == "instructions!$A$10:$A$20"
    assert [c.value for c in workbook["instructions"]["A"][9:20]] == [o.id for o in scale]
    assert import_xlsx(_saved(workbook), current=long_scale) == long_scale


def test_csv_layout_is_one_row_per_entity_and_statement() -> None:
    files = export_csv(example())
    assert list(files) == [
        "example-questionnaire.csv",
        "example-themes.csv",
        "example-positions.csv",
    ]
    assert all(data.startswith(b"\xef\xbb\xbf") for data in files.values())
    positions = _csv_rows(files["example-positions.csv"])
    assert positions[0] == [
        "entity",
        "statement",
        "statement_text",
        "answer",
        "justification_ka",
        "justification_en",
        "source",
    ]
    assert len(positions) == 1 + 2 * 4
    assert positions[4] == [
        "party-a",
        "s4",
        "დებულება 4",
        "disagree",
        "ასე ვფიქრობთ.",
        "We think so.",
        "https://example.org/a",
    ]
    assert positions[7] == ["party-b", "s3", "დებულება 3", "", "", "", ""]
    assert _csv_rows(files["example-questionnaire.csv"])[2] == [
        "s2",
        "first",
        "დებულება 2",
        "Statement 2",
        "",
        "",
        "-0.5",
    ]


def test_csv_escapes_formula_like_text() -> None:
    files = export_csv(bilingual())
    rows = _csv_rows(files["synthetic-questionnaire.csv"])
    assert rows[2][2:4] == ["'=1+1 is\non two lines", "'-minus first"]
    assert rows[3][2:4] == ["'+plus", "'@at"]
    positions = _csv_rows(files["synthetic-positions.csv"])
    assert positions[1][4:6] == ["''quoted", "''=x"]


def test_csv_saved_with_semicolons_is_read() -> None:
    content = example()
    files = {
        name: "\n".join(";".join(row) for row in _csv_rows(data))
        for name, data in export_csv(content).items()
    }
    assert import_csv(files, current=content) == content


# -- bad input ---------------------------------------------------------------------------


def test_workbook_problems_are_all_reported_with_sheet_row_and_column() -> None:
    content = example()
    workbook = _workbook(export_xlsx(content))
    workbook["questionnaire"]["G2"] = "lots"
    workbook["questionnaire"].append(["s1", "first", "again", "again"])
    workbook["themes"]["A1"] = "name"
    workbook["party-a"]["C2"] = "yes"
    workbook["party-b"].title = "Party B"
    problems = _problems(lambda: import_xlsx(_saved(workbook), current=content))
    assert problems == [
        Problem(
            "Party B",
            1,
            "",
            "unknown sheet 'Party B'; expected one of questionnaire, themes, party-a, party-b",
        ),
        Problem("party-a", 2, "answer", f"'yes' is not a scale option ({', '.join(FIVE)})"),
        Problem("questionnaire", 2, "axis_economic", "'lots' is not a number (from -1 to 1)"),
        Problem("questionnaire", 6, "id", "duplicate id 's1' (also in row 2)"),
        Problem("themes", 1, "id", "column is missing"),
        Problem("themes", 1, "name", "unknown column; expected id, label_ka, label_en"),
    ]


def test_missing_id_column_and_bad_cells_in_the_questionnaire() -> None:
    content = example()
    workbook = _workbook(export_xlsx(content))
    sheet = workbook["questionnaire"]
    sheet.delete_cols(1)
    assert _problems(lambda: import_xlsx(_saved(workbook), current=content)) == [
        Problem("questionnaire", 1, "id", "column is missing")
    ]

    workbook = _workbook(export_xlsx(content))
    sheet = workbook["questionnaire"]
    sheet["B2"] = "third"
    sheet["C3"] = None
    sheet["D3"] = "  "
    sheet["G4"] = 1.5
    sheet["A5"] = "S 4"
    sheet["A7"] = None
    sheet["C7"] = "a row without an id"
    sheet["H1"] = "axis_social"
    # Where a bad id makes a statement unknown, positions on it are reported too.
    assert _problems(lambda: import_xlsx(_saved(workbook), current=content)) == [
        Problem("party-a", 5, "statement", "unknown statement 's4'"),
        Problem("party-b", 5, "statement", "unknown statement 's4'"),
        Problem(
            "questionnaire",
            1,
            "axis_social",
            "unknown column; expected id, theme, text_ka, text_en, info_ka, info_en, axis_economic",
        ),
        Problem("questionnaire", 2, "theme", "unknown theme 'third'; themes: first, second"),
        Problem("questionnaire", 3, "text_ka", "a statement needs a text"),
        Problem("questionnaire", 4, "axis_economic", "1.5 is not from -1 to 1"),
        Problem(
            "questionnaire",
            5,
            "id",
            "'S 4' is not a valid id (lower-case letters, digits and hyphens)",
        ),
        Problem("questionnaire", 7, "id", "is empty"),
        Problem("questionnaire", 7, "theme", "is empty"),
    ]


def test_csv_problems_name_the_file_row_and_column() -> None:
    content = example()
    files: dict[str, bytes | str] = {
        name: data.decode("utf-8-sig") for name, data in export_csv(content).items()
    }
    positions = str(files["example-positions.csv"])
    positions = positions.replace("party-a,s1,", "party-x,s1,")
    positions = positions.replace("party-b,s3,დებულება 3,,,,", "party-b,s9,x,,,,https://e.org")
    positions = positions.replace("party-b,s4,დებულება 4,", "party-b,s2,დებულება 4,")
    files["example-positions.csv"] = positions
    files["example-questionnaire.csv"] = str(files["example-questionnaire.csv"]).replace(
        "-0.5", "2"
    )
    files["notes.csv"] = "anything"
    assert _problems(lambda: import_csv(files, current=content)) == [
        Problem("example-positions.csv", 2, "entity", "unknown entity 'party-x'"),
        Problem(
            "example-positions.csv",
            8,
            "answer",
            "is empty, but the row has a justification or source",
        ),
        Problem("example-positions.csv", 8, "statement", "unknown statement 's9'"),
        Problem("example-positions.csv", 9, "statement", "'s2' appears twice (also in row 7)"),
        Problem("example-questionnaire.csv", 3, "axis_economic", "2 is not from -1 to 1"),
        Problem(
            "notes.csv",
            1,
            "",
            "unknown file: its name should end in questionnaire.csv, themes.csv, "
            "constituencies.csv, races.csv, entities.csv or positions.csv",
        ),
    ]


def test_a_file_that_is_not_a_workbook_or_not_utf8() -> None:
    content = example()
    (problem,) = _problems(lambda: import_xlsx(b"not a zip", current=content))
    assert (problem.file, problem.line, problem.field) == ("workbook", 1, "")
    assert problem.message.startswith("cannot be read as an XLSX workbook")
    assert _problems(lambda: import_csv({"themes.csv": b"\xff\xfe"}, current=content)) == [
        Problem("themes.csv", 1, "", "is not UTF-8 text: save it as CSV UTF-8")
    ]


def test_translations_may_be_partial_unless_required() -> None:
    content = example()
    workbook = _workbook(export_xlsx(content))
    workbook["questionnaire"]["D2"] = None
    workbook["party-a"]["E5"] = None
    data = _saved(workbook)
    partial = import_xlsx(data, current=content)
    assert partial.questionnaire.statements[0].text == {"ka": "დებულება 1"}
    assert partial.entities[0].positions["s4"].justification == {"ka": "ასე ვფიქრობთ."}
    assert _problems(lambda: import_xlsx(data, current=content, require_all_languages=True)) == [
        Problem("party-a", 5, "justification_en", "is empty"),
        Problem("questionnaire", 2, "text_en", "is empty"),
    ]


# -- partial imports and preview ---------------------------------------------------------


def test_sheets_left_out_keep_their_part() -> None:
    content = example()
    workbook = _workbook(export_xlsx(content))
    for name in ("instructions", "questionnaire", "themes", "party-b"):
        del workbook[name]
    workbook["party-a"]["C2"] = "neutral"
    workbook["party-a"]["C3"] = None
    again = import_xlsx(_saved(workbook), current=content)
    assert again.questionnaire == content.questionnaire
    assert again.entities[1] == content.entities[1]
    assert {s: p.answer for s, p in again.entities[0].positions.items()} == {
        "s1": "neutral",
        "s3": "disagree-strongly",
        "s4": "disagree",
    }


def test_removing_a_statement_drops_its_positions_and_preview_lists_every_change() -> None:
    content = example()
    workbook = _workbook(export_xlsx(content))
    sheet = workbook["questionnaire"]
    sheet["D2"] = "Statement one"
    sheet["G3"] = None
    sheet["E4"] = "ინფო"
    sheet.delete_rows(5)  # s4
    sheet.append(["s5", "first", "დებულება 5", "Statement 5", None, None, -1])
    workbook["themes"]["C3"] = "Second theme"
    del workbook["party-a"]
    party = workbook["party-b"]
    party["C2"] = "agree"
    party["C4"] = "neutral"
    party["E4"] = "Why not."
    party.delete_rows(5)  # s4
    new = import_xlsx(_saved(workbook), current=content)
    assert [s.id for s in new.questionnaire.statements] == ["s1", "s2", "s3", "s5"]
    assert "s4" not in new.entities[0].positions  # party-a had no sheet: kept, minus s4
    assert preview(content, new) == [
        Change("changed", "theme", "second", "label.en", "Second", "Second theme"),
        Change("removed", "statement", "s4", "", "დებულება 4", None),
        Change("changed", "statement", "s1", "text.en", "Statement 1", "Statement one"),
        Change("removed", "statement", "s2", "axes.economic", "-0.5", None),
        Change("added", "statement", "s3", "info.ka", None, "ინფო"),
        Change("added", "statement", "s5", "", None, "დებულება 5"),
        Change("removed", "position", "party-a", "", "disagree", None, statement="s4"),
        Change("removed", "position", "party-b", "", "disagree-strongly", None, statement="s4"),
        Change(
            "changed", "position", "party-b", "answer", "disagree-strongly", "agree", statement="s1"
        ),
        Change("added", "position", "party-b", "", None, "neutral", statement="s3"),
    ]
    assert str(preview(content, new)[-1]) == "added position party-b / s3: None -> 'neutral'"


def test_preview_of_a_reordering_and_of_entities() -> None:
    content = example()
    q = content.questionnaire
    reordered = content.model_copy(
        update={
            "questionnaire": q.model_copy(update={"statements": q.statements[::-1]}),
            "entities": content.entities[:1],
        }
    )
    assert preview(content, reordered) == [
        Change("changed", "statement", "", "order", "s1, s2, s3, s4", "s4, s3, s2, s1"),
        Change("removed", "entity", "party-b", "", "პარტია ბ", None),
    ]
