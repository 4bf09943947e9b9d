"""UI translations: Babel catalogs under frontend/locales, one Jinja environment per language.

Catalogs are compiled in memory from their .po files at start-up, so there are no
binary files to keep in step. Content texts (statements, parties) come from the
election data, not from here.
"""

import io
from functools import cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from api.formatting import date_time, long_date
from vaa.settings import ROOT, get_settings

FRONTEND = ROOT / "frontend"
LOCALES = FRONTEND / "locales"
TEMPLATES = FRONTEND / "templates"
DOMAIN = "messages"


def available_languages() -> list[str]:
    """Languages with a UI catalog, e.g. ['en', 'ka']."""
    return sorted({p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/*.po")})


def catalog_files(language: str) -> list[Path]:
    """A language's catalogs: one .po file per part of the UI (common, quiz, results...)."""
    return sorted((LOCALES / language / "LC_MESSAGES").glob("*.po"))


@cache
def translations(language: str) -> Translations:
    """All catalogs of a language merged into one (empty if there are none)."""
    merged: Translations | None = None
    for path in catalog_files(language):
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        compiled = Translations(buffer, domain=DOMAIN)
        # The first catalog keeps its plural rule; later ones only add messages.
        merged = compiled if merged is None else merged.merge(compiled)
    return merged or Translations()


def language_name(language: str) -> str:
    """A language's own name, as its speakers write it (ქართული, English)."""
    try:
        name = Locale.parse(language).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language
    # A switch names each language with a capital (Русский, Հայերեն), but Georgian has no
    # capitals in running text: upper() would turn it into Mtavruli.
    georgian = "\u10a0" <= name[:1] <= "\u10ff"
    return name if georgian else name[:1].upper() + name[1:]


def negotiate(accept_language: str | None, offered: list[str], default: str) -> str:
    """Pick the best of the offered languages for an Accept-Language header."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in offered and quality > 0:
            choices.append((-quality, i, base))
    return min(choices)[2] if choices else (default if default in offered else offered[0])


@cache
def environment(language: str, templates: Path = TEMPLATES) -> Environment:
    """A Jinja environment whose gettext speaks this language; autoescaping always on."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["long_date"] = _long_date
    env.filters["local_datetime"] = _local_datetime
    env.globals["language_name"] = language_name
    return env


@pass_context
def _long_date(context: Context, value: object) -> str:
    """`{{ day|long_date }}`: the date as the page's language writes it."""
    return long_date(value, context.get("lang", "en")) if value else ""  # type: ignore[arg-type]


@pass_context
def _local_datetime(context: Context, value: object) -> str:
    """`{{ moment|local_datetime }}`: date and time in the configured zone (VAA_TIMEZONE)."""
    if not value:
        return ""
    return date_time(value, context.get("lang", "en"), get_settings().timezone)  # type: ignore[arg-type]
