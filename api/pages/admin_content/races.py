"""Places and races of an election: the list page and a CSV import of a district list.

Places (constituencies) and races are edited one at a time through the generic item
routes (items.py); this page lists them in ballot order and imports many places at
once, e.g. the majoritarian districts from the election commission's list.
"""

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.pages.admin_content.core import (
    N_,
    SLUG,
    EditorDep,
    Errors,
    FormDep,
    Message,
    base_url,
    changed_copy,
    form_page,
    get,
    languages,
    load,
    redirect,
    revision_of,
    saved,
)
from vaa.drafts import OpenDraft
from vaa.races import chain_of

router = APIRouter()

MAX_ROWS = 2000
"""More places than any municipality has districts and villages."""


@router.get("/admin/elections/{election}/races", response_class=HTMLResponse)
def read_races(
    request: Request, election: str, session: SessionDep, user: EditorDep
) -> HTMLResponse:
    """The election's places (a tree) and its races in ballot order, with who stands in each."""
    opened = load(session, election)
    return _races_page(request, opened, text="")


def _races_page(
    request: Request,
    opened: OpenDraft,
    *,
    text: str,
    errors: Errors | None = None,
    stale: bool = False,
    revision: int | None = None,
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
        errors=errors,
        stale=stale,
        revision=revision,
        places=places,
        depth=depth,
        standing=standing,
        csv_text=text,
        csv_header=",".join(["id", "within", *(f"name_{lang}" for lang in langs)]),
    )


@router.post("/admin/elections/{election}/constituencies/import", response_model=None)
async def import_places(
    request: Request, election: str, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Add or update many places from CSV (id, within, name_<language>...): all or nothing."""
    opened = load(session, election)
    revision = revision_of(form)
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
    rows, problems = parse_places(text, languages(opened.data), opened.data)
    if problems:
        return _races_page(request, opened, text=text, errors=problems, revision=revision)
    before = opened.data["questionnaire"].get("constituencies", [])

    def change(d: dict[str, Any]) -> None:
        places = d["questionnaire"].setdefault("constituencies", [])
        index = {c["id"]: i for i, c in enumerate(places)}
        for row in rows:
            if row["id"] in index:
                places[index[row["id"]]] = row
            else:
                places.append(row)

    data = changed_copy(opened.data, change)
    if not saved(
        session,
        user,
        slug=election,
        data=data,
        revision=revision,
        action="draft.constituency.import",
        target=f"{election}/constituencies",
        before=before,
        after=data["questionnaire"]["constituencies"],
    ):
        return _races_page(request, opened, text=text, stale=True)
    return redirect(f"{base_url(election)}/races?done=places_imported")


def _refuse(
    request: Request, opened: OpenDraft, text: str, revision: int, message: str
) -> HTMLResponse:
    return _races_page(
        request, opened, text=text, errors={"csv": Message(message)}, revision=revision
    )


def parse_places(
    text: str, langs: list[str], data: dict[str, Any]
) -> tuple[list[dict[str, Any]], Errors]:
    """The places a CSV describes, or every problem found (keyed csv-<line>), nothing half-read."""
    errors: Errors = {}
    if not text.strip():
        return [], {"csv": Message(N_("Paste the list or choose a file."))}
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    needed = ["id", *(f"name_{lang}" for lang in langs)]
    missing = [h for h in needed if h not in header]
    if missing:
        return [], {
            "csv": Message(
                N_("Line 1: the header lacks the column %(column)s."), {"column": missing[0]}
            )
        }
    existing = {c["id"] for c in data["questionnaire"].get("constituencies", [])}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors["csv"] = Message(N_("At most %(n)s places at once."), {"n": MAX_ROWS})
            break
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        place_id = row.get("id", "")
        key = f"csv-{line}"
        if not SLUG.match(place_id):
            errors[key] = Message(
                N_("Line %(line)s, column id: %(value)s is not a valid id."),
                {"line": line, "value": place_id or "—"},
            )
            continue
        if place_id in seen:
            errors[key] = Message(
                N_("Line %(line)s, column id: %(value)s appears twice."),
                {"line": line, "value": place_id},
            )
            continue
        seen.add(place_id)
        empty = [lang for lang in langs if not row.get(f"name_{lang}")]
        if empty:
            errors[key] = Message(
                N_("Line %(line)s, column %(column)s: the name is empty."),
                {"line": line, "column": f"name_{empty[0]}"},
            )
            continue
        place: dict[str, Any] = {
            "id": place_id,
            "name": {lang: row[f"name_{lang}"] for lang in langs},
        }
        if row.get("within"):
            place["within"] = row["within"]
        rows.append(place)
    known = existing | seen
    for row in rows:
        within = row.get("within")
        if within is not None and within not in known:
            errors.setdefault(
                f"within-{row['id']}",
                Message(
                    N_("Place %(id)s: %(value)s in column within is not a known place."),
                    {"id": row["id"], "value": within},
                ),
            )
    return ([] if errors else rows), errors
