"""vaa.audit: the log of who changed what, its filters, its CSV and its field-by-field view."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from vaa import audit
from vaa.db import session_scope
from vaa.models import Account, AuditEntry


def test_changes_lists_only_what_differs_field_by_field() -> None:
    before = {"role": "editor", "email": "a@x.org", "text": {"ka": "ძველი", "en": "Old"}}
    after = {"role": "admin", "email": "a@x.org", "text": {"ka": "ახალი", "en": "Old"}, "n": 2}
    assert audit.changes(before, after) == [
        audit.Change("n", None, "2"),
        audit.Change("role", "editor", "admin"),
        audit.Change("text.ka", "ძველი", "ახალი"),
    ]
    assert audit.changes(None, {"items": [{"id": "a"}, {"id": "b"}], "tags": ["x", "y"]}) == [
        audit.Change("items[0].id", None, "a"),
        audit.Change("items[1].id", None, "b"),
        audit.Change("tags", None, "x, y"),
    ]
    assert audit.changes(None, None) == []
    assert audit.changes([1], [2]) == [audit.Change("—", "1", "2")]
    many = audit.changes(None, {f"k{i}": i for i in range(1000)})
    assert len(many) == audit.MAX_CHANGES


def _log(engine: sa.Engine, *entries: tuple[str, str, str, datetime]) -> None:
    with session_scope(engine) as db:
        for actor, action, target, at in entries:
            audit.record(db, actor, action, target).at = at


def test_record_keeps_data_as_json_gives_it_back(engine: sa.Engine) -> None:
    with session_scope(engine) as db:
        audit.record(
            db, None, "election.load", "election:demo",
            {"day": date(2025, 10, 4), "langs": ("ka", "en")},
            {"roles": {"editor", "admin"}, "text": {"ka": "მოსაზრება"}},
        )  # fmt: skip
    with Session(engine) as db:
        (entry,) = audit.entries(db)
    assert (entry.actor, entry.action, entry.target) == ("system", "election.load", "election:demo")
    assert entry.before == {"day": "2025-10-04", "langs": ["ka", "en"]}
    assert entry.after == {"roles": ["admin", "editor"], "text": {"ka": "მოსაზრება"}}


def test_entries_are_newest_first_and_filtered_by_actor_action_and_whole_days(
    engine: sa.Engine,
) -> None:
    _log(
        engine,
        ("a@x.org", "account.create", "account:2", datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
        ("cli", "election.load", "election:demo", datetime(2026, 3, 2, 23, 59, tzinfo=UTC)),
        ("a@x.org", "account.role", "account:2", datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),
    )
    with Session(engine) as db:

        def listed(**where: Any) -> list[str]:
            return [e.action for e in audit.entries(db, where=audit.AuditFilter(**where))]

        assert listed() == ["account.role", "election.load", "account.create"]
        assert listed(actor=" A@X.org ") == ["account.role", "account.create"]
        assert listed(action="election.load") == ["election.load"]
        assert listed(since=date(2026, 3, 2), until=date(2026, 3, 2)) == ["election.load"]
        assert listed(until=date(2026, 3, 1)) == ["account.create"]
        assert [e.action for e in audit.entries(db, limit=1)] == ["account.role"]
        assert audit.actions(db) == ["account.create", "account.role", "election.load"]


def test_the_csv_has_json_cells_and_no_cell_starts_a_formula() -> None:
    entry = AuditEntry(
        at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        actor="=cmd@x.org",
        action="account.create",
        target="-1",
        before=None,
        after={"name": "ნინო"},
    )
    rows = list(csv.reader(io.StringIO(audit.to_csv([entry]))))
    assert rows == [
        audit.CSV_COLUMNS,
        [
            "2026-03-01T09:00:00+00:00",
            "'=cmd@x.org",
            "account.create",
            "'-1",
            "",
            '{"name": "ნინო"}',
        ],
    ]


def test_an_account_is_named_by_its_email() -> None:
    assert audit.actor_name(Account(email="nino@example.ge", role="editor")) == "nino@example.ge"
    assert (audit.actor_name("cli"), audit.actor_name(None)) == ("cli", "system")
