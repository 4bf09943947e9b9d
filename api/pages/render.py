"""Rendering a page: the language, its switch, the election's texts, the template."""

import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlmodel import Session

from api.assets import STYLESHEET, VOTER_STYLESHEET, static_url
from api.deps import SessionDep
from api.i18n import available_languages, environment, language_name
from vaa.publish import voter_slice
from vaa.store import bundle_bytes, published_ref


def page_language(lang: str) -> str:
    """The UI language in the path, or 404 if there is no catalog for it."""
    if lang not in available_languages():
        raise HTTPException(404, f"no user interface in {lang!r}")
    return lang


LanguageDep = Annotated[str, Depends(page_language)]


class ElectionLanguageMissing(Exception):
    """The election exists but not in the asked language; `default` is its own first one."""

    def __init__(self, default: str) -> None:
        super().__init__(default)
        self.default = default


def voter_election(session: Session, slug: str, language: str) -> dict[str, Any]:
    """The newest published election in one language, as the quiz's bundle holds it."""
    ref = published_ref(session, slug=slug)
    if ref is None:
        raise HTTPException(404, f"no published election {slug!r}")
    bundle = bundle_bytes(session, version_id=ref.version_id)
    try:
        data: dict[str, Any] = json.loads(voter_slice(bundle, language))
    except KeyError:
        languages = json.loads(bundle)["questionnaire"]["languages"]
        raise ElectionLanguageMissing(languages[0]) from None
    data["bundle_url"] = f"/api/v1/elections/{slug}/bundle/{ref.checksum}/{language}"
    data["justifications_url"] = f"{data['bundle_url']}/justifications"
    data["archived"] = ref.archived
    return data


def get_voter_election(
    request: Request, election: str, lang: LanguageDep, session: SessionDep
) -> dict[str, Any]:
    try:
        return voter_election(session, election, lang)
    except ElectionLanguageMissing as missing:
        # e.g. /ka/... of an English-only election: the same page in the election's language
        # (307 keeps a posted quiz form). Its UI must exist, or this page cannot be shown.
        if missing.default not in available_languages():
            raise HTTPException(404, f"{election!r} is not available in {lang!r}") from None
        rest = request.url.path.split("/", 2)[2]
        query = f"?{request.url.query}" if request.url.query else ""
        raise HTTPException(
            307, headers={"Location": f"/{missing.default}/{rest}{query}"}
        ) from None


VoterElectionDep = Annotated[dict[str, Any], Depends(get_voter_election)]

# Pages that need the whole stylesheet (group sessions, the embed snippet); every other
# page here is a voter's and gets the smaller voter stylesheet (api/assets.py).
_WHOLE_STYLESHEET = ("sessions/", "embed.html")


def language_switch(
    codes: Iterable[str], current: str, url_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The language switch: each language's name and the address of this page in it."""
    return [
        {"code": code, "name": language_name(code), "url": url_of(code), "current": code == current}
        for code in codes
    ]


def render_template(
    request: Request,
    template: str,
    *,
    language: str,
    switch: list[dict[str, Any]],
    stylesheet: str = STYLESHEET,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The one template renderer: a template in a language with what every page uses."""
    html = (
        environment(language)
        .get_template(template)
        .render(
            lang=language,
            language_switch=switch,
            static_url=static_url,
            stylesheet_url=static_url(stylesheet),
            path=request.url.path,
            to_json=to_json,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render(
    request: Request,
    template: str,
    *,
    language: str,
    status_code: int = 200,
    languages: list[str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a voter's page in a language (the language is the path's first part).

    `languages` limits the language switch (an election offers only its own).
    """
    offered = [code for code in available_languages() if languages is None or code in languages]
    path = request.url.path
    rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
    return render_template(
        request,
        template,
        language=language,
        switch=language_switch(offered, language, lambda code: f"/{code}/{rest}"),
        stylesheet=STYLESHEET if template.startswith(_WHOLE_STYLESHEET) else VOTER_STYLESHEET,
        status_code=status_code,
        # The service worker (api/offline.py) and the embedded frame's height (embed.js).
        voter_scripts=[static_url("js/offline.js"), static_url("js/frame.js")],
        **context,
    )


def to_json(value: Any) -> Markup:
    """JSON safe to place inside <script type="application/json"> (no closing tags)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
