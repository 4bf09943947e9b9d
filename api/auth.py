"""Who is signed in, and the guards that admin, party and facilitator routes declare.

Sessions are server-side rows (vaa.models.AccountSession), not signed cookies: signing
out or changing a password really ends a session on every worker at once, nothing
needs a secret key shared between workers, and PostgreSQL is already the shared store
for everything stateful (architecture.md, "Scale"). The cookie carries only a random
token: HttpOnly, SameSite=Lax, and over https Secure with the `__Host-` name prefix.

Use the guards once per router, and again as a parameter where the route needs the
account (the same guard object is evaluated once per request):

    admin_only = require_role("admin")
    router = APIRouter(prefix="/admin/users", dependencies=[Depends(admin_only)])

    @router.post("/{user_id}")
    def update_user(user: Annotated[Account, Depends(admin_only)], ...): ...

Every guard also checks the CSRF token of unsafe requests (api/csrf.py), so a route
behind a guard is protected without doing anything.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from api import csrf
from api.csrf import cookie_name
from api.deps import SessionDep
from vaa.accounts import ROLES, SESSION_LIFETIME, SignedIn, find_signed_in, start_session
from vaa.models import Account

SESSION_COOKIE = "vaa_session"
LOGIN_PATH = "/login"


def signed_in(request: Request, session: SessionDep) -> SignedIn | None:
    """The live session of the request's cookie, or None (also kept on request.state)."""
    token = request.cookies.get(cookie_name(request, SESSION_COOKIE))
    found = find_signed_in(session, token=token) if token else None
    request.state.signed_in = found
    return found


SignedInDep = Annotated[SignedIn | None, Depends(signed_in)]


def current_user(signed: SignedInDep) -> Account | None:
    """The signed-in account, or None for an anonymous visitor."""
    return signed.account if signed else None


CurrentUser = Annotated[Account | None, Depends(current_user)]


def signed_in_redirect(
    request: Request, session: Session, account: Account, target: str
) -> Response:
    """Sign the account in (committing its new session) and redirect to `target`.

    The visitor's anonymous CSRF cookie is dropped: the session carries its own token.
    """
    token = start_session(session, account=account)
    session.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, token)
    response.delete_cookie(csrf.anonymous_cookie(request), path="/")
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request, SESSION_COOKIE),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after signing in; anything else (another site) becomes default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _login_required(request: Request) -> HTTPException:
    # People get the sign-in page; API clients and scripts get a plain 401.
    accept = request.headers.get("accept", "")
    if "text/html" in accept and not request.url.path.startswith("/api/"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return HTTPException(303, "sign in first", {"Location": f"{LOGIN_PATH}?next={quote(here)}"})
    return HTTPException(401, "sign in first", {"WWW-Authenticate": 'Cookie realm="vaa"'})


async def csrf_protect(request: Request, signed: SignedInDep) -> None:
    """Refuse (403) a form without the right CSRF token; for routes without a guard."""
    expected = (
        signed.session.csrf_token if signed else request.cookies.get(csrf.anonymous_cookie(request))
    )
    await csrf.check(request, expected)


class RoleGuard:
    """A dependency letting through accounts of some roles (and admins), else 401/403."""

    def __init__(self, roles: frozenset[str]) -> None:
        unknown = roles - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {sorted(unknown)}")
        self.roles = roles | {"admin"}  # an admin may do everything

    def __repr__(self) -> str:
        return f"require_role({', '.join(sorted(self.roles))})"

    async def _admit(self, request: Request, signed: SignedIn | None) -> SignedIn:
        if signed is None:
            raise _login_required(request)
        if signed.account.role not in self.roles:
            raise HTTPException(403, "your account may not do this")
        await csrf.check(request, signed.session.csrf_token)
        return signed

    async def __call__(self, request: Request, signed: SignedInDep) -> Account:
        return (await self._admit(request, signed)).account


def require_role(*roles: str) -> RoleGuard:
    """A guard for routes that accounts of these roles may use; admins always may.

    Anonymous: 401 (a sign-in redirect for a browser page); another role: 403; an unsafe
    request without the session's CSRF token: 403.
    """
    return RoleGuard(frozenset(roles))


class PartyGuard(RoleGuard):
    """Lets through the party account bound to the path's {election} and {entity}, and admins."""

    def __init__(self) -> None:
        super().__init__(frozenset({"party"}))

    def __repr__(self) -> str:
        return "require_party"

    async def __call__(  # type: ignore[override]
        self, election: str, entity: str, request: Request, signed: SignedInDep
    ) -> Account:
        account = (await self._admit(request, signed)).account
        if account.role == "party" and (account.election, account.entity) != (election, entity):
            raise HTTPException(403, "this is another party's page")
        return account


require_party = PartyGuard()
"""The guard for routes with {election} and {entity} in their path: only that entity's
party account (and admins) may use them; another party's account gets 403."""

PartyUser = Annotated[Account, Depends(require_party)]
