"""Drafts: where editors change an election before it is published.

A draft is the next version's content as plain data (the shape of
vaa.publish.content_data). It may be incomplete while people work on it; only
`publish_draft` validates it, and only a valid draft becomes a version. Published
versions are never touched, so voters see nothing until the next publish.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from vaa import audit
from vaa.content import ElectionContent, Entity, Questionnaire
from vaa.content_defaults import default_scale
from vaa.draft_model import ElectionDraft
from vaa.errors import Conflict, NotFound
from vaa.formats import DataError, Problem, check_content, field_name
from vaa.models import Account, Draft, Election, utcnow
from vaa.publish import content_data
from vaa.rules import METHODS, MISSING
from vaa.store import PublishOutcome, get_election, latest_published, publish, read_content


class StaleDraft(Conflict):
    """Someone saved the draft since this editor opened it."""

    def __init__(self, message: str) -> None:
        super().__init__("stale", message)


@dataclass(frozen=True)
class OpenDraft:
    election: Election
    data: dict[str, Any]
    revision: int
    published: bool  # whether any version of the election has been published

    @property
    def slug(self) -> str:
        return self.election.slug

    @property
    def languages(self) -> list[str]:
        return list(self.data["questionnaire"].get("languages") or [])

    def model(self) -> ElectionDraft:
        """The draft as its lenient model (a copy: changing it changes nothing stored)."""
        return ElectionDraft.load(self.data)


def new_election_data(slug: str, title: dict[str, str], languages: list[str]) -> dict[str, Any]:
    """An empty election: the title, a five-point scale and nothing else yet."""
    return {
        "questionnaire": {
            "election": slug,
            "title": dict(title),
            "languages": list(languages),
            "scale": default_scale(languages),
            "themes": [],
            "axes": [],
            "statements": [],
            "matching": {"method": METHODS[0], "missing": MISSING[0]},
        },
        "entities": [],
    }


class ElectionExists(Conflict):
    """An election with this slug exists already."""

    def __init__(self, slug: str) -> None:
        super().__init__("election.exists", f"an election {slug!r} already exists", slug=slug)


def create_election(
    session: Session,
    *,
    slug: str,
    title: dict[str, str],
    languages: list[str],
    actor: Account | str | None = None,
) -> Election:
    """A new election with an empty draft (ElectionExists if the slug is taken).

    With an actor, the creation is written to the audit log (the caller commits both).
    """
    if get_election(session, slug=slug) is not None:
        raise ElectionExists(slug)
    election = Election(slug=slug)
    session.add(election)
    session.flush()
    assert election.id is not None
    session.add(Draft(election_id=election.id, data=new_election_data(slug, title, languages)))
    session.flush()
    if actor is not None:
        after = {"slug": slug, "title": title, "languages": languages}
        audit.record(session, actor, "election.create", slug, after=after)
    return election


def open_draft(session: Session, *, slug: str) -> OpenDraft | None:
    """The election's draft; started from the newest published version if there is none."""
    election = get_election(session, slug=slug)
    if election is None:
        return None
    assert election.id is not None
    published = latest_published(session, election_id=election.id)
    draft = session.exec(select(Draft).where(Draft.election_id == election.id)).first()
    if draft is None:
        if published is None:
            return None
        draft = Draft(
            election_id=election.id,
            data=content_data(read_content(session, version=published, slug=slug)),
        )
        session.add(draft)
        session.flush()
    return OpenDraft(election, copy.deepcopy(draft.data), draft.revision, published is not None)


def save_draft(session: Session, *, slug: str, data: dict[str, Any], revision: int) -> int:
    """Store new draft data; the revision must be the one opened (StaleDraft if not)."""
    election = get_election(session, slug=slug)
    if election is None:
        raise LookupError(f"no election {slug!r}")
    draft = session.exec(select(Draft).where(Draft.election_id == election.id)).one()
    if draft.revision != revision:
        raise StaleDraft(f"the draft of {slug!r} changed since it was opened")
    draft.data = copy.deepcopy(data)
    draft.revision += 1
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft.revision


def edit_draft(
    session: Session,
    actor: Account | str,
    *,
    slug: str,
    revision: int,
    change: Callable[[ElectionDraft], tuple[Any, Any]],
    action: str,
    target: str,
) -> int:
    """Apply `change` to the draft opened at `revision` and store it with its audit entry
    (the caller commits both at once); the new revision.

    `change` edits the draft model in place and returns what the audit entry shows as
    before and after; it raises the typed error of a refused change. StaleDraft, with
    nothing stored, when someone saved the draft since that revision.
    """
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise NotFound("election", f"no election {slug!r}")
    if opened.revision != revision:
        raise StaleDraft(f"the draft of {slug!r} changed since it was opened")
    draft = opened.model()
    before, after = change(draft)
    new_revision = save_draft(session, slug=slug, data=draft.dump(), revision=revision)
    audit.record(session, actor, action, target, before=before, after=after)
    return new_revision


def draft_content(data: dict[str, Any]) -> tuple[ElectionContent | None, list[Problem]]:
    """Validate draft data as publishing does: the content, or every problem found."""
    origin = f"election {data.get('questionnaire', {}).get('election', '?')}"
    try:
        # As JSON: the draft is JSON data, so a date is an ISO string there (strict mode
        # accepts that only in JSON mode).
        content = ElectionContent.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        return None, [
            Problem(origin, 0, field_name(tuple(e["loc"])), e["msg"]) for e in exc.errors()
        ]
    problems = check_content(content, origin=origin)
    return (None, problems) if problems else (content, [])


_DUMMY_THEME = {"id": "x", "label": {}}
_DUMMY_STATEMENT = {"id": "x", "theme": "x", "text": {}}


def lenient_content(data: dict[str, Any]) -> ElectionContent | None:
    """The draft as content even while it has no theme or statement yet (None if malformed).

    Only the shape is checked, not the references or languages (publishing checks those):
    diagnostics, translation counts and spreadsheets work on a draft in progress.
    """
    try:
        return ElectionContent.model_validate_json(json.dumps(data))
    except ValidationError:
        pass
    q = dict(data.get("questionnaire") or {})
    empty = [k for k in ("themes", "statements") if not q.get(k)]
    if not empty:
        return None
    if "themes" in empty:
        q["themes"] = [_DUMMY_THEME]
    if "statements" in empty:
        q["statements"] = [_DUMMY_STATEMENT]
    try:
        questionnaire = Questionnaire.model_validate_json(json.dumps(q))
        entities = [Entity.model_validate_json(json.dumps(e)) for e in data.get("entities") or []]
    except ValidationError:
        return None
    questionnaire = questionnaire.model_copy(update={k: [] for k in empty})
    return ElectionContent.model_construct(questionnaire=questionnaire, entities=entities)


def readable_content(data: dict[str, Any]) -> tuple[ElectionContent | None, list[Problem]]:
    """The draft as content for the pages that work on a draft in progress (diagnostics,
    spreadsheets), or, when it is too broken for that, every problem publishing finds."""
    content = lenient_content(data)
    if content is not None:
        return content, []
    return None, draft_content(data)[1]


def publish_draft(
    session: Session, *, slug: str, actor: Account | str | None = None
) -> PublishOutcome:
    """Freeze the draft as the next published version (DataError with every problem).

    With an actor, a new version is written to the audit log (the caller commits both).
    """
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise LookupError(f"no draft for {slug!r}")
    content, problems = draft_content(opened.data)
    if content is None:
        raise DataError(problems)
    assert opened.election.id is not None
    before = latest_published(session, election_id=opened.election.id)
    outcome = publish(session, content=content)
    if actor is not None and outcome.created:
        version = outcome.version
        audit.record(
            session,
            actor,
            "election.publish",
            slug,
            before={"number": before.number, "version": before.checksum} if before else None,
            after={"number": version.number, "version": version.checksum},
        )
    return outcome
