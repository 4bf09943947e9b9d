"""The rules written once (vaa/rules.py), and that nothing in vaa/ or api/ spells them again."""

import re
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from vaa import matching
from vaa.content import MatchingDefaults, Slug, Url
from vaa.rules import METHODS, MISSING, is_email, is_slug, is_url, text_in
from vaa.settings import ROOT


def _accepts(kind: Any, text: str) -> bool:
    """Whether the content model's pydantic type takes the text."""
    try:
        TypeAdapter(kind).validate_python(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "ok"),
    [("green-coast", True), ("2024", True), ("-x", False), ("Big", False), ("a" * 64, False)],
)
def test_an_id_is_the_same_for_the_content_model_and_every_form(text: str, ok: bool) -> None:
    assert is_slug(text) is ok
    assert _accepts(Slug, text) is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://example.org/a?b=1", True),
        ("http://example.org", True),
        ("www.example.org", False),
        ("https://exa mple.org", False),
        ("https://" + "a" * 2000, False),
    ],
)
def test_a_web_address_is_the_same_everywhere(text: str, ok: bool) -> None:
    assert is_url(text) is ok
    assert _accepts(Url, text) is ok


def test_an_email_address() -> None:
    assert is_email("editor@example.org")
    assert not is_email("editor@example")
    assert not is_email("a b@example.org")
    assert not is_email("x@" + "a" * 250 + ".org")


def test_the_method_names_are_the_engines_with_the_default_first() -> None:
    assert METHODS == ("cityblock", "euclidean", "directional", "hybrid") == matching.METHODS
    assert MISSING == ("max", "neutral", "skip") == matching.MISSING_POLICIES
    defaults = MatchingDefaults()
    assert (defaults.method, defaults.missing) == (METHODS[0], MISSING[0])


def test_a_text_falls_back_to_the_given_languages_then_to_any() -> None:
    text = {"ka": "ქართული", "en": "English"}
    assert text_in(text, "en") == "English"
    assert text_in(text, "de", ["ka"]) == "ქართული"
    assert text_in({"en": "", "ka": "ქართული"}, "en") == "ქართული"
    assert text_in(None, "en", default="demo") == "demo"
    assert text_in({}, "ka") == ""


SPELLINGS = {
    "the id rule": r"a-z0-9\]\[a-z0-9-\]",
    "the URL rule": r"https\?://",
    "the e-mail rule": r"\[\^@\\s\]",
    "the language-code rule": r"\[a-z\]\{2,3\}",
    "the method names": r"\(\s*\"cityblock\",\s*\"euclidean\"",
    "the missing-value names": r"\"max\",\s*\"neutral\",\s*\"skip\"",
}


@pytest.mark.parametrize("rule", list(SPELLINGS))
def test_each_rule_is_spelled_once(rule: str) -> None:
    pattern = re.compile(SPELLINGS[rule])
    found = [
        str(path.relative_to(ROOT))
        for folder in ("vaa", "api")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if pattern.search(path.read_text("utf-8"))
    ]
    # matching.py defines the method and missing names; rules.py every other rule.
    assert found in (["vaa/rules.py"], ["vaa/matching.py"]), found
