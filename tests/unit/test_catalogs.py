"""Every UI string exists, non-empty, in every language's catalogs."""

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.i18n import LOCALES, available_languages, catalog_files, translations
from vaa.settings import ROOT

METHOD_MAP = [
    ("api/**.py", "python"),
    ("frontend/templates/**.html", "jinja2"),
]
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
