"""`vaa export-static`: an election's voter pages as plain files for any static host.

The pages are rendered in-process by the real app (an ASGI test client, no network), then
every absolute link the export holds is rewritten to a path relative to the page, so the
directory works under any prefix: a CDN, `python -m http.server`, a sub-folder, a USB stick.
Assets keep their content-hashed names; the bundle slices become .json files; sw.js
at the root keeps the pages and files for use without a connection (the profiles and the
reasons once opened; api/offline.py). Nothing in the export asks a dynamic endpoint: the donation form is removed, or pointed at `api_url`.
"""

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.assets import asset, module_urls
from api.i18n import available_languages
from api.offline import Manifest, kept_once_opened, service_worker, voter_urls
from vaa.errors import Invalid


class ExportError(Invalid):
    """The election cannot be exported (unknown, or a page did not render)."""

    def __init__(self, message: str) -> None:
        super().__init__("export", message)


@dataclass
class Export:
    """Where each exported URL goes: URL path -> file path relative to the directory."""

    files: dict[str, str] = field(default_factory=dict)


_QUOTED_PATH = re.compile(r"""(?<=["'])(/[^"'\s<>]*)(?=["'])""")
_DONATE = re.compile(r'<section aria-labelledby="donate-h".*?</section>', re.S)
_STATIC = re.compile(r"/static/[0-9a-f]{12}/[^\"'\s<>)]+")


def page_file(url: str) -> str:
    """The file of a voter page: "/ka/demo/" -> "ka/demo/index.html", "/ka/x" -> "ka/x.html"."""
    path = url.lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path + ".html"


def bundle_file(url: str) -> str:
    """The file of a bundle slice: ".../bundle/<sum>/ka" -> ".../bundle/<sum>/ka.json"."""
    path = url.lstrip("/")
    if path.endswith("/justifications"):
        return path[: -len("/justifications")] + "-justifications.json"
    return path + ".json"


def relative(target: str, page: str) -> str:
    """The link from the file `page` to the file `target` (both relative to the export)."""
    link = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return link


def rewrite(text: str, page: str, files: dict[str, str], api_url: str | None = None) -> str:
    """Every quoted absolute path that the export holds, made relative to `page`.

    Links to exported files point at them; "/x/" ends in index.html. Paths of the dynamic
    API go to `api_url` when one is given; any other absolute path stays as it is.
    """

    def one(found: re.Match[str]) -> str:
        url = found.group(1)
        base, _, fragment = url.partition("#")
        if base in files:
            link = relative(files[base], page)
            return link + ("#" + fragment if fragment else "")
        if api_url and (base.startswith("/api/") or base.endswith("/donations")):
            return api_url.rstrip("/") + url
        return url

    return _QUOTED_PATH.sub(one, text)


def export_static(
    app: FastAPI, elections: list[str], directory: Path, api_url: str | None = None
) -> list[Path]:
    """Write the voter pages of `elections` with their assets and bundles into `directory`.

    Returns the files written. Raises ExportError before writing anything if a page does
    not render (e.g. an unknown election).
    """
    bodies: dict[str, bytes] = {}
    files: dict[str, str] = {}
    pages: dict[str, str] = {}
    with TestClient(app, base_url="http://export.invalid") as client:
        for election in elections:
            response = client.get(f"/api/v1/elections/{election}")
            if response.status_code != 200:
                raise ExportError(f"no published election {election!r}")
            info: dict[str, Any] = response.json()
            languages = [
                lang for lang in available_languages() if lang in _languages_of(info, client)
            ]
            entities = _entities_of(info, client, languages)
            places = bool(info.get("constituencies"))
            for url in voter_urls(election, languages, entities, places=places):
                page = client.get(url, follow_redirects=False)
                if page.status_code != 200:
                    raise ExportError(f"{url}: the app answered {page.status_code}")
                files[url] = page_file(url)
                pages[url] = page.text
        # Everything the pages refer to: hashed assets and the bundle slices.
        for text in list(pages.values()):
            for url in set(_STATIC.findall(text)):
                found = asset(url.split("/", 3)[3])
                if found is None or found.digest != url.split("/")[2]:
                    raise ExportError(f"{url}: no such static file")
                files[url] = url.lstrip("/")
                bodies[url] = found.body
                # The modules it imports, directly or not, each under its one hashed URL.
                for module in module_urls(url.split("/", 3)[3]) if url.endswith(".js") else []:
                    imported = asset(module.split("/", 3)[3])
                    if imported is not None:
                        files[module] = module.lstrip("/")
                        bodies[module] = imported.body
            for url in set(re.findall(r"/api/v1/elections/[^\"'\s<>]+/bundle/[^\"'\s<>]+", text)):
                response = client.get(url)
                if response.status_code != 200:
                    raise ExportError(f"{url}: the app answered {response.status_code}")
                files[url] = bundle_file(url)
                bodies[url] = response.content
    written = []
    for url, text in pages.items():
        html = text if api_url else _DONATE.sub("", text)
        html = _static_quiz_form(html, url)
        html = rewrite(html, files[url], files, api_url)
        bodies[url] = html.encode("utf-8")
    first = voter_urls(elections[0], [_first_language(files)])[1] if files else None
    for url, body in bodies.items():
        path = directory / files[url]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    if first:
        index = directory / "index.html"
        target = files[first]
        index.write_text(
            '<!doctype html><meta charset="utf-8"><title>Archevani</title>'
            f'<meta http-equiv="refresh" content="0; url={target}">'
            f'<a href="{target}">{target}</a>\n',
            encoding="utf-8",
        )
        written.append(index)
    written.append(_write_service_worker(directory, bodies, files, pages))
    return sorted(written)


def _write_service_worker(
    directory: Path, bodies: dict[str, bytes], files: dict[str, str], pages: dict[str, str]
) -> Path:
    """sw.js at the export's root, keeping every file it holds; versioned by their bytes."""
    digest = hashlib.sha256()
    for url in sorted(bodies):
        digest.update(files[url].encode() + b"\0" + bodies[url] + b"\0")
    # Kept once opened, not on the first visit, as the served app's worker does.
    lazy = {url for url in bodies if kept_once_opened(url)}
    page_files = sorted(files[url] for url in pages if url not in lazy)
    if (directory / "index.html").exists():
        page_files.append("index.html")
    manifest = Manifest(
        version=digest.hexdigest()[:16],
        pages=page_files,
        files=sorted(files[url] for url in bodies if url not in pages and url not in lazy),
        lazy=sorted(files[url] for url in lazy),
    )
    path = directory / "sw.js"
    path.write_bytes(service_worker(manifest))
    return path


def _static_quiz_form(html: str, url: str) -> str:
    """A static host cannot take the quiz's POST: the form opens the result page instead."""
    return html.replace('method="post" action="/', 'method="get" action="/')


def _languages_of(info: dict[str, Any], client: TestClient) -> list[str]:
    languages = info.get("languages")
    if isinstance(languages, list):
        return [str(lang) for lang in languages]
    return []


def _entities_of(info: dict[str, Any], client: TestClient, languages: list[str]) -> list[str]:
    """The ids of the election's parties and candidates, from its voter slice."""
    if not languages or not isinstance(info.get("bundle"), str):
        return []
    found = client.get(f"{info['bundle']}/{languages[0]}")
    if found.status_code != 200:
        raise ExportError(f"{info['bundle']}: the app answered {found.status_code}")
    return [str(e["id"]) for e in found.json()["entities"]]


def _first_language(files: dict[str, str]) -> str:
    return next(iter(files)).strip("/").split("/")[0]
