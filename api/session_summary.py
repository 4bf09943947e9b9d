"""A group session's anonymous summary, for its facilitator: who may see it (the session's
own facilitator, or an admin) and the summary itself, computed once per process and change.
Shared by the live API (api/routes/session_events.py) and the facilitator's pages."""

import threading
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from sqlmodel import Session

from api.auth import require_role
from api.deps import SessionDep
from vaa import group_sessions
from vaa.models import Account, GroupSession

facilitator = require_role("facilitator")


def managed_session(
    session_id: int, session: SessionDep, account: Annotated[Account, Depends(facilitator)]
) -> GroupSession:
    """The session in the path, if the signed-in facilitator runs it (admins: any), else 404."""
    group = session.get(GroupSession, session_id)
    if group is None or not group_sessions.may_manage(account, group):
        raise HTTPException(404, "no such group session")
    return group


ManagedSession = Annotated[GroupSession, Depends(managed_session)]


_SUMMARIES: dict[int, tuple[tuple[int, str], dict[str, Any]]] = {}
_SUMMARY_LOCK = threading.Lock()


def summary_of(
    session: Session, group: GroupSession, *, state: tuple[int, str] | None = None
) -> dict[str, Any]:
    """The summary at the session's current change, computed once per process and change.

    `state` is the session's `changes_of` when the caller has just read it (the stream).
    """
    assert group.id is not None
    # Read before the aggregate, so the summary is never older than the state it is kept for.
    state = state or group_sessions.changes_of(session, group_id=group.id)
    assert state is not None
    cached = _SUMMARIES.get(group.id)
    if cached is not None and cached[0] == state:
        return cached[1]
    summary = {**group_sessions.aggregate(session, group=group), "changes": state[0]}
    session.commit()  # a renewed cohort of the summary is kept (vaa.group_sessions._cohort)
    with _SUMMARY_LOCK:
        if len(_SUMMARIES) > 256:
            _SUMMARIES.clear()
        _SUMMARIES[group.id] = (state, summary)
    return summary
