"""Typed dependencies shared by every route."""

from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session

from vaa.errors import NotFound
from vaa.settings import Settings
from vaa.store import VersionRef, published_ref


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[sa.Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A session per request; committed by the route when it writes."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_published(election: str, session: SessionDep) -> VersionRef:
    """The newest published version of the election in the path, or 404."""
    ref = published_ref(session, slug=election)
    if ref is None:
        raise NotFound("election.unknown", election=election)
    return ref


PublishedDep = Annotated[VersionRef, Depends(get_published)]
