"""Reading the content pages' forms: fields, texts per language, ids, and their errors.

Errors are translatable messages (msgids, marked with N_) keyed by field name; the
templates show each next to its field in the editor's language.
"""

import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from vaa.draft_items import ItemInvalid
from vaa.rules import SLUG

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


MAX_TEXT = 5000


def N_(message: str) -> str:
    """Mark a message for translation; the template translates it."""
    return message


@dataclass(frozen=True)
class Message:
    """A translatable message (msgid) with its %(name)s values, for a template."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)


Errors = dict[str, Message]


"""Form errors by field name."""


async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The request's form (Starlette caches it; the CSRF check has read it already).

    Uploaded files are closed once the response is sent.
    """
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(read_form)]


def get(form: FormData, name: str) -> str:
    """A text field, stripped; '' when absent or a file."""
    value = form.get(name)
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else ""


def form_values(form: FormData) -> dict[str, str]:
    """The form's text fields as sent, to fill the form again."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def revision_of(form: FormData) -> int:
    try:
        return int(get(form, "revision"))
    except ValueError:
        raise HTTPException(400, "the form has no valid revision: reload the page") from None


def text_field(form: FormData, prefix: str, langs: Iterable[str], errors: Errors) -> dict[str, str]:
    """{language: text} from the fields prefix_<lang>; empty languages are left out."""
    text = {}
    for lang in langs:
        value = get(form, f"{prefix}_{lang}")
        if len(value) > MAX_TEXT:
            errors[f"{prefix}_{lang}"] = Message(
                N_("This text is too long (at most %(n)s characters)."), {"n": MAX_TEXT}
            )
        elif value:
            text[lang] = value
    return text


def text_values(prefix: str, text: dict[str, str] | None, langs: Iterable[str]) -> dict[str, str]:
    """Form values prefix_<lang> for a text."""
    return {f"{prefix}_{lang}": (text or {}).get(lang, "") for lang in langs}


def check_slug(value: str, taken: Iterable[str], errors: Errors, name: str = "id") -> None:
    if not value:
        errors[name] = Message(N_("Enter an id."))
    elif not SLUG.match(value):
        errors[name] = Message(
            N_(
                "Use only lower-case Latin letters, digits and hyphens (for example: public-transport)."
            )
        )
    elif value == "new":
        errors[name] = Message(N_("The id “new” is reserved: please choose another."))
    elif value in set(taken):
        errors[name] = Message(N_("The id %(id)s is already used here."), {"id": value})


FIELD_MESSAGES = {
    "settings.languages": N_("Choose at least one language."),
    "settings.title": N_("Enter the title in at least one language."),
    "settings.date": N_("Enter a date as YYYY-MM-DD."),
    "settings.method": N_("Choose one of the options."),
    "settings.missing": N_("Choose one of the options."),
    "scale.label": N_("Enter this text in at least one language."),
    "position.statement": N_("Choose one of the options."),
    "position.answer": N_("Choose one of the options."),
    "position.source": N_("Enter a web address starting with https:// or http://."),
}
"""The content pages' words for the field codes of vaa.draft_edits' ItemInvalid."""
_UNKNOWN_FIELD = N_("Something in the request is not valid. Please check what you entered.")


def field_errors(refused: ItemInvalid, at: Mapping[str, str] | None = None) -> Errors:
    """The domain's refusal as form errors, each field's code in the pages' words; `at`
    names the form field of a domain field where they differ (a text's first language)."""
    return {
        (at or {}).get(name, name): Message(FIELD_MESSAGES.get(code, _UNKNOWN_FIELD))
        for name, code in refused.fields.items()
    }
