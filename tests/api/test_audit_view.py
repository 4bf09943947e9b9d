"""The audit log: `vaa load` and the other command-line writes leave entries; the page names
actions in the reader's language and shows what changed field by field; CSV stays JSON."""

import csv
import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_auth import (
    PASSWORD,
    add_account,
    cli_env,  # noqa: F401 (a fixture)
    run_cli,
    sign_in,
)
from tests.conftest import DEMO_FILES
from tests.soup import content, one, parse, select, text, texts
from vaa import audit, cli
from vaa.db import session_scope
from vaa.models import AuditEntry
from vaa.settings import Settings


def entries(engine: sa.Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return audit.entries(session, where=audit.AuditFilter(action=action))


def test_vaa_load_leaves_an_audit_entry(
    cli_env: None,  # noqa: F811
    engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(p) for p in DEMO_FILES]
    assert run_cli(monkeypatch, ["load", *files], "") == 0
    assert run_cli(monkeypatch, ["load", *files], "") == 0  # the same files again
    loads = entries(engine, "election.load")[::-1]
    assert [(e.actor, e.target) for e in loads] == [("cli", "election:demo")] * 2
    assert [e.after["changed"] for e in loads] == [True, False]
    assert loads[0].after["version"] == 1 and len(loads[0].after["checksum"]) == 64
    assert loads[0].after["files"] == [p.name for p in DEMO_FILES]

    # A load that fails changes nothing, so it logs nothing either.
    bad = DEMO_FILES[0].parent / "does-not-exist.yaml"
    assert run_cli(monkeypatch, ["load", str(bad)], "") != 0
    assert len(entries(engine, "election.load")) == 2


def test_every_cli_write_is_audited(
    cli_env: None,  # noqa: F811
    settings: Settings,
    demo: sa.Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli._print_setup_link(settings, "127.0.0.1", 8000)  # what `vaa serve` does first
    add = ["user", "add", "--password-stdin", "ed@example.org", "--role", "editor"]
    assert run_cli(monkeypatch, add, PASSWORD) == 0
    add_account(demo, "admin@example.org", "admin")
    for args in (
        ["user", "role", "ed@example.org", "facilitator"],
        ["user", "disable", "ed@example.org"],
        ["user", "enable", "ed@example.org"],
        ["user", "reset", "ed@example.org"],
    ):
        assert run_cli(monkeypatch, args, "") == 0, args
    with Session(demo) as session:
        by_cli = [e.action for e in audit.entries(session) if e.actor == "cli"][::-1]
    assert by_cli == [
        "account.setup_link",
        "account.create",
        "account.role",
        "account.disable",
        "account.enable",
        "account.password_reset",
        "account.password_link",
    ]


@pytest.mark.parametrize(
    ("lang", "loaded", "changed"),
    [
        ("en", "Election loaded from files", "Role changed"),
        ("ka", "არჩევნები ფაილებიდან ჩაიტვირთა", "როლი შეიცვალა"),
    ],
)
def test_audit_page_translates_actions_and_shows_a_diff(
    client: TestClient, demo: sa.Engine, lang: str, loaded: str, changed: str
) -> None:
    client.headers["accept-language"] = lang
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "ed@example.org", "editor")
    with session_scope(demo) as session:
        from vaa import users

        ed = users.find_user(session, email="ed@example.org")
        users.change_role(session, account=ed, role="facilitator", actor="admin@example.org")
        audit.record(session, "cli", "election.load", "election:demo", None, {"version": 1})
    assert sign_in(client, "admin@example.org").status_code == 303
    page = client.get("/admin/audit")
    assert page.status_code == 200
    shown = parse(page)
    names = texts(shown, ".audit-entry__head strong")
    assert loaded in names and changed in names
    # The filter offers the actions by name too.
    assert texts(shown, '#action option[value="account.role"]') == [changed]
    # The role change shows one row, role: editor -> facilitator; unchanged fields are not listed.
    entry = next(
        e
        for e in select(shown, ".audit-entry")
        if "account.role" in texts(e, ".audit-entry__head code")
    )
    rows = select(entry, ".audit-diff tbody tr")
    assert [text(one(r, "th")) for r in rows] == [{"en": "Role", "ka": "როლი"}[lang]]
    assert (text(one(rows[0], "del")), text(one(rows[0], "ins"))) == ("editor", "facilitator")
    assert '{"' not in content(shown)  # no raw JSON on the page

    # The CSV keeps the whole data as JSON.
    exported = client.get("/admin/audit.csv", params={"action": "account.role"})
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0] == audit.CSV_COLUMNS and len(table) == 2
    assert '"role": "editor"' in table[1][4] and '"role": "facilitator"' in table[1][5]
