"""Validators for HTML pages: an ETag from the body's hash, 304 on a repeat visit.

A pure ASGI middleware that buffers only what it may tag: a 200 text/html answer to a
GET. It leaves alone every response that carries a Set-Cookie (a fresh CSRF or session
cookie is per visitor) or says `no-store` (admin, party and facilitator pages, which hold
a per-session CSRF token or private data). Pages it tags get `Cache-Control: no-cache`
(the browser revalidates each time, so a new published version shows at once), and
`private, no-cache` when the request is signed in, so no shared cache keeps a page that
was rendered for an account.

The tag is weak (W/"..."): it is the SHA-256 of the page as rendered, and the GZip
middleware outside this one may compress that page, so the same tag labels both
encodings, which only a weak validator may do (RFC 9110, 8.8.3).
"""

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import SESSION_COOKIE


def page_etag(body: bytes) -> str:
    """The validator of a page body."""
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of an If-None-Match header with a tag (RFC 9110, 13.1.2)."""
    opaque = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _signed_in(scope: Scope) -> bool:
    cookie = _header(list(scope.get("headers", [])), b"cookie") or b""
    return any(
        part.strip().startswith(SESSION_COOKIE.encode() + b"=") for part in cookie.split(b";")
    )


class PageETags:
    """Tag HTML pages with their body hash and answer If-None-Match with 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def tagging_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = _header(headers, b"content-type") or b""
                cache = (_header(headers, b"cache-control") or b"").lower()
                if (
                    message["status"] == 200
                    and content_type.startswith(b"text/html")
                    and _header(headers, b"set-cookie") is None
                    and b"no-store" not in cache
                    and _header(headers, b"etag") is None
                ):
                    start = message  # held until the whole body is known
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, tagging_send)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        etag = page_etag(body)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"cache-control"]
        cache = _header(list(start.get("headers", [])), b"cache-control")
        if cache is None:
            cache = b"private, no-cache" if _signed_in(scope) else b"no-cache"
        headers += [(b"etag", etag.encode()), (b"cache-control", cache)]
        sent = _header(list(scope.get("headers", [])), b"if-none-match")
        if sent is not None and matches(sent.decode("latin-1"), etag):
            kept = [(k, v) for k, v in headers if k.lower() not in _ENTITY_HEADERS]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_ENTITY_HEADERS = {b"content-length", b"content-type", b"content-encoding"}
