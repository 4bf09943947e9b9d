"""Security headers on every response: a strict CSP with no inline script or style, and
HSTS on responses sent over HTTPS (never over plain HTTP, where it would be ignored and
where `vaa serve` on a laptop must keep working)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: str) -> str:
    """Everything from our own origin only; no inline code; embedding as configured."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'none'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


_HSTS = [(b"strict-transport-security", b"max-age=31536000")]
"""One year; no includeSubDomains, since an organisation's other sites are not ours to bind."""


class SecurityHeaders:
    """ASGI middleware adding CSP, nosniff and no-referrer to every HTTP response."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(frame_ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (
                b"permissions-policy",
                b"camera=(), microphone=(), geolocation=(), interest-cohort=()",
            ),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = self.headers + (_HSTS if scope.get("scheme") == "https" else [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                names = {name.lower() for name, _ in message["headers"]}
                message["headers"] += [(k, v) for k, v in headers if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)
