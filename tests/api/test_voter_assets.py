"""What a voter's phone downloads (issue 12): each module under one content-hashed URL,
a stylesheet without the staff pages' parts, and a 304 for every voter page seen before."""

import posixpath
import re

from fastapi.testclient import TestClient

from api.assets import asset

_STATIC = re.compile(r"/static/([0-9a-f]{12})/([^\"'\s<>)]+)")
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+\.js)["']""")


def _voter_pages(client: TestClient) -> list[str]:
    pages = ["/ka/demo/", "/ka/demo/quiz", "/ka/demo/quick", "/ka/demo/results"]
    pages += ["/ka/demo/method", "/ka/demo/statistics", "/ka/privacy"]
    pages += ["/ka/demo/entities/green-coast", "/ka/races/place", "/en/races/quiz"]
    return pages


def test_every_module_has_one_url_wherever_it_is_imported(races: TestClient) -> None:
    urls: dict[str, set[str]] = {}
    todo = [
        m.group(0) for page in _voter_pages(races) for m in _STATIC.finditer(races.get(page).text)
    ]
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = races.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["cache-control"], url  # the hash is current
        name = url.split("/", 3)[3]
        urls.setdefault(name, set()).add(url)
        if name.endswith(".js"):
            for link in _IMPORT.findall(response.text):
                # Relative, so a static export works under any prefix; to a hashed URL.
                assert link.startswith("../../"), (url, link)
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(url), link)))
    assert {"js/results.js", "js/matching.js", "js/answers.js"} <= set(urls)
    assert {name: found for name, found in urls.items() if len(found) > 1} == {}


def test_a_changed_module_changes_the_url_of_what_imports_it() -> None:
    results = asset("js/results.js")
    matching = asset("js/matching.js")
    assert results is not None and matching is not None
    assert f"../../{matching.digest}/js/matching.js".encode() in results.body


def test_voter_pages_get_the_voter_stylesheet_and_staff_pages_the_whole(
    races: TestClient,
) -> None:
    for page in _voter_pages(races):
        html = races.get(page).text
        assert re.search(r'href="/static/[0-9a-f]{12}/voter\.css"', html), page
        assert "site.css" not in html, page
    voter = races.get(re.findall(r"/static/[0-9a-f]{12}/voter\.css", html)[0]).text
    whole = races.get("/login").text
    site = re.findall(r"/static/[0-9a-f]{12}/site\.css", whole)
    assert site, "the sign-in page keeps the whole stylesheet"
    everything = races.get(site[0]).text
    for staff in (".staff-form", ".session-code", ".party-form", ".account-item", ".embed-code"):
        assert staff in everything and staff not in voter, staff
    # What voter pages use from the shared part is there.
    for shared in (".hint", ".table-scroll", ".button--small", ".swatch"):
        assert shared in voter, shared
    assert len(voter) < len(everything) * 0.7


def test_every_voter_page_answers_a_repeat_visit_with_304(races: TestClient) -> None:
    for page in _voter_pages(races):
        first = races.get(page)
        assert first.status_code == 200, page
        again = races.get(page, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, page
        assert again.content == b"", page
