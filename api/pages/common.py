"""Pages every election shares: the language redirect, the home page, privacy."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.i18n import available_languages, negotiate
from api.pages.render import LanguageDep, render
from vaa.rules import text_in
from vaa.store import published_versions

router = APIRouter(include_in_schema=False)


@router.get("/")
def redirect_to_language(request: Request, settings: SettingsDep) -> RedirectResponse:
    """Send the visitor to the pages in the language their browser prefers."""
    language = negotiate(
        request.headers.get("accept-language"), available_languages(), settings.default_language
    )
    return RedirectResponse(f"/{language}/", status_code=303, headers={"Vary": "Accept-Language"})


@router.get("/{lang}/", response_class=HTMLResponse)
def read_home(request: Request, lang: LanguageDep, session: SessionDep) -> Response:
    """List the published elections; with only one, go straight to it."""
    published = published_versions(session, listed=True)
    if len(published) == 1:
        election, version = published[0]
        language = lang if lang in version.languages else version.languages[0]
        return RedirectResponse(f"/{language}/{election.slug}/", status_code=303)
    elections = [
        {
            "slug": e.slug,
            "title": text_in(v.title, lang, v.languages),
            "date": v.election_date,
            "languages": v.languages,
        }
        for e, v in published
    ]
    return render(request, "home.html", language=lang, elections=elections)


@router.get("/{lang}/privacy", response_class=HTMLResponse)
def read_privacy(request: Request, lang: LanguageDep) -> HTMLResponse:
    """Explain what is and is not stored."""
    return render(request, "privacy.html", language=lang)
