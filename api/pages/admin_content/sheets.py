"""Spreadsheets: download the draft as XLSX or CSV, upload to import with a preview.

An upload is read and checked but not applied: the page lists every change (or every
problem, with sheet, row and column) and carries the uploaded files in a hidden field
to the confirm button, which reads them again against the draft as it is then. Nothing
changes on error, and nothing changes without the confirmation.
"""

import base64
import binascii
import json
from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from api.deps import SessionDep
from api.errors import problem_message
from api.pages.admin import admin_language
from api.pages.admin_content.core import DraftDep, EditorDep, base_url, page, redirect
from api.pages.admin_content.forms import N_, FormDep, Message, get, revision_of
from api.pages.admin_content.review import group_problems
from vaa.content import ElectionContent
from vaa.draft_edits import DraftMalformed, import_spreadsheet
from vaa.drafts import OpenDraft, StaleDraft, lenient_content, readable_content
from vaa.formats import DataError, Problem
from vaa.spreadsheet_races import carries_races
from vaa.spreadsheets import (
    Change,
    export_csv,
    export_xlsx,
    import_files,
    preview,
)

router = APIRouter(prefix="/admin/elections")

MAX_UPLOAD = 4 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _content(opened: OpenDraft) -> ElectionContent:
    content = lenient_content(opened.data)
    if content is None:
        raise HTTPException(409, "the draft cannot be exported until its problems are fixed")
    return content


def _sheets_page(
    request: Request,
    opened: OpenDraft,
    *,
    problems: list[Problem] | None = None,
    changes: list[Change] | None = None,
    payload: str | None = None,
    error: Message | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if problems:  # each row's message in the editor's language
        language = admin_language(request)
        problems = [replace(p, message=problem_message(p, language)) for p in problems]
    content, draft_problems = readable_content(opened.data)
    return page(
        request,
        "sheets.html",
        opened=opened,
        status_code=status_code,
        exportable=content is not None,
        draft_groups=group_problems(opened.data, draft_problems),
        csv_files=sorted(export_csv(content)) if content is not None else [],
        races_sheets=content is not None and carries_races(content),
        problems=problems,
        changes=changes,
        payload=payload,
        error=error,
    )


@router.get("/{election}/spreadsheets", response_class=HTMLResponse)
def read_spreadsheets(request: Request, opened: DraftDep) -> HTMLResponse:
    """Download links and the upload form."""
    return _sheets_page(request, opened)


@router.get("/{election}/spreadsheets/{file}")
def download_spreadsheet(opened: DraftDep, file: str) -> Response:
    """The draft as <election>.xlsx or one of its CSV files."""
    content = _content(opened)
    if file == f"{opened.slug}.xlsx":
        body, media = export_xlsx(content), XLSX
    else:
        files = export_csv(content)
        if file not in files:
            raise HTTPException(404, "no such file")
        body, media = files[file], "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{file}"',
            "Cache-Control": "no-store",
        },
    )


def _import(
    request: Request, opened: OpenDraft, files: dict[str, bytes]
) -> tuple[ElectionContent, ElectionContent] | HTMLResponse:
    """The draft and what the files make of it, or the page saying why they cannot be read."""
    current = lenient_content(opened.data)
    if current is None:
        return _sheets_page(request, opened, status_code=409)
    try:
        new = import_files(files, current=current)
    except DataError as exc:
        return _sheets_page(request, opened, problems=list(exc.problems), status_code=400)
    return current, new


def _encode(files: dict[str, bytes]) -> str:
    return base64.b64encode(
        json.dumps({name: base64.b64encode(body).decode() for name, body in files.items()}).encode()
    ).decode()


def _decode(payload: str) -> dict[str, bytes]:
    try:
        found = json.loads(base64.b64decode(payload, validate=True))
        if not isinstance(found, dict):
            raise ValueError
        return {str(k): base64.b64decode(v, validate=True) for k, v in found.items()}
    except (ValueError, binascii.Error, TypeError):
        raise HTTPException(400, "the uploaded files were lost: upload them again") from None


@router.post("/{election}/spreadsheets/import", response_class=HTMLResponse)
def upload_spreadsheet(request: Request, opened: DraftDep, form: FormDep) -> HTMLResponse:
    """Check an upload and show what it would change (or every problem); apply nothing."""
    revision_of(form)
    files: dict[str, bytes] = {}
    total = 0
    for upload in form.getlist("files"):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        body = upload.file.read(MAX_UPLOAD + 1)
        total += len(body)
        files[upload.filename.replace("\\", "/").rsplit("/", 1)[-1]] = body
    if not files:
        return _sheets_page(
            request, opened, error=Message(N_("Choose a file to upload.")), status_code=400
        )
    if total > MAX_UPLOAD:
        return _sheets_page(
            request,
            opened,
            error=Message(
                N_("The files are too large (at most %(n)s MB)."), {"n": MAX_UPLOAD // 2**20}
            ),
            status_code=400,
        )
    found = _import(request, opened, files)
    if isinstance(found, HTMLResponse):
        return found
    current, new = found
    return _sheets_page(request, opened, changes=preview(current, new), payload=_encode(files))


@router.post("/{election}/spreadsheets/apply")
def apply_spreadsheet(
    request: Request, opened: DraftDep, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Apply a checked upload to the draft (read again: the draft may have changed)."""
    revision = revision_of(form)
    back = f"{base_url(opened.slug)}/spreadsheets"
    files = _decode(get(form, "payload")) if revision == opened.revision else {}
    try:
        changes = import_spreadsheet(
            session, user, slug=opened.slug, revision=revision, files=files
        )
    except StaleDraft:
        session.rollback()
        return redirect(f"{back}?done=stale")
    except DraftMalformed:
        return _sheets_page(request, opened, status_code=409)
    except DataError as exc:
        return _sheets_page(request, opened, problems=list(exc.problems), status_code=400)
    if not changes:
        return redirect(f"{back}?done=unchanged")
    session.commit()
    return redirect(f"{back}?done=imported")
