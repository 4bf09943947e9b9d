"""Static files under content-hashed URLs, cached for a year; the service worker."""

import hashlib

from fastapi import APIRouter, HTTPException, Request, Response

from api.assets import asset
from api.deps import SessionDep
from api.offline import live_manifest, service_worker

router = APIRouter(include_in_schema=False)


@router.get("/static/{digest}/{path:path}")
def read_static(digest: str, path: str, request: Request) -> Response:
    """Serve a static file; an outdated hash still gets the current file, briefly cached."""
    found = asset(path)
    if found is None:
        raise HTTPException(404, "no such file")
    fresh = digest == found.digest
    etag = f'"{found.digest}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable" if fresh else "no-cache",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


@router.get("/sw.js")
def read_service_worker(request: Request, session: SessionDep) -> Response:
    """Serve the voter pages' service worker, with the list of what it keeps offline."""
    body = service_worker(live_manifest(session))
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    # Revalidated on every check, so a new published version reaches the browser at once.
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript", headers=headers)
