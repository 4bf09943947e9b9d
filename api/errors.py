"""Errors: JSON {"detail": ...} for the API, a readable page for people."""

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from api.i18n import available_languages


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/static/", "/healthz", "/docs", "/openapi"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not _wants_page(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    from api.pages.render import render  # pages import the app's deps; keep this lazy

    first = request.url.path.strip("/").split("/")[0]
    if exc.status_code == 403 and first not in available_languages():
        return _forbidden(request, exc)
    settings = request.app.state.settings
    language = first if first in available_languages() else settings.default_language
    return render(
        request,
        "error.html",
        language=language,
        status_code=exc.status_code,
        status=exc.status_code,
        detail=str(exc.detail),
    )


def _forbidden(request: Request, exc: HTTPException) -> Response:
    """A staff page this account may not open (or a stale form): where to go instead."""
    from api import csrf
    from api.navigation import home_path
    from api.pages.admin import render_admin

    signed = getattr(request.state, "signed_in", None)
    return render_admin(
        request,
        "forbidden.html",
        status_code=403,
        stale_form=exc.detail == csrf.REFUSED,
        home=home_path(signed.account if signed else None),
    )


ECHO_LIMIT = 40
"""Characters of a rejected value echoed back in a 422; never more (a 10 MB id stays home)."""

MAX_ERRORS = 20
"""Validation errors listed in one 422; a million bad answers give twenty and a count."""


def _short(value: Any) -> Any:
    """A short, JSON-safe rendering of a rejected input: never non-finite, never long."""
    if value is None or isinstance(value, bool | int):
        return (
            value if not isinstance(value, int) or abs(value) < 10**15 else str(value)[:ECHO_LIMIT]
        )
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"
    if isinstance(value, dict | list | tuple | set):
        return f"<{type(value).__name__} of {len(value)} items>"
    return f"<{type(value).__name__}>"


def clean_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors as short, JSON-safe dicts: type, loc (bounded), msg and a short input."""
    out: list[dict[str, Any]] = []
    for err in list(errors)[:MAX_ERRORS]:
        out.append(
            {
                "type": str(err.get("type", "")),
                "loc": [_short(part) for part in list(err.get("loc", ()))[:10]],
                "msg": str(err.get("msg", ""))[:200],
                "input": _short(err.get("input")),
            }
        )
    return out


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    content: dict[str, Any] = {"detail": clean_errors(errors)}
    if len(errors) > MAX_ERRORS:
        content["more"] = len(errors) - MAX_ERRORS
    return JSONResponse(status_code=422, content=content)


def install_error_pages(app: FastAPI) -> None:
    """Show people an error page in their language; API clients keep getting JSON."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
