"""The admin area's pages: the landing page and the audit log; rendering for every staff page.

Staff pages have no language in their path (links to them are shared between people
who read different languages): the language is `?lang=` when given (then remembered
in a cookie), else that cookie, else the browser's preference.
"""

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import csrf
from api.auth import require_role
from api.deps import SessionDep
from api.i18n import available_languages, negotiate
from api.pages.render import language_switch, render_template
from vaa import audit
from vaa.accounts import SignedIn
from vaa.models import Account

LANGUAGE_COOKIE = "vaa_lang"
AUDIT_PAGE_SIZE = 500

admin_or_editor = require_role("editor")
admin_only = require_role("admin")

router = APIRouter(prefix="/admin", include_in_schema=False)


def admin_language(request: Request) -> str:
    """The staff UI language: ?lang=, the remembered choice, or the browser's preference."""
    offered = available_languages()
    for choice in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in offered:
            return choice
    settings = request.app.state.settings
    return negotiate(request.headers.get("accept-language"), offered, settings.default_language)


def render_admin(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a staff page with the account, its CSRF token and the language switch."""
    language = admin_language(request)
    signed: SignedIn | None = getattr(request.state, "signed_in", None)
    token = signed.session.csrf_token if signed else csrf.anonymous_token(request)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    response = render_template(
        request,
        template,
        language=language,
        switch=language_switch(
            available_languages(),
            language,
            lambda code: f"{request.url.path}?{urlencode({**query, 'lang': code})}",
        ),
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
        user=signed.account if signed else None,
        csrf_field=csrf.FIELD,
        csrf_token=token,
        pretty_json=_pretty_json,
        **context,
    )
    csrf.attach_anonymous_cookie(request, response)
    if request.query_params.get("lang") in available_languages():
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", path="/"
        )
    return response


def _pretty_json(value: Any) -> str:
    # Plain text, so the template escapes it like any other user content.
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@router.get("", response_class=HTMLResponse)
def read_admin_home(
    request: Request, user: Annotated[Account, Depends(admin_or_editor)]
) -> HTMLResponse:
    """Show the admin area's start page."""
    return render_admin(request, "admin/index.html")


def _audit_filter(
    actor: Annotated[str | None, Query(max_length=254)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> audit.AuditFilter:
    return audit.AuditFilter(actor=actor or None, action=action or None, since=since, until=until)


AuditFilterDep = Annotated[audit.AuditFilter, Depends(_audit_filter)]


@router.get("/audit", response_class=HTMLResponse)
def read_audit_log(
    request: Request,
    session: SessionDep,
    where: AuditFilterDep,
    user: Annotated[Account, Depends(admin_only)],
) -> HTMLResponse:
    """List audit entries, newest first, filtered by actor, action and dates."""
    rows = audit.entries(session, where=where, limit=AUDIT_PAGE_SIZE + 1)
    query = request.url.query
    return render_admin(
        request,
        "admin/audit.html",
        entries=rows[:AUDIT_PAGE_SIZE],
        more=len(rows) > AUDIT_PAGE_SIZE,
        page_size=AUDIT_PAGE_SIZE,
        where=where,
        actions=audit.actions(session),
        changes=audit.changes,
        csv_url="/admin/audit.csv" + (f"?{query}" if query else ""),
    )


@router.get("/audit.csv")
def export_audit_log(
    session: SessionDep, where: AuditFilterDep, user: Annotated[Account, Depends(admin_only)]
) -> Response:
    """Download the filtered audit log as CSV."""
    body = audit.to_csv(audit.entries(session, where=where))
    return Response(
        body.encode("utf-8-sig"),  # the BOM makes Excel read UTF-8 (Georgian) correctly
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Cache-Control": "no-store",
        },
    )
