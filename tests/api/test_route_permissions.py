"""Every staff route refuses anyone who may not use it: found by enumerating app.routes.

A route under /admin, /party or /facilitator (today's and any added later) must declare
a guard from api/auth.py; then anonymous visitors get 401 (a sign-in redirect for a
browser page), every wrong role gets 403, a party account gets 403 on another party's
pages, a form sent without the session's CSRF token gets 403, and nothing typed into
its path or query comes back unescaped.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from api.auth import PartyGuard, RoleGuard, require_party, require_role
from vaa import accounts
from vaa.db import session_scope
from vaa.models import Entity
from vaa.settings import Settings

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI before 0.137 flattened included routers into app.routes

    def iter_route_contexts(routes: Any) -> Any:  # type: ignore[no-redef]
        return iter(routes)


PROTECTED = ("/admin", "/party", "/facilitator")
SIGNED_IN_ONLY = ("/account",)
PUBLIC = {
    # Routes under the prefixes that anyone may open, each with the reason. Their forms
    # must still carry a CSRF token (checked below).
    "/party/invite/{token}": "a party's invitation link: its unguessable token is the credential",
}
SCRIPT = "<script>alert(1)</script>"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Rule:
    """What a route's guards allow: these roles, and for party pages only their own party."""

    roles: frozenset[str]
    own_party_only: bool


def guards(dependant: Dependant) -> Iterator[RoleGuard]:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, RoleGuard):
            yield dependency.call
        yield from guards(dependency)


def staff_routes(app: FastAPI, prefixes: tuple[str, ...] = PROTECTED) -> list[Any]:
    """The app's routes under these prefixes, with their full paths and dependencies.

    Since FastAPI 0.137, app.routes holds one opaque entry per included router, so a
    plain loop over it finds nothing (and a check built on it passes vacuously);
    iter_route_contexts gives each route as served: full path, router dependencies.
    """
    return [r for r in iter_route_contexts(app.routes) if is_under(r.path or "", prefixes)]


def rule_of(route: Any) -> Rule | None:
    found = list(guards(route.dependant))
    if not found:
        return None
    roles = frozenset.intersection(*(g.roles for g in found))
    return Rule(roles, any(isinstance(g, PartyGuard) for g in found))


def is_under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith((p + "/", p + ".")) for p in prefixes)


def fill(path: str, values: dict[str, str], default: str = "1") -> str:
    """The route's path with its {parameters} replaced by test values."""
    return re.sub(
        r"\{(\w+)(:\w+)?\}", lambda m: quote(values.get(m.group(1), default), safe=""), path
    )


@dataclass
class Staff:
    """Sessions for one account of every role, and a second party's account."""

    tokens: dict[str, str]
    election: str
    entity: str

    def sign_in(self, client: TestClient, who: str | None) -> None:
        client.cookies.clear()
        if who is not None:
            client.cookies.set("vaa_session", self.tokens[who])


@pytest.fixture
def staff(demo: sa.Engine) -> Staff:
    with Session(demo) as session:
        keys = session.exec(select(Entity.key).distinct().order_by(col(Entity.key))).all()
    own, other = keys[0], keys[1]
    bindings = {"party": own, "other-party": other}
    tokens = {}
    with session_scope(demo) as session:
        for who in (*accounts.ROLES, "other-party"):
            role = "party" if who in bindings else who
            account = accounts.create_account(
                session,
                email=f"{who}@example.org",
                password="a long enough password",
                role=role,
                election="demo" if role == "party" else None,
                entity=bindings.get(who),
                actor="test",
            )
            tokens[who] = accounts.start_session(session, account=account)
    return Staff(tokens, "demo", own)


def route_problems(app: FastAPI, client: TestClient, staff: Staff) -> list[str]:
    """Everything wrong with the guarding of the app's staff routes (empty when all is well)."""
    problems: list[str] = []
    values = {"election": staff.election, "entity": staff.entity}
    checked = 0
    for route in staff_routes(app, PROTECTED + SIGNED_IN_ONLY):
        path = route.path
        if not isinstance(getattr(route, "original_route", route), APIRoute):
            problems.append(f"{path}: not an APIRoute; teach this test to check it")
            continue
        rule = rule_of(route)
        if rule is None and path in PUBLIC:
            for method in route.methods & UNSAFE:
                staff.sign_in(client, None)
                status = client.request(method, fill(path, values)).status_code
                if status != 403:
                    problems.append(f"{method} {path}: without a CSRF token got {status}")
            continue
        if rule is None:
            problems.append(f"{path}: no guard (use api.auth.require_role or require_party)")
            continue
        url = fill(path, values)
        for method in sorted(route.methods):
            checked += is_under(path, PROTECTED)
            where = f"{method} {path}"

            def call(
                who: str | None, html: bool = False, method: str = method, url: str = url
            ) -> int:
                staff.sign_in(client, who)
                accept = "text/html" if html else "application/json"
                response = client.request(
                    method, url, headers={"accept": accept}, follow_redirects=False
                )
                if response.status_code == 303:
                    location = response.headers.get("location", "")
                    return 303 if location.startswith("/login?next=") else -303
                return response.status_code

            if (status := call(None)) not in (401, 403):
                problems.append(f"{where}: anonymous API client got {status}, not 401/403")
            if (status := call(None, html=True)) not in (303, 401, 403):
                problems.append(f"{where}: anonymous browser got {status}, not a sign-in redirect")
            if is_under(path, SIGNED_IN_ONLY):
                continue
            wrong = [
                w for w in staff.tokens if (w if w != "other-party" else "party") not in rule.roles
            ]
            if rule.own_party_only and "party" in rule.roles:
                wrong.append("other-party")
            for who in wrong:
                if (status := call(who)) != 403:
                    problems.append(f"{where}: {who} got {status}, not 403")
            if method in UNSAFE:
                allowed = "party" if rule.own_party_only else sorted(rule.roles)[-1]
                allowed = allowed if allowed in staff.tokens else "admin"
                if (status := call(allowed)) != 403:
                    problems.append(f"{where}: {allowed} without a CSRF token got {status}")
    if checked == 0:
        problems.append("no route under /admin found: is the enumeration broken?")
    return problems


def test_every_staff_route_refuses_anonymous_and_wrong_roles(
    client: TestClient, staff: Staff
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    assert route_problems(app, client, staff) == []


def test_staff_pages_escape_what_is_typed_into_their_address(
    client: TestClient, staff: Staff
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    pages = [r for r in staff_routes(app) if "GET" in (r.methods or ())]
    assert pages
    for route in pages:
        url = fill(route.path, {}, default=SCRIPT)
        for who in ("admin", "party"):
            staff.sign_in(client, who)
            response = client.get(url, params={"q": SCRIPT, "actor": SCRIPT, "action": SCRIPT})
            assert SCRIPT not in response.text, f"{route.path} as {who}"


def test_the_check_catches_an_unguarded_route_and_checks_party_pages(
    settings: Settings, demo: sa.Engine, staff: Staff
) -> None:
    """The test above would fail for a route someone forgot to guard."""
    app = create_app(settings)
    extra = APIRouter()

    @extra.get("/admin/leak")
    def leak() -> dict[str, str]:
        return {"secret": "yes"}

    @extra.post("/party/{election}/{entity}/positions", dependencies=[Depends(require_party)])
    def submit_positions(election: str, entity: str) -> dict[str, str]:
        return {"saved": entity}

    facilitator = APIRouter(
        prefix="/facilitator", dependencies=[Depends(require_role("facilitator"))]
    )

    @facilitator.post("/sessions")
    def start_group_session() -> dict[str, str]:
        return {"started": "yes"}

    before = len(app.router.routes)
    app.include_router(extra)
    app.include_router(facilitator)
    # Put them first, where real staff routers go (before the /{lang}/ pages).
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[:0] = added

    with TestClient(app) as client:
        problems = route_problems(app, client, staff)
        assert problems == ["/admin/leak: no guard (use api.auth.require_role or require_party)"]
        # And the guards let the right accounts through (with their CSRF token).
        own = f"/party/demo/{staff.entity}/positions"
        for who, status in (("party", 200), ("admin", 200), ("other-party", 403), ("editor", 403)):
            staff.sign_in(client, who)
            with Session(demo) as session:
                signed = accounts.find_signed_in(session, token=staff.tokens[who])
            assert signed is not None
            sent = client.post(own, headers={"x-csrf-token": signed.session.csrf_token})
            assert sent.status_code == status, who
