"""Static files: content-hashed URLs, stylesheets built from the parts' CSS files.

Every asset URL carries a hash of the file, so browsers may cache it for a year and
never see a stale copy. A module's imports ("./matching.js") are rewritten to the
imported module's own hashed URL, relative ("../../<hash>/js/matching.js"), so each
module has exactly one URL wherever it is imported from (the page, another module, the
service worker, a static export under any prefix), and an importer's hash changes when
a module it imports changes.

The stylesheets concatenate frontend/static/css/*.css in name order (base first), so
each part of the UI keeps its own file while a page makes one small render-blocking
request: voter pages get the parts numbered below 40 (base, quiz, results, shared),
the staff, party and group-session pages all of them.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vaa.settings import ROOT

STATIC = ROOT / "frontend" / "static"
STYLESHEET = "site.css"
VOTER_STYLESHEET = "voter.css"
_VOTER_PARTS_BELOW = 40


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    digest: str


_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}
# A static or dynamic import of a sibling module: `from "./x.js"`, `import("./x.js")`.
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])\./([\w.-]+\.js)\2""")


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


def _part_number(path: Path) -> int:
    number = path.name.split("-", 1)[0]
    return int(number) if number.isdigit() else 0


@cache
def stylesheet(name: str = STYLESHEET) -> Asset:
    """The CSS parts of a stylesheet (all, or the voter pages'), concatenated in name order."""
    parts = sorted((STATIC / "css").glob("*.css"))
    if name == VOTER_STYLESHEET:
        parts = [p for p in parts if _part_number(p) < _VOTER_PARTS_BELOW]
    body = b"\n".join(p.read_bytes() for p in parts)
    return Asset(body, "text/css", _digest(body))


@cache
def asset(path: str) -> Asset | None:
    """A file under frontend/static, or None (never outside it)."""
    if path in (STYLESHEET, VOTER_STYLESHEET):
        return stylesheet(path)
    file = (STATIC / path).resolve()
    if STATIC.resolve() not in file.parents or not file.is_file():
        return None
    body = file.read_bytes()
    if file.suffix == ".js":
        body = _link_imports(path, body)
    return Asset(body, _TYPES.get(file.suffix, "application/octet-stream"), _digest(body))


def _link_imports(path: str, body: bytes) -> bytes:
    """A module with each sibling import pointing at that module's hashed URL."""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    up = "../" * (path.count("/") + 1)  # from /static/<hash>/<folder>/ up to /static/

    def one(found: re.Match[str]) -> str:
        name = f"{folder}/{found[3]}" if folder else found[3]
        imported = asset(name)
        if imported is None:
            raise FileNotFoundError(f"{path} imports {found[3]!r}, which is not under {STATIC}")
        return f"{found[1]}{found[2]}{up}{imported.digest}/{name}{found[2]}"

    return _IMPORT.sub(one, body.decode("utf-8")).encode("utf-8")


def static_url(path: str) -> str:
    """The cache-busting URL of a static file: /static/<hash>/<path>."""
    found = asset(path)
    if found is None:
        raise FileNotFoundError(f"no static file {path!r} under {STATIC}")
    return f"/static/{found.digest}/{path}"


def module_urls(path: str) -> list[str]:
    """The hashed URLs of a module and of every module it imports, directly or not."""
    todo, seen = [path], [path]
    while todo:
        current = todo.pop()
        folder = current.rsplit("/", 1)[0] if "/" in current else ""
        source = (STATIC / current).read_text("utf-8")
        for found in _IMPORT.finditer(source):
            name = f"{folder}/{found[3]}" if folder else found[3]
            if name not in seen:
                seen.append(name)
                todo.append(name)
    return [static_url(name) for name in seen]


def asset_files() -> list[Path]:
    """Every static file (for tests and the speed budget)."""
    return sorted(p for p in STATIC.rglob("*") if p.is_file())
