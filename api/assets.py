"""Static files: content-hashed URLs, one stylesheet built from the parts' CSS files.

Every asset URL carries a hash of the file, so browsers may cache it for a year and
never see a stale copy. The stylesheet is the concatenation of frontend/static/css/*.css
in name order (base first), so each part of the UI keeps its own file while the page
makes a single small render-blocking request.
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vaa.settings import ROOT

STATIC = ROOT / "frontend" / "static"
STYLESHEET = "site.css"


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


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


@cache
def stylesheet() -> Asset:
    """All CSS parts, concatenated in name order."""
    parts = sorted((STATIC / "css").glob("*.css"))
    body = b"\n".join(p.read_bytes() for p in parts)
    return Asset(body, "text/css", _digest(body))


@cache
def asset(path: str) -> Asset | None:
    """A file under frontend/static, or None (never outside it)."""
    if path == STYLESHEET:
        return stylesheet()
    file = (STATIC / path).resolve()
    if STATIC.resolve() not in file.parents or not file.is_file():
        return None
    body = file.read_bytes()
    return Asset(body, _TYPES.get(file.suffix, "application/octet-stream"), _digest(body))


def static_url(path: str) -> str:
    """The cache-busting URL of a static file: /static/<hash>/<path>."""
    found = asset(path)
    if found is None:
        raise FileNotFoundError(f"no static file {path!r} under {STATIC}")
    return f"/static/{found.digest}/{path}"


def asset_files() -> list[Path]:
    """Every static file (for tests and the speed budget)."""
    return sorted(p for p in STATIC.rglob("*") if p.is_file())
