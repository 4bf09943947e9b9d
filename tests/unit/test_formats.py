"""Validation of data files: every problem at once, with file, line and field."""

from pathlib import Path

import pytest

from tests.conftest import DATA, DEMO_FILES, SHIPPED_DEMO_FILES
from vaa.formats import DataError, parties_yaml, questionnaire_yaml
from vaa.loading import read_elections

EXAMPLE = [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(paths: list[Path]) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_elections(paths)
    return [str(p) for p in caught.value.problems]


def test_demo_and_example_files_are_valid() -> None:
    assert [c.slug for c in read_elections(DEMO_FILES)] == ["demo"]
    (example,) = read_elections(EXAMPLE)
    assert [e.id for e in example.entities] == ["party-a", "party-b"]
    assert "s3" not in example.entities[1].positions


def test_every_problem_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    text = (DATA / "example-questionnaire.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "theme: second, text: {ka: დებულება 3", "theme: third, text: {ka: დებულება 3"
    )
    text = text.replace(
        "{id: s4, theme: second, text: {ka: დებულება 4, en: Statement 4}}",
        "{id: s1, theme: second, text: {ka: დებულება 4}}",
    )
    questionnaire = _write(tmp_path, "q.yaml", text)
    parties = (DATA / "example-parties.yaml").read_text(encoding="utf-8")
    parties = parties.replace("s2: {answer: agree}", "s2: {answer: yes}\n      s9: {answer: agree}")
    party_file = _write(tmp_path, "p.yaml", parties)
    problems = _problems([questionnaire, party_file])
    q, p = str(questionnaire), str(party_file)
    assert f"{q}:22: statements[2].theme: unknown theme 'third'" in problems
    assert f"{q}:23: statements[3].id: duplicate id 's1'" in problems
    assert f"{q}:23: statements[3].text.en: is missing" in problems
    assert any(
        x.startswith(f"{p}:8: entities[0].positions.s2.answer: 'yes' is not a scale option")
        for x in problems
    )
    assert f"{p}:9: entities[0].positions.s9: unknown statement 's9'" in problems


def test_structural_errors_name_the_field_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "q.yaml",
        "election: Bad Slug\ntitle: {ka: ა, en: A}\nlanguages: [ka, en]\ncolour: red\n"
        "scale: []\nthemes: [{id: t, label: {ka: ა, en: A}}]\nstatements:\n"
        "  - {id: s, theme: t, text: {ka: ა, en: A}, axes: {x: 3}}\n",
    )
    problems = _problems([path])
    assert any(p.startswith(f"{path}:1: election: 'Bad Slug' is not valid") for p in problems)
    assert f"{path}:4: colour: unknown field" in problems
    assert any(
        p.startswith(f"{path}:5: scale: List should have at least 2 items") for p in problems
    )
    assert any(
        p.startswith(f"{path}:8: statements[0].axes.x: Input should be less than or equal to 1")
        for p in problems
    )


def test_yaml_syntax_and_duplicate_keys(tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.yaml", "election: demo\ntitle: [unclosed\n")
    assert _problems([broken])[0].startswith(f"{broken}:3: not valid YAML")
    twice = _write(tmp_path, "twice.yaml", "election: a\nelection: b\n")
    assert f"{twice}:2: election: appears twice" in _problems([twice])


def test_party_file_needs_its_questionnaire() -> None:
    problems = _problems([DATA / "example-parties.yaml"])
    assert problems == [
        f"{DATA / 'example-parties.yaml'}:1: election: no questionnaire for 'example': "
        "load its questionnaire file too"
    ]


def test_export_round_trips_byte_for_byte(tmp_path: Path) -> None:
    for files in (DEMO_FILES, SHIPPED_DEMO_FILES, EXAMPLE):
        (content,) = read_elections(files)
        first = (questionnaire_yaml(content), parties_yaml(content))
        q = _write(tmp_path, "q.yaml", first[0])
        p = _write(tmp_path, "p.yaml", first[1])
        (again,) = read_elections([q, p])
        assert again == content
        assert (questionnaire_yaml(again), parties_yaml(again)) == first
