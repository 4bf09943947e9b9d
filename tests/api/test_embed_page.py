"""The embed page shows partners a working snippet (api/pages/embed.py); the README's is
the same code."""

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.assets import STATIC
from api.pages.embed import snippet
from tests.soup import one, parse, text
from vaa.settings import ROOT, Settings


def shown_snippet(page: str) -> str:
    """The snippet as a partner copies it from the page."""
    return one(parse(page), "#embed-snippet").get_text()


def test_the_embed_page_in_each_language(client: TestClient) -> None:
    for lang, heading in (("en", "Put this quiz on your website"), ("ka", "განათავსეთ")):
        page = client.get(f"/{lang}/demo/embed")
        assert page.status_code == 200
        shown = parse(page)
        assert heading in text(one(shown, "h1"))
        code = shown_snippet(page.text)
        assert f'<iframe src="http://testserver/{lang}/demo/"' in code
        assert (STATIC / "js" / "embed.js").read_text("utf-8").strip() in code
        preview = one(shown, "iframe.embed-preview")  # the live preview
        assert preview["src"] == f"/{lang}/demo/"
    assert client.get("/en/no-such-election/embed").status_code == 404


def test_the_snippet_names_the_public_url(settings: Settings, demo: sa.Engine) -> None:
    public = settings.model_copy(update={"public_url": "https://vaa.example.ge"})
    with TestClient(create_app(public)) as client:
        code = shown_snippet(client.get("/ka/demo/embed").text)
    assert '<iframe src="https://vaa.example.ge/ka/demo/"' in code


def test_the_readme_shows_the_snippet_as_the_app_makes_it() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert snippet("https://vaa.example.ge/ka/demo/", "Archevani") in readme
    assert "VAA_FRAME_ANCESTORS" in readme
