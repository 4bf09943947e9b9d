"""What a new election starts with before an editor writes anything: its answer scale.

The labels are the voter UI's own words for the five answers (the `Strongly disagree` ...
`Strongly agree` messages of frontend/locales, as the method page shows them), one set per
UI language, so a new election in Russian, Armenian or Azerbaijani starts complete in
those too; tests/unit/test_content_defaults.py keeps the two in step. A language without
a set here gets no label, and the editor writes one.
"""

SCALE_IDS = ("disagree-strongly", "disagree", "neutral", "agree", "agree-strongly")

SCALE_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    # The survey wording of georgian.md (CRRC and NDI): every answer a verb form.
    "ka": (
        "საერთოდ არ ვეთანხმები",
        "არ ვეთანხმები",
        "არც ვეთანხმები და არც არ ვეთანხმები",
        "ვეთანხმები",
        "სრულიად ვეთანხმები",
    ),
    "en": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    "ru": (
        "Совершенно не согласен",
        "Не согласен",
        "Ни согласен, ни не согласен",
        "Согласен",
        "Полностью согласен",
    ),
    "hy": (
        "Բոլորովին համաձայն չեմ",
        "Համաձայն չեմ",
        "Ո՛չ համաձայն եմ, ո՛չ էլ համաձայն չեմ",
        "Համաձայն եմ",
        "Լիովին համաձայն եմ",
    ),
    "az": (
        "Qətiyyən razı deyiləm",
        "Razı deyiləm",
        "Nə razıyam, nə də razı deyiləm",
        "Razıyam",
        "Tamamilə razıyam",
    ),
}


def default_scale(languages: list[str]) -> list[dict[str, object]]:
    """The five-point scale of a new election, labelled in each of its languages we know."""
    return [
        {
            "id": option,
            "label": {lang: SCALE_LABELS[lang][i] for lang in languages if lang in SCALE_LABELS},
        }
        for i, option in enumerate(SCALE_IDS)
    ]
