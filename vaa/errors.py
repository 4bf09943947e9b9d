"""The domain's errors: one hierarchy, each error with a stable code and its parameters.

As in httpx's exceptions module, the class says what kind of thing went wrong and a
caller catches the kind it handles: NotFound, Invalid, Conflict, Closed, Gone and
TooMany, all VaaError. `code` names the problem ("statement.unknown"), `params` holds
its details, `str(error)` is the English message (logs, the command line).

The English sentences of the codes live here, in MESSAGES, and are the msgids of the
errors catalog (frontend/locales/*/LC_MESSAGES/errors.po); api/errors.py maps each class
to an HTTP status and each message to the reader's language. Nothing here knows HTTP.
tests/unit/test_errors.py walks every code vaa raises: a new one needs its entry here and
its translation in all five catalogs.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Self

MESSAGES: dict[str, str] = {
    # answers sent to be scored or stored (the API, the no-JavaScript results page)
    "answers.none": "no statement answered: answer at least one (with a weight above 0)",
    "answers.statement": "unknown statement '%(statement)s'",
    "answers.option": "'%(option)s' is not an answer option for '%(statement)s' "
    "(options: %(options)s)",
    "answers.weight": "weight for unknown statement '%(statement)s'",
    "answers.weight_value": "weight %(weight)s for '%(statement)s' is not one of %(weights)s",
    "answers.language": "language '%(language)s' is not one of %(languages)s",
    "answers.constituency": "unknown constituency '%(constituency)s' "
    "(constituencies: %(constituencies)s)",
    "answers.race": "the election has no race '%(race)s' (races: %(races)s)",
    "answers.engine": "the answers could not be scored",
    "donation.token": "the donation token is unknown, used or expired: reload the result",
    "election.unknown": "no published election '%(election)s'",
    "election.version": "no published version '%(version)s' of election '%(election)s'",
    "election.archived": "the election is archived: it takes no answers",
    "election.exists": "an election '%(slug)s' already exists",
    # editing a draft (vaa.drafts, vaa.draft_items, vaa.draft_edits)
    "draft.item": "no item '%(item)s' in this draft",
    "draft.id_taken": "the id '%(id)s' is already used",
    "draft.in_use": "'%(item)s' is still in use",
    "draft.malformed": "the draft has problems to fix first",
    # the field codes of ItemInvalid (one per form field; the page words the same rules)
    "settings.languages": "Enter at least one language code, such as ka or en.",
    "settings.title": "Enter the title in at least one language.",
    "settings.date": "Enter a date as YYYY-MM-DD.",
    "settings.method": "Choose one of the options.",
    "settings.missing": "Choose one of the options.",
    "scale.label": "Enter this text in at least one language.",
    "position.statement": "This statement is not in the questionnaire.",
    "position.answer": "Choose one of the answers of the scale.",
    "position.source": "Enter a web address starting with https:// or http://.",
    "entity.party_of_party": "Only a candidate can belong to a party.",
    "entity.backing_of_party": "Only a candidate can be backed by parties.",
    "entity.backing_repeats_party": "The nominating party is already the candidate's party.",
    "entity.positions_and_positions_from": "This entity has positions of its own: "
    "delete them first, or keep them.",
    "form.empty": "no answers in the form",
    "form.not_text": "'%(field)s' is not a text field",
    "form.twice": "'%(field)s' is given twice",
    "form.weight": "'%(field)s' must be 0, 1 or 2, not '%(value)s'",
    "form.method": "unknown method '%(method)s'",
    "form.version": "no questionnaire version in the form",
    "form.consent": "Please tick the box first.",
    # spreadsheet import, one problem per cell (sheet, row, column)
    "sheet.cell.empty": "is empty",
    "sheet.cell.id": "'%(value)s' is not a valid id (lower-case letters, digits and hyphens)",
    "sheet.cell.url": "'%(value)s' is not a web address (https://…)",
    "sheet.cell.formula": "holds a formula without a saved value: open the file in a "
    "spreadsheet program, save it and upload it again",
    "sheet.cell.number": "'%(value)s' is not a number (from -1 to 1)",
    "sheet.cell.range": "%(value)s is not from -1 to 1",
    "sheet.answer.option": "'%(value)s' is not a scale option (%(options)s)",
    "sheet.answer.missing": "is empty, but the row has a justification or source",
    "sheet.statement.unknown": "unknown statement '%(value)s'",
    "sheet.statement.twice": "'%(value)s' appears twice (also in row %(row)s)",
    "sheet.statement.text": "a statement needs a text",
    "sheet.statements.none": "there must be at least one statement",
    "sheet.entity.unknown": "unknown entity '%(value)s'",
    "sheet.theme.unknown": "unknown theme '%(value)s'; themes: %(themes)s",
    "sheet.theme.name": "a theme needs a name",
    "sheet.theme.removed": "theme '%(theme)s' was removed but statement '%(statement)s' "
    "still uses it",
    "sheet.themes.none": "there must be at least one theme",
    "sheet.id.twice": "duplicate id '%(value)s' (also in row %(row)s)",
    "sheet.info.language": "is empty (info is in another language)",
    "sheet.column.heading": "has no heading",
    "sheet.column.unknown": "unknown column; expected %(columns)s",
    "sheet.column.twice": "appears twice",
    "sheet.column.missing": "column is missing",
    "sheet.unknown": "unknown sheet '%(value)s'; expected one of %(sheets)s",
    "sheet.file.unknown": "unknown file: its name should end in questionnaire.csv, "
    "themes.csv or positions.csv",
    "sheet.file.twice": "a second %(kind)s file (the first is %(first)s)",
    "sheet.file.mixed": "upload one workbook, or CSV files, not both",
    "sheet.file.utf8": "is not UTF-8 text: save it as CSV UTF-8",
}
"""Each code's English message, with %(name)s for its parameters."""


def shown(value: Any) -> str:
    """A parameter as a message shows it: lists joined by commas (quotes are the message's)."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


def format_message(template: str, params: Mapping[str, Any]) -> str:
    """A message with its parameters filled in."""
    return template % {name: shown(value) for name, value in params.items()} if params else template


class VaaError(Exception):
    """Something the domain refuses to do; `code` and `params` say what and why.

    A code of MESSAGES is always translated from its entry there (`template`); a message
    given with it only words the English text (logs, the command line) in more detail.
    A code outside MESSAGES (older callers, whose pages translate the code themselves)
    has the given message as its template.
    """

    def __init__(self, code: str, message: str | None = None, **params: Any) -> None:
        self.code = code
        self.params = params
        self.template = MESSAGES.get(code, message if message is not None else code)
        super().__init__(format_message(self.template, params) if message is None else message)

    @classmethod
    def joined(cls, problems: Sequence["VaaError"]) -> Self:
        """One error for several found at once: the English message lists them all, the
        code, parameters and translation are the first one's."""
        first = problems[0]
        error = cls(first.code, "; ".join(str(p) for p in problems), **first.params)
        error.template = first.template
        return error


class NotFound(VaaError, LookupError):
    """What the request names does not exist (or is not visible to the one asking)."""


class Invalid(VaaError, ValueError):
    """The request is malformed or names something that does not fit."""


class Conflict(VaaError):
    """The request clashes with the current state (a newer save, a duplicate, a review)."""


class Closed(VaaError):
    """The thing exists but takes no more changes (a deadline passed, a lock)."""


class Gone(VaaError):
    """The thing existed and has ended (a group session)."""


class TooMany(VaaError):
    """Too many attempts in a while; the next one is counted later."""


class InvalidAnswers(Invalid):
    """Answers that cannot be scored or stored: an unknown statement or option, none at all."""
