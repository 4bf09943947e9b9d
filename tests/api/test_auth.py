"""Accounts through the real app: signing in and out, the rate limit, changing a password,
CSRF, the one-time setup link, `vaa user add`, the audit log, and escaping."""

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from tests.soup import alerts, content, injected, notices, one, parse, text, texts
from vaa import accounts, audit, cli
from vaa.db import session_scope
from vaa.models import Account, AccountSession, AuditEntry, Entity, SetupLink, utcnow
from vaa.settings import Settings, get_settings

PASSWORD = "correct horse battery staple"
SCRIPT = "<script>alert(1)</script>"


def add_account(
    engine: sa.Engine,
    email: str,
    role: str,
    *,
    entity: str | None = None,
    password: str = PASSWORD,
) -> None:
    election, _, key = (entity or "").partition("/")
    with session_scope(engine) as session:
        accounts.create_account(
            session,
            email=email,
            password=password,
            role=role,
            election=election or None,
            entity=key or None,
            actor="test",
        )


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would submit it."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = form_token(client, "/login")
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data, follow_redirects=False)


def audit_actions(engine: sa.Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in audit.entries(session)][::-1]


@pytest.fixture
def staff(client: TestClient, demo: sa.Engine) -> sa.Engine:
    """An admin and an editor on the demo election; the client reads English."""
    client.headers["accept-language"] = "en"
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "editor@example.org", "editor")
    return demo


def test_passwords_are_hashed_with_argon2id(staff: sa.Engine) -> None:
    hashed = accounts.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert hashed != accounts.hash_password(PASSWORD)  # a salt of its own each time
    assert accounts.verify_password(hashed, PASSWORD)
    assert not accounts.verify_password(hashed, PASSWORD + "!")
    assert not accounts.verify_password("not a hash", PASSWORD)
    with Session(staff) as session:
        stored = session.exec(select(Account).where(Account.email == "editor@example.org")).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert accounts.verify_password(stored.password_hash, PASSWORD)


def test_sign_in_and_out(client: TestClient, staff: sa.Engine) -> None:
    page = client.get("/admin", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/admin"

    signed = sign_in(client, "Editor@Example.org ", next="/admin")
    assert signed.status_code == 303
    assert signed.headers["location"] == "/admin"
    cookie = signed.headers["set-cookie"]
    assert "vaa_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = client.cookies["vaa_session"]
    with Session(staff) as session:
        stored = session.exec(select(AccountSession)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # never the token
    assert stored.expires_at - stored.created_at == accounts.SESSION_LIFETIME

    home = client.get("/admin")
    assert home.status_code == 200
    assert text(one(parse(home), ".staff-nav__logout .muted")) == "editor@example.org"
    # Already signed in: on to the editor's work, the elections.
    assert client.get("/login", follow_redirects=False).headers["location"] == "/admin/elections"

    out = client.post(
        "/logout", data={"csrf_token": form_token(client, "/account")}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/login?signed_out=1"
    with Session(staff) as session:
        assert session.exec(select(AccountSession)).first() is None
    assert client.get("/admin", follow_redirects=False).status_code == 401
    # The old cookie, kept by someone, is worthless: the session is gone on the server.
    client.cookies.set("vaa_session", token)
    assert client.get("/account", follow_redirects=False).status_code == 401
    assert audit_actions(staff)[-2:] == ["account.login", "account.logout"]


def test_session_cookie_is_secure_over_https(settings: Settings, staff: sa.Engine) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        signed = sign_in(client, "editor@example.org")
    assert signed.status_code == 303
    assert "Secure" in signed.headers["set-cookie"]


def test_sessions_expire(client: TestClient, staff: sa.Engine) -> None:
    with session_scope(staff) as session:
        account = session.exec(select(Account).where(Account.role == "editor")).one()
        old = accounts.start_session(
            session, account=account, now=utcnow() - accounts.SESSION_LIFETIME
        )
        fresh = accounts.start_session(session, account=account)
    client.cookies.set("vaa_session", old)
    assert client.get("/admin", follow_redirects=False).status_code == 401
    client.cookies.set("vaa_session", fresh)
    assert client.get("/admin").status_code == 200


def test_wrong_password_or_unknown_address(client: TestClient, staff: sa.Engine) -> None:
    for email, password in (("editor@example.org", "wrong password!"), ("nobody@x.org", PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 400
        assert alerts(parse(response)) == "The e-mail address or the password is wrong."
        assert "vaa_session" not in response.headers.get("set-cookie", "")
    assert audit_actions(staff)[-2:] == ["account.login_failed", "account.login_failed"]


def test_next_never_leaves_the_site(client: TestClient, staff: sa.Engine) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        signed = sign_in(client, "editor@example.org", next=target)
        assert signed.headers["location"] == "/admin/elections"
        client.cookies.clear()


def test_sign_in_is_rate_limited(client: TestClient, staff: sa.Engine) -> None:
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(client, "editor@example.org", "wrong password!").status_code == 400
    # Now even the right password is refused, with a clear message, for 15 minutes.
    client.headers["accept-language"] = "en"
    limited = sign_in(client, "editor@example.org")
    assert limited.status_code == 429
    refusal = alerts(parse(limited))
    assert "Too many unsuccessful attempts" in refusal and "try again in 15 min" in refusal
    assert limited.headers["retry-after"] == "900"
    assert "vaa_session" not in limited.headers.get("set-cookie", "")
    client.headers["accept-language"] = "ka"
    assert "სცადოთ ხელახლა 15 წუთში" in alerts(parse(sign_in(client, "editor@example.org")))
    # Other addresses are not affected.
    assert sign_in(client, "admin@example.org").status_code == 303

    with session_scope(staff) as session:
        # Another client address has its own count...
        accounts.authenticate(
            session, email="editor@example.org", password=PASSWORD, client="192.0.2.7"
        )
        # ...and once the window has passed, the right password works again.
        later = utcnow() + accounts.FAILURE_WINDOW + timedelta(seconds=1)
        accounts.authenticate(
            session, email="editor@example.org", password=PASSWORD, client="testclient", now=later
        )


def test_change_password(settings: Settings, client: TestClient, staff: sa.Engine) -> None:
    assert sign_in(client, "editor@example.org").status_code == 303
    with TestClient(create_app(settings)) as laptop:
        assert sign_in(laptop, "editor@example.org").status_code == 303
        new = "a brand new passphrase"

        def change(current: str, new: str, confirm: str) -> httpx.Response:
            token = form_token(client, "/account/password")
            data = {"current": current, "password": new, "confirm": confirm, "csrf_token": token}
            return client.post("/account/password", data=data, follow_redirects=False)

        wrong = change("not my password", new, new)
        assert wrong.status_code == 400
        assert alerts(parse(wrong)) == "Your current password is wrong."
        mismatch = change(PASSWORD, new, new + "x")
        assert mismatch.status_code == 400
        assert alerts(parse(mismatch)) == "The two passwords are not the same."
        short = change(PASSWORD, "short", "short")
        assert short.status_code == 400
        assert "at least 10 characters" in alerts(parse(short))

        done = change(PASSWORD, new, new)
        assert done.status_code == 303
        assert done.headers["location"] == "/account?password=changed"
        account = parse(client.get(done.headers["location"]))
        assert notices(account) == "Your password has been changed."
        # This browser stays signed in; the other one is signed out.
        assert laptop.get("/account", follow_redirects=False).status_code == 401
    client.cookies.clear()
    assert sign_in(client, "editor@example.org").status_code == 400
    assert sign_in(client, "editor@example.org", new).status_code == 303
    assert "account.password_change" in audit_actions(staff)
    with Session(staff) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "account.password_change")
        ).one()
    assert entry.actor == "editor@example.org" and entry.before is None and entry.after is None


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient, staff: sa.Engine) -> None:
    # The sign-in form itself: no token, or a token that is not this browser's cookie.
    assert (
        client.post(
            "/login", data={"email": "editor@example.org", "password": PASSWORD}
        ).status_code
        == 403
    )
    token = form_token(client, "/login")
    data = {"email": "editor@example.org", "password": PASSWORD, "csrf_token": token + "x"}
    assert client.post("/login", data=data).status_code == 403
    assert "vaa_session" not in client.cookies

    assert sign_in(client, "editor@example.org").status_code == 303
    good = form_token(client, "/account/password")
    new = "a brand new passphrase"
    change = {"current": PASSWORD, "password": new, "confirm": new}
    for sent in ({}, {"csrf_token": ""}, {"csrf_token": token}, {"csrf_token": good[:-1]}):
        refused = client.post("/account/password", data=change | sent, follow_redirects=False)
        assert refused.status_code == 403, sent
        assert client.post("/logout", data=sent, follow_redirects=False).status_code == 403
    # Nothing changed: still signed in, with the old password.
    assert client.get("/account").status_code == 200
    with Session(staff) as session:
        account = session.exec(select(Account).where(Account.email == "editor@example.org")).one()
    assert accounts.verify_password(account.password_hash, PASSWORD)
    assert "account.password_change" not in audit_actions(staff)
    # The token may also come in a header (for scripts); then it works.
    ok = client.post(
        "/account/password", data=change, headers={"x-csrf-token": good}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_setup_link_creates_the_first_admin_once(client: TestClient, demo: sa.Engine) -> None:
    with session_scope(demo) as session:
        token = accounts.issue_setup_link(session)
    assert token
    with Session(demo) as session:
        link = session.exec(select(SetupLink)).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()

    assert client.get(f"/setup/{token}x").status_code == 404
    form = form_token(client, f"/setup/{token}")
    data = {"email": "first@example.org", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post(f"/setup/{token}", data=data).status_code == 403  # no CSRF token
    mismatch = data | {"confirm": "something else!", "csrf_token": form}
    assert client.post(f"/setup/{token}", data=mismatch).status_code == 400
    created = client.post(
        f"/setup/{token}", data=data | {"csrf_token": form}, follow_redirects=False
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/admin"
    assert (
        text(one(parse(client.get("/admin")), ".staff-nav__logout .muted")) == "first@example.org"
    )

    # Used: the link does nothing any more, and no new one is issued.
    client.cookies.clear()
    assert client.get(f"/setup/{token}").status_code == 404
    again = data | {"email": "second@example.org", "csrf_token": form_token(client, "/login")}
    assert client.post(f"/setup/{token}", data=again).status_code == 404
    with session_scope(demo) as session:
        assert accounts.issue_setup_link(session) is None
        admins = session.exec(select(Account.email).where(Account.role == "admin")).all()
    assert admins == ["first@example.org"]
    assert audit_actions(demo)[-2:] == ["account.create", "account.login"]


def test_setup_links_expire_and_are_replaced(client: TestClient, demo: sa.Engine) -> None:
    with session_scope(demo) as session:
        old = accounts.issue_setup_link(session, now=utcnow() - accounts.SETUP_LINK_LIFETIME)
    assert old and client.get(f"/setup/{old}").status_code == 404  # expired
    with session_scope(demo) as session:
        first = accounts.issue_setup_link(session)
        second = accounts.issue_setup_link(session)
    assert first and second
    assert client.get(f"/setup/{first}").status_code == 404  # replaced by the newer one
    assert client.get(f"/setup/{second}").status_code == 200


def test_serve_prints_a_setup_link_until_there_is_an_admin(
    client: TestClient, settings: Settings, demo: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    cli._print_setup_link(settings, "0.0.0.0", 8000)
    printed = capsys.readouterr().out
    link = re.search(r"http://127\.0\.0\.1:8000(/setup/\S+)", printed)
    assert link, printed
    assert client.get(link.group(1)).status_code == 200
    add_account(demo, "admin@example.org", "admin")
    cli._print_setup_link(settings, "0.0.0.0", 8000)
    assert capsys.readouterr().out == ""
    assert client.get(link.group(1)).status_code == 404


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_cli(monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(args)


def test_cli_user_add(
    cli_env: None,
    client: TestClient,
    demo: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add = ["user", "add", "--password-stdin"]
    assert run_cli(monkeypatch, [*add, "Ed@Example.org", "--role", "editor"], PASSWORD + "\n") == 0
    assert "added ed@example.org (editor)" in capsys.readouterr().out
    assert sign_in(client, "ed@example.org").status_code == 303
    client.cookies.clear()

    with Session(demo) as session:
        entity = session.exec(select(Entity.key).limit(1)).one()
    party = [*add, "party@example.org", "--role", "party", "--entity", f"demo/{entity}"]
    assert run_cli(monkeypatch, party, PASSWORD) == 0
    assert f"(party for demo/{entity})" in capsys.readouterr().out
    assert sign_in(client, "party@example.org").headers["location"] == "/party"

    refused = {
        "exists": ([*add, "ed@example.org", "--role", "admin"], "already exists"),
        "entity": (
            [*add, "p2@example.org", "--role", "party", "--entity", "demo/nope"],
            "no entity",
        ),
        "unbound": ([*add, "p3@example.org", "--role", "party"], "needs an entity"),
        "short": ([*add, "x@example.org", "--role", "editor"], "at least 10"),
    }
    for name, (args, message) in refused.items():
        assert run_cli(monkeypatch, args, "short\n" if name == "short" else PASSWORD) == 2, name
        assert message in capsys.readouterr().err, name
    # Without --password-stdin and no terminal, it refuses rather than hang.
    assert run_cli(monkeypatch, ["user", "add", "y@example.org", "--role", "editor"], "") == 2
    with Session(demo) as session:
        emails = set(session.exec(select(Account.email)).all())
        actors = {e.actor for e in audit.entries(session) if e.action == "account.create"}
    assert emails == {"ed@example.org", "party@example.org"}
    assert actors == {"cli"}


def test_audit_log_page_filters_and_csv(client: TestClient, staff: sa.Engine) -> None:
    with session_scope(staff) as session:
        audit.record(
            session, "=cmd|' /C calc'!A0", "position.update", "demo/green", {"a": 1}, {"a": 2}
        )
    assert sign_in(client, "editor@example.org").status_code == 303
    assert client.get("/admin/audit").status_code == 403  # editors do not see the log
    client.cookies.clear()
    assert sign_in(client, "admin@example.org").status_code == 303

    def listed(**params: str) -> list[str]:
        """The actions the audit page lists (each entry's code), newest first."""
        page = client.get("/admin/audit", params=params)
        assert page.status_code == 200
        return texts(parse(page), ".audit-entry__head code")

    everything = listed()
    assert everything.count("account.create") >= 2 and "position.update" in everything
    assert set(listed(action="position.update")) == {"position.update"}
    mine = listed(actor="Admin@example.org")
    assert "account.login" in mine and "position.update" not in mine
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    assert listed(**{"from": tomorrow}) == []
    empty = parse(client.get("/admin/audit", params={"from": tomorrow}))
    assert "No entries match this filter." in content(empty)
    assert listed(to=tomorrow) == everything
    assert client.get("/admin/audit", params={"from": "not a date"}).status_code == 422

    exported = client.get("/admin/audit.csv", params={"action": "position.update"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == audit.CSV_COLUMNS
    assert len(rows) == 2
    assert rows[1][1] == "'=cmd|' /C calc'!A0"  # no formula when opened in a spreadsheet
    assert rows[1][2:] == ["position.update", "demo/green", '{"a": 1}', '{"a": 2}']
    everything = client.get("/admin/audit.csv").content.decode("utf-8-sig")
    assert everything.count("account.create") == 2


def test_script_payloads_are_escaped(client: TestClient, staff: sa.Engine) -> None:
    email = f"{SCRIPT}@example.org"
    failed = sign_in(client, email, "wrong", next=f'/admin"><{SCRIPT}')
    refused = parse(failed)
    assert injected(refused) == []
    assert one(refused, "#email")["value"] == email  # kept as the field's text
    with session_scope(staff) as session:
        audit.record(session, SCRIPT, SCRIPT, SCRIPT, {SCRIPT: SCRIPT}, [SCRIPT])
    assert sign_in(client, "admin@example.org").status_code == 303
    for path in ("/admin/audit", f"/admin/audit?actor={SCRIPT}", "/admin", "/account"):
        page = client.get(path)
        assert page.status_code == 200
        assert injected(parse(page)) == [], path
    assert SCRIPT in text(one(parse(client.get("/admin/audit")), ".audit-list"))  # read as text
    assert injected(parse(client.get(f"/admin/audit?lang=en&x={SCRIPT}"))) == []
