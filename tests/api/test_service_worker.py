"""The service worker's script and what it keeps (api/offline.py, GET /sw.js), served by
the app and written by `vaa export-static`."""

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.assets import static_url
from api.static_export import export_static
from tests.api.test_admin_content import sign_in_as
from tests.api.test_page_etags import publish_new_text
from vaa.settings import Settings

MANIFEST = re.compile(r"const MANIFEST = (\{.*?\});\n")


def manifest(script: str) -> dict[str, Any]:
    """The worker's manifest, its lists also flattened over the languages."""
    found = MANIFEST.search(script)
    assert found, "no manifest in the worker"
    data: dict[str, Any] = json.loads(found.group(1))
    data["groups"] = {"pages": data["pages"], "files": data["files"], "lazy": data["lazy"]}
    for kind in ("pages", "files", "lazy"):
        data[kind] = [url for urls in data["groups"][kind].values() for url in urls]
    return data


def test_the_worker_keeps_every_voter_page_and_nothing_private(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"  # every update check sees news
    assert client.get(
        "/sw.js", headers={"If-None-Match": response.headers["etag"]}
    ).status_code == (304)
    kept = manifest(response.text)
    for lang in ("ka", "en"):
        for page in ("", "quiz", "results", "method"):
            assert f"{lang}/demo/{page}" in kept["pages"]
        assert f"{lang}/privacy" in kept["pages"]
    # Grouped by language, so a phone keeps only the one it uses; assets are shared.
    for kind in ("pages", "files"):
        for lang, urls in kept["groups"][kind].items():
            assert lang in {"", "ka", "en"}
            for url in urls:
                if lang:
                    assert url.startswith(f"{lang}/") or url.split("/")[6] == lang, url
                else:
                    assert url.startswith("static/"), url
    every = kept["pages"] + kept["files"]
    assert not [u for u in every if u.split("/")[0] in {"admin", "facilitator", "party", "join"}]
    assert not [u for u in every if "/join" in u or "login" in u or "setup" in u]
    for url in kept["files"]:  # cache-first only for what never changes under its URL
        answer = client.get("/" + url)
        assert answer.status_code == 200, url
        assert "immutable" in answer.headers["cache-control"], url
    for url in kept["pages"]:
        assert client.get("/" + url).status_code == 200, url


def test_publishing_makes_a_new_worker_without_the_old_bundle(
    client: TestClient, demo: sa.Engine, tmp_path: Path
) -> None:
    old = manifest(client.get("/sw.js").text)
    old_bundles = [u for u in old["files"] + old["lazy"] if "/bundle/" in u]
    assert len(old_bundles) == 4  # two languages, each with its justifications
    # The reasons are kept once a voter opens them, not downloaded on the first visit, and
    # so is quick mode (its page and its own module): the full quiz's voter never opens it.
    reasons = sorted(u for u in old_bundles if u.endswith("/justifications"))
    quick = ["en/demo/quick", "ka/demo/quick", static_url("js/quick.js").lstrip("/")]
    assert sorted(old["lazy"]) == sorted(reasons + quick)
    assert not set(quick) & set(old["pages"] + old["files"])
    publish_new_text(demo, tmp_path, "demonstration questionnaire", "rehearsal questionnaire")
    new = manifest(client.get("/sw.js").text)
    assert new["version"] != old["version"]
    assert not set(old_bundles) & set(new["files"] + new["lazy"])
    bundle = client.get("/api/v1/elections/demo").json()["bundle"].lstrip("/")
    assert f"{bundle}/ka" in new["files"]


def test_voter_pages_register_the_worker_and_admin_pages_do_not(
    client: TestClient, demo: sa.Engine
) -> None:
    assert "js/offline.js" in client.get("/ka/demo/quiz").text
    sign_in_as(client, demo, "admin")
    assert "js/offline.js" not in client.get("/admin").text


def test_the_export_keeps_every_file_it_holds(
    settings: Settings, demo: sa.Engine, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export_static(create_app(settings), ["demo"], site)
    kept = manifest((site / "sw.js").read_text("utf-8"))
    listed = set(kept["pages"] + kept["files"] + kept["lazy"])
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert listed == on_disk - {"sw.js"}
    assert "ka/demo/quiz.html" in kept["pages"] and "index.html" in kept["pages"]
    # Profiles, reasons and quick mode are kept once opened, not on the first visit.
    quick = {"ka/demo/quick.html", "en/demo/quick.html", static_url("js/quick.js").lstrip("/")}
    assert quick <= set(kept["lazy"])
    assert all(
        "/entities/" in u or u.endswith("-justifications.json") or u in quick for u in kept["lazy"]
    )
    assert not quick & set(kept["pages"] + kept["files"])
    assert not [u for u in kept["pages"] + kept["files"] if "/entities/" in u]
    # Every module a page loads, however deep the import, is in the export, under the
    # one hashed URL it has everywhere (../../<hash>/js/<name>).
    for path in on_disk:
        if path.endswith(".js") and path != "sw.js":
            for link in re.findall(r'from "([^"]+\.js)"', (site / path).read_text("utf-8")):
                assert re.fullmatch(r"\.\./\.\./[0-9a-f]{12}/js/[\w.-]+\.js", link), (path, link)
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
                assert target in on_disk, (path, link)
