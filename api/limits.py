"""Request body limits: a pure ASGI middleware counting the bytes actually streamed.

Content-Length is checked first (a quick 413 without reading anything); a body sent
chunked, or longer than it claimed, is cut off as soon as the count passes the limit.
The admin spreadsheet upload routes get a larger limit (`upload_prefixes`).
"""

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised inside the app when the streamed body passes the limit."""


def _message(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


class BodyLimit:
    """Answer 413 to any request whose body is larger than the limit of its path."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_max_bytes: int,
        upload_prefixes: Sequence[str] = ("/admin/",),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_prefixes = tuple(upload_prefixes)

    def limit_for(self, path: str) -> int:
        return self.upload_max_bytes if path.startswith(self.upload_prefixes) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _reply(send, 400, "the Content-Length header is not a number")
                    return
                if declared > limit:
                    await _reply(send, 413, _message(limit))
                    return
        received = 0
        replaced = False  # the app answered after the overflow: our 413 goes out instead
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                if received > limit:  # a parser caught BodyTooLarge and answered 400
                    replaced = True
                    await _reply(send, 413, _message(limit))
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started and not replaced:
                await _reply(send, 413, _message(limit))


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
