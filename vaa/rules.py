"""The rules checked in many places, written once: ids, web addresses, e-mail addresses,
language codes, the matching method and missing-value names, and a text in the reader's
language with a fallback.

vaa/content.py builds its pydantic types from these patterns; the admin forms, the
spreadsheet import, accounts and the party portal match with them. The method names are
the matching engine's (vaa/matching.py stays free of our imports).
"""

import re
from collections.abc import Iterable, Mapping
from typing import get_args

from vaa.matching import Method, Missing

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
"""An id: lower-case letters, digits and hyphens, as in URLs (at most 63 characters)."""
SLUG = re.compile(SLUG_PATTERN)

URL_PATTERN = r"^https?://\S+$"
"""A web address: http:// or https://, no spaces."""
URL = re.compile(URL_PATTERN)
MAX_URL = 2000

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
"""A language code: ka, en, de-CH."""
LANGUAGE = re.compile(LANGUAGE_PATTERN)

METHODS: tuple[Method, ...] = get_args(Method)
"""The matching methods (matching.md), the default first."""
MISSING: tuple[Missing, ...] = get_args(Missing)
"""What a party's missing answer counts as, the default first."""


def is_slug(text: str) -> bool:
    return SLUG.match(text) is not None


def is_url(text: str) -> bool:
    return len(text) <= MAX_URL and URL.match(text) is not None


def is_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL and EMAIL.match(text) is not None


def text_in(
    text: Mapping[str, str] | None, language: str, fallbacks: Iterable[str] = (), default: str = ""
) -> str:
    """A text in the language, else in the first fallback language that has it, else in
    any language it has, else `default`."""
    if not text:
        return default
    for code in (language, *fallbacks):
        if text.get(code):
            return text[code]
    return next((value for value in text.values() if value), default)
