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


class Constituency(_Strict):
    """A place a voter can say they vote in; places form a tree through `within`."""

    id: Slug
    name: Text
    within: Slug | None = None


class Race(_Strict):
    """One ballot: who stands in it is listed on the entities; every voter in its
    constituency, or in any place within it, votes in it."""

    id: Slug
    title: Text
    constituency: Slug


class MatchingDefaults(_Strict):
    method: Method = "cityblock"
    missing: MissingPolicy = "max"
    # quick mode stops offering more statements at this certainty (docs/adaptive.md)
    settled: Annotated[float, Field(ge=0.5, le=0.99)] = 0.9


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
    constituencies: list[Constituency] = Field(default_factory=list)
    races: list[Race] = Field(default_factory=list)  # in ballot order
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
    party: Slug | None = None  # a candidate's nominating party; None for an independent
    backing: list[Slug] = Field(default_factory=list)  # other parties behind a joint candidate
    positions_from: Slug | None = None  # uses that entity's positions, having none of its own
    constituency: str | None = None
    races: list[Slug] = Field(default_factory=list)
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

    def positions_of(self, entity: Entity) -> dict[str, Position]:
        """The positions an entity is matched on: its own, or those it takes from another."""
        if entity.positions_from is None:
            return entity.positions
        source = next((e for e in self.entities if e.id == entity.positions_from), None)
        return source.positions if source is not None else {}
