"""Managing accounts (admins): list, invite, change a role, disable or enable, reset a password.

A new or reset account gets a one-time password link: a SetupLink bound to the account,
the mechanism of the first admin's link. Until the link is used the account has no
usable password, so nobody (not even the admin who made it) knows one. The last active
admin can be neither disabled nor given another role, so an install is never locked out.
The admin pages and `vaa user` call these functions; each change is in the audit log.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from vaa import audit
from vaa.accounts import (
    check_password,
    check_role,
    claim_link,
    create_account,
    describe,
    first_by_token,
    hash_password,
    normalize_email,
    token_digest,
)
from vaa.errors import Conflict, NotFound
from vaa.models import (
    Account,
    AccountSession,
    AuditEntry,
    Election,
    Entity,
    QuestionnaireVersion,
    SetupLink,
    utcnow,
)

PASSWORD_LINK_LIFETIME = timedelta(days=3)
"""How long an invitation or reset link works (long enough to reach someone by e-mail)."""
NO_PASSWORD = "!"
"""The password hash of an account waiting for its link: no password verifies against it."""


@dataclass(frozen=True)
class UserRow:
    """An account as the accounts page lists it."""

    account: Account
    last_sign_in: datetime | None
    link_open: bool  # an unused, unexpired password link is waiting


def target(account: Account) -> str:
    return f"account:{account.email}"


def list_users(session: Session, *, now: datetime | None = None) -> list[UserRow]:
    """Every account, by e-mail address, with its last sign-in (from the audit log)."""
    now = now or utcnow()
    last = dict(
        session.exec(
            select(AuditEntry.target, func.max(AuditEntry.at))
            .where(AuditEntry.action == "account.login")
            .group_by(col(AuditEntry.target))
        ).all()
    )
    waiting = set(
        session.exec(
            select(SetupLink.account_id).where(
                col(SetupLink.account_id).is_not(None),
                col(SetupLink.used_at).is_(None),
                col(SetupLink.expires_at) > now,
            )
        ).all()
    )
    rows = session.exec(select(Account).order_by(col(Account.email))).all()
    return [UserRow(a, last.get(target(a)), a.id in waiting) for a in rows]


def find_user(session: Session, *, email: str) -> Account:
    """The account with this e-mail address, or NotFound ("unknown")."""
    address = normalize_email(email)
    account = session.exec(select(Account).where(Account.email == address)).first()
    if account is None:
        raise NotFound("unknown", f"no account for {address}")
    return account


def get_user(session: Session, *, account_id: int) -> Account:
    """The account with this id, or NotFound ("unknown")."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("unknown", f"no account number {account_id}")
    return account


def entity_choices(session: Session) -> list[tuple[str, str, dict[str, str]]]:
    """(election slug, entity id, its names) for every entity a party account may be bound to."""
    rows = session.exec(
        select(Election.slug, Entity.key, Entity.name, Entity.ordinal)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Entity.version_id))
        .join(Election, col(Election.id) == col(QuestionnaireVersion.election_id))
        .order_by(col(Election.slug), col(QuestionnaireVersion.number).desc())
    ).all()
    seen: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    for slug, key, name, ordinal in rows:
        seen.setdefault((slug, key), (ordinal, dict(name)))  # the newest version's name
    return [
        (slug, key, name)
        for (slug, key), (_o, name) in sorted(seen.items(), key=lambda i: (i[0][0], i[1][0]))
    ]


def invite_user(
    session: Session,
    *,
    email: str,
    role: str,
    election: str | None = None,
    entity: str | None = None,
    actor: Account | str,
    now: datetime | None = None,
) -> tuple[Account, str]:
    """Add an account without a password and return it with its one-time link's token."""
    # create_account wants a password: a random one, replaced at once by "no password".
    account = create_account(
        session,
        email=email,
        password=secrets.token_urlsafe(32),
        role=role,
        election=election,
        entity=entity,
        actor=actor,
    )
    account.password_hash = NO_PASSWORD
    session.add(account)
    return account, _issue_link(session, account=account, actor=actor, now=now)


def reset_password(
    session: Session, *, account: Account, actor: Account | str, now: datetime | None = None
) -> str:
    """Void the account's password and sessions; return the token of a new one-time link.

    The old password stops working at once: a reset is also what to do when a password
    may be known to someone else.
    """
    if not account.active:
        raise Conflict("disabled", f"{account.email} is disabled; enable it first")
    account.password_hash = NO_PASSWORD
    session.add(account)
    session.exec(delete(AccountSession).where(col(AccountSession.account_id) == account.id))
    audit.record(session, actor, "account.password_reset", target(account))
    return _issue_link(session, account=account, actor=actor, now=now)


def _issue_link(
    session: Session, *, account: Account, actor: Account | str, now: datetime | None
) -> str:
    """A new password link for the account; its earlier unused links stop working."""
    now = now or utcnow()
    assert account.id is not None
    session.exec(
        delete(SetupLink).where(
            col(SetupLink.account_id) == account.id, col(SetupLink.used_at).is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    expires = now + PASSWORD_LINK_LIFETIME
    session.add(
        SetupLink(
            token_hash=token_digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=expires,
        )
    )
    audit.record(
        session, actor, "account.password_link", target(account), None, {"expires": expires}
    )
    return token


def _keep_an_admin(session: Session, account: Account) -> None:
    """Refuse to take away the last active admin (called before disabling or re-roling)."""
    if account.role != "admin" or not account.active:
        return
    # Lock every active admin row (PostgreSQL), so two admins demoting each other at once
    # cannot both succeed: the second waits, then sees the first one's change.
    admins = session.exec(
        select(Account.id)
        .where(Account.role == "admin", col(Account.active))
        .order_by(col(Account.id))
        .with_for_update()
    ).all()
    if not [i for i in admins if i != account.id]:
        raise Conflict(
            "last_admin", f"{account.email} is the last active administrator: add another one first"
        )


def change_role(
    session: Session,
    *,
    account: Account,
    role: str,
    election: str | None = None,
    entity: str | None = None,
    actor: Account | str,
) -> Account:
    """Give the account another role (a party one bound to an entity); logged before/after."""
    check_role(session, role=role, election=election, entity=entity)
    if (account.role, account.election, account.entity) == (role, election, entity):
        return account
    if role != "admin":
        _keep_an_admin(session, account)
    before = describe(account)
    account.role, account.election, account.entity = role, election, entity
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.role", target(account), before, describe(account))
    return account


def set_active(
    session: Session, *, account: Account, active: bool, actor: Account | str
) -> Account:
    """Disable (sessions and waiting links end at once) or enable an account."""
    if account.active == active:
        return account
    if not active:
        _keep_an_admin(session, account)
        session.exec(delete(AccountSession).where(col(AccountSession.account_id) == account.id))
        session.exec(
            delete(SetupLink).where(
                col(SetupLink.account_id) == account.id, col(SetupLink.used_at).is_(None)
            )
        )
    before = describe(account)
    account.active = active
    session.add(account)
    session.flush()
    action = "account.enable" if active else "account.disable"
    audit.record(session, actor, action, target(account), before, describe(account))
    return account


def valid_password_link(
    session: Session, *, token: str, now: datetime | None = None
) -> tuple[SetupLink, Account] | None:
    """The unused, unexpired link with this token and its active account, or None."""
    row = first_by_token(
        session,
        select(SetupLink, Account).join(Account, col(Account.id) == col(SetupLink.account_id)),
        col(SetupLink.token_hash),
        token,
    )
    if row is None:
        return None
    link, account = row
    if link.used_at is not None or link.expires_at <= (now or utcnow()) or not account.active:
        return None
    return link, account


def set_password_with_link(session: Session, *, token: str, password: str) -> Account:
    """Set the account's password through its link, which then cannot be used again."""
    found = valid_password_link(session, token=token)
    if found is None:
        raise NotFound("link", "this link is not valid (used, expired or replaced)")
    link, account = found
    check_password(password, email=account.email)
    if not claim_link(session, link):  # two forms sent at once cannot both use it
        raise NotFound("link", "this link is not valid (used, expired or replaced)")
    account.password_hash = hash_password(password)
    account.password_changed_at = utcnow()
    session.add(account)
    session.exec(delete(AccountSession).where(col(AccountSession.account_id) == account.id))
    audit.record(session, account, "account.password_set", target(account))
    return account
