"""Statement quality diagnostics, checked against values worked out by hand."""

import pytest

from tests.conftest import DATA
from vaa.content import (
    Axis,
    ElectionContent,
    Entity,
    Position,
    Questionnaire,
    ScaleOption,
    Statement,
    Theme,
)
from vaa.diagnostics import (
    AxisBalance,
    LanguageCompleteness,
    MissingTranslation,
    StatementSpread,
    axis_balance,
    diagnose,
    missing_translations,
    race_checks,
    statement_spread,
    translation_completeness,
)
from vaa.loading import read_elections

FIVE = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]


def example() -> ElectionContent:
    (content,) = read_elections(
        [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]
    )
    return content


def both(ka: str, en: str) -> dict[str, str]:
    return {"ka": ka, "en": en}


def small_election() -> ElectionContent:
    """Three parties on a 3-point scale (positions -1, 0, 1), one axis, gaps in translation."""
    questionnaire = Questionnaire(
        election="small",
        title=both("პატარა", "Small"),
        languages=["ka", "en"],
        description={"en": "English only"},
        scale=[
            ScaleOption(id="no", label=both("არა", "No")),
            ScaleOption(id="neutral", label=both("ნეიტრალური", "Neutral")),
            ScaleOption(id="yes", label={"ka": "კი"}),
        ],
        themes=[Theme(id="t", label={"en": "Theme"})],
        axes=[
            Axis(id="econ", label=both("ე", "E"), low=both("ა", "L"), high=both("ბ", "H")),
            Axis(id="empty", label=both("ე", "E"), low=both("ა", "L"), high=both("ბ", "H")),
        ],
        statements=[
            Statement(id="same", theme="t", text=both("ა", "A"), axes={"econ": 1}),
            Statement(id="split", theme="t", text=both("ბ", "B"), axes={"econ": 0.5}),
            Statement(id="sparse", theme="t", text={"ka": "გ"}, info={"ka": "ინფო", "en": " "}),
            Statement(id="unanswered", theme="t", text=both("დ", "D"), axes={"econ": 0}),
        ],
    )
    entities = [
        Entity(
            id="p1",
            kind="party",
            name=both("პ1", "P1"),
            positions={
                "same": Position(answer="yes"),
                "split": Position(answer="no", justification={"ka": "იმიტომ"}),
                "sparse": Position(answer="neutral"),
            },
        ),
        Entity(
            id="p2",
            kind="party",
            name={"en": "P2"},
            positions={"same": Position(answer="yes"), "split": Position(answer="yes")},
        ),
        Entity(
            id="p3",
            kind="party",
            name=both("პ3", "P3"),
            positions={"same": Position(answer="yes"), "split": Position(answer="neutral")},
        ),
    ]
    return ElectionContent(questionnaire=questionnaire, entities=entities)


def test_spread_of_the_worked_example() -> None:
    # Five-point positions: disagree-strongly -1, disagree -0.5, agree 0.5, agree-strongly 1.
    # s1: 0.5, -1 -> mean -0.25, deviations 0.75 each -> std 0.75
    # s2: 0.5, 1 -> mean 0.75, std 0.25; s3: -1 alone, party-b missing; s4: -0.5, -1
    spreads = statement_spread(example())

    def counts(**answered: int) -> dict[str, int]:
        return {option: answered.get(option.replace("-", "_"), 0) for option in FIVE}

    assert spreads == [
        StatementSpread("s1", counts(agree=1, disagree_strongly=1), 2, 0, 0.0, 2, -0.25, 0.75),
        StatementSpread("s2", counts(agree=1, agree_strongly=1), 2, 0, 0.0, 2, 0.75, 0.25),
        StatementSpread("s3", counts(disagree_strongly=1), 1, 1, 0.5, 1, -1.0, 0.0),
        StatementSpread("s4", counts(disagree=1, disagree_strongly=1), 2, 0, 0.0, 2, -0.75, 0.25),
    ]
    assert [s.alike for s in spreads] == [False, False, False, False]  # s3: one answer only


def test_statements_every_party_answers_alike_are_flagged() -> None:
    report = diagnose(small_election())
    same, split, sparse, unanswered = report.statements
    assert (same.alike, same.distinct, same.mean, same.std) == (True, 1, 1.0, 0.0)
    # split: -1, 1, 0 -> mean 0, variance (1 + 1 + 0) / 3
    assert (split.alike, split.distinct, split.mean) == (False, 3, 0.0)
    assert split.std == pytest.approx((2 / 3) ** 0.5)
    assert split.counts == {"no": 1, "neutral": 1, "yes": 1}
    assert (sparse.answered, sparse.missing, sparse.missing_share) == (1, 2, pytest.approx(2 / 3))
    assert (unanswered.answered, unanswered.missing_share, unanswered.mean, unanswered.std) == (
        0,
        1.0,
        None,
        None,
    )
    assert report.alike == ["same"]


def test_no_entities_means_no_missing_share() -> None:
    content = example().model_copy(update={"entities": []})
    assert [(s.missing, s.missing_share, s.alike) for s in statement_spread(content)] == [
        (0, 0.0, False)
    ] * 4


def test_axis_balance_counts_and_sums_each_way() -> None:
    # example: s1 loads +1 (high), s2 loads -0.5 (low) -> lean (1 - 0.5) / 1.5
    (economic,) = axis_balance(example())
    assert economic == AxisBalance("economic", ["s2"], ["s1"], 0.5, 1.0)
    assert economic.lean == pytest.approx(1 / 3)
    assert not economic.one_sided
    # small: same +1 and split +0.5 point high, unanswered loads 0 (neither way)
    econ, empty = axis_balance(small_election())
    assert econ == AxisBalance("econ", [], ["same", "split"], 0.0, 1.5)
    assert (econ.lean, econ.one_sided) == (1.0, True)
    assert empty == AxisBalance("empty", [], [], 0.0, 0.0)
    assert (empty.lean, empty.one_sided) == (0.0, False)


def test_missing_translations_say_which_text_lacks_which_language() -> None:
    assert missing_translations(example()) == []
    assert missing_translations(small_election()) == [
        MissingTranslation("election", "", "description", "ka"),
        MissingTranslation("scale", "yes", "label", "en"),
        MissingTranslation("theme", "t", "label", "ka"),
        MissingTranslation("statement", "sparse", "text", "en"),
        MissingTranslation("statement", "sparse", "info", "en"),  # only spaces
        MissingTranslation("position", "p1", "justification", "en", statement="split"),
        MissingTranslation("entity", "p2", "name", "ka"),
    ]


def test_translation_completeness_per_language() -> None:
    # example: title, 5 scale labels, 2 themes, 3 axis texts, 4 statements, 2 names and
    # one justification = 18 texts, all in both languages
    assert translation_completeness(example()) == [
        LanguageCompleteness("ka", 18, 18),
        LanguageCompleteness("en", 18, 18),
    ]
    # small: title, description, 3 scale, 1 theme, 6 axis texts, 4 texts + 1 info,
    # 3 names, 1 justification = 21 texts
    ka, en = translation_completeness(small_election())
    assert (ka, en) == (LanguageCompleteness("ka", 18, 21), LanguageCompleteness("en", 17, 21))
    assert en.share == pytest.approx(17 / 21)
    assert LanguageCompleteness("en", 0, 0).share == 1.0


def test_races_show_who_is_silent_and_where_everyone_answers_alike() -> None:
    (content,) = read_elections([DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"])
    checks = {c.race: c for c in race_checks(content)}
    assert checks["mayor"].standing == ["m-ana", "m-beka", "m-dato"]
    assert checks["mayor"].silent == ["m-dato"] and not checks["mayor"].alike
    # d1-eka borrows party-a's answers; make d1-gia give exactly those: a race of ties
    gia = next(e for e in content.entities if e.id == "d1-gia")
    party_a = next(e for e in content.entities if e.id == "party-a")
    same = content.model_copy(
        update={
            "entities": [
                e.model_copy(update={"positions": party_a.positions}) if e is gia else e
                for e in content.entities
            ]
        }
    )
    assert {c.race: c.alike for c in race_checks(same)} == {
        "mayor": False,
        "list": False,
        "seat-d1": True,
        "seat-d2": False,  # one candidate: nothing to tell apart
    }
