"""The voter pages' service worker: frontend/sw.js with the list of what it keeps.

The list (the manifest) holds every voter page of every published election in each of
its languages (network-first: the newest online, the kept copy offline), the immutable
files the quiz, the result and the method page need (the voter slice of the bundle under
its checksum, the voter stylesheet and modules; cache-first), and what is kept only once
used ("lazy": the parties' reasons, quick mode, the profile pages of a static export), so a first
visit downloads no more than the voter needs offline. Its version is a hash of that list and of the templates and
catalogs, so publishing or deploying changes the worker's bytes: the browser installs
the new worker, which downloads the whole new set before it replaces the old one.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlmodel import Session

from api.assets import VOTER_STYLESHEET, module_urls, static_url
from api.i18n import available_languages
from vaa.settings import ROOT
from vaa.store import published_versions

TEMPLATE = ROOT / "frontend" / "sw.js"
_SLOT = re.compile(r"/\* MANIFEST \*/ \{[^\n]*\};")
# The modules voter pages load themselves (each with what it imports).
VOTER_MODULES = (
    "js/offline.js",
    "js/frame.js",
    "js/quiz-start.js",
    "js/quiz.js",
    "js/quick.js",
    "js/answers.js",
    "js/place.js",
    "js/results.js",
)
# Quick mode's page and its own module are "lazy": a first visit through the full quiz
# does not download a second copy of the statements that it may never open (issue 12).
QUICK = "/quick"
QUICK_MODULE = "js/quick.js"


@dataclass(frozen=True)
class Manifest:
    """What the worker keeps, as URLs relative to the worker's own URL."""

    version: str
    pages: list[str]
    files: list[str]
    lazy: list[str] = field(default_factory=list)


def language_of(path: str) -> str:
    """The UI language a kept URL belongs to ("ka/demo/quiz", ".../bundle/<sum>/ka.json"),
    or "" for what every language shares (the assets)."""
    parts = path.lstrip("/").split("/")
    if parts[0] in available_languages():
        return parts[0]
    if len(parts) >= 7 and parts[:3] == ["api", "v1", "elections"] and parts[4] == "bundle":
        return parts[6].removesuffix(".json").removesuffix("-justifications")
    return ""


def _by_language(paths: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for path in paths:
        grouped.setdefault(language_of(path), []).append(path)
    return grouped


def service_worker(manifest: Manifest) -> bytes:
    """The worker's script with this manifest written in, grouped by language.

    The worker keeps the shared files and one language's pages and bundles: the one in
    its URL (sw.js?lang=ka, the page's language), so a first visit downloads no other.
    """
    data = json.dumps(
        {
            "version": manifest.version,
            "pages": _by_language(manifest.pages),
            "files": _by_language(manifest.files),
            "lazy": _by_language(manifest.lazy),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    text = TEMPLATE.read_text("utf-8")
    script, count = _SLOT.subn(lambda _m: f"{data};", text, count=1)
    if count != 1:
        raise RuntimeError(f"{TEMPLATE}: no /* MANIFEST */ slot")
    return script.encode("utf-8")


def voter_urls(
    election: str, languages: list[str], entities: Sequence[str] = (), *, places: bool = False
) -> list[str]:
    """The voter pages of an election, in every language of its user interface.

    `entities` adds each party's and candidate's profile page (the static export has
    them; the service worker keeps the quiz's own pages only); `places` the "where do you
    vote?" page of an election with races.
    """
    urls = []
    for lang in languages:
        base = f"/{lang}/{election}"
        urls += [f"{base}/", f"{base}/quiz", f"{base}/quick", f"{base}/results", f"{base}/method"]
        if places:
            urls.append(f"{base}/place")
        urls.append(f"/{lang}/privacy")
        urls += [f"{base}/entities/{entity}" for entity in entities]
    return urls


def live_manifest(session: Session) -> Manifest:
    """The manifest of the app as it is now: every published election's newest version."""
    pages: list[str] = []
    files: list[str] = []
    lazy: list[str] = []
    for election, version in published_versions(session):
        languages = [lang for lang in available_languages() if lang in version.languages]
        found = voter_urls(election.slug, languages, places=bool(version.constituencies))
        pages += [url for url in found if url not in pages and not kept_once_opened(url)]
        lazy += [url for url in found if kept_once_opened(url)]
        for lang in languages:
            bundle = f"/api/v1/elections/{election.slug}/bundle/{version.checksum}/{lang}"
            files.append(bundle)
            lazy.append(f"{bundle}/justifications")
    files += [url for url in asset_urls() if not kept_once_opened(url)]
    lazy += quick_only_urls()
    listed = json.dumps([pages, files, lazy, _code_fingerprint()]).encode()
    return Manifest(
        version=hashlib.sha256(listed).hexdigest()[:16],
        pages=[url.lstrip("/") for url in pages],
        files=[url.lstrip("/") for url in files],
        lazy=[url.lstrip("/") for url in lazy],
    )


@cache
def asset_urls() -> list[str]:
    """The hashed URLs of the voter stylesheet and modules (each module has one URL)."""
    urls = [static_url(VOTER_STYLESHEET)]
    for module in VOTER_MODULES:
        urls += [url for url in module_urls(module) if url not in urls]
    return urls


def kept_once_opened(url: str) -> bool:
    """Whether the worker keeps `url` only once a voter opens it ("lazy"): quick mode's
    page and module, the parties' reasons, a static export's profile pages."""
    return (
        "/entities/" in url or url.endswith(("/justifications", QUICK)) or url in quick_only_urls()
    )


@cache
def quick_only_urls() -> list[str]:
    """The modules only quick mode loads (quick.js): kept once a voter opens it."""
    others = {
        url for module in VOTER_MODULES if module != QUICK_MODULE for url in module_urls(module)
    }
    return [url for url in module_urls(QUICK_MODULE) if url not in others]


@cache
def _code_fingerprint() -> str:
    """A hash of the templates, catalogs and worker: a deploy makes a new version too."""
    digest = hashlib.sha256(TEMPLATE.read_bytes())
    for folder in ("templates", "locales"):
        for path in sorted((ROOT / "frontend" / folder).rglob("*")):
            if path.is_file():
                digest.update(
                    path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes()
                )
    return digest.hexdigest()
