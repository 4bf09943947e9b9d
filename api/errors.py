"""Errors: JSON {"detail": ..., "code": ...} for the API, a readable page for people.

The one place where a domain error (vaa.errors) becomes an HTTP status (STATUS) and a
message in the reader's language (message(), from the errors catalog). A message the
catalog of that language lacks is never shown in English: the page says what kind of
problem it is instead (FALLBACK).
"""

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from api import csrf
from api.i18n import available_languages, translations
from api.navigation import home_path
from api.pages.admin import admin_language, render_admin
from api.pages.render import render
from vaa.errors import (
    Closed,
    Conflict,
    Gone,
    Invalid,
    NotFound,
    TooMany,
    VaaError,
    format_message,
)
from vaa.formats import Problem

STATUS: dict[type[VaaError], int] = {
    Invalid: 400,
    NotFound: 404,
    Conflict: 409,
    Closed: 409,
    Gone: 410,
    TooMany: 429,
}
"""The HTTP status of each kind of domain error (400 for any other VaaError)."""


def N_(message: str) -> str:
    """Mark a message for translation (it is translated where it is shown)."""
    return message


FALLBACK: dict[type[VaaError], str] = {
    VaaError: N_("The request could not be completed. Please check what you entered."),
    Invalid: N_("Something in the request is not valid. Please check what you entered."),
    NotFound: N_("What you asked for was not found."),
    Conflict: N_("This clashes with a change made in the meantime. Please reload the page."),
    Closed: N_("No more changes are accepted here."),
    Gone: N_("This has ended."),
    TooMany: N_("Too many attempts. Please wait a little and try again."),
}
"""What a page says when the reader's language has no translation of the message."""


def status_of(error: VaaError) -> int:
    """The HTTP status for a domain error: its nearest kind in STATUS."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def translate(template: str, params: dict[str, Any], language: str, kind: type[VaaError]) -> str:
    """A message in a language: the catalog's translation, else the kind's fallback."""
    catalog = translations(language)
    text = catalog.gettext(template)
    if text == template and language != "en":
        fallback = next(FALLBACK[k] for k in kind.__mro__ if k in FALLBACK)
        return catalog.gettext(fallback)
    return format_message(text, params)


def message(error: VaaError, language: str) -> str:
    """The error's message in the reader's language (never English on a Georgian page)."""
    return translate(error.template, error.params, language, type(error))


def message_of(error: Exception, language: str) -> str:
    """Any refusal in the reader's language: a domain error's message, else a generic one."""
    if isinstance(error, VaaError):
        return message(error, language)
    return translations(language).gettext(FALLBACK[Invalid])


def problem_message(problem: Problem, language: str) -> str:
    """A data file's or spreadsheet's problem in the reader's language."""
    if problem.template:
        return translate(problem.template, dict(problem.params), language, Invalid)
    return (
        problem.message if language == "en" else translations(language).gettext(FALLBACK[Invalid])
    )


def request_language(request: Request) -> str:
    """The language of a request: the first part of the path (/ka/...), else the staff
    pages' choice (?lang=, the remembered one, the browser's)."""
    first = request.url.path.strip("/").split("/")[0]
    if first in available_languages():
        return first
    return admin_language(request)


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/static/", "/healthz", "/docs", "/openapi"))


def _error_page(
    request: Request, status: int, text: str | None = None, language: str | None = None
) -> Response:
    if language is None:
        first = request.url.path.strip("/").split("/")[0]
        settings = request.app.state.settings
        language = first if first in available_languages() else settings.default_language
    return render(
        request, "error.html", language=language, status_code=status, status=status, message=text
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not _wants_page(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    first = request.url.path.strip("/").split("/")[0]
    if exc.status_code == 403 and first not in available_languages():
        return _forbidden(request, exc)
    return _error_page(request, exc.status_code)


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A domain error nobody caught: its status, and its message in the reader's language."""
    assert isinstance(exc, VaaError)
    status = status_of(exc)
    language = request_language(request)
    if _wants_page(request):
        return _error_page(request, status, message(exc, language), language)
    body = {"detail": str(exc), "code": exc.code, "message": message(exc, language)}
    return JSONResponse(status_code=status, content=body)


def _forbidden(request: Request, exc: HTTPException) -> Response:
    """A staff page this account may not open (or a stale form): where to go instead."""
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
        # Neither NaN nor Infinity (not even as "inf"/"nan") nor a number like 1e308 is
        # echoed: a client that sent one learns only that it was out of range.
        return value if math.isfinite(value) and abs(value) < 10**15 else "<number out of range>"
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
    app.add_exception_handler(VaaError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
