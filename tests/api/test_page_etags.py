"""HTML pages carry an ETag and answer a repeat visit with 304 (api/etag.py), but never
in a way that could show one account's page, or a per-session CSRF token, to anyone else."""

import re
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_admin_content import sign_in_as
from tests.api.test_route_permissions import iter_route_contexts
from tests.conftest import DEMO_FILES
from tests.soup import parse, text
from vaa.db import session_scope
from vaa.loading import load_files

VOTER_PAGES = [
    "/ka/demo/",
    "/en/demo/",
    "/ka/demo/quiz",
    "/ka/demo/results",
    "/ka/demo/method",
    "/ka/privacy",
]


def publish_new_text(engine: sa.Engine, tmp_path: Path, old: str, new: str) -> None:
    """Publish a new version of the demo whose questionnaire has one text changed."""
    questionnaire = DEMO_FILES[0].read_text("utf-8")
    assert old in questionnaire
    path = tmp_path / "flat-questionnaire.yaml"
    path.write_text(questionnaire.replace(old, new), "utf-8")
    with session_scope(engine) as session:
        load_files(session, paths=[path, DEMO_FILES[1]])


def test_a_repeat_visit_gets_304_with_no_body(client: TestClient) -> None:
    tags = set()
    for url in VOTER_PAGES:
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first.headers["etag"]
        assert etag.startswith('W/"'), url
        assert first.headers["cache-control"] == "no-cache", url
        tags.add(etag)
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
        # A browser holding a gzip copy sends the same tag; a list of tags also matches.
        listed = client.get(url, headers={"If-None-Match": f'"other", {etag}'})
        assert listed.status_code == 304
        assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    assert len(tags) == len(VOTER_PAGES)  # every page and language has its own tag


def test_a_new_published_version_changes_the_tag(
    client: TestClient, demo: sa.Engine, tmp_path: Path
) -> None:
    old = client.get("/en/demo/quiz")
    publish_new_text(demo, tmp_path, "demonstration questionnaire", "rehearsal questionnaire")
    new = client.get("/en/demo/quiz", headers={"If-None-Match": old.headers["etag"]})
    assert new.status_code == 200
    assert "rehearsal questionnaire" in text(parse(new))
    assert new.headers["etag"] != old.headers["etag"]


def test_private_pages_are_never_tagged_or_shared(client: TestClient, demo: sa.Engine) -> None:
    # The sign-in form sets a CSRF cookie: no tag, so no 304 could reuse another's token.
    login = client.get("/login", headers={"accept": "text/html"})
    assert login.status_code == 200
    assert "etag" not in login.headers
    sign_in_as(client, demo, "admin")
    for url in ("/admin", "/admin/elections", "/facilitator", "/login"):
        page = client.get(url, headers={"If-None-Match": "*"})
        assert page.status_code == 200, url
        assert "etag" not in page.headers, url
        assert "no-store" in page.headers["cache-control"], url
    # A voter page seen while signed in may be revalidated, by this browser only.
    voter = client.get("/en/demo/")
    assert voter.headers["cache-control"] == "private, no-cache"
    assert (
        client.get("/en/demo/", headers={"If-None-Match": voter.headers["etag"]}).status_code == 304
    )


def test_other_responses_are_untouched(client: TestClient) -> None:
    api = client.get("/api/v1/elections/demo", headers={"If-None-Match": "*"})
    assert api.status_code == 200
    missing = client.get("/ka/no-such-election/", headers={"If-None-Match": "*"})
    assert missing.status_code == 404
    assert "etag" not in missing.headers


def test_no_tagged_page_carries_a_csrf_token(client: TestClient, demo: sa.Engine) -> None:
    """Every GET page whose path needs at most a language and an election, anonymous and
    signed in: a page with a form token is never tagged (nor cacheable by others)."""
    paths = [
        route.path.replace("{lang}", "en").replace("{election}", "demo")
        for route in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if "GET" in (route.methods or ())
        and set(re.findall(r"\{(\w+)", route.path or "")) <= {"lang", "election"}
    ]
    assert "/en/demo/quiz" in paths and "/admin" in paths and "/en/join" in paths
    checked = 0
    for signed_in in (False, True):
        if signed_in:
            sign_in_as(client, demo, "admin")
        for path in paths:
            page = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
            if not page.headers.get("content-type", "").startswith("text/html"):
                continue
            checked += 1
            if 'name="csrf_token"' in page.text or "set-cookie" in page.headers:
                assert "etag" not in page.headers, path
            if "etag" in page.headers and signed_in:
                assert "private" in page.headers["cache-control"], path
    assert checked > 10
