"""The lenient model of a draft: the shapes of vaa.content with every field optional.

A draft is an election still being written: it may have no theme, a statement without
a text in one language, a party with no positions. These models read whatever a draft
holds (unknown keys are kept, nothing is checked but the shape) and write back exactly
what they read plus what was changed: `ElectionDraft.load(data).dump() == data` for
every draft the app has stored. Publishing validates the draft against vaa.content's
strict models (vaa.drafts.draft_content).
"""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

Text = dict[str, str]
"""{language: text}; a language may be missing while the draft is being translated."""

Number = int | float
"""A loading or threshold as stored: 1 stays 1, 0.5 stays 0.5."""


class _Lenient(BaseModel):
    # extra="allow" and dumping with exclude_unset: a draft round-trips unchanged.
    model_config = ConfigDict(extra="allow", validate_assignment=False)

    def clear(self, name: str) -> None:
        """Remove an optional field, as if the draft never had it."""
        setattr(self, name, None)
        self.__pydantic_fields_set__.discard(name)

    def put(self, name: str, value: Any) -> None:
        """Set a field, or remove it when the value is empty (None, {} or [])."""
        if value is None or value == {} or value == []:
            self.clear(name)
        else:
            setattr(self, name, value)


class ScaleOptionDraft(_Lenient):
    id: str
    label: Text = Field(default_factory=dict)


class ThemeDraft(_Lenient):
    id: str
    label: Text = Field(default_factory=dict)


class AxisDraft(_Lenient):
    id: str
    label: Text = Field(default_factory=dict)
    low: Text = Field(default_factory=dict)
    high: Text = Field(default_factory=dict)


class StatementDraft(_Lenient):
    id: str
    theme: str | None = None
    text: Text = Field(default_factory=dict)
    info: Text | None = None
    axes: dict[str, Number] = Field(default_factory=dict)


class ConstituencyDraft(_Lenient):
    id: str
    name: Text = Field(default_factory=dict)
    within: str | None = None


class RaceDraft(_Lenient):
    id: str
    title: Text = Field(default_factory=dict)
    constituency: str | None = None


class MatchingDraft(_Lenient):
    method: str | None = None
    missing: str | None = None
    settled: Number | None = None


class PositionDraft(_Lenient):
    answer: str | None = None
    justification: Text | None = None
    source: str | None = None


class EntityDraft(_Lenient):
    id: str
    kind: str | None = None
    name: Text = Field(default_factory=dict)
    short: Text | None = None
    color: str | None = None
    url: str | None = None
    party: str | None = None
    backing: list[str] = Field(default_factory=list)
    positions_from: str | None = None
    constituency: str | None = None
    races: list[str] = Field(default_factory=list)
    fictional: bool | None = None
    description: Text | None = None
    positions: dict[str, PositionDraft] = Field(default_factory=dict)


class QuestionnaireDraft(_Lenient):
    election: str | None = None
    title: Text = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    date: str | None = None  # ISO, as JSON holds a date
    description: Text | None = None
    publisher: Text | None = None
    scale: list[ScaleOptionDraft] = Field(default_factory=list)
    themes: list[ThemeDraft] = Field(default_factory=list)
    axes: list[AxisDraft] = Field(default_factory=list)
    statements: list[StatementDraft] = Field(default_factory=list)
    constituencies: list[ConstituencyDraft] = Field(default_factory=list)
    races: list[RaceDraft] = Field(default_factory=list)
    matching: MatchingDraft = Field(default_factory=MatchingDraft)


ItemDraft = ThemeDraft | AxisDraft | StatementDraft | ConstituencyDraft | RaceDraft | EntityDraft

ITEM_MODELS: dict[str, type[ItemDraft]] = {
    "themes": ThemeDraft,
    "axes": AxisDraft,
    "statements": StatementDraft,
    "constituencies": ConstituencyDraft,
    "races": RaceDraft,
    "entities": EntityDraft,
}
"""The model of each kind of item, by the name of its list."""


class ElectionDraft(_Lenient):
    """A whole draft: the questionnaire and the parties and candidates."""

    questionnaire: QuestionnaireDraft = Field(default_factory=QuestionnaireDraft)
    entities: list[EntityDraft] = Field(default_factory=list)

    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        """Read stored draft data (pydantic.ValidationError if its shape is wrong)."""
        return cls.model_validate(data)

    def dump(self) -> dict[str, Any]:
        """The draft as JSON data: what was loaded, with the changes made since."""
        return self.model_dump(mode="json", exclude_unset=True)

    @property
    def languages(self) -> list[str]:
        return list(self.questionnaire.languages)

    def items(self, kind: str) -> list[Any]:
        """The list of one kind of item (themes ... entities), marked to be written back."""
        if kind == "entities":
            self.entities = self.entities  # marks the field as set (dump writes it)
            return self.entities
        if kind not in ITEM_MODELS:
            raise KeyError(kind)
        found: list[Any] = getattr(self.questionnaire, kind)
        setattr(self.questionnaire, kind, found)
        self.__pydantic_fields_set__.add("questionnaire")
        return found

    def find(self, kind: str, item_id: str) -> Any | None:
        """The item of this kind with this id, if the draft has one."""
        return next((item for item in self.items(kind) if item.id == item_id), None)

    def entity(self, entity_id: str) -> EntityDraft | None:
        return next((e for e in self.entities if e.id == entity_id), None)
