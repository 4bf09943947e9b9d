"""Party self-service and its review: invitations, positions, the deadline (issue 4).

An editor invites an entity's representative with a one-time link; the representative
creates a *party* account bound to that entity and keeps a working copy of its positions
(PartySubmission) until it submits them for review. An editor sees what would change in
the election's draft, then returns the submission with a comment or approves it, which
writes the positions into the draft (vaa.drafts): voters see nothing before the next
publish. Every step is written to the audit log in the same transaction.

A working copy maps each statement id to
{"answer": option id or None (no position), "justification": {language: text},
"source": URL or None}.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select, update

from vaa import audit
from vaa.accounts import (
    check_password,
    describe,
    first_by_token,
    hash_password,
    normalize_email,
    token_digest,
)
from vaa.diagnostics import missing_languages
from vaa.drafts import StaleDraft, open_draft, save_draft
from vaa.errors import Closed, Conflict, Invalid, NotFound
from vaa.models import Account, PartyInvitation, PartySubmission, PartyWindow, utcnow
from vaa.rules import is_email, is_url

DEFAULT_INVITATION_DAYS = 14
MAX_INVITATION_DAYS = 90
DEFAULT_LIMIT = 500
"""Characters per language of a justification, unless the election sets another limit."""
MAX_LIMIT = 5000
MAX_COMMENT = 4000
MAX_SOURCE = 2000
STATUSES = ("draft", "pending", "returned", "approved")


# --- the election's draft, as parties see it ----------------------------------------------


def draft_entity(data: dict[str, Any], entity: str) -> dict[str, Any] | None:
    """The entity with this id in draft data, or None."""
    for found in data.get("entities", []):
        if found.get("id") == entity:
            return dict(found)
    return None


def statements(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data.get("questionnaire", {}).get("statements", []))


def languages(data: dict[str, Any]) -> list[str]:
    return list(data.get("questionnaire", {}).get("languages", []))


def scale_ids(data: dict[str, Any]) -> list[str]:
    return [option["id"] for option in data.get("questionnaire", {}).get("scale", [])]


def normalize(position: dict[str, Any] | None) -> dict[str, Any]:
    """A position in the working-copy shape (None becomes "no position")."""
    position = position or {}
    justification = position.get("justification") or {}
    return {
        "answer": position.get("answer") or None,
        "justification": {lang: text for lang, text in justification.items() if text},
        "source": position.get("source") or None,
    }


def draft_positions(data: dict[str, Any], entity: str) -> dict[str, dict[str, Any]]:
    """The entity's positions in the draft, one per statement, in the working-copy shape."""
    found = draft_entity(data, entity) or {}
    held = found.get("positions") or {}
    return {s["id"]: normalize(held.get(s["id"])) for s in statements(data)}


# --- the window: deadline, lock, justification limit --------------------------------------


def window(session: Session, *, election: str) -> PartyWindow:
    """The election's window (an unsaved default one: open, no deadline, 500 characters)."""
    found = session.exec(select(PartyWindow).where(PartyWindow.election == election)).first()
    return found or PartyWindow(election=election, justification_limit=DEFAULT_LIMIT)


def closed_reason(found: PartyWindow, now: datetime | None = None) -> str | None:
    """'locked', 'deadline' (passed), or None while parties may still change things."""
    if found.locked:
        return "locked"
    if found.deadline is not None and (now or utcnow()) >= found.deadline:
        return "deadline"
    return None


def _describe_window(found: PartyWindow) -> dict[str, Any]:
    return {
        "deadline": found.deadline,
        "locked": found.locked,
        "justification_limit": found.justification_limit,
    }


def set_window(
    session: Session,
    *,
    election: str,
    deadline: datetime | None,
    locked: bool,
    justification_limit: int,
    actor: Account | str,
) -> PartyWindow:
    """Set the deadline (UTC), the lock and the limit of an election's party editing."""
    if open_draft(session, slug=election) is None:
        raise NotFound("election", f"no election {election!r}")
    if not 1 <= justification_limit <= MAX_LIMIT:
        raise Invalid("limit", f"the limit must be between 1 and {MAX_LIMIT}")
    found = window(session, election=election)
    before = _describe_window(found) if found.id is not None else None
    found.deadline = deadline
    found.locked = locked
    found.justification_limit = justification_limit
    found.updated_at = utcnow()
    session.add(found)
    session.flush()
    audit.record(
        session, actor, "party.window", f"election:{election}", before, _describe_window(found)
    )
    return found


# --- invitations --------------------------------------------------------------------------


def invitation_status(invitation: PartyInvitation, now: datetime | None = None) -> str:
    """'accepted', 'revoked', 'expired' or 'open'."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "open"


def invitations(session: Session, *, election: str) -> list[PartyInvitation]:
    """The election's invitations, newest first."""
    query = (
        select(PartyInvitation)
        .where(PartyInvitation.election == election)
        .order_by(col(PartyInvitation.created_at).desc(), col(PartyInvitation.id).desc())
    )
    return list(session.exec(query))


def _target(election: str, entity: str) -> str:
    return f"entity:{election}/{entity}"


def create_invitation(
    session: Session,
    *,
    election: str,
    entity: str,
    days: int = DEFAULT_INVITATION_DAYS,
    actor: Account | str,
    now: datetime | None = None,
) -> tuple[PartyInvitation, str]:
    """A new invitation for an entity of the election's draft, and its token (shown once)."""
    opened = open_draft(session, slug=election)
    if opened is None:
        raise NotFound("election", f"no election {election!r}")
    if draft_entity(opened.data, entity) is None:
        raise Invalid("entity", f"election {election!r} has no entity {entity!r}")
    if not 1 <= days <= MAX_INVITATION_DAYS:
        raise Invalid("days", f"an invitation is valid for 1 to {MAX_INVITATION_DAYS} days")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    invitation = PartyInvitation(
        election=election,
        entity=entity,
        token_hash=token_digest(token),
        created_by=audit.actor_name(actor)[:254],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        actor,
        "party.invitation.create",
        _target(election, entity),
        None,
        {"invitation": invitation.id, "expires_at": invitation.expires_at},
    )
    return invitation, token


def revoke_invitation(
    session: Session, *, election: str, invitation_id: int, actor: Account | str
) -> PartyInvitation:
    """Revoke an invitation; if it was accepted, the party account it made is deactivated."""
    invitation = session.get(PartyInvitation, invitation_id)
    if invitation is None or invitation.election != election:
        raise NotFound("invitation", "no such invitation")
    if invitation.revoked_at is not None:
        return invitation
    before = invitation_status(invitation)
    invitation.revoked_at = utcnow()
    session.add(invitation)
    deactivated = None
    if invitation.account_id is not None:
        account = session.get(Account, invitation.account_id)
        if account is not None and account.active:
            account.active = False
            session.add(account)
            deactivated = account.email
    session.flush()
    audit.record(
        session,
        actor,
        "party.invitation.revoke",
        _target(election, invitation.entity),
        {"invitation": invitation.id, "status": before},
        {"invitation": invitation.id, "status": "revoked", "deactivated": deactivated},
    )
    return invitation


def find_invitation(
    session: Session, *, token: str, now: datetime | None = None
) -> PartyInvitation | None:
    """The open invitation (not used, revoked or expired) with this token, or None."""
    found = first_by_token(session, select(PartyInvitation), col(PartyInvitation.token_hash), token)
    if found is None or invitation_status(found, now) != "open":
        return None
    return found


def accept_invitation(session: Session, *, token: str, email: str, password: str) -> Account:
    """Create the party account an open invitation offers; the link then stops working."""
    invitation = find_invitation(session, token=token)
    if invitation is None:
        raise NotFound("link", "this invitation is not valid (used, expired or revoked)")
    opened = open_draft(session, slug=invitation.election)
    if opened is None or draft_entity(opened.data, invitation.entity) is None:
        raise NotFound("link", "the party of this invitation no longer exists")
    email = normalize_email(email)
    if not is_email(email):
        raise Invalid("email", f"{email!r} is not an e-mail address")
    check_password(password)  # Invalid with code short/long
    if session.exec(select(Account.id).where(Account.email == email)).first() is not None:
        raise Conflict("exists", f"an account for {email} already exists")
    # Built here rather than by accounts.create_account: the entity may exist only in the
    # draft of an election that was never published yet.
    account = Account(
        email=email,
        password_hash=hash_password(password),
        role="party",
        election=invitation.election,
        entity=invitation.entity,
    )
    session.add(account)
    session.flush()
    # Claim the invitation in one UPDATE, so two forms sent at once cannot both use it.
    claimed = session.exec(
        update(PartyInvitation)
        .where(
            col(PartyInvitation.id) == invitation.id,
            col(PartyInvitation.accepted_at).is_(None),
            col(PartyInvitation.revoked_at).is_(None),
        )
        .values(accepted_at=utcnow(), account_id=account.id)
    )
    if claimed.rowcount != 1:
        raise NotFound("link", "this invitation is not valid (used, expired or revoked)")
    target = _target(invitation.election, invitation.entity)
    audit.record(session, email, "account.create", f"account:{email}", None, describe(account))
    audit.record(
        session, email, "party.invitation.accept", target, None, {"invitation": invitation.id}
    )
    return account


# --- a party's working copy ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One problem in a party's form: which statement and field, and what is wrong."""

    statement: str
    field: str  # answer | justification | source
    code: str  # answer | too_long | source | needs_answer | untranslated
    language: str | None = None
    length: int | None = None
    limit: int | None = None


def clean_text(text: str) -> str:
    """A justification as stored: line breaks as \\n, no surrounding blanks."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def check_positions(
    raw: dict[str, dict[str, Any]], *, data: dict[str, Any], limit: int
) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """The working copy a form describes, and every problem in it.

    `raw` maps a statement id to {"answer": str, "justification": {language: str},
    "source": str}; statements the draft does not have are ignored.
    """
    options = set(scale_ids(data))
    langs = languages(data)
    positions: dict[str, dict[str, Any]] = {}
    errors: list[FieldError] = []
    for statement in statements(data):
        sid = statement["id"]
        given = raw.get(sid, {})
        answer = (given.get("answer") or "").strip() or None
        if answer is not None and answer not in options:
            errors.append(FieldError(sid, "answer", "answer"))
        justification: dict[str, str] = {}
        for lang in langs:
            text = clean_text(str((given.get("justification") or {}).get(lang) or ""))
            if len(text) > limit:
                errors.append(FieldError(sid, "justification", "too_long", lang, len(text), limit))
            if text:
                justification[lang] = text
        source = (given.get("source") or "").strip() or None
        if source is not None and (len(source) > MAX_SOURCE or not is_url(source)):
            errors.append(FieldError(sid, "source", "source"))
        if answer is None and (justification or source):
            errors.append(FieldError(sid, "answer", "needs_answer"))
        positions[sid] = {"answer": answer, "justification": justification, "source": source}
    return positions, errors


def untranslated(positions: dict[str, dict[str, Any]], data: dict[str, Any]) -> list[FieldError]:
    """Justifications given in some of the election's languages but not all, per language.

    The rule is the publish check's (vaa.diagnostics.missing_languages): such a position
    would fail at publish, so the portal and review say so when it is entered.
    """
    langs = languages(data)
    return [
        FieldError(s["id"], "justification", "untranslated", language)
        for s in statements(data)
        if (position := positions.get(s["id"])) and position.get("answer")
        for language in missing_languages(position.get("justification"), langs)
    ]


def submission(session: Session, *, election: str, entity: str) -> PartySubmission | None:
    query = select(PartySubmission).where(
        PartySubmission.election == election, PartySubmission.entity == entity
    )
    return session.exec(query).first()


def working_positions(
    session: Session, *, election: str, entity: str, data: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """What the party's form shows: its working copy, else what the draft holds for it."""
    current = draft_positions(data, entity)
    found = submission(session, election=election, entity=entity)
    if found is not None:
        for sid, position in found.positions.items():
            if sid in current:
                current[sid] = normalize(position)
    return current


def missing(positions: dict[str, dict[str, Any]], data: dict[str, Any]) -> list[str]:
    """The ids of the draft's statements without an answer, in questionnaire order."""
    return [s["id"] for s in statements(data) if not positions.get(s["id"], {}).get("answer")]


def _changed(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if normalize(before.get(k)) != normalize(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def save_positions(
    session: Session,
    *,
    election: str,
    entity: str,
    positions: dict[str, dict[str, Any]],
    actor: Account | str,
    submit: bool = False,
    now: datetime | None = None,
) -> PartySubmission:
    """Keep the party's working copy, and with `submit` send it for review.

    Closed after the deadline or under a lock, and while a submission awaits review.
    """
    reason = closed_reason(window(session, election=election), now)
    if reason is not None:
        raise Closed(reason, f"changes are closed ({reason})")
    found = submission(session, election=election, entity=entity)
    if found is not None and found.status == "pending":
        raise Conflict("pending", "the submission is being reviewed")
    opened = open_draft(session, slug=election)
    if opened is None or draft_entity(opened.data, entity) is None:
        raise NotFound("entity", f"election {election!r} has no entity {entity!r}")
    if submit and untranslated(positions, opened.data):
        # A draft may be saved half-translated (a party often writes one language first);
        # what goes to review must be complete, or it would fail only at publish.
        raise Invalid("untranslated", "a justification lacks one of the election's languages")
    now = now or utcnow()
    name = audit.actor_name(actor)[:254]
    old = dict(found.positions) if found is not None else draft_positions(opened.data, entity)
    if found is None:
        found = PartySubmission(election=election, entity=entity, positions={}, updated_by=name)
    found.positions = {k: normalize(v) for k, v in positions.items()}
    found.updated_at = now
    found.updated_by = name
    if submit:
        found.status = "pending"
        found.submitted_at = now
    elif found.status != "returned":  # a returned one keeps its status and comment
        found.status = "draft"
    session.add(found)
    session.flush()
    before, after = _changed(old, found.positions)
    target = _target(election, entity)
    if after or not submit:
        audit.record(session, actor, "party.save", target, before, after)
    if submit:
        audit.record(
            session,
            actor,
            "party.submit",
            target,
            None,
            {"status": "pending", "missing": missing(found.positions, opened.data)},
        )
    return found


# --- review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What a submission changes about one statement: the draft's position and the new one."""

    statement: str
    before: dict[str, Any]
    after: dict[str, Any]
    fields: tuple[str, ...]  # "answer", "justification:<language>", "source"


def diff(data: dict[str, Any], entity: str, positions: dict[str, Any]) -> list[Change]:
    """Every statement whose position the submission changes, in questionnaire order."""
    current = draft_positions(data, entity)
    changes: list[Change] = []
    for statement in statements(data):
        sid = statement["id"]
        if sid not in positions:
            continue  # a statement added to the draft after the party last saved
        before, after = current[sid], normalize(positions[sid])
        fields: list[str] = []
        if before["answer"] != after["answer"]:
            fields.append("answer")
        for lang in languages(data):
            if before["justification"].get(lang) != after["justification"].get(lang):
                fields.append(f"justification:{lang}")
        if before["source"] != after["source"]:
            fields.append("source")
        if fields:
            changes.append(Change(sid, before, after, tuple(fields)))
    return changes


def submissions(session: Session, *, election: str) -> list[PartySubmission]:
    """The election's submissions, pending first, then the most recently changed."""
    order = {"pending": 0, "returned": 1, "draft": 2, "approved": 3}
    found = session.exec(select(PartySubmission).where(PartySubmission.election == election))
    return sorted(found, key=lambda s: (order.get(s.status, 9), -s.updated_at.timestamp()))


def _pending(session: Session, election: str, entity: str) -> PartySubmission:
    found = submission(session, election=election, entity=entity)
    if found is None:
        raise NotFound("submission", "no submission for this party")
    if found.status != "pending":
        raise Conflict("not_pending", "this submission is not awaiting review")
    return found


def _close_review(
    session: Session,
    found: PartySubmission,
    status: str,
    actor: Account | str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Mark a pending submission approved or returned by `actor`, and log it."""
    found.status = status
    found.reviewed_at = utcnow()
    found.reviewed_by = audit.actor_name(actor)[:254]
    session.add(found)
    session.flush()
    action = {"approved": "party.approve", "returned": "party.return"}[status]
    audit.record(session, actor, action, _target(found.election, found.entity), before, after)


def return_submission(
    session: Session, *, election: str, entity: str, comment: str, actor: Account | str
) -> PartySubmission:
    """Send a submission back to the party with a comment saying what to change."""
    found = _pending(session, election, entity)
    comment = clean_text(comment)
    if not comment:
        raise Invalid("comment_missing", "say what the party should change")
    if len(comment) > MAX_COMMENT:
        raise Invalid("comment_long", f"the comment may have at most {MAX_COMMENT} characters")
    found.comment = comment
    _close_review(
        session,
        found,
        "returned",
        actor,
        {"status": "pending"},
        {"status": "returned", "comment": comment},
    )
    return found


def approve_submission(
    session: Session, *, election: str, entity: str, revision: int, actor: Account | str
) -> int:
    """Write a submission's positions into the draft opened at `revision`; the new revision.

    StaleDraft if the draft changed since the reviewer saw the differences.
    """
    found = _pending(session, election, entity)
    opened = open_draft(session, slug=election)
    if opened is None:
        raise NotFound("election", f"no election {election!r}")
    if opened.revision != revision:
        raise StaleDraft(f"the draft of {election!r} changed since it was opened")
    data = opened.data
    held = next((e for e in data.get("entities", []) if e.get("id") == entity), None)
    if held is None:
        raise NotFound("entity", f"election {election!r} has no entity {entity!r}")
    if untranslated(found.positions, data):
        # Approving would write into the draft a position the publish check refuses.
        raise Invalid("untranslated", "a justification lacks one of the election's languages")
    changes = diff(data, entity, found.positions)
    positions = dict(held.get("positions") or {})
    for change in changes:
        new = change.after
        if new["answer"] is None:
            positions.pop(change.statement, None)
            continue
        position: dict[str, Any] = {"answer": new["answer"]}
        if new["justification"]:
            position["justification"] = dict(new["justification"])
        if new["source"]:
            position["source"] = new["source"]
        positions[change.statement] = position
    # Keep the draft's statement order, as the data files do.
    order = [s["id"] for s in statements(data)]
    held["positions"] = {k: positions[k] for k in order if k in positions} | {
        k: v for k, v in positions.items() if k not in order
    }
    if held["positions"]:
        # A candidate who stood on its party's answers now has answers of its own.
        held.pop("positions_from", None)
    new_revision = save_draft(session, slug=election, data=data, revision=revision)
    _close_review(
        session,
        found,
        "approved",
        actor,
        {c.statement: c.before for c in changes},
        {c.statement: c.after for c in changes},
    )
    return new_revision
