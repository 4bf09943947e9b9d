"""Places and races of an election: the list page and a CSV import of a district list.

Places (constituencies) and races are edited one at a time through the generic item
routes (items.py); this page lists them in ballot order and imports many places at
once, e.g. the majoritarian districts from the election commission's list.
"""

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.errors import problem_message
from api.pages.admin import admin_language
from api.pages.admin_content.core import (
    DraftDep,
    EditDep,
    base_url,
    form_page,
    languages,
)
from api.pages.admin_content.forms import N_, Errors, FormDep, Message, get
from vaa import draft_edits
from vaa.drafts import OpenDraft
from vaa.errors import MESSAGES
from vaa.formats import Problem
from vaa.races import chain_of
from vaa.sheet_tables import read_csv
from vaa.spreadsheet_races import RaceTables

router = APIRouter()

MAX_ROWS = 2000
"""More places than any municipality has districts and villages."""


@router.get("/admin/elections/{election}/races", response_class=HTMLResponse)
def read_races(request: Request, opened: DraftDep) -> HTMLResponse:
    """The election's places (a tree) and its races in ballot order, with who stands in each."""
    return _races_page(request, opened, text="")


def _races_page(
    request: Request,
    opened: OpenDraft,
    *,
    text: str,
    **form: Any,
) -> HTMLResponse:
    data = opened.data
    q = data["questionnaire"]
    places = q.get("constituencies", [])
    standing = {
        r["id"]: [e for e in data.get("entities", []) if r["id"] in (e.get("races") or [])]
        for r in q.get("races", [])
    }
    within = {c["id"]: c.get("within") for c in places}
    depth = {c["id"]: len(chain_of(within, c["id"])) - 1 for c in places}
    langs = languages(data)
    return form_page(
        request,
        "races.html",
        opened=opened,
        places=places,
        depth=depth,
        standing=standing,
        csv_text=text,
        csv_header=",".join(["id", "within", *(f"name_{lang}" for lang in langs)]),
        **form,
    )


@router.post("/admin/elections/{election}/constituencies/import", response_model=None)
async def import_places(
    request: Request, opened: DraftDep, edit: EditDep, form: FormDep
) -> Response:
    """Add or update many places from CSV (id, within, name_<language>...): all or nothing."""
    revision = edit.revision
    text = get(form, "csv")
    upload = form.get("file")
    if not isinstance(upload, str) and upload is not None and upload.filename:
        raw = await upload.read(1_000_001)
        if len(raw) > 1_000_000:
            return _refuse(request, opened, text, revision, N_("The file is larger than 1 MB."))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _refuse(request, opened, text, revision, N_("Save the file as UTF-8 CSV."))
    rows, problems = parse_places(
        text, languages(opened.data), opened.data, admin_language(request)
    )
    if problems:
        return _races_page(request, opened, text=text, errors=problems, revision=revision)
    return edit.save(
        partial(draft_edits.import_places, places=rows),
        again=lambda fresh: _races_page(request, fresh, text=text, stale=True),
        done=f"{base_url(opened.slug)}/races?done=places_imported",
    )


def _refuse(
    request: Request, opened: OpenDraft, text: str, revision: int, message: str
) -> HTMLResponse:
    return _races_page(
        request, opened, text=text, errors={"csv": Message(message)}, revision=revision
    )


def parse_places(
    text: str, langs: list[str], data: dict[str, Any], language: str = "en"
) -> tuple[list[dict[str, Any]], Errors]:
    """The places a CSV describes, or every problem found (keyed csv-<line>-<column>).

    The list is read as the spreadsheets' constituencies table is (vaa.spreadsheet_races):
    UTF-8 with or without a byte order mark, commas or semicolons, any column order.
    """
    if not text.strip():
        return [], {"csv": Message(N_("Paste the list or choose a file."))}
    problems: list[Problem] = []
    table = read_csv("csv", text, problems)
    if table is not None and len(table.rows) > MAX_ROWS:
        return [], {"csv": Message(N_("At most %(n)s places at once."), {"n": MAX_ROWS})}
    read = RaceTables(langs, True, problems)
    if table is not None:
        read.read_constituencies(table)
    errors: Errors = {f"csv-{p.line}-{p.field}": _place_message(p, language) for p in problems}
    rows = [place.model_dump(exclude_none=True) for place in (read.constituencies or [])]
    existing = data["questionnaire"].get("constituencies", [])
    within = {c["id"]: c.get("within") for c in existing} | {
        row["id"]: row.get("within") for row in rows
    }
    for row in rows:
        parent = row.get("within")
        if parent is None:
            continue
        if parent not in within:
            errors.setdefault(
                f"within-{row['id']}",
                Message(
                    N_("Place %(id)s: %(value)s in column within is not a known place."),
                    {"id": row["id"], "value": parent},
                ),
            )
        elif row["id"] in chain_of(within, parent):
            errors[f"within-{row['id']}"] = Message(
                N_("Place %(id)s: with %(value)s in column within it would lie within itself."),
                {"id": row["id"], "value": parent},
            )
    return ([] if errors else rows), errors


def _place_message(problem: Problem, language: str) -> Message:
    """A problem of the list as this page has always worded it, else with its cell."""
    params = dict(problem.params)
    line, column = problem.line, problem.field
    if problem.template == MESSAGES["sheet.column.missing"]:
        return Message(N_("Line 1: the header lacks the column %(column)s."), {"column": column})
    if problem.template == MESSAGES["sheet.cell.id"] and column == "id":
        return Message(
            N_("Line %(line)s, column id: %(value)s is not a valid id."),
            {"line": line, "value": params.get("value") or "—"},
        )
    if problem.template == MESSAGES["sheet.cell.empty"] and column == "id":
        return Message(
            N_("Line %(line)s, column id: %(value)s is not a valid id."),
            {"line": line, "value": "—"},
        )
    if problem.template == MESSAGES["sheet.id.twice"]:
        return Message(
            N_("Line %(line)s, column id: %(value)s appears twice."),
            {"line": line, "value": params.get("value")},
        )
    if problem.template == MESSAGES["sheet.cell.empty"]:
        return Message(
            N_("Line %(line)s, column %(column)s: the name is empty."),
            {"line": line, "column": column},
        )
    return Message(
        N_("Line %(line)s, column %(column)s: %(problem)s"),
        {"line": line, "column": column or "—", "problem": problem_message(problem, language)},
    )
