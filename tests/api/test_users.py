"""Accounts in the browser (/admin/users) and `vaa user list|disable|enable|role|reset`,
through the real app on SQLite and PostgreSQL: one-time password links, role changes,
disabling, resets, the last administrator, and the audit entries of each."""

import re
import threading
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.api.test_auth import (
    PASSWORD,
    add_account,
    audit_actions,
    cli_env,  # noqa: F401 (a fixture)
    form_token,
    run_cli,
    sign_in,
)
from tests.soup import alerts, content, hrefs, notices, one, parse, text
from vaa import accounts, audit
from vaa.db import session_scope
from vaa.errors import Conflict, VaaError
from vaa.models import Account, Entity
from vaa.settings import Settings

NEW_PASSWORD = "a brand new passphrase here"


@pytest.fixture
def admin(client: TestClient, demo: sa.Engine) -> TestClient:
    """The client signed in as the only admin (English pages)."""
    client.headers["accept-language"] = "en"
    add_account(demo, "admin@example.org", "admin")
    assert sign_in(client, "admin@example.org").status_code == 303
    return client


def account(engine: sa.Engine, email: str) -> Account:
    with Session(engine) as session:
        return session.exec(select(Account).where(Account.email == email)).one()


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    """Send a form from /admin/users as the admin's browser would (with its CSRF token)."""
    token = form_token(client, "/admin/users")
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def shown_link(page: httpx.Response) -> str:
    """The path of the one-time password link the page shows the admin to send."""
    link = urlsplit(text(one(parse(page), "#password-link")))
    assert link.scheme in ("http", "https") and link.path.startswith("/password/"), link
    return link.path


def use_link(client: TestClient, link: str, password: str = NEW_PASSWORD) -> httpx.Response:
    token = form_token(client, link)
    data = {"password": password, "confirm": password, "csrf_token": token}
    return client.post(link, data=data, follow_redirects=False)


def test_admin_adds_an_editor_who_sets_a_password_with_the_link(
    admin: TestClient, demo: sa.Engine
) -> None:
    created = post(admin, "/admin/users", email="Ed@Example.org", role="editor")
    assert created.status_code == 200, created.text
    link = shown_link(created)
    assert "ed@example.org" in content(parse(created))
    listed = admin.get("/admin/users").text
    assert "ed@example.org" in listed and "Waiting for the password link" in listed
    # Until the link is used, no password works (the admin never knows one).
    assert account(demo, "ed@example.org").password_hash == "!"

    with TestClient(admin.app) as browser:
        browser.headers["accept-language"] = "en"
        assert sign_in(browser, "ed@example.org", "").status_code == 400
        page = browser.get(link)
        assert page.status_code == 200 and "ed@example.org" in content(parse(page))
        short = use_link(browser, link, "short")
        assert short.status_code == 400 and "at least 10 characters" in alerts(parse(short))
        done = use_link(browser, link)
        assert done.status_code == 303
        assert "ed@example.org" in content(parse(browser.get("/account")))  # signed in
        # Used: the link does nothing any more.
        browser.cookies.clear()
        assert browser.get(link).status_code == 404
        again = {"password": PASSWORD, "confirm": PASSWORD}
        again["csrf_token"] = form_token(browser, "/login")
        assert browser.post(link, data=again).status_code == 404
        assert sign_in(browser, "ed@example.org", NEW_PASSWORD).status_code == 303

    actions = audit_actions(demo)
    assert actions[-6:] == [
        "account.create",
        "account.password_link",
        "account.login_failed",
        "account.password_set",
        "account.login",  # signed in by the link
        "account.login",  # signed in with the new password
    ]
    with Session(demo) as session:
        created_entry = next(e for e in audit.entries(session) if e.action == "account.create")
    assert created_entry.actor == "admin@example.org"
    assert created_entry.after["role"] == "editor"
    assert "password_hash" not in str(created_entry.after)


def test_a_password_link_over_https_drops_the_anonymous_form_cookie(
    admin: TestClient,
) -> None:
    # Over HTTPS the cookie is __Host-vaa_csrf: the link once dropped the plain name only.
    link = shown_link(post(admin, "/admin/users", email="ed@example.org", role="editor"))
    with TestClient(admin.app, base_url="https://testserver") as browser:
        browser.headers["accept-language"] = "en"
        browser.get(link)
        assert "__Host-vaa_csrf" in browser.cookies
        assert use_link(browser, link).status_code == 303
        assert "__Host-vaa_csrf" not in browser.cookies
        assert "__Host-vaa_session" in browser.cookies  # signed in


def test_a_bad_new_account_is_refused_with_a_message(admin: TestClient, demo: sa.Engine) -> None:
    add_account(demo, "ed@example.org", "editor")
    cases = {
        "exists": ({"email": "ED@example.org", "role": "editor"}, "already exists"),
        "email": ({"email": "not an address", "role": "editor"}, "valid e-mail address"),
        "role": ({"email": "x@example.org", "role": "king"}, "Please choose a role"),
        "unbound party": ({"email": "p@example.org", "role": "party"}, "needs its party"),
        "unknown entity": (
            {"email": "p@example.org", "role": "party", "entity": "demo/nope"},
            "needs its party",
        ),
    }
    for name, (data, message) in cases.items():
        refused = post(admin, "/admin/users", **data)
        assert refused.status_code == 400, name
        assert message in alerts(parse(refused)), name
        assert parse(refused).select_one("#password-link") is None, name
    with Session(demo) as session:
        emails = set(session.exec(select(Account.email)).all())
    assert emails == {"admin@example.org", "ed@example.org"}


def test_a_party_account_is_bound_to_its_entity(admin: TestClient, demo: sa.Engine) -> None:
    with Session(demo) as session:
        entity = session.exec(select(Entity.key).limit(1)).one()
    page = admin.get("/admin/users").text
    assert f'value="demo/{entity}"' in page  # the party is chosen from a list
    created = post(
        admin, "/admin/users", email="p@example.org", role="party", entity=f"demo/{entity}"
    )
    assert created.status_code == 200
    party = account(demo, "p@example.org")
    assert (party.role, party.election, party.entity) == ("party", "demo", entity)
    # An entity given with another role is not kept.
    post(admin, "/admin/users", email="f@example.org", role="facilitator", entity=f"demo/{entity}")
    facilitator = account(demo, "f@example.org")
    assert (facilitator.role, facilitator.entity) == ("facilitator", None)


def test_only_admins_manage_accounts(client: TestClient, demo: sa.Engine) -> None:
    client.headers["accept-language"] = "en"
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "ed@example.org", "editor")
    target = account(demo, "admin@example.org")
    assert client.get("/admin/users").status_code == 401  # sign in first
    assert sign_in(client, "ed@example.org").status_code == 303
    assert client.get("/admin/users").status_code == 403
    token = form_token(client, "/account")
    for path in ("/admin/users", f"/admin/users/{target.id}/disable"):
        refused = client.post(path, data={"csrf_token": token, "email": "x@example.org"})
        assert refused.status_code == 403
    assert account(demo, "admin@example.org").active
    assert "/admin/users" not in hrefs(
        parse(client.get("/admin"))
    )  # no link to what they cannot open


def test_change_role_and_the_last_admin_is_kept(admin: TestClient, demo: sa.Engine) -> None:
    add_account(demo, "ed@example.org", "editor")
    me = account(demo, "admin@example.org")
    ed = account(demo, "ed@example.org")

    # The only admin can be neither demoted nor disabled.
    for path, data in (
        (f"/admin/users/{me.id}/role", {"role": "editor"}),
        (f"/admin/users/{me.id}/disable", {}),
    ):
        refused = post(admin, path, **data)
        assert refused.status_code == 400
        assert "last active administrator" in alerts(parse(refused))
    assert account(demo, "admin@example.org").role == "admin"
    assert account(demo, "admin@example.org").active

    promoted = post(admin, f"/admin/users/{ed.id}/role", role="admin")
    assert promoted.status_code == 303
    assert "The role has been changed" in notices(parse(admin.get(promoted.headers["location"])))
    assert account(demo, "ed@example.org").role == "admin"
    # With a second admin, the first may step down; then the second is the last one.
    assert post(admin, f"/admin/users/{me.id}/role", role="facilitator").status_code == 303
    assert account(demo, "admin@example.org").role == "facilitator"
    assert admin.get("/admin/users").status_code == 403  # no longer an admin
    with session_scope(demo) as session:
        from vaa import users

        last = users.find_user(session, email="ed@example.org")
        with pytest.raises(Conflict, match="last active administrator"):
            users.set_active(session, account=last, active=False, actor="test")

    with Session(demo) as session:
        roles = [e for e in audit.entries(session) if e.action == "account.role"]
    assert [(e.before["role"], e.after["role"]) for e in roles] == [
        ("admin", "facilitator"),
        ("editor", "admin"),
    ]


def test_disable_signs_out_and_enable_lets_in_again(admin: TestClient, demo: sa.Engine) -> None:
    add_account(demo, "ed@example.org", "editor")
    ed = account(demo, "ed@example.org")
    with TestClient(admin.app) as editor:
        editor.headers["accept-language"] = "en"
        assert sign_in(editor, "ed@example.org").status_code == 303
        assert editor.get("/admin").status_code == 200

        disabled = post(admin, f"/admin/users/{ed.id}/disable")
        assert disabled.status_code == 303
        page = admin.get(disabled.headers["location"]).text
        assert "has been disabled" in page and "Disabled" in page
        assert editor.get("/admin").status_code == 401  # signed out
        editor.cookies.clear()
        assert sign_in(editor, "ed@example.org").status_code == 400

        assert post(admin, f"/admin/users/{ed.id}/enable").status_code == 303
        assert sign_in(editor, "ed@example.org").status_code == 303
    assert audit_actions(demo).count("account.disable") == 1
    assert audit_actions(demo).count("account.enable") == 1
    row = text(one(parse(admin.get("/admin/users")), f"#account-{ed.id}"))
    assert "never" not in row  # the last sign-in is shown


def test_reset_voids_the_password_and_gives_a_new_link(admin: TestClient, demo: sa.Engine) -> None:
    add_account(demo, "ed@example.org", "editor")
    ed = account(demo, "ed@example.org")
    with TestClient(admin.app) as editor:
        assert sign_in(editor, "ed@example.org").status_code == 303
        first = shown_link(post(admin, f"/admin/users/{ed.id}/reset"))
        second = shown_link(post(admin, f"/admin/users/{ed.id}/reset"))
        assert editor.get("/admin").status_code == 401  # signed out
        editor.cookies.clear()
        assert sign_in(editor, "ed@example.org").status_code == 400  # old password void
        assert editor.get(first).status_code == 404  # replaced by the newer link
        assert use_link(editor, second).status_code == 303
        editor.cookies.clear()
        assert sign_in(editor, "ed@example.org", NEW_PASSWORD).status_code == 303
    assert audit_actions(demo).count("account.password_reset") == 2


def test_password_links_and_the_first_admin_setup_link_are_apart(
    client: TestClient, demo: sa.Engine
) -> None:
    client.headers["accept-language"] = "en"
    with session_scope(demo) as session:
        setup = accounts.issue_setup_link(session)
    assert setup
    assert client.get(f"/password/{setup}").status_code == 404  # not an account's link
    with session_scope(demo) as session:
        from vaa import users

        _account, token = users.invite_user(
            session, email="ed@example.org", role="editor", actor="test"
        )
    assert client.get(f"/setup/{token}").status_code == 404  # cannot make an admin
    with session_scope(demo) as session:
        accounts.issue_setup_link(session)  # a new setup link replaces only setup links
    assert client.get(f"/password/{token}").status_code == 200
    assert client.get(f"/password/{'x' * 300}").status_code == 404


def test_cli_user_list_disable_enable_role_reset(
    cli_env: None,  # noqa: F811
    client: TestClient,
    demo: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "ed@example.org", "editor")
    assert sign_in(client, "ed@example.org").status_code == 303
    client.cookies.clear()

    assert run_cli(monkeypatch, ["user", "list"], "") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("admin@example.org\tadmin\tactive\tlast sign-in: never")
    assert listed[1].startswith("ed@example.org\teditor\tactive\tlast sign-in: 20")

    assert run_cli(monkeypatch, ["user", "disable", "ED@example.org"], "") == 0
    assert "ed@example.org: disabled" in capsys.readouterr().out
    assert sign_in(client, "ed@example.org").status_code == 400
    assert run_cli(monkeypatch, ["user", "enable", "ed@example.org"], "") == 0
    assert sign_in(client, "ed@example.org").status_code == 303
    client.cookies.clear()

    assert run_cli(monkeypatch, ["user", "role", "ed@example.org", "facilitator"], "") == 0
    assert "now facilitator" in capsys.readouterr().out
    assert account(demo, "ed@example.org").role == "facilitator"

    assert (
        run_cli(
            monkeypatch,
            ["user", "reset", "ed@example.org", "--base-url", "https://vaa.example.ge/"],
            "",
        )
        == 0
    )
    printed = capsys.readouterr().out
    link = re.search(r"https://vaa\.example\.ge(/password/\S+)", printed)
    assert link, printed
    assert sign_in(client, "ed@example.org").status_code == 400
    assert use_link(client, link.group(1)).status_code == 303

    refused = {
        "last admin": (["user", "disable", "admin@example.org"], "last active administrator"),
        "demote": (["user", "role", "admin@example.org", "editor"], "last active administrator"),
        "unknown": (["user", "reset", "nobody@example.org"], "no account for nobody@example.org"),
        "unbound": (["user", "role", "ed@example.org", "party"], "needs an entity"),
        "entity": (["user", "role", "ed@example.org", "party", "--entity", "x"], "ELECTION/ENTITY"),
    }
    for name, (args, message) in refused.items():
        assert run_cli(monkeypatch, args, "") == 2, name
        assert message in capsys.readouterr().err, name
    assert account(demo, "admin@example.org").role == "admin"
    with Session(demo) as session:
        cli_actions = [e.action for e in audit.entries(session) if e.actor == "cli"]
    assert set(cli_actions) >= {
        "account.disable",
        "account.enable",
        "account.role",
        "account.password_reset",
        "account.password_link",
    }


def test_an_account_number_out_of_range_is_a_clear_4xx(admin: TestClient) -> None:
    for path in ("/admin/users/99999999999999999999/disable", "/admin/users/0/reset"):
        refused = post(admin, path)
        assert 400 <= refused.status_code < 500, (path, refused.status_code)
    missing = post(admin, "/admin/users/424242/enable")
    assert missing.status_code == 400 and "This account no longer exists" in alerts(parse(missing))


def test_two_admins_demoting_each_other_at_once_keep_one(
    settings: Settings, demo: sa.Engine
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: the race needs PostgreSQL")
    from vaa import users

    add_account(demo, "a@example.org", "admin")
    add_account(demo, "b@example.org", "admin")
    ready = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def demote(actor: str, target: str) -> None:
        with Session(demo) as session:
            account = users.find_user(session, email=target)
            ready.wait()  # both have read the accounts before either writes
            try:
                users.change_role(session, account=account, role="editor", actor=actor)
                session.commit()
                outcome[actor] = "demoted"
            except VaaError as exc:
                session.rollback()
                outcome[actor] = exc.code

    threads = [
        threading.Thread(target=demote, args=("a@example.org", "b@example.org")),
        threading.Thread(target=demote, args=("b@example.org", "a@example.org")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome.values()) == ["demoted", "last_admin"]
    with Session(demo) as session:
        admins = session.exec(select(Account.email).where(Account.role == "admin")).all()
    assert len(admins) == 1
