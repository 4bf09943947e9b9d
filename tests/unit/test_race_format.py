"""Races and constituencies in the data files: every rule with its file, line and field,
a lossless round trip, and elections without races unchanged to the byte."""

from pathlib import Path

import pytest

from tests.conftest import DATA, DEMO_FILES
from vaa.formats import DataError, parties_yaml, questionnaire_yaml
from vaa.loading import read_elections
from vaa.publish import checksum
from vaa.races import ALL, ancestors, ballots

Q = DATA / "races-questionnaire.yaml"
P = DATA / "races-parties.yaml"


def _variant(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(paths: list[Path]) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_elections(paths)
    return [str(p) for p in caught.value.problems]


def test_the_races_election_is_valid_and_round_trips_byte_for_byte(tmp_path: Path) -> None:
    (content,) = read_elections([Q, P])
    assert [r.id for r in content.questionnaire.races] == ["mayor", "list", "seat-d1", "seat-d2"]
    first = (questionnaire_yaml(content), parties_yaml(content))
    q = tmp_path / "q.yaml"
    p = tmp_path / "p.yaml"
    q.write_text(first[0], "utf-8")
    p.write_text(first[1], "utf-8")
    (again,) = read_elections([q, p])
    assert again == content
    assert (questionnaire_yaml(again), parties_yaml(again)) == first
    assert "positions_from: party-b" in first[1] and "backing:\n  - party-c" in first[1]


def test_an_election_without_races_keeps_its_checksum() -> None:
    # The flat demo's version id from before races existed: race fields left empty must
    # not change a single byte of what was published.
    (content,) = read_elections(DEMO_FILES)
    assert checksum(content) == "6655303f5ac56260168c61e2a08a77430fc820186d1169d97a0fa1945ccf3176"
    (only,) = ballots(content)
    assert (only.id, len(only.entity_ids)) == (ALL, 7)


def test_ballots_follow_the_place_tree() -> None:
    (content,) = read_elections([Q, P])
    places = content.questionnaire.constituencies
    assert ancestors(places, "d1") == ["d1", "town"]
    assert [b.id for b in ballots(content, "d2")] == ["mayor", "list", "seat-d2"]
    assert [b.id for b in ballots(content, "town")] == ["mayor", "list"]
    mayor = ballots(content)[0]
    assert mayor.entity_ids == ("m-ana", "m-beka", "m-dato")


def test_place_rules_name_file_line_and_field(tmp_path: Path) -> None:
    q = _variant(
        tmp_path,
        Q,
        (
            '{id: town, name: {ka: "ქალაქი", en: "Town"}}',
            '{id: town, name: {ka: "ქალაქი", en: "Town"}, within: d2}',
        ),
        ("within: town}\n  - {id: d2", "within: nowhere}\n  - {id: d2"),
        ("constituency: d2}", "constituency: d3}"),
        (
            '{id: list, title: {ka: "პარტიული სია", en: "Party list"}',
            '{id: list, title: {ka: "პარტიული სია"}',
        ),
    )
    problems = _problems([q])
    assert (
        f"{q}:17: constituencies[0].within: 'town' would lie within itself (a cycle through 'd2')"
        in problems
    )
    assert f"{q}:18: constituencies[1].within: unknown constituency 'nowhere'" in problems
    assert f"{q}:24: races[3].constituency: unknown constituency 'd3'" in problems
    assert f"{q}:22: races[1].title.en: is missing" in problems


def test_entity_rules_name_file_line_and_field(tmp_path: Path) -> None:
    p = _variant(
        tmp_path,
        P,
        (
            "races: [list]\n    positions: {s1: {answer: agree}, s2: {answer: agree}",
            "races: [list, senate]\n    positions: {s1: {answer: agree}, s2: {answer: agree}",
        ),
        (
            "    races: [list]\n    positions: {s1: {answer: disagree}",
            "    positions: {s1: {answer: disagree}",
        ),
        ("backing: [party-c]", "backing: [party-b, party-z]"),
        ('name: {ka: "დათო", en: "Dato"}\n    races: [mayor]', 'name: {ka: "დათო", en: "Dato"}'),
        (
            "races: [seat-d1]\n    party: party-a\n    constituency: d1",
            "races: [seat-d2]\n    party: party-a\n    constituency: d1",
        ),
        (
            "races: [seat-d1]\n    positions:",
            "races: [seat-d1, seat-d2]\n    positions_from: d1-eka\n    positions:",
        ),
    )
    problems = _problems([Q, p])
    assert (
        f"{p}:6: entities[0].races[1]: unknown race 'senate' (races: ['mayor', 'list', 'seat-d1', 'seat-d2'])"
        in problems
    )
    assert any(x.startswith(f"{p}:30: entities[5].races: stands in no race") for x in problems)
    assert not any("entities[1]" in x for x in problems)  # party-b nominates: may name none
    assert f"{p}:28: entities[4].backing[0]: 'party-b' is already the nominating party" in problems
    assert f"{p}:28: entities[4].backing[1]: unknown party 'party-z'" in problems
    assert any(
        x.startswith(f"{p}:36: entities[6].races[0]: race 'seat-d2' is held in 'd2', outside")
        for x in problems
    )
    assert any(
        x.startswith(f"{p}:43: entities[7].races[1]: race 'seat-d2' is held in 'd2', apart from")
        for x in problems
    )
    assert (
        f"{p}:44: entities[7].positions_from: 'd1-eka' takes its own positions from 'party-a': name that entity instead"
        in problems
    )
    assert (
        f"{p}:45: entities[7].positions: an entity with positions_from has no positions of its own"
        in problems
    )


def test_races_in_an_election_without_races_are_unknown(tmp_path: Path) -> None:
    text = Q.read_text("utf-8")
    flat = tmp_path / "flat.yaml"
    flat.write_text(text[: text.index("constituencies:")], "utf-8")
    problems = _problems([flat, P])
    assert (
        f"{P}:6: entities[0].races[0]: unknown race 'list' (the questionnaire has no races)"
        in problems
    )
