"""Every UI string exists, non-empty, in every language's catalogs."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.i18n import LOCALES, available_languages, catalog_files, translations
from vaa.settings import ROOT

METHOD_MAP = [
    ("api/**.py", "python"),
    ("frontend/templates/**.html", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
OPTIONS = {
    "frontend/templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
    }
}


def _used_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_georgian_and_english_catalogs_exist() -> None:
    assert {"ka", "en"} <= set(available_languages())


def test_every_used_string_is_translated_in_every_language() -> None:
    used = _used_messages()
    assert len(used) > 20
    for language in available_languages():
        known: dict[str, str] = {}
        for path in catalog_files(language):
            with path.open("rb") as po:
                for message in read_po(po, locale=language):
                    if message.id:
                        msgid = message.id if isinstance(message.id, str) else message.id[0]
                        strings = (
                            message.string
                            if isinstance(message.string, tuple)
                            else (message.string,)
                        )
                        assert all(strings), f"{path}: empty translation for {msgid!r}"
                        known[msgid] = strings[0]
        missing = sorted(used - known.keys())
        assert not missing, f"{language} lacks {len(missing)} string(s): {missing[:10]}"


def test_catalogs_compile_and_translate() -> None:
    assert translations("ka").gettext("Privacy") == "კონფიდენციალურობა"
    assert translations("en").gettext("Privacy") == "Privacy"
    assert (LOCALES / "ka" / "LC_MESSAGES").is_dir()


def test_a_msgid_in_several_catalogs_has_one_translation() -> None:
    # translations() merges the files in order and the last one wins silently.
    for language in available_languages():
        seen: dict[str, tuple[str, str]] = {}
        for path in catalog_files(language):
            with path.open("rb") as po:
                for message in read_po(po, locale=language):
                    if not message.id:
                        continue
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    string = str(message.string)
                    if msgid in seen:
                        first, where = seen[msgid]
                        assert string == first, (
                            f"{language}: {msgid!r} is {first!r} in {where} "
                            f"but {string!r} in {path.name}"
                        )
                    else:
                        seen[msgid] = (string, path.name)


def _entries(path: Path, language: str) -> dict[str, Message]:
    with path.open("rb") as po:
        return {
            message.id if isinstance(message.id, str) else message.id[0]: message
            for message in read_po(po, locale=language)
            if message.id
        }


@pytest.mark.parametrize("language", [lang for lang in available_languages() if lang != "en"])
def test_each_catalog_file_holds_the_msgids_of_the_english_one(language: str) -> None:
    # The used-strings test above sees only api/ and the templates, and a msgid anywhere
    # in the language: a message kept elsewhere (vaa/spreadsheet_races.RULES) or a file
    # left behind when en changed would slip past it.
    english = {path.name: set(_entries(path, "en")) for path in catalog_files("en")}
    assert [path.name for path in catalog_files(language)] == sorted(english)
    for path in catalog_files(language):
        own = set(_entries(path, language))
        missing, stale = sorted(english[path.name] - own), sorted(own - english[path.name])
        assert (missing, stale) == ([], []), f"{language}/{path.name}"


def test_translations_keep_the_placeholders_and_none_is_fuzzy() -> None:
    for language in available_languages():
        for path in catalog_files(language):
            for msgid, message in _entries(path, language).items():
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                assert not message.fuzzy, f"{language}/{path.name}: fuzzy {msgid!r}"
                for string in strings:
                    assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(msgid)), (
                        f"{language}/{path.name}: {msgid!r} -> {string!r}"
                    )
