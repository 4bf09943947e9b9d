"""CSRF protection for server-rendered forms: the synchronizer token pattern.

Why not a library: the ones that fit FastAPI either check a header only (starlette-csrf,
made for JavaScript clients, not plain HTML forms) or wrap the whole app as middleware
that buffers every POST body and signs a double-submit cookie with a secret key
(asgi-csrf) that every worker would have to share, and whose cookie is not tied to the
signed-in session. Our sessions live in the database, so each session row simply
carries its own random CSRF token (OWASP's first recommendation): a form must send it
back, and an attacker's page can neither read it nor guess it.

Before sign-in (the login and setup forms) there is no session yet: those forms use a
double-submit cookie (a random value in an HttpOnly, SameSite=Strict cookie that the
form must repeat). That only guards against login CSRF, which SameSite cookies already
make hard; it is enough there.

The checks run in the role guards of api/auth.py (so every route behind a guard is
covered) and in `api.auth.csrf_protect` for the few forms without one.
"""

import secrets

from fastapi import HTTPException, Request, Response

FIELD = "csrf_token"
"""The form field (or the X-CSRF-Token header, for scripts) that carries the token."""
HEADER = "x-csrf-token"
ANONYMOUS_COOKIE = "vaa_csrf"
HOST_PREFIX = "__Host-"
"""Over HTTPS cookie names get this prefix: the browser then only accepts them Secure, for
the whole site and from this host itself (no Domain), so a sibling subdomain cannot set or
overwrite them (cookie tossing)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSED = "The form was not sent from this site or is out of date: reload the page and try again."


def cookie_name(request: Request, name: str) -> str:
    """The name of one of our cookies for this request: `__Host-` prefixed over HTTPS."""
    return HOST_PREFIX + name if request.url.scheme == "https" else name


def anonymous_cookie(request: Request) -> str:
    """The anonymous token's cookie name for this request."""
    return cookie_name(request, ANONYMOUS_COOKIE)


def anonymous_token(request: Request) -> str:
    """The double-submit token of a visitor who is not signed in (made on first use)."""
    token = request.cookies.get(anonymous_cookie(request)) or getattr(
        request.state, "new_csrf", None
    )
    if not token or len(token) > 128:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def attach_anonymous_cookie(request: Request, response: Response) -> None:
    """Send the cookie for a token that `anonymous_token` has just made."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            anonymous_cookie(request),
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


async def check(request: Request, expected: str | None) -> None:
    """Refuse (403) an unsafe request whose token is missing or not the expected one."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()  # Starlette caches it: the route still reads its fields
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, REFUSED)
