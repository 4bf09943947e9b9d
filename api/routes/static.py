"""Static files under content-hashed URLs, cached for a year."""

from fastapi import APIRouter, HTTPException, Request, Response

from api.assets import asset

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
