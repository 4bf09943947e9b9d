"""POST /api/v1/elections/{election}/match as a plain ASGI route, in front of FastAPI's.

The FastAPI route (api.routes.elections.create_match) stays: it documents the request
and the response in the OpenAPI schema, and it answers every request this one does not
take. This route takes the common case only, a JSON object that MatchRequest accepts
for a published election that scores: it reads the body, parses it with orjson,
validates it with the model once and sends match_json's bytes, without FastAPI's
dependency solving, json.loads and response wrapping (issue 14: in process, on the
demo, 675-760 us of CPU per match instead of 910-950; with the answer precomputed this
route costs 41-46 us, the bare endpoint 65). Anything else (another content type, JSON the
fast parser refuses, a validation error, an unknown election, answers that do not
score) goes to the FastAPI route with the body replayed, so that every error keeps its
one implementation: the same status, message and translation.
"""

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import Request
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.published import published_cache
from vaa.errors import VaaError
from vaa.results import MatchRequest, match_json

PATH = "/api/v1/elections/{election}/match"
_JSON = (b"application/json", b"application/json; charset=utf-8")


_DECLINED = "vaa.lean_match_declined"
"""Scope key: the lean route passed this request on, so the router skips it the second time."""


class LeanRoute(Route):
    """The lean route: a Route that steps aside for a request it has passed on."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get(_DECLINED):
            return Match.NONE, {}
        return super().matches(scope)


async def _fallback(scope: Scope, receive: Receive, send: Send) -> None:
    """Route the request again, past the lean route: to the FastAPI one."""
    scope[_DECLINED] = True
    router: ASGIApp = scope["router"]
    await router(scope, receive, send)


class LeanMatch:
    """The ASGI app of the lean route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _content_type(scope) not in _JSON:
            await _fallback(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:  # a body too large raises here, and api.limits answers 413
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        answer = await self._answer(scope, body)
        if answer is None:
            await _fallback(scope, _replay(body, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                # as starlette's Response writes them, in its order
                "headers": [
                    (b"content-length", str(len(answer)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, scope: Scope, body: bytes) -> bytes | None:
        """match_json's bytes, or None for the FastAPI route to answer."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        try:
            request = MatchRequest.model_validate(data)
        except ValidationError:
            return None
        try:
            prepared = await published_cache(Request(scope)).get(scope["path_params"]["election"])
            return match_json(prepared, request)
        except VaaError:  # unknown election, answers that do not score: their own message
            return None


def _content_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower()
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the read body over once, then listens to the client again."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def install(app: FastAPI) -> None:
    """Try the lean route before every other (it is hidden from the schema)."""
    app.router.routes.insert(
        0, LeanRoute(PATH, LeanMatch(), methods=["POST"], include_in_schema=False)
    )
