"""Typed dependencies shared by every route."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Form, Request
from sqlmodel import Session

from vaa.errors import Invalid, NotFound
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


FormText = Annotated[str, Form()]
"""A text field of a posted form ("" when the form leaves it out)."""


@dataclass(frozen=True)
class NewPassword:
    """A new password typed twice (the `password` and `confirm` fields of a form)."""

    password: str
    confirm: str

    def checked(self) -> str:
        """The password; Invalid (code mismatch) when the two fields differ."""
        if self.password != self.confirm:
            raise Invalid("mismatch", "the passwords differ")
        return self.password


def get_new_password(password: FormText = "", confirm: FormText = "") -> NewPassword:
    return NewPassword(password, confirm)


NewPasswordDep = Annotated[NewPassword, Depends(get_new_password)]
