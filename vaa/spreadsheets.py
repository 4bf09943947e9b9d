"""Questionnaire and positions as spreadsheets (XLSX and CSV) <-> ElectionContent.

The layout is meant to be filled in by hand (issue 4, item 7):

- questionnaire: one row per statement: id, theme, text_<lang>..., info_<lang>...,
  axis_<axis>... (the loading of agreement on each axis, -1 to 1, empty for none);
- themes: one row per theme: id, label_<lang>...;
- positions: in XLSX one sheet per entity, named by its id, one row per statement
  (statement, statement_text, answer, justification_<lang>..., source); in CSV one
  file with one row per entity x statement (entity first).

An election with places or races also has the constituencies, races and entities
tables of vaa.spreadsheet_races (an entities table may be added to any election).

An XLSX workbook also has an "instructions" sheet in the election's languages. CSV
files are recognised by how their names end: questionnaire.csv, themes.csv,
constituencies.csv, races.csv, entities.csv and positions.csv.

Import reads the same layout back, given the current content for what the sheets do
not hold (languages, scale, axes, and entities without an entities table). A sheet or file left out keeps its part of
the current content, and an entity without rows keeps its positions (minus those on
removed statements). Every problem is reported at once as a Problem whose file is the
sheet (or CSV file), line the row and field the column header; then DataError is
raised and nothing is returned.
"""

import io
import math
import re
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import openpyxl  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.cell import (  # type: ignore[import-untyped, unused-ignore]
    ILLEGAL_CHARACTERS_RE,
)
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped, unused-ignore]
    DataValidation,
)
from pydantic import ValidationError

from vaa import spreadsheet_races as race_sheets
from vaa.content import ElectionContent, Entity, Position, Questionnaire, Statement, Text, Theme
from vaa.formats import DataError, Problem
from vaa.rules import is_url
from vaa.sheet_tables import CSV_RISKY as _CSV_RISKY
from vaa.sheet_tables import Columns as _Columns
from vaa.sheet_tables import Table as _Table
from vaa.sheet_tables import Value, coded, worded
from vaa.sheet_tables import csv_bytes as _csv_bytes
from vaa.sheet_tables import number_text as _number_text
from vaa.sheet_tables import read_csv as _read_csv
from vaa.sheet_tables import table_of as _table
from vaa.sheet_tables import texts as _texts

INSTRUCTIONS = "instructions"
QUESTIONNAIRE = "questionnaire"
THEMES = "themes"
POSITIONS = "positions"
WORKBOOK = "workbook"
"""The file of a Problem about the workbook as a whole (it cannot be opened)."""

STATEMENT_TEXT = "statement_text"
"""A column shown for reference next to positions; never read back."""

_SHEET_TITLE_MAX = 31
_LIST_FORMULA_MAX = 255

_T = TypeVar("_T")


# -- tables: the shape shared by sheets and CSV files ------------------------------------


def _questionnaire_header(content: ElectionContent) -> list[str]:
    q = content.questionnaire
    return [
        "id",
        "theme",
        *(f"text_{lang}" for lang in q.languages),
        *(f"info_{lang}" for lang in q.languages),
        *(f"axis_{axis.id}" for axis in q.axes),
    ]


def _themes_header(content: ElectionContent) -> list[str]:
    return ["id", *(f"label_{lang}" for lang in content.questionnaire.languages)]


def _positions_header(content: ElectionContent, *, entity_column: bool) -> list[str]:
    languages = content.questionnaire.languages
    return [
        *(["entity"] if entity_column else []),
        "statement",
        STATEMENT_TEXT,
        "answer",
        *(f"justification_{lang}" for lang in languages),
        "source",
    ]


def _questionnaire_table(content: ElectionContent) -> _Table:
    q = content.questionnaire
    rows: list[tuple[int, list[Value]]] = []
    for line, statement in enumerate(q.statements, start=2):
        loadings: list[Value] = [statement.axes.get(axis.id) for axis in q.axes]
        rows.append(
            (
                line,
                [
                    statement.id,
                    statement.theme,
                    *_texts(statement.text, q.languages),
                    *_texts(statement.info, q.languages),
                    *loadings,
                ],
            )
        )
    return _Table(QUESTIONNAIRE, _questionnaire_header(content), rows)


def _themes_table(content: ElectionContent) -> _Table:
    q = content.questionnaire
    rows: list[tuple[int, list[Value]]] = [
        (line, [theme.id, *_texts(theme.label, q.languages)])
        for line, theme in enumerate(q.themes, start=2)
    ]
    return _Table(THEMES, _themes_header(content), rows)


def _position_cells(content: ElectionContent, entity: Entity) -> Iterator[list[Value]]:
    q = content.questionnaire
    for statement in q.statements:
        position = entity.positions.get(statement.id)
        yield [
            statement.id,
            statement.text.get(q.languages[0]),
            position.answer if position else None,
            *_texts(position.justification if position else None, q.languages),
            position.source if position else None,
        ]


def _entity_table(content: ElectionContent, entity: Entity, title: str) -> _Table:
    rows = list(enumerate(_position_cells(content, entity), start=2))
    return _Table(title, _positions_header(content, entity_column=False), rows)


def _positions_table(content: ElectionContent) -> _Table:
    cells = [
        [entity.id, *row] for entity in content.entities for row in _position_cells(content, entity)
    ]
    return _Table(
        POSITIONS,
        _positions_header(content, entity_column=True),
        list(enumerate(cells, start=2)),
    )


def sheet_titles(entities: Iterable[Entity]) -> dict[str, str]:
    """The sheet title of each entity: its id, shortened and made unique when needed."""
    used = {INSTRUCTIONS, QUESTIONNAIRE, THEMES, *race_sheets.SHEETS}
    titles: dict[str, str] = {}
    for entity in entities:
        title, n = entity.id[:_SHEET_TITLE_MAX], 2
        while title in used:
            suffix = f"-{n}"
            title, n = entity.id[: _SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
        used.add(title)
        titles[entity.id] = title
    return titles


# -- XLSX export -------------------------------------------------------------------------


def export_xlsx(content: ElectionContent) -> bytes:
    """Write the questionnaire, themes and every entity's positions as an XLSX workbook."""
    workbook = openpyxl.Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS
    options_range = _write_instructions(instructions, content)
    q = content.questionnaire

    sheet = workbook.create_sheet(QUESTIONNAIRE)
    table = _questionnaire_table(content)
    _write_table(sheet, table, freeze="B2")
    last = len(table.rows) + 200  # room for statements added by hand
    _validate(
        sheet,
        "theme",
        table.header,
        DataValidation(
            type="list",
            formula1=f"{THEMES}!$A$2:$A${len(q.themes) + 100}",
            allow_blank=True,
            showErrorMessage=True,
            error="Choose a theme id from the themes sheet.",
        ),
        last,
    )
    for axis in q.axes:
        _validate(
            sheet,
            f"axis_{axis.id}",
            table.header,
            DataValidation(
                type="decimal",
                operator="between",
                formula1="-1",
                formula2="1",
                allow_blank=True,
                showErrorMessage=True,
                error="A loading is a number from -1 to 1.",
            ),
            last,
        )

    _write_table(workbook.create_sheet(THEMES), _themes_table(content), freeze="B2")
    for table in race_sheets.tables(content):
        sheet = workbook.create_sheet(table.name)
        _write_table(sheet, table, freeze="B2")
        if table.name == race_sheets.ENTITIES:
            _validate(
                sheet,
                "kind",
                table.header,
                DataValidation(
                    type="list",
                    formula1='"party,candidate"',
                    allow_blank=False,
                    showErrorMessage=True,
                    error="Choose party or candidate.",
                ),
                len(table.rows) + 100,
            )

    options = ",".join(option.id for option in q.scale)
    answers = f'"{options}"' if len(options) + 2 <= _LIST_FORMULA_MAX else options_range
    titles = sheet_titles(content.entities)
    for entity in content.entities:
        title = titles[entity.id]
        sheet = workbook.create_sheet(title)
        table = _entity_table(content, entity, title)
        _write_table(sheet, table, freeze="B2")
        _validate(
            sheet,
            "answer",
            table.header,
            DataValidation(
                type="list",
                formula1=answers,
                allow_blank=True,
                showErrorMessage=True,
                error="Choose an answer from the list, or leave the cell empty.",
            ),
            len(table.rows) + 1,
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put(sheet: Any, row: int, column: int, value: Value) -> Any:
    """Write a cell; text is always stored as text, never as a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _width(column: str) -> float:
    if column.startswith(
        ("text_", "info_", "justification_", "label_", "description_")
    ) or column in (STATEMENT_TEXT,):
        return 50
    if column.startswith(("name_", "title_", "short_")):
        return 30
    if column.startswith("axis_"):
        return max(12, len(column) + 2)
    return 24 if column in ("source",) else 18


def _write_table(sheet: Any, table: _Table, *, freeze: str) -> None:
    bold = Font(bold=True)
    for column, name in enumerate(table.header, start=1):
        _put(sheet, 1, column, name).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = _width(name)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for line, cells in table.rows:
        for column, value in enumerate(cells, start=1):
            wide = _width(table.header[column - 1]) >= 50
            _put(sheet, line, column, value).alignment = wrap if wide else top
    sheet.freeze_panes = freeze


def _validate(sheet: Any, column: str, header: list[str], rule: Any, last: int) -> None:
    letter = get_column_letter(header.index(column) + 1)
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{max(last, 2)}")


_INSTRUCTIONS: dict[str, list[str]] = {
    "en": [
        "How to fill in this workbook",
        "questionnaire: one row per statement. id is a short permanent name (lower-case "
        "Latin letters, digits and hyphens); do not change the id of an existing statement. "
        "theme is the id of a theme from the themes sheet. The text_… columns hold the "
        "statement in each language, the info_… columns optional neutral background for voters.",
        "axis_… columns: how agreeing with the statement moves a voter on that axis, a number "
        "from -1 (towards the low end) to 1 (towards the high end); leave the cell empty when "
        "the statement says nothing about the axis.",
        "themes: one row per theme: its id and its name in each language.",
        "One sheet per party or candidate, named by its id (see the table below), with one "
        "row per statement. Choose the answer from the drop-down list; leave it empty when "
        "there is no answer. The justification_… columns hold the explanation in each "
        "language; source is a web address (https://…) that backs the answer. The "
        "statement_text column is only there to read: changes to it are ignored.",
        "Do not rename the sheets or the column headings. Empty rows are ignored. On import "
        "every problem is listed with its sheet, row and column, and nothing changes until "
        "all of them are fixed. A sheet you delete leaves its part unchanged.",
    ],
    "ka": [
        "როგორ შევავსოთ ეს ფაილი",
        "questionnaire: თითო სტრიქონი თითო დებულებისთვის. id არის მოკლე მუდმივი სახელი "
        "(ლათინური პატარა ასოები, ციფრები და დეფისები); არსებული დებულების id არ შეცვალოთ. "
        "theme არის თემის id themes ფურცლიდან. text_… სვეტებში დებულების ტექსტია თითოეულ "
        "ენაზე, info_… სვეტებში — არასავალდებულო ნეიტრალური ინფორმაცია ამომრჩევლისთვის.",
        "axis_… სვეტები: რამდენად გადაადგილებს დებულებასთან დათანხმება ამომრჩეველს ამ "
        "ღერძზე — რიცხვი -1-დან (დაბალი ბოლოსკენ) 1-მდე (მაღალი ბოლოსკენ); დატოვეთ "
        "ცარიელი, თუ დებულება ამ ღერძს არ ეხება.",
        "themes: თითო სტრიქონი თითო თემისთვის: მისი id და სახელი თითოეულ ენაზე.",
        "თითო ფურცელი თითო პარტიისთვის ან კანდიდატისთვის, მისი id-ის სახელით (იხ. ცხრილი "
        "ქვემოთ), თითო სტრიქონი თითო დებულებისთვის. პასუხი (answer) აირჩიეთ ჩამოსაშლელი "
        "სიიდან; დატოვეთ ცარიელი, თუ პასუხი არ არის. justification_… სვეტებში განმარტებაა "
        "თითოეულ ენაზე; source არის ვებმისამართი (https://…), რომელიც პასუხს ადასტურებს. "
        "statement_text სვეტი მხოლოდ საცნობაროა: მასში ცვლილებები არ აისახება.",
        "ნუ გადაარქმევთ ფურცლებსა და სვეტების სათაურებს. ცარიელი სტრიქონები არ "
        "გაითვალისწინება. ატვირთვისას ყველა პრობლემა ჩამოითვლება ფურცლის, სტრიქონისა და "
        "სვეტის მითითებით, და არაფერი შეიცვლება, სანამ ყველა არ გასწორდება. წაშლილი "
        "ფურცლის ნაწილი უცვლელი რჩება.",
    ],
}


def _write_instructions(sheet: Any, content: ElectionContent) -> str:
    """Fill the instructions sheet; return the range of the scale option ids in it."""
    q = content.questionnaire
    languages = q.languages
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, lang in enumerate(languages, start=1):
        paragraphs = _INSTRUCTIONS.get(lang, _INSTRUCTIONS["en"])
        if race_sheets.carries_races(content):
            paragraphs = [*paragraphs, *race_sheets.instructions(lang)]
        _put(sheet, 1, column, q.title.get(lang, "")).font = Font(bold=True, size=14)
        _put(sheet, 2, column, paragraphs[0]).font = bold
        for row, paragraph in enumerate(paragraphs[1:], start=3):
            _put(sheet, row, column, paragraph).alignment = wrap
        sheet.column_dimensions[get_column_letter(column)].width = 70
    row = 3 + len(_INSTRUCTIONS["en"])
    if race_sheets.carries_races(content):
        row += len(race_sheets.instructions("en"))

    def table(header: list[str], rows: list[list[Value]]) -> tuple[int, int]:
        nonlocal row
        for column, name in enumerate(header, start=1):
            _put(sheet, row, column, name).font = bold
        first = row + 1
        for cells in rows:
            row += 1
            for column, value in enumerate(cells, start=1):
                _put(sheet, row, column, value).alignment = wrap
        row += 2
        return first, first + len(rows) - 1

    first, last = table(
        ["answer", *(f"label_{lang}" for lang in languages)],
        [[o.id, *_texts(o.label, languages)] for o in q.scale],
    )
    if q.axes:
        table(
            ["axis column", *(f"{part}_{lang}" for part in ("low", "high") for lang in languages)],
            [
                [f"axis_{a.id}", *_texts(a.low, languages), *_texts(a.high, languages)]
                for a in q.axes
            ],
        )
    titles = sheet_titles(content.entities)
    table(
        ["sheet", *(f"name_{lang}" for lang in languages)],
        [[titles[e.id], *_texts(e.name, languages)] for e in content.entities],
    )
    sheet.freeze_panes = "A3"
    return f"{INSTRUCTIONS}!$A${first}:$A${last}"


# -- CSV export --------------------------------------------------------------------------


def export_csv(content: ElectionContent) -> dict[str, bytes]:
    """Write questionnaire, themes and positions as three CSV files, by file name.

    The files are UTF-8 with a byte order mark, so that spreadsheet programs read
    Georgian correctly; a text that a spreadsheet would run as a formula is prefixed
    with an apostrophe, which import removes.
    """
    tables = [
        _questionnaire_table(content),
        _themes_table(content),
        *race_sheets.tables(content),
        _positions_table(content),
    ]
    return {f"{content.slug}-{table.name}.csv": _csv_bytes(table) for table in tables}


def formula_safe(value: str) -> str:
    """A text for a CSV cell that no spreadsheet runs as a formula (OWASP "CSV injection").

    A text starting with = + - @ (or a tab or CR) gets a leading apostrophe.
    """
    return "'" + value if value.startswith(_CSV_RISKY[:-1]) else value


# -- reading tables ----------------------------------------------------------------------


MAX_UNPACKED_BYTES = 32_000_000
"""Largest total size of a workbook's parts once unzipped (a 4 MB upload of real text
unpacks to well under this; a zip bomb of 0.75 MB unpacks to hundreds of megabytes)."""
MAX_PARTS = 2_000
MAX_ROWS = 10_000
"""Rows per sheet, empty ones included."""
MAX_COLUMNS = 1_000
MAX_CELLS = 300_000
"""Cells in the whole workbook, counting the empty ones before a row's last cell (100
parties x 200 statements need about 160,000; openpyxl reads some 60,000 a second)."""
MAX_READ_SECONDS = 10.0


def _unpacked_problem(data: bytes) -> Problem | None:
    """Check a workbook's zip directory before anything is unpacked.

    The sizes in the directory bound what can be read: Python's zipfile stops at a
    part's declared size (and then fails its checksum), so a lying directory cannot
    unpack more.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return Problem(WORKBOOK, 1, "", f"cannot be read as an XLSX workbook: {exc}")
    if len(parts) > MAX_PARTS:
        return Problem(
            WORKBOOK, 1, "", f"has {len(parts):,} parts; a workbook may have at most {MAX_PARTS:,}"
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        return Problem(
            WORKBOOK,
            1,
            "",
            f"unpacks to {unpacked / 1e6:,.0f} MB; a workbook may unpack to at most "
            f"{MAX_UNPACKED_BYTES / 1e6:g} MB (is it a zip bomb?)",
        )
    return None


def _read_workbook(data: bytes, problems: list[Problem]) -> list[_Table] | None:
    """Read every sheet but the instructions, within the limits above (else a problem)."""
    refused = _unpacked_problem(data)
    if refused is not None:
        problems.append(refused)
        return None
    try:
        with warnings.catch_warnings():
            # Features openpyxl does not know (Excel extensions) only warn; they hold no data.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        problems.append(Problem(WORKBOOK, 1, "", f"cannot be read as an XLSX workbook: {exc}"))
        return None
    deadline = time.monotonic() + MAX_READ_SECONDS
    cells = 0
    try:
        tables = []
        for sheet in workbook.worksheets:
            if sheet.title.strip().lower() == INSTRUCTIONS:
                continue
            # A declared size (<dimension ref="A1:XFD1048576"/>) would pad every row to it.
            sheet.reset_dimensions()
            rows: list[list[Value]] = []
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells += len(row)
                limit = _row_limit(line, len(row), cells, deadline)
                if limit:
                    problems.append(Problem(sheet.title, line, "", limit))
                    return None
                rows.append([_cell(value) for value in row])
            tables.append(_table(sheet.title, rows))
    finally:
        workbook.close()
    if _has_formulas(data):
        problems += _unsaved_formulas(data, tables)
    return tables


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any sheet has a formula cell (<f>); most uploads have none."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _FORMULA_TAG.search(archive.read(part))
            for part in archive.namelist()
            if part.startswith("xl/worksheets/") and part.endswith(".xml")
        )


def _unsaved_formulas(data: bytes, tables: list[_Table]) -> list[Problem]:
    """A problem for each formula without a saved result, which would read as empty.

    Programs that write files without calculating (scripts, some converters) leave the
    result out; openpyxl then reads None, and a text would silently disappear.
    """
    found: list[Problem] = []
    by_name = {table.name: table for table in tables}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            table = by_name.get(sheet.title)
            if table is None:
                continue
            sheet.reset_dimensions()
            saved = dict(table.rows)
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = table.header if line == 1 else saved.get(line, [])
                for index, value in enumerate(row):
                    formula = isinstance(value, str) and value.startswith("=")
                    if not (formula or hasattr(value, "text")):  # ArrayFormula has .text
                        continue
                    if index < len(cells) and cells[index] not in (None, ""):
                        continue
                    heading = table.header[index] if index < len(table.header) else ""
                    column = heading or f"column {get_column_letter(index + 1)}"
                    found.append(coded(sheet.title, line, column, "sheet.cell.formula"))
    finally:
        workbook.close()
    return found


def _row_limit(line: int, width: int, cells: int, deadline: float) -> str | None:
    if line > MAX_ROWS:
        return f"has more than {MAX_ROWS:,} rows; a sheet may have at most {MAX_ROWS:,}"
    if width > MAX_COLUMNS:
        return f"has {width:,} columns; a sheet may have at most {MAX_COLUMNS:,}"
    if cells > MAX_CELLS:
        return f"the workbook has more than {MAX_CELLS:,} cells, the most it may have"
    if time.monotonic() > deadline:
        return f"the workbook took longer than {MAX_READ_SECONDS:g} s to read; split it up"
    return None


def _cell(value: Any) -> Value:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return value
    return str(value)  # a date or time: kept as its text


# -- import ------------------------------------------------------------------------------


@dataclass
class _Import:
    """The parts read so far; None where the spreadsheet leaves a part as it is."""

    current: ElectionContent
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    themes: list[Theme] | None = None
    theme_ids: set[str] | None = None
    statements: list[Statement] | None = None
    statement_ids: set[str] | None = None
    positions: dict[str, dict[str, Position]] = field(default_factory=dict)
    position_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    races: race_sheets.RaceTables = field(init=False)

    def __post_init__(self) -> None:
        self.races = race_sheets.RaceTables(
            self.languages,
            self.strict,
            self.problems,
            current_entities=self.current.entities,
            current_places=self.current.questionnaire.constituencies,
        )

    @property
    def languages(self) -> list[str]:
        return self.current.questionnaire.languages

    @property
    def entities(self) -> list[Entity]:
        """The entities as the upload has them (an entities table), else the current ones."""
        read = self.races.entities
        return read if read is not None else self.current.entities

    def read_themes(self, table: _Table) -> None:
        columns = _Columns.check(
            table,
            self.problems,
            known=_themes_header(self.current),
            required=["id", *(["label_" + lang for lang in self.languages] if self.strict else [])],
        )
        if columns is None:
            return
        themes: list[Theme] = []
        seen: dict[str, int] = {}
        for line, cells in table.rows:
            theme_id = columns.slug(line, cells, "id")
            label = columns.translations(line, cells, "label", self.languages, self.strict)
            if not label:
                columns.problem(line, f"label_{self.languages[0]}", "sheet.theme.name")
            if theme_id is None:
                continue
            if theme_id in seen:
                columns.problem(line, "id", "sheet.id.twice", value=theme_id, row=seen[theme_id])
                continue
            seen[theme_id] = line
            if label:
                themes.append(Theme(id=theme_id, label=label))
        if not table.rows:
            columns.problem(2, "id", "sheet.themes.none")
        self.themes, self.theme_ids = themes, set(seen)

    def read_questionnaire(self, table: _Table) -> None:
        q = self.current.questionnaire
        columns = _Columns.check(
            table,
            self.problems,
            known=_questionnaire_header(self.current),
            required=[
                "id",
                "theme",
                *(["text_" + lang for lang in self.languages] if self.strict else []),
            ],
        )
        if columns is None:
            return
        themes = self.theme_ids if self.theme_ids is not None else {t.id for t in q.themes}
        statements: list[Statement] = []
        seen: dict[str, int] = {}
        for line, cells in table.rows:
            problems_before = len(self.problems)
            statement_id = columns.slug(line, cells, "id")
            theme = columns.slug(line, cells, "theme")
            if theme is not None and theme not in themes:
                columns.problem(
                    line, "theme", "sheet.theme.unknown", value=theme, themes=sorted(themes)
                )
            text = columns.translations(line, cells, "text", self.languages, self.strict)
            if not text:
                columns.problem(line, f"text_{self.languages[0]}", "sheet.statement.text")
            info = columns.translations(line, cells, "info", self.languages, False)
            if info and self.strict:
                for lang in self.languages:
                    if lang not in info:
                        columns.problem(line, f"info_{lang}", "sheet.info.language")
            axes: dict[str, float] = {}
            for axis in q.axes:
                loading = _loading(columns, line, cells, f"axis_{axis.id}")
                if loading is not None:
                    axes[axis.id] = loading
            if statement_id is None:
                continue
            if statement_id in seen:
                columns.problem(
                    line, "id", "sheet.id.twice", value=statement_id, row=seen[statement_id]
                )
                continue
            seen[statement_id] = line
            if len(self.problems) == problems_before and theme is not None:
                statements.append(
                    Statement(id=statement_id, theme=theme, text=text, info=info or None, axes=axes)
                )
        if not table.rows:
            columns.problem(2, "id", "sheet.statements.none")
        self.statements, self.statement_ids = statements, set(seen)

    def read_positions(self, table: _Table, entity: Entity | None) -> None:
        """Read one entity's sheet, or (entity None) the CSV file of all entities."""
        known = _positions_header(self.current, entity_column=entity is None)
        columns = _Columns.check(
            table,
            self.problems,
            known=known,
            required=[name for name in known if name in ("entity", "statement", "answer")],
        )
        if columns is None:
            return
        entities = {e.id: e for e in self.entities}
        statements = (
            self.statement_ids
            if self.statement_ids is not None
            else {s.id for s in self.current.questionnaire.statements}
        )
        options = {o.id: o.id for o in self.current.questionnaire.scale}
        if entity is not None:  # the sheet holds all of the entity's positions
            self.positions.setdefault(entity.id, {})
        for line, cells in table.rows:
            owner = entity
            if owner is None:
                entity_id = columns.slug(line, cells, "entity")
                owner = entities.get(entity_id) if entity_id else None
                if entity_id is not None and owner is None:
                    columns.problem(line, "entity", "sheet.entity.unknown", value=entity_id)
            statement_id = columns.slug(line, cells, "statement")
            if statement_id is not None and statement_id not in statements:
                columns.problem(line, "statement", "sheet.statement.unknown", value=statement_id)
                statement_id = None
            answer_text = columns.text(cells, "answer")
            answer = options.get(answer_text.strip().lower()) if answer_text else None
            if answer_text is not None and answer is None:
                columns.problem(
                    line, "answer", "sheet.answer.option", value=answer_text, options=list(options)
                )
            justification = columns.translations(
                line, cells, "justification", self.languages, False
            )
            source = columns.text(cells, "source")
            source = source.strip() if source else None
            if source is not None and not is_url(source):
                columns.problem(line, "source", "sheet.cell.url", value=source[:200])
                source = None  # the row is refused; a bad address must not reach the model
            if answer_text is None and (justification or source):
                columns.problem(line, "answer", "sheet.answer.missing")
            if self.strict and answer_text is not None and justification:
                for lang in self.languages:
                    if lang not in justification:
                        columns.problem(line, f"justification_{lang}", "sheet.cell.empty")
            if owner is None or statement_id is None:
                continue
            positions = self.positions.setdefault(owner.id, {})
            key = f"{owner.id} {statement_id}"
            if key in self.position_lines:
                _where, first = self.position_lines[key]
                columns.problem(
                    line, "statement", "sheet.statement.twice", value=statement_id, row=first
                )
                continue
            self.position_lines[key] = (table.name, line)
            if answer is not None:
                try:
                    positions[statement_id] = Position(
                        answer=answer, justification=justification or None, source=source
                    )
                except ValidationError as exc:  # any rule of the model: a row problem, not a 500
                    for err in exc.errors():
                        column = str(err["loc"][0]) if err["loc"] else "answer"
                        columns.problem(line, column, str(err["msg"]))

    def content(self) -> ElectionContent | None:
        """The election as imported, or None with problems collected."""
        q = self.current.questionnaire
        themes = self.themes if self.themes is not None else q.themes
        statements = self.statements if self.statements is not None else q.statements
        theme_ids = {t.id for t in themes}
        if self.statements is None:
            for statement in statements:
                if statement.theme not in theme_ids:
                    self.problems.append(
                        coded(
                            THEMES,
                            1,
                            "id",
                            "sheet.theme.removed",
                            theme=statement.theme,
                            statement=statement.id,
                        )
                    )
        statement_ids = {s.id for s in statements}
        kept = {e.id: e.positions for e in self.current.entities}
        entities = []
        for entity in self.entities:
            positions = self.positions.get(entity.id)
            if positions is None:  # not in the spreadsheet: kept, minus removed statements
                old = kept.get(entity.id, {})
                positions = {s: p for s, p in old.items() if s in statement_ids}
            entities.append(entity.model_copy(update={"positions": positions}))
        if self.problems:
            return None
        try:
            questionnaire = Questionnaire.model_validate(
                {
                    **dict(q),
                    "themes": themes,
                    "statements": statements,
                    **race_sheets.replaced(q, self.races),
                }
            )
        except ValidationError as exc:
            self.problems += [
                Problem(QUESTIONNAIRE, 1, ".".join(map(str, err["loc"])), err["msg"])
                for err in exc.errors()
            ]
            return None
        new = ElectionContent(questionnaire=questionnaire, entities=entities)
        first_rows: dict[str, tuple[str, int]] = {}
        for key, (sheet, line) in self.position_lines.items():
            first_rows.setdefault(key.split(" ", 1)[0], (sheet, line))
        self.problems += race_sheets.rule_problems(new, self.current, self.races, first_rows)
        return None if self.problems else new


def _loading(columns: _Columns, line: int, cells: list[Value], column: str) -> float | None:
    """A loading cell: a number from -1 to 1; None when empty or wrong (with a problem)."""
    value = columns.value(cells, column)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            columns.problem(line, column, "sheet.cell.number", value=text)
            return None
    elif value is None:
        return None
    else:
        number = float(value)
    if not math.isfinite(number) or not -1 <= number <= 1:
        columns.problem(line, column, "sheet.cell.range", value=_number_text(number))
        return None
    return number


def _finish(reader: _Import) -> ElectionContent:
    content = reader.content()
    if content is None:
        raise DataError(reader.problems)
    return content


def import_xlsx(
    data: bytes, *, current: ElectionContent, require_all_languages: bool = False
) -> ElectionContent:
    """Read a workbook in the export layout into a new content, or raise DataError.

    With require_all_languages, a text or justification missing a language is a
    problem; otherwise drafts may be partly translated (see vaa.diagnostics).
    """
    reader = _Import(current, require_all_languages)
    tables = _read_workbook(data, reader.problems)
    if tables is None:
        raise DataError(reader.problems)
    by_kind: dict[str, _Table] = {}
    others: list[_Table] = []
    for table in tables:
        name = table.name.strip().lower()
        if name in (QUESTIONNAIRE, THEMES, *race_sheets.SHEETS):
            by_kind[name] = table
        else:
            others.append(table)
    for kind in race_sheets.SHEETS:  # first: an entities sheet says which sheets are parties
        if kind in by_kind:
            reader.races.read(kind, by_kind[kind])
    titles = {title: entity_id for entity_id, title in sheet_titles(reader.entities).items()}
    entities = {e.id: e for e in reader.entities}
    party_sheets: list[tuple[_Table, Entity]] = []
    for table in others:
        name = table.name.strip().lower()
        if name in titles:
            party_sheets.append((table, entities[titles[name]]))
        elif name in reader.races.refused:
            continue  # its row in the entities sheet has a problem already
        elif any(table.header) or table.rows:  # an empty extra sheet ("Sheet1") is left alone
            extra = race_sheets.SHEETS if race_sheets.carries_races(current) else ()
            expected = [QUESTIONNAIRE, THEMES, *extra, *titles]
            reader.problems.append(
                coded(table.name, 1, "", "sheet.unknown", value=table.name, sheets=expected)
            )
    if THEMES in by_kind:
        reader.read_themes(by_kind[THEMES])
    if QUESTIONNAIRE in by_kind:
        reader.read_questionnaire(by_kind[QUESTIONNAIRE])
    for table, entity in party_sheets:
        reader.read_positions(table, entity)
    return _finish(reader)


def import_csv(
    files: Mapping[str, bytes | str],
    *,
    current: ElectionContent,
    require_all_languages: bool = False,
) -> ElectionContent:
    """Read CSV files (by name, as export_csv writes them) into a new content, or raise DataError."""
    reader = _Import(current, require_all_languages)
    tables: dict[str, _Table] = {}
    for name, data in files.items():
        base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
        kinds = (QUESTIONNAIRE, THEMES, *race_sheets.SHEETS, POSITIONS)
        kind = next((k for k in kinds if base.endswith(f"{k}.csv")), None)
        if kind is None:
            reader.problems.append(worded(name, 1, "", race_sheets.FILE_UNKNOWN))
            continue
        if kind in tables:
            reader.problems.append(
                coded(name, 1, "", "sheet.file.twice", kind=kind, first=tables[kind].name)
            )
            continue
        table = _read_csv(name, data, reader.problems)
        if table is not None:
            tables[kind] = table
    for kind in race_sheets.SHEETS:
        if kind in tables:
            reader.races.read(kind, tables[kind])
    if THEMES in tables:
        reader.read_themes(tables[THEMES])
    if QUESTIONNAIRE in tables:
        reader.read_questionnaire(tables[QUESTIONNAIRE])
    if POSITIONS in tables:
        reader.read_positions(tables[POSITIONS], None)
    return _finish(reader)


# -- preview -----------------------------------------------------------------------------


Target = Literal["theme", "statement", "position", "entity", "constituency", "race"]


@dataclass(frozen=True)
class Change:
    """One difference an import would make, for an editor to confirm.

    kind is "added", "removed" or "changed"; target what changed ("theme", "statement",
    "position", "entity", "constituency", "race"); id the item's id; statement the statement
    of a position; field the part that changed ("text.en", "answer", "axes.economic",
    "order"), empty for a whole item. before and after are shown as text, None for absent.
    """

    kind: Literal["added", "removed", "changed"]
    target: Target
    id: str
    field: str
    before: str | None
    after: str | None
    statement: str | None = None

    def __str__(self) -> str:
        what = f"{self.target} {self.id}" + (f" / {self.statement}" if self.statement else "")
        what += f" {self.field}" if self.field else ""
        return f"{self.kind} {what}: {self.before!r} -> {self.after!r}"


def preview(old: ElectionContent, new: ElectionContent) -> list[Change]:
    """Describe what replacing old by new changes: themes, statements, entities, positions."""
    changes: list[Change] = []
    first = old.questionnaire.languages[0]
    old_q, new_q = old.questionnaire, new.questionnaire
    changes += _item_changes(
        "theme",
        _by_id(old_q.themes),
        _by_id(new_q.themes),
        _theme_fields,
        lambda t: t.label.get(first),
    )
    changes += _item_changes(
        "statement",
        _by_id(old_q.statements),
        _by_id(new_q.statements),
        _statement_fields,
        lambda s: s.text.get(first),
    )
    changes += _order_change("theme", old.questionnaire.themes, new.questionnaire.themes)
    changes += _order_change(
        "statement", old.questionnaire.statements, new.questionnaire.statements
    )
    changes += _race_changes(old, new, first)
    old_entities = {e.id: e for e in old.entities}
    new_entities = {e.id: e for e in new.entities}
    for entity_id in old_entities.keys() - new_entities.keys():
        changes.append(
            Change(
                "removed", "entity", entity_id, "", old_entities[entity_id].name.get(first), None
            )
        )
    for entity_id in new_entities.keys() - old_entities.keys():
        changes.append(
            Change("added", "entity", entity_id, "", None, new_entities[entity_id].name.get(first))
        )
    for entity_id in [e.id for e in new.entities]:
        before = old_entities[entity_id].positions if entity_id in old_entities else {}
        after = new_entities[entity_id].positions
        for change in _item_changes(
            "position", before, after, _position_fields, lambda p: p.answer
        ):
            changes.append(
                Change(
                    change.kind,
                    "position",
                    entity_id,
                    change.field,
                    change.before,
                    change.after,
                    statement=change.id,
                )
            )
    return changes


def _race_changes(old: ElectionContent, new: ElectionContent, first: str) -> list[Change]:
    """Places, races and the fields of entities kept (added and removed ones are listed apart)."""
    before, after = old.questionnaire, new.questionnaire
    changes = _item_changes(
        "constituency",
        _by_id(before.constituencies),
        _by_id(after.constituencies),
        race_sheets.constituency_fields,
        lambda c: c.name.get(first),
    )
    changes += _item_changes(
        "race",
        _by_id(before.races),
        _by_id(after.races),
        race_sheets.race_fields,
        lambda r: r.title.get(first),
    )
    changes += _order_change("constituency", before.constituencies, after.constituencies)
    changes += _order_change("race", before.races, after.races)
    kept = {e.id for e in old.entities} & {e.id for e in new.entities}
    changes += _item_changes(
        "entity",
        {e.id: e for e in old.entities if e.id in kept},
        {e.id: e for e in new.entities if e.id in kept},
        race_sheets.entity_fields,
        lambda e: e.name.get(first),
    )
    return changes + _order_change("entity", old.entities, new.entities)


def _show(value: float | str | None) -> str | None:
    return _number_text(value) if isinstance(value, float | int) else value


def _prefixed(prefix: str, text: Text | None) -> dict[str, str | None]:
    return {f"{prefix}.{lang}": value for lang, value in (text or {}).items()}


def _theme_fields(theme: Theme) -> dict[str, str | None]:
    return _prefixed("label", theme.label)


def _statement_fields(statement: Statement) -> dict[str, str | None]:
    return {
        "theme": statement.theme,
        **_prefixed("text", statement.text),
        **_prefixed("info", statement.info),
        **{f"axes.{axis}": _show(loading) for axis, loading in statement.axes.items()},
    }


def _position_fields(position: Position) -> dict[str, str | None]:
    return {
        "answer": position.answer,
        **_prefixed("justification", position.justification),
        "source": position.source,
    }


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_I = TypeVar("_I", bound=_HasId)


def _by_id(items: Sequence[_I]) -> dict[str, _I]:
    return {item.id: item for item in items}


def _item_changes(
    target: Target,
    old: Mapping[str, _T],
    new: Mapping[str, _T],
    fields: Callable[[_T], dict[str, str | None]],
    summary: Callable[[_T], str | None],
) -> list[Change]:
    changes: list[Change] = []
    for item_id, item in old.items():
        if item_id not in new:
            changes.append(Change("removed", target, item_id, "", summary(item), None))
    for item_id, item in new.items():
        if item_id not in old:
            changes.append(Change("added", target, item_id, "", None, summary(item)))
            continue
        before, after = fields(old[item_id]), fields(item)
        for name in [*before, *(k for k in after if k not in before)]:
            if before.get(name) != after.get(name):
                kind: Literal["added", "removed", "changed"] = (
                    "added"
                    if before.get(name) is None
                    else "removed"
                    if after.get(name) is None
                    else "changed"
                )
                changes.append(
                    Change(kind, target, item_id, name, before.get(name), after.get(name))
                )
    return changes


def _order_change(target: Target, old: Sequence[Any], new: Sequence[Any]) -> list[Change]:
    kept = {item.id for item in old} & {item.id for item in new}
    before = [item.id for item in old if item.id in kept]
    after = [item.id for item in new if item.id in kept]
    if before == after:
        return []
    return [Change("changed", target, "", "order", ", ".join(before), ", ".join(after))]


def import_files(files: Mapping[str, bytes], *, current: ElectionContent) -> ElectionContent:
    """Import uploaded files, one workbook or CSV files, against the current content.

    DataError with every problem, as import_xlsx and import_csv raise it; a workbook
    uploaded with other files is refused file by file.
    """
    workbooks = [name for name in files if name.lower().endswith(".xlsx")]
    if workbooks:
        if len(files) > 1:
            raise DataError([coded(name, 1, "", "sheet.file.mixed") for name in files])
        return import_xlsx(files[workbooks[0]], current=current)
    return import_csv(dict(files), current=current)
