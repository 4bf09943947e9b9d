"""A new election starts with its answer scale labelled in every language it is made in.

An editor creates an election in Georgian, Russian, Armenian and Azerbaijani with the
admin form; the questionnaire page's scale form then holds each option's label in each of
the four, the UI's own words for the five answers. A language with no UI catalog gets
empty fields for the editor to fill.
"""

import sqlalchemy as sa

from tests.api.test_admin_content import ADMIN, Editor, draft, editor  # noqa: F401 (fixture)
from tests.soup import fields, one, parse

# The five answers as a voter of each language reads them on the quiz.
EXPECTED = {
    "ka": [
        "საერთოდ არ ვეთანხმები",
        "არ ვეთანხმები",
        "არც ვეთანხმები და არც არ ვეთანხმები",
        "ვეთანხმები",
        "სრულიად ვეთანხმები",
    ],
    "ru": [
        "Совершенно не согласен",
        "Не согласен",
        "Ни согласен, ни не согласен",
        "Согласен",
        "Полностью согласен",
    ],
    "hy": [
        "Բոլորովին համաձայն չեմ",
        "Համաձայն չեմ",
        "Ո՛չ համաձայն եմ, ո՛չ էլ համաձայն չեմ",
        "Համաձայն եմ",
        "Լիովին համաձայն եմ",
    ],
    "az": [
        "Qətiyyən razı deyiləm",
        "Razı deyiləm",
        "Nə razıyam, nə də razı deyiləm",
        "Razıyam",
        "Tamamilə razıyam",
    ],
}
IDS = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]


def test_a_new_election_in_four_languages_has_its_scale_in_each(
    editor: Editor,  # noqa: F811 (the fixture)
    demo: sa.Engine,
) -> None:
    editor.ok(
        ADMIN,
        {
            "slug": "gali-2026",
            "languages": ["ka", "ru", "hy", "az"],
            "other_languages": "os",  # Ossetian: no UI catalog, so no words of ours
            "title_ka": "გალის არჩევნები",
            "title_ru": "Выборы в Гали",
        },
    )
    page = parse(editor.client.get(f"{ADMIN}/gali-2026/questionnaire"))
    sent = fields(one(page, "form[action$='/scale']"))
    for lang, labels in EXPECTED.items():
        assert [sent.get(f"scale_{i}_{lang}") for i in IDS] == [[label] for label in labels]
    assert [sent.get(f"scale_{i}_os") for i in IDS] == [[""]] * 5
    scale = draft(demo, "gali-2026")["questionnaire"]["scale"]
    assert [o["id"] for o in scale] == IDS
    assert all(set(o["label"]) == {"ka", "ru", "hy", "az"} for o in scale)
