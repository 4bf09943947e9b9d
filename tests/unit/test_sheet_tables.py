"""vaa.sheet_tables: reading and writing a CSV or sheet table, and checking its columns."""

from vaa.formats import Problem
from vaa.sheet_tables import Columns, Table, csv_bytes, csv_cell, read_csv, table_of, text_of


def test_csv_is_read_with_the_delimiter_of_its_first_line_and_blank_rows_dropped() -> None:
    problems: list[Problem] = []
    table = read_csv(
        "themes.csv", "\ufeffid;label_en\r\neconomy;Economy\r\n;\r\nsocial;\r\n", problems
    )
    assert problems == []
    assert table == Table(
        "themes.csv", ["id", "label_en"], [(2, ["economy", "Economy"]), (4, ["social", None])]
    )


def test_a_file_that_is_not_utf8_is_a_problem_on_its_first_line() -> None:
    problems: list[Problem] = []
    assert read_csv("themes.csv", "id\nქ".encode("utf-16"), problems) is None
    assert [(p.file, p.line, p.message) for p in problems] == [
        ("themes.csv", 1, "is not UTF-8 text: save it as CSV UTF-8")
    ]


def test_cells_that_look_like_formulas_are_quoted_in_csv_and_read_back_as_written() -> None:
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("-0.5 of it") == "'-0.5 of it"
    assert csv_cell("plain") == "plain"
    assert (csv_cell(None), csv_cell(1.0), csv_cell(-0.5)) == ("", "1", "-0.5")
    table = Table("t.csv", ["id", "text_en"], [(2, ["s1", "=HYPERLINK()"]), (3, ["s2", 0.5])])
    data = csv_bytes(table)
    assert data.startswith("\ufeff".encode())  # Excel opens UTF-8 with its mark
    assert data.decode("utf-8-sig") == "id,text_en\r\ns1,'=HYPERLINK()\r\ns2,0.5\r\n"
    assert read_csv("t.csv", data, []) == Table(
        "t.csv", ["id", "text_en"], [(2, ["s1", "=HYPERLINK()"]), (3, ["s2", "0.5"])]
    )


def test_text_of_reads_numbers_as_written_and_blank_cells_as_none() -> None:
    assert [text_of(v) for v in (None, "  ", "x", 3.0, 0.25)] == [None, None, "x", "3", "0.25"]


def test_columns_match_in_any_case_and_name_unknown_twice_and_missing_ones() -> None:
    table = table_of(
        "positions.csv",
        [["ID", "Answer", "colour", "answer", None], ["s1", "agree", "red", "agree", "stray"]],
    )
    problems: list[Problem] = []
    assert (
        Columns.check(table, problems, known=["id", "answer", "source"], required=["source"])
        is None
    )
    assert [(p.line, p.field, p.message) for p in problems] == [
        (1, "colour", "unknown column; expected id, answer, source"),
        (1, "Answer", "appears twice"),
        (1, "column E", "has no heading"),
        (1, "source", "column is missing"),
    ]


def test_an_id_cell_must_be_a_slug_and_problems_name_the_column_as_written() -> None:
    table = table_of("themes.csv", [["ID", "label_ka"], ["Economy", "ეკონომიკა"], [None, "x"]])
    problems: list[Problem] = []
    columns = Columns.check(table, problems, known=["id", "label_ka"], required=["id"])
    assert columns is not None and problems == []
    (line2, row2), (line3, row3) = table.rows
    assert columns.slug(line2, row2, "id") is None
    assert columns.slug(line3, row3, "id") is None
    assert [(p.line, p.field, p.message) for p in problems] == [
        (2, "ID", "'Economy' is not a valid id (lower-case letters, digits and hyphens)"),
        (3, "ID", "is empty"),
    ]
    assert columns.translations(line2, row2, "label", ["ka", "en"], strict=False) == {
        "ka": "ეკონომიკა"
    }
