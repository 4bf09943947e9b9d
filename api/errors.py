"""Errors: JSON {"detail": ...} for the API, a readable page for people."""

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
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


def install_error_pages(app: FastAPI) -> None:
    """Show people an error page in their language; API clients keep getting JSON."""
    app.add_exception_handler(HTTPException, _http_error)
