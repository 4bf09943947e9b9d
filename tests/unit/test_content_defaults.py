"""A new election's scale labels are the UI's reviewed words for the five answers.

The defaults live in vaa/content_defaults.py, outside the catalogs translators review:
this keeps them equal to the catalogs' `Strongly disagree` ... `Strongly agree` in every
UI language, so a reviewed change to the catalog cannot leave new elections behind.
"""

import pytest

from api.i18n import available_languages, translations
from vaa.content_defaults import SCALE_IDS, SCALE_LABELS, default_scale

MESSAGES = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")


def test_every_ui_language_has_the_five_labels() -> None:
    assert sorted(SCALE_LABELS) == available_languages() == ["az", "en", "hy", "ka", "ru"]


@pytest.mark.parametrize("lang", available_languages())
def test_the_labels_are_the_catalogs_words(lang: str) -> None:
    ui = translations(lang)
    assert list(SCALE_LABELS[lang]) == [ui.gettext(m) for m in MESSAGES]


def test_default_scale_labels_only_known_languages() -> None:
    scale = default_scale(["hy", "de", "en"])
    assert [o["id"] for o in scale] == list(SCALE_IDS)
    assert scale[2]["label"] == {"hy": "Ո՛չ համաձայն եմ, ո՛չ էլ համաձայն չեմ", "en": "Neutral"}
    assert scale[0]["label"] == {"hy": "Բոլորովին համաձայն չեմ", "en": "Strongly disagree"}
