"""The shape shared by sheets and CSV files: a table of rows, its checked columns, and
how cells are read and written (numbers, empty cells, formula-like text in CSV).

vaa.spreadsheets (questionnaire, themes, positions) and vaa.spreadsheet_races
(constituencies, races, entities) both read and write their tables with these.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from vaa.content import Text
from vaa.errors import MESSAGES, format_message
from vaa.formats import Problem
from vaa.rules import is_slug

CSV_RISKY = ("=", "+", "-", "@", "\t", "\r", "'")

Value = str | float | None
"""What a cell holds once read: text, a number, or nothing."""


@dataclass(frozen=True)
class Table:
    """A sheet or CSV file: its name, header row and data rows (with their row numbers)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[Value]]]


def texts(text: Text | None, languages: Sequence[str]) -> list[Value]:
    return [(text or {}).get(lang) for lang in languages]


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    for _line, cells in table.rows:
        writer.writerow([csv_cell(value) for value in cells])
    return out.getvalue().encode("utf-8-sig")


def csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int):
        return number_text(value)
    # A cell starting like a formula would run in the reader's spreadsheet (CSV injection).
    return "'" + value if value.startswith(CSV_RISKY) else value


def coded(file: str, line: int, column: str, code: str, **params: Any) -> Problem:
    """A problem with its code's English message and what translates it (vaa.errors)."""
    return worded(file, line, column, MESSAGES[code], **params)


def worded(file: str, line: int, column: str, template: str, **params: Any) -> Problem:
    """A problem whose English template is a msgid of a catalog (translated where shown)."""
    return Problem(file, line, column, format_message(template, params), template, params)


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def table_of(name: str, rows: list[list[Value]]) -> Table:
    header = [text_of(v) or "" for v in rows[0]] if rows else []
    body = [
        (line, cells)
        for line, cells in enumerate(rows[1:], start=2)
        if any(text_of(v) for v in cells)
    ]
    return Table(name, header, body)


def read_csv(name: str, data: bytes | str, problems: list[Problem]) -> Table | None:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(coded(name, 1, "", "sheet.file.utf8"))
            return None
    data = data.removeprefix("\ufeff")
    first = data.split("\n", 1)[0]
    # Spreadsheets in many locales save CSV with semicolons.
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        rows: list[list[Value]] = [
            [_uncsv(v) for v in row]
            for row in csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        problems.append(Problem(name, 1, "", f"is not valid CSV: {exc}"))
        return None
    return table_of(name, rows)


def _uncsv(value: str) -> Value:
    if value.startswith("'") and value[1:].startswith(CSV_RISKY):
        return value[1:]
    return value or None


def text_of(value: Value) -> str | None:
    """A cell as text, None when empty or only spaces."""
    if value is None:
        return None
    text = number_text(value) if isinstance(value, int | float) else value
    return text if text.strip() else None


@dataclass
class Columns:
    """A table's columns, checked against the ones it may have; problems are collected."""

    table: Table
    problems: list[Problem]
    index: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)

    @classmethod
    def check(
        cls,
        table: Table,
        problems: list[Problem],
        *,
        known: Sequence[str],
        required: Sequence[str],
    ) -> "Columns | None":
        """Map known column names (any case) to positions; None when a required one is missing."""
        columns = cls(table, problems)
        canonical = {name.lower(): name for name in known}
        for i, written in enumerate(table.header):
            key = written.strip().lower()
            if not key:
                if any(text_of(cells[i]) for _line, cells in table.rows if i < len(cells)):
                    columns.problem(1, f"column {get_column_letter(i + 1)}", "sheet.column.heading")
                continue
            name = canonical.get(key)
            if name is None:
                columns.problem(1, written, "sheet.column.unknown", columns=list(known))
            elif name in columns.index:
                columns.problem(1, written, "sheet.column.twice")
            else:
                columns.index[name] = i
                columns.written[name] = written
        missing = [name for name in required if name not in columns.index]
        for name in missing:
            columns.problem(1, name, "sheet.column.missing")
        return None if missing else columns

    def problem(self, line: int, column: str, code: str, **params: Any) -> None:
        """Note a problem of a cell (code: one of vaa.errors.MESSAGES, with its params)."""
        self.problems.append(
            coded(self.table.name, line, self.written.get(column, column), code, **params)
        )

    def worded(self, line: int, column: str, template: str, **params: Any) -> None:
        """Note a problem of a cell whose message is a catalog msgid (see worded())."""
        self.problems.append(
            worded(self.table.name, line, self.written.get(column, column), template, **params)
        )

    def value(self, cells: list[Value], column: str) -> Value:
        i = self.index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    def text(self, cells: list[Value], column: str) -> str | None:
        return text_of(self.value(cells, column))

    def slug(self, line: int, cells: list[Value], column: str) -> str | None:
        """An id cell: required, and lower-case letters, digits and hyphens."""
        text = self.text(cells, column)
        if text is None:
            self.problem(line, column, "sheet.cell.empty")
            return None
        text = text.strip()
        if not is_slug(text):
            self.problem(line, column, "sheet.cell.id", value=text)
            return None
        return text

    def translations(
        self, line: int, cells: list[Value], prefix: str, languages: Sequence[str], strict: bool
    ) -> Text:
        text: Text = {}
        for lang in languages:
            value = self.text(cells, f"{prefix}_{lang}")
            if value is not None:
                text[lang] = value
            elif strict:
                self.problem(line, f"{prefix}_{lang}", "sheet.cell.empty")
        return text
