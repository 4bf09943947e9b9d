"""The content of an election as the data files describe it (formats.md).

These pydantic models are the one in-memory shape of an election: the YAML files
are parsed into them, the database stores and returns them, bundles are built from
them. Their field order is the order the files are written in.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
"""An id: lower-case letters, digits and hyphens, as in URLs."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Text = dict[LanguageCode, Annotated[str, StringConstraints(min_length=1)]]
"""A human text in every language of the election: {language: text}."""

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Method = Literal["cityblock", "euclidean", "directional", "hybrid"]
MissingPolicy = Literal["max", "neutral", "skip"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ScaleOption(_Strict):
    id: Slug
    label: Text


class Theme(_Strict):
    id: Slug
    label: Text


class Axis(_Strict):
    id: Slug
    label: Text
    low: Text
    high: Text


class Statement(_Strict):
    id: Slug
    theme: Slug
    text: Text
    info: Text | None = None
    axes: dict[Slug, Annotated[float, Field(ge=-1, le=1)]] = Field(default_factory=dict)


class MatchingDefaults(_Strict):
    method: Method = "cityblock"
    missing: MissingPolicy = "max"


class Questionnaire(_Strict):
    election: Slug
    title: Text
    languages: Annotated[list[LanguageCode], Field(min_length=1)]
    date: dt.date | None = None
    description: Text | None = None
    publisher: Text | None = None
    scale: Annotated[list[ScaleOption], Field(min_length=2, max_length=11)]
    themes: Annotated[list[Theme], Field(min_length=1)]
    axes: list[Axis] = Field(default_factory=list)
    statements: Annotated[list[Statement], Field(min_length=1)]
    matching: MatchingDefaults = Field(default_factory=MatchingDefaults)


class Position(_Strict):
    answer: Slug
    justification: Text | None = None
    source: Url | None = None


class Entity(_Strict):
    id: Slug
    kind: Literal["party", "candidate"]
    name: Text
    short: Text | None = None
    color: Color | None = None
    url: Url | None = None
    party: Slug | None = None
    constituency: str | None = None
    fictional: bool = False
    description: Text | None = None
    positions: dict[Slug, Position] = Field(default_factory=dict)


class Parties(_Strict):
    election: Slug
    entities: list[Entity]


class ElectionContent(_Strict):
    """A whole election: what one published version freezes."""

    questionnaire: Questionnaire
    entities: list[Entity]

    @property
    def slug(self) -> str:
        return self.questionnaire.election
