"""Is a voter page wholly in its language? The catalogs' phrases and the text a voter sees.

Shared by the Georgian, Russian, Armenian and Azerbaijani page checks.
"""

import re

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from api.i18n import catalog_files

LATIN_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")
"""Three Latin-script words in a row: English on a page that should have none."""
_LINKS = re.compile(r"\S+@\S+|https?://\S+|\S+\.(?:ge|org|com)\S*")


def english_phrases(language: str) -> set[str]:
    """The catalogs' English UI phrases that `language` translates (a dozen characters or
    more, with a space and no placeholder): none of them may stand on its pages."""
    translated: dict[str, str] = {}
    for path in catalog_files(language):
        with path.open("rb") as po:
            for message in read_po(po, locale=language):
                if message.id and isinstance(message.id, str):
                    translated[message.id] = str(message.string)
    return {
        msgid
        for msgid, string in translated.items()
        if msgid != string and "%(" not in msgid and len(msgid) >= 12 and " " in msgid
    }


def visible_text(page: BeautifulSoup, *, besides: str = "") -> str:
    """The page's text as a voter reads it, white space folded; scripts, code and hidden
    parts left out, and the elements matching the CSS `besides` too (they are removed
    from `page`)."""
    dropped = "script, style, template, code, kbd, [hidden]" + (f", {besides}" if besides else "")
    for hidden in page.select(dropped):
        hidden.decompose()
    return " ".join(page.get_text(" ").split())


def foreign_in(
    page: BeautifulSoup,
    phrases: set[str],
    *,
    besides: str = "",
    script: re.Pattern[str] | None = None,
) -> list[str]:
    """What on the page is not in its language: the English `phrases` shown, runs of Latin
    words (links and addresses aside) and, given a `script` pattern, its matches."""
    shown = visible_text(page, besides=besides)
    found = [phrase for phrase in phrases if phrase in shown]
    found += LATIN_RUN.findall(_LINKS.sub(" ", shown))
    if script is not None:
        found += script.findall(shown)
    return found
