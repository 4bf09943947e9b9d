"""Accounts: roles, argon2 passwords, sessions, the sign-in rate limit and the setup link.

Roles (issue 4): an *admin* may do everything; an *editor* prepares elections; a
*facilitator* runs group sessions; a *party* account belongs to one entity of one
election (its slug and the entity's id) and may only touch that entity's data.

Secrets are never stored in the clear: passwords as argon2id hashes, session and
setup tokens as SHA-256 digests (they are long random values, so a fast hash is
enough and lets the database look them up).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, TypeVarTuple, overload

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select, update
from sqlmodel.sql.expression import Select, SelectOfScalar
from zxcvbn import zxcvbn  # type: ignore[import-untyped, unused-ignore]

from vaa import audit
from vaa.errors import Conflict, Invalid, NotFound, TooMany
from vaa.models import (
    Account,
    AccountSession,
    Election,
    Entity,
    LoginFailure,
    QuestionnaireVersion,
    SetupLink,
    utcnow,
)
from vaa.rules import is_email

ROLES = ("admin", "editor", "facilitator", "party")
MAX_TOKEN = 128
"""The longest cookie or link token looked up (ours are 43 characters)."""
_Row = TypeVar("_Row")
_Columns = TypeVarTuple("_Columns")
SESSION_LIFETIME = timedelta(hours=12)
"""A session ends 12 hours after sign-in (a working day), whatever happens meanwhile."""
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
"""More than MAX_FAILURES failed sign-ins for one address from one client in this window
are refused, even with the right password, until the oldest failure is old enough."""
ACCOUNT_FAILURES = 10
ACCOUNT_BACKOFF = timedelta(seconds=30)
"""After ACCOUNT_FAILURES failed sign-ins for one address from any clients within
FAILURE_WINDOW, the next attempt waits ACCOUNT_BACKOFF after the last failure, and each
further one twice as long (at most FAILURE_WINDOW): a guesser with many addresses gets a
few tries an hour, and the owner is never locked out for longer than the window."""
SETUP_LINK_LIFETIME = timedelta(hours=24)
MIN_PASSWORD = 10
MIN_PASSWORD_SCORE = 2
"""zxcvbn's score (0-4) a password needs: 0 and 1 are common passwords and their variants
("password123", "Password1234", "qwertyuiop"), guessed in under a million tries."""
MAX_PASSWORD = 1024  # argon2 would hash a megabyte; a bound keeps sign-in cheap to refuse

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class InvalidCredentials(Invalid):
    """The e-mail address or the password is wrong (we do not say which)."""


class TooManyFailures(TooMany):
    """Too many failed sign-ins; `retry_after` says when the next attempt is counted."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("rate_limited", "too many failed sign-ins; try again later")
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    """An argon2id hash of the password (with its own salt and parameters)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash; False for a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str, *, email: str = "") -> None:
    """Refuse a password that is too short, too long or easy to guess (NIST SP 800-63B).

    "Easy to guess" is zxcvbn's judgement: its lists of common passwords, words and
    names, keyboard patterns, repeats and dates, and the account's own e-mail address.
    """
    if len(password) < MIN_PASSWORD:
        raise Invalid("short", f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Invalid("long", f"the password must have at most {MAX_PASSWORD} characters")
    # zxcvbn's time grows with the length; beyond 100 characters no password is guessable.
    hints = [part for part in re.split(r"[@.+_-]", email) if len(part) > 2]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_PASSWORD_SCORE:
        raise Invalid("common", "the password is too common or too easy to guess")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@overload
def first_by_token(
    session: Session, query: SelectOfScalar[_Row], hashed: Any, token: str
) -> _Row | None: ...
@overload
def first_by_token(
    session: Session, query: Select[*_Columns], hashed: Any, token: str
) -> tuple[*_Columns] | None: ...
def first_by_token(session: Session, query: Any, hashed: Any, token: str) -> Any:
    """The first row of `query` whose `hashed` column holds this token's digest, or None.

    A value longer than any token we issue is refused before hashing, unlooked-up.
    """
    if not token or len(token) > MAX_TOKEN:
        return None
    return session.exec(query.where(hashed == token_digest(token))).first()


def create_account(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    election: str | None = None,
    entity: str | None = None,
    actor: Account | str | None,
) -> Account:
    """Add an account (a party one bound to an existing entity) and log it."""
    email = normalize_email(email)
    if not is_email(email):
        raise Invalid("email", f"{email!r} is not an e-mail address")
    check_role(session, role=role, election=election, entity=entity)
    check_password(password, email=email)
    if session.exec(select(Account.id).where(Account.email == email)).first() is not None:
        raise Conflict("exists", f"an account for {email} already exists")
    account = Account(
        email=email,
        password_hash=hash_password(password),
        role=role,
        election=election,
        entity=entity,
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.create", f"account:{email}", None, describe(account))
    return account


def check_role(session: Session, *, role: str, election: str | None, entity: str | None) -> None:
    """Refuse an unknown role, or a party binding that is missing, misplaced or unknown."""
    if role not in ROLES:
        raise Invalid("role", f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if (role == "party") != (election is not None and entity is not None):
        raise Invalid(
            "entity", "a party account needs an entity (ELECTION/ENTITY), and other roles none"
        )
    if role == "party" and not entity_exists(session, election=election or "", entity=entity or ""):
        raise Invalid("entity", f"election {election!r} has no entity {entity!r}")


def describe(account: Account) -> dict[str, object]:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "email": account.email,
        "role": account.role,
        "election": account.election,
        "entity": account.entity,
        "active": account.active,
    }


def entity_exists(session: Session, *, election: str, entity: str) -> bool:
    """Whether any version of the election has an entity with this id."""
    query = (
        select(Entity.id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Entity.version_id))
        .join(Election, col(Election.id) == col(QuestionnaireVersion.election_id))
        .where(Election.slug == election, Entity.key == entity)
        .limit(1)
    )
    return session.exec(query).first() is not None


def has_admin(session: Session) -> bool:
    query = select(Account.id).where(Account.role == "admin", col(Account.active)).limit(1)
    return session.exec(query).first() is not None


# --- signing in -------------------------------------------------------------------------


def authenticate(
    session: Session, *, email: str, password: str, client: str, now: datetime | None = None
) -> Account:
    """The active account with this address and password, or an error (failures logged).

    Raises TooManyFailures before checking the password once the limit is reached, so
    guessing goes no faster with the right password than with a wrong one.
    """
    now = now or utcnow()
    email = normalize_email(email)[:254]
    client = client[:64]
    check_rate_limit(session, email=email, client=client, now=now)
    account = session.exec(select(Account).where(Account.email == email)).first()
    if account is None or not account.active:
        verify_password(_DUMMY_HASH, password)  # the same work, so timing tells nothing
        _fail(session, email=email, client=client, now=now)
        raise InvalidCredentials("credentials", "wrong e-mail address or password")
    if len(password) > MAX_PASSWORD or not verify_password(account.password_hash, password):
        _fail(session, email=email, client=client, now=now)
        raise InvalidCredentials("credentials", "wrong e-mail address or password")
    session.exec(
        delete(LoginFailure).where(
            col(LoginFailure.email) == email, col(LoginFailure.client) == client
        )
    )
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
        session.add(account)
    return account


def check_rate_limit(session: Session, *, email: str, client: str, now: datetime) -> None:
    """Raise TooManyFailures if this address failed too often lately.

    From one client: MAX_FAILURES in FAILURE_WINDOW. From all clients together (a guesser
    with many addresses): ACCOUNT_FAILURES, then each further attempt must wait twice as
    long as the one before (ACCOUNT_BACKOFF, 2x, 4x... at most FAILURE_WINDOW).
    """
    since = now - FAILURE_WINDOW
    count, oldest = session.exec(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.client == client, LoginFailure.at > since
        )
    ).one()
    if count >= MAX_FAILURES:
        raise TooManyFailures(max(oldest + FAILURE_WINDOW - now, timedelta(seconds=1)))
    everywhere, latest = session.exec(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at > since
        )
    ).one()
    if everywhere >= ACCOUNT_FAILURES:
        doubling = min(everywhere - ACCOUNT_FAILURES, 10)
        wait = min(ACCOUNT_BACKOFF * 2**doubling, FAILURE_WINDOW)
        if now < latest + wait:
            raise TooManyFailures(max(latest + wait - now, timedelta(seconds=1)))


def _fail(session: Session, *, email: str, client: str, now: datetime) -> None:
    session.add(LoginFailure(email=email, client=client, at=now))
    # Old failures only matter for the window; clearing them here keeps the table small.
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= now - FAILURE_WINDOW))
    audit.record(session, email, "account.login_failed", f"account:{email}", None, None)


@dataclass(frozen=True)
class SignedIn:
    """A signed-in browser: its account and its session row."""

    account: Account
    session: AccountSession


def start_session(session: Session, *, account: Account, now: datetime | None = None) -> str:
    """Open a session for the account; returns the token for the cookie (kept hashed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    assert account.id is not None
    session.exec(delete(AccountSession).where(col(AccountSession.expires_at) <= now))
    session.add(
        AccountSession(
            token_hash=token_digest(token),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    audit.record(session, account, "account.login", f"account:{account.email}")
    return token


def find_signed_in(session: Session, *, token: str, now: datetime | None = None) -> SignedIn | None:
    """The live session with this cookie token and its active account, or None."""
    row = first_by_token(
        session,
        select(AccountSession, Account).join(
            Account, col(Account.id) == col(AccountSession.account_id)
        ),
        col(AccountSession.token_hash),
        token,
    )
    if row is None:
        return None
    account_session, account = row
    if account_session.expires_at <= (now or utcnow()) or not account.active:
        return None
    return SignedIn(account, account_session)


def end_session(session: Session, *, signed_in: SignedIn) -> None:
    """Sign out: the session row is deleted, so its cookie is worthless from now on."""
    session.delete(signed_in.session)
    audit.record(session, signed_in.account, "account.logout", f"account:{signed_in.account.email}")


def change_password(
    session: Session, *, signed_in: SignedIn, current: str, new: str, client: str
) -> None:
    """Set a new password after checking the current one; other sessions are ended.

    A wrong current password counts as a failed sign-in, so a stolen session cannot be
    used to guess the password faster than the sign-in page allows.
    """
    account = signed_in.account
    now = utcnow()
    check_rate_limit(session, email=account.email, client=client[:64], now=now)
    if len(current) > MAX_PASSWORD or not verify_password(account.password_hash, current):
        _fail(session, email=account.email, client=client[:64], now=now)
        raise InvalidCredentials("current_password", "the current password is wrong")
    check_password(new, email=account.email)
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    session.add(account)
    session.exec(
        delete(AccountSession).where(
            col(AccountSession.account_id) == account.id,
            col(AccountSession.id) != signed_in.session.id,
        )
    )
    audit.record(session, account, "account.password_change", f"account:{account.email}")


# --- the first admin --------------------------------------------------------------------


def issue_setup_link(session: Session, *, now: datetime | None = None) -> str | None:
    """A new one-time token to create the first admin, or None if an admin exists.

    Earlier unused links stop working, so only the newest printed link is valid.
    """
    if has_admin(session):
        return None
    now = now or utcnow()
    session.exec(
        delete(SetupLink).where(
            col(SetupLink.used_at).is_(None), col(SetupLink.account_id).is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SetupLink(
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + SETUP_LINK_LIFETIME,
        )
    )
    return token


def valid_setup_link(
    session: Session, *, token: str, now: datetime | None = None
) -> SetupLink | None:
    """The unused, unexpired setup link with this token while there is no admin, or None."""
    if has_admin(session):
        return None
    link = first_by_token(session, select(SetupLink), col(SetupLink.token_hash), token)
    if link is None or link.account_id is not None:
        return None
    if link.used_at is not None or link.expires_at <= (now or utcnow()):
        return None
    return link


def complete_setup(session: Session, *, token: str, email: str, password: str) -> Account:
    """Create the first admin through a setup link, which then cannot be used again."""
    link = valid_setup_link(session, token=token)
    if link is None:
        raise NotFound("link", "this setup link is not valid (used, expired or replaced)")
    account = create_account(session, email=email, password=password, role="admin", actor="setup")
    if not claim_link(session, link):  # two forms sent at once cannot both create an admin
        raise NotFound("link", "this setup link is not valid (used, expired or replaced)")
    return account


def claim_link(session: Session, link: SetupLink) -> bool:
    """Mark a one-time link used in one UPDATE; False when another request used it first."""
    claimed = session.exec(
        update(SetupLink)
        .where(col(SetupLink.id) == link.id, col(SetupLink.used_at).is_(None))
        .values(used_at=utcnow())
    )
    return claimed.rowcount == 1
