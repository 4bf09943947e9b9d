"""The error hierarchy (vaa/errors.py), its one mapping (api/errors.py) and its catalog."""

import ast
import re
from datetime import timedelta

import pytest
from babel.messages.pofile import read_po

from api.errors import FALLBACK, STATUS, message, problem_message, status_of
from api.i18n import LOCALES
from tests.unit.test_spreadsheets import _problems, _saved, _workbook, example
from vaa.accounts import InvalidCredentials, TooManyFailures
from vaa.drafts import StaleDraft
from vaa.errors import (
    MESSAGES,
    Closed,
    Conflict,
    Gone,
    Invalid,
    InvalidAnswers,
    NotFound,
    TooMany,
    VaaError,
)
from vaa.formats import DataError, Problem
from vaa.settings import ROOT
from vaa.spreadsheets import export_xlsx, import_xlsx

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog(language: str) -> dict[str, str]:
    with (LOCALES / language / "LC_MESSAGES" / "errors.po").open("rb") as po:
        return {str(m.id): str(m.string) for m in read_po(po, locale=language) if m.id}


@pytest.mark.parametrize("language", ["ka", "en", "ru", "hy", "az"])
def test_every_code_and_fallback_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = _catalog(language)
    wanted = [*MESSAGES.values(), *FALLBACK.values()]
    assert sorted(catalog) == sorted(set(wanted))  # nothing missing, nothing stale
    for msgid in wanted:
        assert catalog[msgid], msgid
        assert sorted(PLACEHOLDER.findall(catalog[msgid])) == sorted(PLACEHOLDER.findall(msgid))
        if language == "ka":
            assert re.search(r"[\u10d0-\u10ff]", catalog[msgid]), msgid
            assert "შენ" not in catalog[msgid].split()  # the formal თქვენ, always


LEGACY_CODES = {
    # accounts and users: admin/_errors.html and admin/_user_errors.html word them
    *("short", "long", "common", "email", "exists", "role", "entity", "credentials"),
    *("current_password", "link", "unknown", "disabled", "last_admin"),
    # group sessions: sessions/list.html and the join pages word them
    *("election", "language", "min", "kiosk", "place", "constituency", "closed"),
    *("consent", "source", "participant", "answers"),
    # party self-service and review: the party and review templates word them
    *("limit", "days", "invitation", "pending", "untranslated", "submission"),
    *("not_pending", "comment_missing", "comment_long"),
    # publishing: the election page words them
    *("visibility", "confirm"),
    # carriers of their own text: a draft changed meanwhile, a data file's problems
    # (each translated by its template), a command-line refusal, a paper sheet's typo
    *("stale", "data", "cli", "sheet"),
    "rate_limited",  # too many sign-in attempts: admin/_errors.html
}
"""Codes whose pages translate them in their own catalogs, not through MESSAGES. Each is
ambiguous outside its page ("unknown" is an account on one page and a session on
another): moving one into MESSAGES means giving it a dotted name. No new code joins."""


def _raised_codes() -> dict[str, list[str]]:
    """Every constant code vaa/ raises or notes, with where: the first argument of an error
    class (and of the super().__init__ of one), an ItemInvalid field's code, and the code
    of a spreadsheet problem (coded(), Columns.problem())."""
    modules = [ROOT / "vaa" / path for path in sorted(p.name for p in (ROOT / "vaa").glob("*.py"))]
    trees = {path.name: ast.parse(path.read_text("utf-8")) for path in modules}
    errors = {"VaaError", "NotFound", "Invalid", "Conflict", "Closed", "Gone", "TooMany"}
    errors.add("InvalidAnswers")
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    own_init: set[str] = set()  # their code is the one their __init__ passes to super()
    for _ in classes:  # a subclass of a subclass of ... VaaError, in any order
        for c in classes:
            bases = {getattr(b, "id", "") for b in c.bases}
            if bases & errors:
                errors.add(c.name)
                inits = [f for f in c.body if getattr(f, "name", "") == "__init__"]
                if inits or bases & own_init:
                    own_init.add(c.name)
    found: dict[str, list[str]] = {}

    def note(node: ast.expr | None, where: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.setdefault(node.value, []).append(where)

    for name, tree in trees.items():
        field_codes = "ItemInvalid(" in (ROOT / "vaa" / name).read_text("utf-8")
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                func = node.func
                called = getattr(func, "id", None) or getattr(func, "attr", None)
                args = node.args
                if called in errors and called not in own_init and args:
                    note(args[0], where)
                elif called == "__init__" and isinstance(func, ast.Attribute) and args:
                    if (
                        isinstance(func.value, ast.Call)
                        and getattr(func.value.func, "id", "") == "super"
                    ):
                        note(args[0], where)
                elif called == "coded" and len(args) >= 4:
                    note(args[3], where)
                elif called == "problem" and isinstance(func, ast.Attribute) and len(args) >= 3:
                    note(args[2], where)
            elif (
                field_codes
                and isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
            ):
                note(node.value, where)  # problems[field] = "settings.title"
            elif field_codes and isinstance(node, ast.DictComp):
                note(node.value, where)  # {field: "scale.label" for ...}
    return found


def test_every_code_the_domain_raises_has_a_message_in_every_catalog() -> None:
    """A new code fails here until it has its MESSAGES entry, which the catalog test
    above then wants translated in every language."""
    raised = _raised_codes()
    assert {"settings.method", "scale.label", "entity.party_of_party", "answers.none"} <= set(
        raised
    ), "the walk finds field codes, error codes and answer codes"
    assert {"sheet.cell.id", "sheet.id.twice", "sheet.file.mixed"} <= set(raised)
    unworded = {code: where for code, where in raised.items() if code not in MESSAGES}
    assert {c: w for c, w in unworded.items() if c not in LEGACY_CODES} == {}
    assert set(unworded) >= LEGACY_CODES, "a code now in MESSAGES leaves LEGACY_CODES"
    for language in ("ka", "en", "ru", "hy", "az"):
        catalog = _catalog(language)
        assert [c for c in raised if c in MESSAGES and not catalog.get(MESSAGES[c])] == []


def test_a_registered_code_is_translated_even_when_raised_with_its_own_english() -> None:
    """The English detail stays for logs; the reader gets the code's catalog message."""
    error = NotFound("draft.item", "no entity 'green' in this draft", item="green")
    assert str(error) == "no entity 'green' in this draft"
    assert message(error, "ka") == "სამუშაო ვერსიაში „green“ აღარ არის."
    assert message(error, "ru") == "«green» в черновике больше нет."


def test_each_kind_has_one_status_and_subclasses_inherit_it() -> None:
    assert {
        Invalid: 400,
        NotFound: 404,
        Conflict: 409,
        Closed: 409,
        Gone: 410,
        TooMany: 429,
    } == STATUS
    assert status_of(InvalidAnswers("answers.none")) == 400
    assert status_of(InvalidCredentials("credentials", "wrong")) == 400
    assert status_of(StaleDraft("changed")) == 409
    assert status_of(DataError([])) == 400
    assert status_of(TooManyFailures(timedelta(minutes=1))) == 429
    assert status_of(VaaError("anything", "something")) == 400


def test_a_domain_error_has_a_code_params_and_no_http_status() -> None:
    error = InvalidAnswers("answers.statement", statement="s9")
    assert (error.code, error.params, str(error)) == (
        "answers.statement",
        {"statement": "s9"},
        "unknown statement 's9'",
    )
    assert not hasattr(error, "status") and not hasattr(error, "status_code")
    assert message(error, "ka") == "ამ არჩევნებში მოსაზრება „s9“ არ არსებობს."
    assert message(error, "en") == "There is no statement “s9” in this election."


def test_a_message_without_a_translation_is_never_shown_in_english_on_a_georgian_page() -> None:
    untranslated = NotFound("link", "this invitation is not valid (used, expired or revoked)")
    assert message(untranslated, "ka") == "მოთხოვნილი გვერდი ან ჩანაწერი ვერ მოიძებნა."
    assert message(untranslated, "en") == str(untranslated)
    raw = Problem("x.yaml", 3, "title", "String should have at most 500 characters")
    assert problem_message(raw, "en") == raw.message
    assert "String" not in problem_message(raw, "ka")


def test_one_hierarchy_no_other_exception_bases_in_vaa() -> None:
    """Every exception class in vaa/ is a VaaError (vaa.errors holds the bases)."""
    found: list[str] = []
    for path in sorted((ROOT / "vaa").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and path.name != "errors.py":
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"Exception", "ValueError", "LookupError", "RuntimeError"}:
                    found.append(f"{path.name}:{node.name}")
    assert found == []
    assert issubclass(InvalidCredentials, VaaError) and issubclass(DataError, Invalid)


def test_the_domain_imports_no_web_framework() -> None:
    for path in sorted((ROOT / "vaa").glob("*.py")):
        if path.name == "cli.py":  # `vaa serve` and `vaa export-static` start the app
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top not in {"fastapi", "starlette", "api", "jinja2"}, f"{path}: {name}"


def _import_with(sheet: str, header: str, value: str) -> list[Problem]:
    """The problems of importing the example's workbook with one cell (row 2) changed."""
    content = example()
    book = _workbook(export_xlsx(content))
    heads = [c.value for c in book[sheet][1]]
    book[sheet].cell(row=2, column=heads.index(header) + 1, value=value)
    return _problems(lambda: import_xlsx(_saved(book), current=content))


def test_a_source_cell_without_https_is_a_row_problem() -> None:
    """Issue 13: it was a pydantic ValidationError (a 500 in the admin)."""
    problems = _import_with("party-a", "source", "example.org/programme")
    assert [(p.file, p.line, p.field, p.message) for p in problems] == [
        ("party-a", 2, "source", "'example.org/programme' is not a web address (https://…)")
    ]
    assert problems[0].template == MESSAGES["sheet.cell.url"]


def test_a_formula_without_a_saved_value_is_a_row_problem_not_an_empty_text() -> None:
    """Issue 13: openpyxl reads such a cell as empty, which silently removed the text."""
    problems = _import_with("questionnaire", "text_en", '=CONCAT("a", "b")')
    assert [(p.file, p.line, p.field) for p in problems] == [("questionnaire", 2, "text_en")]
    assert problems[0].message.startswith("holds a formula without a saved value")
