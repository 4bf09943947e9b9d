"""The audit log: who changed what, when, with the data before and after (issue 4).

Every change by an admin, editor or party goes through `record`, in the same database
transaction as the change itself, so the log holds exactly what was committed.
"""

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from vaa.models import Account, AuditEntry, utcnow

CSV_COLUMNS = ["at", "actor", "action", "target", "before", "after"]


def actor_name(actor: Account | str | None) -> str:
    """How the log names someone: an account's e-mail address, or a word like 'cli'."""
    if isinstance(actor, Account):
        return actor.email
    return actor or "system"


def record(
    session: Session,
    actor: Account | str | None,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add one entry to the log (the caller commits it along with the change).

    `before` and `after` are any JSON-serialisable data (dates become ISO strings);
    never pass secrets such as password hashes.
    """
    entry = AuditEntry(
        at=utcnow(),
        actor=actor_name(actor)[:254],
        action=action[:64],
        target=target[:300],
        before=_plain(before),
        after=_plain(after),
    )
    session.add(entry)
    return entry


def _plain(value: Any) -> Any:
    """The value as JSON would give it back, so what is logged is what is stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_jsonable, ensure_ascii=False))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


@dataclass(frozen=True)
class AuditFilter:
    """What to list: an actor's e-mail address, an action, and a range of UTC days."""

    actor: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


def entries(
    session: Session, *, where: AuditFilter = AuditFilter(), limit: int | None = None
) -> list[AuditEntry]:
    """Matching entries, newest first (`until` includes that whole day)."""
    query = select(AuditEntry)
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor.strip().lower())
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.since:
        query = query.where(AuditEntry.at >= datetime.combine(where.since, time(), UTC))
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.at < end)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def actions(session: Session) -> list[str]:
    """Every action that occurs in the log, for the filter's choices."""
    return sorted(session.exec(select(AuditEntry.action).distinct()))


def to_csv(rows: Iterable[AuditEntry]) -> str:
    """The entries as CSV, before/after as JSON; cells cannot start a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        writer.writerow(
            _cell(v)
            for v in (
                e.at.isoformat(),
                e.actor,
                e.action,
                e.target,
                "" if e.before is None else json.dumps(e.before, ensure_ascii=False),
                "" if e.after is None else json.dumps(e.after, ensure_ascii=False),
            )
        )
    return out.getvalue()


def _cell(value: str) -> str:
    # A cell starting with = + - @ (or a tab/CR) runs as a formula in Excel and LibreOffice
    # (OWASP "CSV injection"); a leading apostrophe makes it plain text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


MAX_CHANGES = 200
"""Fields listed for one entry on the audit page (a spreadsheet import can change thousands)."""


@dataclass(frozen=True)
class Change:
    """One field of an entry that differs: its dotted path, and its text before and after."""

    field: str
    before: str | None
    after: str | None


def changes(before: Any, after: Any) -> list[Change]:
    """What an entry changed, field by field (nested data flattened to dotted paths).

    Only fields whose value differs are listed; a field that did not exist is None.
    """
    old, new = _flatten(before), _flatten(after)
    fields = sorted(old.keys() | new.keys())
    return [
        Change(field or "—", old.get(field), new.get(field))
        for field in fields
        if old.get(field) != new.get(field)
    ][:MAX_CHANGES]


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and any(isinstance(i, dict | list) for i in value):
        flat = {}
        for i, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{i}]"))
        return flat
    if isinstance(value, list):
        return {prefix: ", ".join(str(i) for i in value)}
    if isinstance(value, bool):
        return {prefix: "true" if value else "false"}
    return {prefix: str(value)}
