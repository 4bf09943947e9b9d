"""Questionnaire and party files (YAML) <-> ElectionContent, with validation.

Every problem is reported at once, each with its file, line and field, so that an
editor can fix a file in one pass. Nothing here touches the database.
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vaa.content import ElectionContent, Entity, Parties, Questionnaire, Text
from vaa.errors import Invalid
from vaa.races import ancestors

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a data file."""

    file: str
    line: int
    field: str
    message: str
    template: str = dataclass_field(default="", compare=False)
    """The message's msgid in the errors catalog (vaa.errors.MESSAGES), if it has one."""
    params: Mapping[str, Any] = dataclass_field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class DataError(Invalid):
    """Raised with every problem found; nothing was changed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("data", "\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ParsedFile:
    """A data file read from disk: its kind, the validated model and where each field is."""

    path: str
    model: Questionnaire | Parties
    lines: dict[FieldPath, int]

    def line_of(self, field: FieldPath) -> int:
        """Return the line of a field, or of its nearest enclosing field."""
        return _line_of(self.lines, field)


def _line_of(lines: Mapping[FieldPath, int], field: FieldPath) -> int:
    while field and field not in lines:
        field = field[:-1]
    return lines.get(field, 1)


def field_name(path: Iterable[str | int]) -> str:
    """Render a field path the way editors read it: statements[3].text.ka."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# -- YAML with line numbers ------------------------------------------------------------


MAX_FILE_BYTES = 4_000_000
"""A data file larger than this is refused before it is parsed (the demo's are < 150 kB)."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; real files need fewer than ten levels."""

MAX_ALIAS_VALUES = 100_000
"""Values that aliases may add on top of the file's own: enough for any shared text,
far too few for an alias bomb, whose few hundred bytes expand to a billion values."""


class _LimitError(yaml.MarkedYAMLError):
    """A file that is valid YAML but breaks one of the limits above."""


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans (only true/false), and a composer with limits.

    In YAML 1.1 `yes`, `no`, `on` and `off` are booleans too, which would turn an answer
    id `yes` or a language code `no` into one. The composer counts the nesting depth and
    refuses an alias inside the value it names (a recursive alias), both at the line
    where they occur, before Python's own recursion limit could be reached.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0
        self.open_anchors: set[str] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise _LimitError(
                    None,
                    None,
                    f"the alias *{event.anchor} is inside the value it names (a recursive alias)",
                    event.start_mark,  # type: ignore[arg-type]
                )
            return super().compose_node(parent, index)
        self.nodes += 1
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            if anchor is not None:
                self.open_anchors.discard(anchor)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(text: str, file: str) -> tuple[Any, dict[FieldPath, int], list[Problem]]:
    """Parse YAML into plain data plus the 1-based line of every field.

    Bounded in size, depth and alias expansion, so that no file can take more than a
    moment or a few megabytes; every refusal is a problem with its line, never a traceback.
    """
    if len(text) > MAX_FILE_BYTES:
        return None, {}, [_too_large(file)]
    lines: dict[FieldPath, int] = {}
    problems: list[Problem] = []
    try:
        loader = _Loader(text)  # checks every character first
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
        return None, {}, [Problem(file, line, "", f"contains {what}, which a text file cannot")]
    try:
        root = loader.get_single_node()
        if root is None:
            return None, lines, [Problem(file, 1, "", "the file is empty")]
        budget = [loader.nodes + MAX_ALIAS_VALUES]
        data = _build(loader, root, (), lines, problems, file, budget)
    except _LimitError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return None, {}, [Problem(file, line, "", str(exc.problem))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, {}, [Problem(file, line, "", f"not valid YAML: {exc.problem}")]
    finally:
        loader.dispose()
    return data, lines, problems


def _too_large(file: str) -> Problem:
    limit = MAX_FILE_BYTES / 1_000_000
    return Problem(file, 1, "", f"is larger than {limit:g} MB, the most a data file may have")


def _build(
    loader: _Loader,
    node: yaml.Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: list[Problem],
    file: str,
    budget: list[int],
) -> Any:
    # Aliases share nodes, so a walk can visit far more values than the file holds.
    budget[0] -= 1
    if budget[0] < 0:
        raise _LimitError(
            None,
            None,
            f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)",
            node.start_mark,
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        field_name(path),
                        "a key must be a plain name, not a list or mapping",
                    )
                )
                continue
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool | int | float):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        field_name((*path, key)),
                        "appears twice",
                    )
                )
            result[key] = _build(loader, value_node, (*path, key), lines, problems, file, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), lines, problems, file, budget)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


# -- validation ------------------------------------------------------------------------


def parse_file(
    path: Path | str, text: str | None = None
) -> tuple[ParsedFile | None, list[Problem]]:
    """Read and validate one file on its own; cross-file checks come later."""
    file = str(path)
    if text is None:
        try:
            with open(path, "rb") as stream:  # read at most the limit: /dev/zero ends too
                raw = stream.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                return None, [_too_large(file)]
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return None, [Problem(file, 1, "", f"cannot be read: {exc}")]
    data, lines, problems = _read_yaml(text, file)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(file, 1, "", "expected a mapping with election: and statements: or entities:")
        ]
    kind: type[BaseModel]
    if "statements" in data:
        kind = Questionnaire
    elif "entities" in data:
        kind = Parties
    else:
        return None, [
            Problem(
                file, 1, "", "neither a questionnaire (statements:) nor a party file (entities:)"
            )
        ]
    try:
        model = kind.model_validate(data)
    except ValidationError as exc:
        return None, [
            Problem(file, _line_of(lines, tuple(err["loc"])), field_name(err["loc"]), _message(err))
            for err in exc.errors()
        ]
    assert isinstance(model, Questionnaire | Parties)
    return ParsedFile(file, model, lines), []


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        return f"{err['input']!r} is not valid here ({err['msg'].lower()})"
    return str(err["msg"])


def check_questionnaire(parsed: ParsedFile) -> list[Problem]:
    """Check a questionnaire's ids, references and languages."""
    q = parsed.model
    assert isinstance(q, Questionnaire)
    problems: list[Problem] = []

    def problem(field: FieldPath, message: str) -> None:
        problems.append(Problem(parsed.path, parsed.line_of(field), field_name(field), message))

    for name in ("languages",):
        for i, code in _duplicates(q.languages):
            problem((name, i), f"{code!r} is listed twice")
    for group in ("scale", "themes", "axes", "statements", "constituencies", "races"):
        for i, item_id in _duplicates(item.id for item in getattr(q, group)):
            problem((group, i, "id"), f"duplicate id {item_id!r}")
    problems.extend(_place_problems(parsed, q))
    themes = {t.id for t in q.themes}
    axes = {a.id for a in q.axes}
    for i, statement in enumerate(q.statements):
        if statement.theme not in themes:
            problem(("statements", i, "theme"), f"unknown theme {statement.theme!r}")
        for axis in statement.axes:
            if axis not in axes:
                problem(("statements", i, "axes", axis), f"unknown axis {axis!r}")
    for field, text in _questionnaire_texts(q):
        problems.extend(_language_problems(parsed, field, text, q.languages))
    return problems


def _questionnaire_texts(q: Questionnaire) -> Iterator[tuple[FieldPath, Text | None]]:
    yield ("title",), q.title
    yield ("description",), q.description
    yield ("publisher",), q.publisher
    for group in ("scale", "themes"):
        for i, item in enumerate(getattr(q, group)):
            yield (group, i, "label"), item.label
    for i, axis in enumerate(q.axes):
        for part in ("label", "low", "high"):
            yield ("axes", i, part), getattr(axis, part)
    for i, statement in enumerate(q.statements):
        yield ("statements", i, "text"), statement.text
        yield ("statements", i, "info"), statement.info
    for i, place in enumerate(q.constituencies):
        yield ("constituencies", i, "name"), place.name
    for i, race in enumerate(q.races):
        yield ("races", i, "title"), race.title


def _place_problems(parsed: ParsedFile, q: Questionnaire) -> list[Problem]:
    """Constituencies form a tree; every race is held in a known place."""
    places = {c.id for c in q.constituencies}
    problems: list[Problem] = []

    def problem(field: FieldPath, message: str) -> None:
        problems.append(Problem(parsed.path, parsed.line_of(field), field_name(field), message))

    for i, place in enumerate(q.constituencies):
        if place.within is None:
            continue
        if place.within not in places:
            problem(("constituencies", i, "within"), f"unknown constituency {place.within!r}")
        elif place.id in ancestors(q.constituencies, place.within):
            problem(
                ("constituencies", i, "within"),
                f"{place.id!r} would lie within itself (a cycle through {place.within!r})",
            )
    for i, race in enumerate(q.races):
        if race.constituency not in places:
            problem(("races", i, "constituency"), f"unknown constituency {race.constituency!r}")
    return problems


def _language_problems(
    parsed: ParsedFile, field: FieldPath, text: Text | None, languages: Sequence[str]
) -> list[Problem]:
    if text is None:
        return []
    problems = [
        Problem(parsed.path, parsed.line_of(field), field_name((*field, language)), "is missing")
        for language in languages
        if language not in text
    ]
    problems += [
        Problem(
            parsed.path,
            parsed.line_of((*field, language)),
            field_name((*field, language)),
            f"{language!r} is not one of the election's languages {list(languages)}",
        )
        for language in text
        if language not in languages
    ]
    return problems


def check_parties(parsed: ParsedFile, questionnaire: Questionnaire) -> list[Problem]:
    """Check a party file against its questionnaire."""
    parties = parsed.model
    assert isinstance(parties, Parties)
    problems: list[Problem] = []

    def problem(field: FieldPath, message: str) -> None:
        problems.append(Problem(parsed.path, parsed.line_of(field), field_name(field), message))

    for i, entity_id in _duplicates(e.id for e in parties.entities):
        problem(("entities", i, "id"), f"duplicate id {entity_id!r}")
    statements = {s.id for s in questionnaire.statements}
    options = [o.id for o in questionnaire.scale]
    party_ids = {e.id for e in parties.entities if e.kind == "party"}
    problems.extend(_race_problems(parsed, parties, questionnaire))
    for i, entity in enumerate(parties.entities):
        here: FieldPath = ("entities", i)
        if entity.kind == "party" and entity.party is not None:
            problem((*here, "party"), "only a candidate can belong to a party")
        if entity.party is not None and entity.party not in party_ids:
            problem((*here, "party"), f"unknown party {entity.party!r}")
        for statement_id, position in entity.positions.items():
            at: FieldPath = (*here, "positions", statement_id)
            if statement_id not in statements:
                problem(at, f"unknown statement {statement_id!r}")
            if position.answer not in options:
                problem((*at, "answer"), f"{position.answer!r} is not a scale option {options}")
        for field, text in _entity_texts(entity):
            problems.extend(
                _language_problems(parsed, (*here, *field), text, questionnaire.languages)
            )
    return problems


def _race_problems(
    parsed: ParsedFile, parties: Parties, questionnaire: Questionnaire
) -> list[Problem]:
    """Who stands where: races, places, backing parties and borrowed positions."""
    q = questionnaire
    problems: list[Problem] = []

    def problem(field: FieldPath, message: str) -> None:
        problems.append(Problem(parsed.path, parsed.line_of(field), field_name(field), message))

    races = {r.id: r for r in q.races}
    places = {c.id for c in q.constituencies}
    by_id = {e.id: e for e in parties.entities}
    supporters = {e.party for e in parties.entities} | {
        b for e in parties.entities for b in e.backing
    }
    for i, entity in enumerate(parties.entities):
        here: FieldPath = ("entities", i)
        for j, race_id in enumerate(entity.races):
            if race_id not in races:
                known = f" (races: {list(races)})" if races else " (the questionnaire has no races)"
                problem((*here, "races", j), f"unknown race {race_id!r}{known}")
        for j, race_id in _duplicates(entity.races):
            problem((*here, "races", j), f"{race_id!r} is listed twice")
        if races and not entity.races and not (entity.kind == "party" and entity.id in supporters):
            problem(
                (*here, "races"),
                "stands in no race: name the races it stands in "
                "(only a party that nominates or backs candidates may name none)",
            )
        held = [races[r].constituency for r in entity.races if r in races]
        if entity.constituency is not None and places:
            if entity.constituency not in places:
                problem((*here, "constituency"), f"unknown constituency {entity.constituency!r}")
            else:
                home = ancestors(q.constituencies, entity.constituency)
                for j, race_id in enumerate(entity.races):
                    if race_id in races and races[race_id].constituency not in home:
                        problem(
                            (*here, "races", j),
                            f"race {race_id!r} is held in {races[race_id].constituency!r}, "
                            f"outside the candidate's constituency {entity.constituency!r}",
                        )
        if entity.kind == "candidate":
            for j, race_id in enumerate(entity.races):
                if race_id not in races:
                    continue
                place = races[race_id].constituency
                apart = [
                    other
                    for other in held
                    if place not in ancestors(q.constituencies, other)
                    and other not in ancestors(q.constituencies, place)
                ]
                if apart:
                    problem(
                        (*here, "races", j),
                        f"race {race_id!r} is held in {place!r}, apart from the candidate's "
                        f"other race in {apart[0]!r}: a candidate stands in one place",
                    )
        for j, backer in enumerate(entity.backing):
            at: FieldPath = (*here, "backing", j)
            if entity.kind != "candidate":
                problem(at, "only a candidate can be backed by parties")
            elif backer not in by_id or by_id[backer].kind != "party":
                problem(at, f"unknown party {backer!r}")
            elif backer == entity.party:
                problem(at, f"{backer!r} is already the nominating party")
        for j, backer in _duplicates(entity.backing):
            problem((*here, "backing", j), f"{backer!r} is listed twice")
        source_id = entity.positions_from
        if source_id is not None:
            at = (*here, "positions_from")
            source = by_id.get(source_id)
            if source is None:
                problem(at, f"unknown entity {source_id!r}")
            elif source_id == entity.id:
                problem(at, "an entity cannot take its positions from itself")
            elif source.positions_from is not None:
                problem(
                    at,
                    f"{source_id!r} takes its own positions from {source.positions_from!r}: "
                    "name that entity instead",
                )
            if entity.positions:
                problem(
                    (*here, "positions"),
                    "an entity with positions_from has no positions of its own",
                )
    return problems


def _entity_texts(entity: Entity) -> Iterator[tuple[FieldPath, Text | None]]:
    yield ("name",), entity.name
    yield ("short",), entity.short
    yield ("description",), entity.description
    for statement_id, position in entity.positions.items():
        yield ("positions", statement_id, "justification"), position.justification


def _duplicates(ids: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            yield i, item
        seen.add(item)


def check_content(content: ElectionContent, origin: str = "") -> list[Problem]:
    """Validate an assembled election (as the database or an import holds it)."""
    lines: dict[FieldPath, int] = {}
    q_file = ParsedFile(
        origin or f"questionnaires/{content.slug}.yaml", content.questionnaire, lines
    )
    p_file = ParsedFile(
        origin or f"parties/{content.slug}.yaml",
        Parties(election=content.slug, entities=content.entities),
        lines,
    )
    return check_questionnaire(q_file) + check_parties(p_file, content.questionnaire)


# -- writing ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, with short {language: text} maps kept readable."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(data: Any) -> str:
    """Write data as YAML the same way every time."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def questionnaire_yaml(content: ElectionContent) -> str:
    """The questionnaire file of an election."""
    return dump_yaml(content.questionnaire.model_dump(exclude_none=True, exclude_defaults=True))


def parties_yaml(content: ElectionContent) -> str:
    """The party file of an election."""
    parties = Parties(election=content.slug, entities=content.entities)
    data = parties.model_dump(exclude_none=True, exclude_defaults=True)
    data.setdefault("entities", [])
    return dump_yaml(data)
