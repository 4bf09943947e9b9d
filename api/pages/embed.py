"""The embed: a partner site shows the quiz in an iframe that fits its pages' height.

The snippet is an iframe and, inline, the few lines of frontend/static/js/embed.js that
resize it when the quiz posts its height (frontend/static/js/frame.js): the host page
makes no request of its own to this site and stores nothing. A browser shows the frame
only on sites listed in VAA_FRAME_ANCESTORS (CSP frame-ancestors).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from api.assets import STATIC, static_url
from api.deps import SettingsDep
from api.pages.render import LanguageDep, VoterElectionDep, render

router = APIRouter(include_in_schema=False)

FRAME_HEIGHT = 760
"""The frame's height before the quiz reports its own (or without JavaScript)."""


def snippet(quiz_url: str, title: str) -> str:
    """The HTML a partner pastes into a page to show the quiz at `quiz_url`."""
    script = (STATIC / "js" / "embed.js").read_text("utf-8").strip()
    return (
        f'<iframe src="{escape(quiz_url)}" title="{escape(title)}" data-archevani\n'
        f'  width="100%" height="{FRAME_HEIGHT}" style="border:0" loading="lazy"\n'
        '  referrerpolicy="no-referrer"></iframe>\n'
        f"<script>\n{script}\n</script>\n"
    )


@router.get("/{lang}/{election}/embed", response_class=HTMLResponse)
def read_embed(
    request: Request, lang: LanguageDep, election: VoterElectionDep, settings: SettingsDep
) -> HTMLResponse:
    """Show partner sites the snippet that embeds this quiz, and the quiz embedded."""
    base = settings.public_url or str(request.base_url).rstrip("/")
    start = f"/{lang}/{election['election']}/"
    return render(
        request,
        "embed.html",
        language=lang,
        languages=election["languages"],
        election=election,
        snippet=snippet(base + start, election["title"]),
        start_url=start,
        frame_height=FRAME_HEIGHT,
        embed_script=static_url("js/embed.js"),
    )
