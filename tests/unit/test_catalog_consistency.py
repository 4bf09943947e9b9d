"""A message shared by two catalog files says the same thing in both.

The catalogs are merged into one per language (api/i18n.py); when the same msgid is
translated twice, one translation silently wins, so a reviewer's correction in one
file could be undone by the other.
"""

from collections import defaultdict

from babel.messages.pofile import read_po

from api.i18n import available_languages, catalog_files


def test_a_msgid_translated_in_two_files_has_one_translation() -> None:
    conflicts = []
    for language in available_languages():
        seen: dict[str, dict[str, str]] = defaultdict(dict)
        for path in catalog_files(language):
            with path.open("rb") as po:
                for message in read_po(po, locale=language):
                    if message.id:
                        msgid = message.id if isinstance(message.id, str) else message.id[0]
                        seen[msgid][path.name] = str(message.string)
        for msgid, by_file in seen.items():
            if len(set(by_file.values())) > 1:
                conflicts.append((language, msgid, by_file))
    assert conflicts == []
