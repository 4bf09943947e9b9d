"""Constituencies, races and entities as spreadsheet tables (XLSX sheets or CSV files).

The layout (formats.md, "Races and constituencies"), one row per item, in order:

- constituencies: id, name_<lang>..., within (the id of the place it lies in);
- races: id, title_<lang>..., constituency (in ballot order);
- entities: id, kind (party | candidate), name_<lang>..., short_<lang>..., party,
  backing, positions_from, races, constituency, color, url, fictional (yes or empty),
  description_<lang>...; backing and races list ids separated by commas or spaces.

An election without constituencies and races exports none of these tables (its
spreadsheets stay as they were), but an entities table may be added to any election.
A table that is read replaces its whole part: a row left out removes its item.

The cross-table rules (a cycle in `within`, an unknown race, a candidate in a race
outside its place...) are the YAML files' own (vaa.formats); their problems are moved
to the sheet, row and column of the cell that caused them.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from vaa.content import Constituency, ElectionContent, Entity, Parties, Questionnaire, Race, Text
from vaa.formats import ParsedFile, Problem, check_parties, check_questionnaire
from vaa.rules import is_slug
from vaa.sheet_tables import Columns, Table, Value, texts, worded

CONSTITUENCIES = "constituencies"
RACES = "races"
ENTITIES = "entities"
SHEETS = (CONSTITUENCIES, RACES, ENTITIES)
"""The tables of this module, in the order they are written."""

KINDS = ("party", "candidate")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_YES = {"yes", "true", "1", "x", "y"}
_NO = {"no", "false", "0", "n"}

# English templates; each is a msgid of the sheets catalog (frontend/locales/*/sheets.po).
KIND = "'%(value)s' is not a kind: write party or candidate"
YES_NO = "'%(value)s' is neither yes nor empty"
NAME = "a name is needed in at least one language"
TITLE = "a race needs a title in at least one language"
INVALID = "is not valid: %(detail)s"
FILE_UNKNOWN = (
    "unknown file: its name should end in questionnaire.csv, themes.csv, constituencies.csv, "
    "races.csv, entities.csv or positions.csv"
)


def carries_races(content: ElectionContent) -> bool:
    """Whether an election's spreadsheets hold the race tables (it has places or races)."""
    q = content.questionnaire
    return bool(q.constituencies or q.races)


# -- export ----------------------------------------------------------------------------


def constituencies_header(languages: Sequence[str]) -> list[str]:
    return ["id", *(f"name_{lang}" for lang in languages), "within"]


def races_header(languages: Sequence[str]) -> list[str]:
    return ["id", *(f"title_{lang}" for lang in languages), "constituency"]


def entities_header(languages: Sequence[str]) -> list[str]:
    return [
        "id",
        "kind",
        *(f"name_{lang}" for lang in languages),
        *(f"short_{lang}" for lang in languages),
        "party",
        "backing",
        "positions_from",
        "races",
        "constituency",
        "color",
        "url",
        "fictional",
        *(f"description_{lang}" for lang in languages),
    ]


def _ids(ids: Sequence[str]) -> str | None:
    return ", ".join(ids) or None


def tables(content: ElectionContent) -> list[Table]:
    """The three tables of an election with places or races; none for a flat one."""
    if not carries_races(content):
        return []
    q = content.questionnaire
    langs = q.languages
    places: list[tuple[int, list[Value]]] = [
        (line, [c.id, *texts(c.name, langs), c.within])
        for line, c in enumerate(q.constituencies, start=2)
    ]
    races: list[tuple[int, list[Value]]] = [
        (line, [r.id, *texts(r.title, langs), r.constituency])
        for line, r in enumerate(q.races, start=2)
    ]
    entities: list[tuple[int, list[Value]]] = [
        (
            line,
            [
                e.id,
                e.kind,
                *texts(e.name, langs),
                *texts(e.short, langs),
                e.party,
                _ids(e.backing),
                e.positions_from,
                _ids(e.races),
                e.constituency,
                e.color,
                e.url,
                "yes" if e.fictional else None,
                *texts(e.description, langs),
            ],
        )
        for line, e in enumerate(content.entities, start=2)
    ]
    return [
        Table(CONSTITUENCIES, constituencies_header(langs), places),
        Table(RACES, races_header(langs), races),
        Table(ENTITIES, entities_header(langs), entities),
    ]


# -- import ----------------------------------------------------------------------------


@dataclass
class RaceTables:
    """What the race tables of an upload say; None where a table was left out."""

    languages: Sequence[str]
    strict: bool
    problems: list[Problem]
    constituencies: list[Constituency] | None = None
    races: list[Race] | None = None
    entities: list[Entity] | None = None
    """Without positions: the positions sheets (or the current content) give them."""
    rows: dict[tuple[str, int], tuple[Columns, int]] = field(default_factory=dict)
    """(table, index of the item) -> the table's columns and the item's row."""
    names: dict[str, str] = field(default_factory=dict)
    """Each table read -> its sheet or file name."""
    refused: set[str] = field(default_factory=set)
    """Ids of entity rows refused (with a problem): their positions sheets are not read."""
    current_entities: Sequence[Entity] = ()
    """The entities before the upload: a column left out keeps their value."""
    current_places: Sequence[Constituency] = ()
    """The places before the upload: without a within column they keep where they lie."""

    def read(self, kind: str, table: Table) -> None:
        """Read one of the SHEETS (kind), replacing its part of the content."""
        self.names[kind] = table.name
        {CONSTITUENCIES: self.read_constituencies, RACES: self.read_races}.get(
            kind, self.read_entities
        )(table)

    def _check(self, table: Table, header: list[str], required: list[str]) -> Columns | None:
        return Columns.check(table, self.problems, known=header, required=required)

    def _keep(
        self,
        sheet: str,
        found: list[Any],
        columns: Columns,
        line: int,
        model: type[Any],
        **values: Any,
    ) -> bool:
        """Build one row's item and keep it with where it came from; False if it is refused."""
        item = _built(columns, line, model, **values)
        if item is None:
            return False
        self.rows[(sheet, len(found))] = (columns, line)
        found.append(item)
        return True

    def _names(self, prefix: str) -> list[str]:
        return [f"{prefix}_{lang}" for lang in self.languages] if self.strict else []

    def read_constituencies(self, table: Table) -> None:
        header = constituencies_header(self.languages)
        columns = self._check(table, header, ["id", *self._names("name")])
        if columns is not None:
            place = _Named(CONSTITUENCIES, Constituency, "name", NAME, "within", self._within)
            self.constituencies = self._named_rows(columns, place)

    def read_races(self, table: Table) -> None:
        header = races_header(self.languages)
        columns = self._check(table, header, ["id", "constituency", *self._names("title")])
        if columns is not None:
            race = _Named(RACES, Race, "title", TITLE, "constituency", _place)
            self.races = self._named_rows(columns, race)

    def _within(self, columns: Columns, line: int, cells: list[Value], place_id: str | None) -> Any:
        """Where a place lies; without a within column, where it lay before the upload."""
        if "within" in columns.index:
            return _optional_id(columns, line, cells, "within")
        old = next((c for c in self.current_places if c.id == place_id), None)
        return old.within if old is not None else None

    def _named_rows(self, columns: Columns, kind: "_Named") -> list[Any]:
        """The items of a places or races table; a row with a problem is left out."""
        found: list[Any] = []
        for line, cells, item_id in self._items(columns):
            before = len(self.problems)
            text = columns.translations(line, cells, kind.text, self.languages, self.strict)
            link = kind.read_link(columns, line, cells, item_id)
            if not text:
                columns.worded(line, f"{kind.text}_{self.languages[0]}", kind.untitled)
            elif item_id is not None and len(self.problems) == before:
                values = {"id": item_id, kind.text: text, kind.link: link}
                self._keep(kind.sheet, found, columns, line, kind.model, **values)
        return found

    def read_entities(self, table: Table) -> None:
        columns = self._check(
            table, entities_header(self.languages), ["id", "kind", *self._names("name")]
        )
        if columns is None:
            return
        found: list[Entity] = []
        for line, cells, entity_id in self._items(columns):
            old = next((e for e in self.current_entities if e.id == entity_id), None)
            values = self._entity_values(columns, line, cells, old)
            if entity_id is None or values is None:
                self.refused.add(entity_id or "")
                continue
            if not self._keep(ENTITIES, found, columns, line, Entity, id=entity_id, **values):
                self.refused.add(entity_id)
        self.entities = found

    def _entity_values(
        self, columns: Columns, line: int, cells: list[Value], old: Entity | None
    ) -> dict[str, Any] | None:
        """An entity row's fields, or None (with its problems noted) when one is wrong.

        A field whose column the sheet leaves out keeps its value (old, the current entity).
        """
        values = self._row_values(columns, line, cells)
        langs = self.languages
        if values is not None and old is None and not values["name"]:  # no name columns
            columns.worded(line, f"name_{langs[0]}", NAME)
            return None
        if values is None or old is None:
            return values
        kept = old.model_dump(exclude={"id", "positions"})
        for name in kept:
            if name in columns.index or any(f"{name}_{lang}" in columns.index for lang in langs):
                kept[name] = values[name]
        return kept

    def _row_values(self, columns: Columns, line: int, cells: list[Value]) -> dict[str, Any] | None:
        langs = self.languages
        before = len(self.problems)
        kind = columns.text(cells, "kind")
        if kind is None:
            columns.problem(line, "kind", "sheet.cell.empty")
        elif kind.strip().lower() not in KINDS:
            columns.worded(line, "kind", KIND, value=kind.strip())
        name = columns.translations(line, cells, "name", langs, self.strict)
        if not name and any(f"name_{lang}" in columns.index for lang in langs):
            columns.worded(line, f"name_{langs[0]}", NAME)
        fictional = (columns.text(cells, "fictional") or "no").strip().lower()
        if fictional not in _YES | _NO:
            columns.worded(line, "fictional", YES_NO, value=fictional)
        ids = {
            column: _optional_id(columns, line, cells, column)
            for column in ("party", "positions_from", "constituency")
        }
        lists = {column: _id_list(columns, line, cells, column) for column in ("backing", "races")}
        if len(self.problems) > before:
            return None
        optional = {
            "short": columns.translations(line, cells, "short", langs, False) or None,
            "description": columns.translations(line, cells, "description", langs, False) or None,
            "color": (columns.text(cells, "color") or "").strip() or None,
            "url": (columns.text(cells, "url") or "").strip() or None,
        }
        return {
            "kind": (kind or "").strip().lower(),
            "name": name,
            **ids,
            **lists,
            **optional,
            "fictional": fictional in _YES,
        }

    def _items(self, columns: Columns) -> list[tuple[int, list[Value], str | None]]:
        """Each row with its id (None when missing, invalid or a repeat, with a problem)."""
        seen: dict[str, int] = {}
        rows: list[tuple[int, list[Value], str | None]] = []
        for line, cells in columns.table.rows:
            item_id = columns.slug(line, cells, "id")
            if item_id is not None and item_id in seen:
                columns.problem(line, "id", "sheet.id.twice", value=item_id, row=seen[item_id])
                item_id = None
            elif item_id is not None:
                seen[item_id] = line
            rows.append((line, cells, item_id))
        return rows


def _optional_id(columns: Columns, line: int, cells: list[Value], column: str) -> str | None:
    """An optional id cell: None when empty; a wrong one is noted (and read as None)."""
    text = columns.text(cells, column)
    if text is None:
        return None
    if not is_slug(text.strip()):
        columns.problem(line, column, "sheet.cell.id", value=text.strip())
        return None
    return text.strip()


def _place(columns: Columns, line: int, cells: list[Value], _race_id: str | None) -> Any:
    """The constituency a race is voted in: required."""
    return columns.slug(line, cells, "constituency")


@dataclass(frozen=True)
class _Named:
    """A places or races table: per row an id, a text in each language and one link."""

    sheet: str
    model: type[Constituency] | type[Race]
    text: str
    """The text's column prefix: name_<lang> or title_<lang>."""
    untitled: str
    """The problem of a row with that text in no language."""
    link: str
    """The link's column: where a place lies, or the place a race is voted in."""
    read_link: Callable[[Columns, int, list[Value], str | None], Any]
    """Reads the link from a row (given its id), noting its problems."""


def _id_list(columns: Columns, line: int, cells: list[Value], column: str) -> list[str]:
    """A cell of ids separated by commas, semicolons or spaces."""
    found = []
    for part in _LIST_SEPARATORS.split(columns.text(cells, column) or ""):
        if not part:
            continue
        if is_slug(part):
            found.append(part)
        else:
            columns.problem(line, column, "sheet.cell.id", value=part)
    return found


def _built(columns: Columns, line: int, model: type[Any], **values: Any) -> Any:
    """The model of a row, or None with each of pydantic's objections at its column."""
    try:
        return model(**values)
    except ValidationError as exc:
        languages = {k.rsplit("_", 1)[0]: k for k in columns.index if "_" in k}
        for err in exc.errors():
            loc = [str(part) for part in err["loc"]]
            column = loc[0] if loc else "id"
            if column in ("name", "title", "short", "description"):
                column = f"{column}_{loc[1]}" if len(loc) > 1 else languages.get(column, column)
            columns.worded(line, column, INVALID, detail=str(err["msg"]))
        return None


# -- the rules of the YAML files, at sheet coordinates ---------------------------------


def rule_problems(
    new: ElectionContent,
    current: ElectionContent,
    read: RaceTables,
    positions_at: Mapping[str, tuple[str, int]],
) -> list[Problem]:
    """The race rules the new content breaks and the current one did not, at their cells.

    positions_at gives the sheet and first row of each entity whose positions the
    upload holds (for "an entity with positions_from has no positions of its own").
    """
    before = {(p.field, p.message) for p in _yaml_rules(current)}
    # positions borrowed by an entity that the upload newly lets borrow: the cell to fix
    # is positions_from, else it is the positions the upload gives it
    was = {e.id: e.positions_from for e in current.entities}
    borrowing = {e.id for e in new.entities if e.positions_from and was.get(e.id) is None}
    at = {k: v for k, v in positions_at.items() if k not in borrowing or read.entities is None}
    found: list[Problem] = []
    for problem in _yaml_rules(new):
        if (problem.field, problem.message) not in before:
            found.append(_located(problem, new, read, at))
    return found


_OWN_TEXTS = ("name", "title", "short", "description")


def _yaml_rules(content: ElectionContent) -> list[Problem]:
    """vaa.formats' checks of places, races and entities (the sheets check the rest)."""
    q_file = ParsedFile("questionnaire", content.questionnaire, {})
    parties = Parties(election=content.slug, entities=content.entities)
    p_file = ParsedFile("parties", parties, {})
    problems = check_questionnaire(q_file) + check_parties(p_file, content.questionnaire)
    kept = []
    for problem in problems:
        path = field_path(problem.field)
        if len(path) < 2 or path[0] not in SHEETS or not isinstance(path[1], int):
            continue
        if len(path) > 3 and path[2] in (*_OWN_TEXTS, "positions"):
            continue  # languages and answers: the sheet readers check those themselves
        kept.append(problem)
    return kept


def field_path(field_name: str) -> list[str | int]:
    """vaa.formats.field_name read back: 'entities[3].races[0]' -> ['entities', 3, 'races', 0]."""
    path: list[str | int] = []
    for part in field_name.split("."):
        name, _, rest = part.partition("[")
        if name:
            path.append(name)
        path += [int(n) for n in re.findall(r"(\d+)\]", rest)]
    return path


RULES = (
    "unknown constituency '%(value)s'",
    "'%(place)s' would lie within itself (a cycle through '%(within)s')",
    "unknown race '%(value)s' (races: %(races)s)",
    "unknown race '%(value)s' (the questionnaire has no races)",
    "'%(value)s' is listed twice",
    "stands in no race: name the races it stands in "
    "(only a party that nominates or backs candidates may name none)",
    "race '%(race)s' is held in '%(place)s', outside the candidate's constituency "
    "'%(constituency)s'",
    "race '%(race)s' is held in '%(place)s', apart from the candidate's other race in "
    "'%(other)s': a candidate stands in one place",
    "only a candidate can be backed by parties",
    "unknown party '%(value)s'",
    "'%(value)s' is already the nominating party",
    "unknown entity '%(value)s'",
    "an entity cannot take its positions from itself",
    "'%(value)s' takes its own positions from '%(source)s': name that entity instead",
    "an entity with positions_from has no positions of its own",
    "only a candidate can belong to a party",
    "duplicate id '%(value)s'",
)
"""vaa.formats' race messages as templates (msgids of the sheets catalog), so that an
editor reads them in their language; a message not listed here stays in English."""

_RULE_PATTERNS = [
    (
        re.compile("^" + re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", re.escape(t)) + "$"),
        t,
    )
    for t in RULES
]


def _worded_rule(file: str, line: int, column: str, message: str) -> Problem:
    """A rule's problem at a cell, with its template when the message is one of RULES."""
    for pattern, template in _RULE_PATTERNS:
        found = pattern.match(message)
        if found:
            return worded(file, line, column, template, **found.groupdict())
    return Problem(file, line, column, message)


_ITEM = {CONSTITUENCIES: "place", RACES: "race", ENTITIES: "entity"}
_REFERS_TO = {"within": CONSTITUENCIES, "constituency": CONSTITUENCIES, "races": RACES}


def _located(
    problem: Problem,
    content: ElectionContent,
    read: RaceTables,
    positions_at: Mapping[str, tuple[str, int]],
) -> Problem:
    path = field_path(problem.field)
    group, index = str(path[0]), int(path[1])
    column = str(path[2]) if len(path) > 2 else "id"
    items: Sequence[Any] = (
        content.entities if group == ENTITIES else getattr(content.questionnaire, group)
    )
    item_id = items[index].id
    if column == "positions" and item_id in positions_at:
        sheet, line = positions_at[item_id]
        return _worded_rule(sheet, line, "answer", problem.message)
    if (group, index) in read.rows:
        columns, line = read.rows[(group, index)]
        if column in _OWN_TEXTS:
            column = f"{column}_{read.languages[0]}"
        elif column == "positions":
            column = "positions_from"
        return _worded_rule(
            columns.table.name, line, columns.written.get(column, column), problem.message
        )
    # The item is the current one, kept: the problem comes from a table it refers to.
    referred = _REFERS_TO.get(column, ENTITIES)
    tables = [read.names[kind] for kind in (referred, *SHEETS) if kind in read.names]
    sheet = tables[0] if tables else next(iter(positions_at.values()), (ENTITIES, 1))[0]
    where = f"{_ITEM[group]} {item_id!r}, {problem.field.split('.', 1)[-1]}"
    return Problem(sheet, 1, "id", f"{where}: {problem.message}")


def replaced(
    questionnaire: Questionnaire, read: RaceTables
) -> dict[str, list[Constituency] | list[Race]]:
    """The questionnaire's parts that the upload replaces."""
    parts: dict[str, list[Constituency] | list[Race]] = {}
    if read.constituencies is not None:
        parts["constituencies"] = read.constituencies
    if read.races is not None:
        parts["races"] = read.races
    return parts


# -- preview ---------------------------------------------------------------------------


def _prefixed(prefix: str, text: Text | None) -> dict[str, str | None]:
    return {f"{prefix}.{lang}": value for lang, value in (text or {}).items()}


def constituency_fields(place: Constituency) -> dict[str, str | None]:
    return {**_prefixed("name", place.name), "within": place.within}


def race_fields(race: Race) -> dict[str, str | None]:
    return {**_prefixed("title", race.title), "constituency": race.constituency}


def entity_fields(entity: Entity) -> dict[str, str | None]:
    """An entity's fields but its positions (the preview lists those one by one)."""
    return {
        "kind": entity.kind,
        **_prefixed("name", entity.name),
        **_prefixed("short", entity.short),
        "party": entity.party,
        "backing": _ids(entity.backing),
        "positions_from": entity.positions_from,
        "races": _ids(entity.races),
        "constituency": entity.constituency,
        "color": entity.color,
        "url": entity.url,
        "fictional": "yes" if entity.fictional else None,
        **_prefixed("description", entity.description),
    }


# -- the instructions sheet ------------------------------------------------------------

_INSTRUCTIONS: dict[str, list[str]] = {
    "en": [
        "constituencies: the places a voter can choose, one row each: its id, its name in "
        "each language, and within, the id of the place it lies in (empty for the largest, "
        "e.g. the municipality).",
        "races: one row per race, in ballot order: its id, its title in each language, and "
        "constituency, the id of the place where it is voted (voters in the places within it "
        "vote in it too).",
        "entities: one row per party or candidate. kind is party or candidate. races lists "
        "the ids of the races it stands in, separated by commas (a party that only nominates "
        "or backs candidates may name none). For a candidate, party is the nominating party's "
        "id (empty for an independent), backing the ids of other parties supporting a joint "
        "candidate, and constituency the place it stands in. positions_from is the id of the "
        "party whose answers it uses; its own sheet then stays empty. fictional is yes for an "
        "invented one. A new row adds a party or candidate: add its sheet to give its answers. "
        "A row deleted from these three sheets removes that place, race or entity.",
    ],
    "ka": [
        "constituencies: ადგილები, რომლებიდანაც ამომრჩეველი ირჩევს, თითო სტრიქონში: id, "
        "სახელი თითოეულ ენაზე და within — იმ ადგილის id, რომელშიც ის შედის (უდიდესისთვის, "
        "მაგალითად, მუნიციპალიტეტისთვის, ცარიელი).",
        "races: თითო სტრიქონი თითო არჩევნებისთვის, ბიულეტენის რიგითობით: id, სათაური "
        "თითოეულ ენაზე და constituency — იმ ადგილის id, სადაც კენჭისყრა იმართება (მასში "
        "შემავალი ადგილების ამომრჩევლებიც აქ აძლევენ ხმას).",
        "entities: თითო სტრიქონი თითო პარტიისთვის ან კანდიდატისთვის. kind არის party "
        "(პარტია) ან candidate (კანდიდატი). races — იმ არჩევნების id-ები, რომლებშიც ის "
        "მონაწილეობს, მძიმით გამოყოფილი (პარტიას, რომელიც მხოლოდ კანდიდატებს წარადგენს ან "
        "მხარს უჭერს, შეუძლია არცერთი არ მიუთითოს). კანდიდატისთვის party არის წარმდგენი "
        "პარტიის id (დამოუკიდებელი კანდიდატისთვის ცარიელი), backing — სხვა პარტიების id-ები, "
        "რომლებიც საერთო კანდიდატს მხარს უჭერენ, constituency კი — ადგილი, სადაც ის "
        "კენჭს იყრის. positions_from არის იმ პარტიის id, რომლის პასუხებსაც იყენებს; მაშინ "
        "მისი საკუთარი ფურცელი ცარიელი რჩება. fictional — yes გამოგონილისთვის. ახალი "
        "სტრიქონი ამატებს პარტიას ან კანდიდატს: მისი პასუხებისთვის დაამატეთ მისი ფურცელი. "
        "ამ სამი ფურცლიდან წაშლილი სტრიქონი შესაბამის ადგილს, არჩევნებს ან პარტიას "
        "(კანდიდატს) შლის.",
    ],
}


def instructions(language: str) -> list[str]:
    """The paragraphs on these sheets for the workbook's instructions sheet."""
    return _INSTRUCTIONS.get(language, _INSTRUCTIONS["en"])
