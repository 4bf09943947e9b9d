"""Quick mode's threshold per election: questionnaire `matching: {settled: ...}`."""

import json
from pathlib import Path

import pytest

from tests.conftest import DEMO_FILES
from vaa.formats import DataError, questionnaire_yaml
from vaa.loading import read_elections
from vaa.publish import build_bundle, checksum

# the flat demo's version id before `settled` existed (also pinned in test_races.py)
OLD_CHECKSUM = "6655303f5ac56260168c61e2a08a77430fc820186d1169d97a0fa1945ccf3176"
LINE = "matching: {method: cityblock, missing: max}"


def _with(tmp_path: Path, matching: str) -> list[Path]:
    text = DEMO_FILES[0].read_text(encoding="utf-8")
    assert text.count(LINE) == 1
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(text.replace(LINE, matching), encoding="utf-8")
    return [questionnaire, DEMO_FILES[1]]


def test_the_default_threshold_keeps_the_old_checksum(tmp_path: Path) -> None:
    (plain,) = read_elections(DEMO_FILES)
    assert plain.questionnaire.matching.settled == 0.9
    assert checksum(plain) == OLD_CHECKSUM
    # written out explicitly at the default: still the same version
    (explicit,) = read_elections(
        _with(tmp_path, "matching: {method: cityblock, missing: max, settled: 0.9}")
    )
    assert checksum(explicit) == OLD_CHECKSUM
    assert "settled" not in json.loads(build_bundle(explicit))["questionnaire"]["matching"]


def test_a_set_threshold_is_published_and_exported(tmp_path: Path) -> None:
    (content,) = read_elections(_with(tmp_path, "matching: {method: cityblock, settled: 0.8}"))
    assert content.questionnaire.matching.settled == 0.8
    assert checksum(content) != OLD_CHECKSUM
    assert json.loads(build_bundle(content))["questionnaire"]["matching"]["settled"] == 0.8
    assert "settled: 0.8" in questionnaire_yaml(content)


@pytest.mark.parametrize("value", ["0.3", "1", "sure"])
def test_a_threshold_out_of_bounds_names_file_line_and_field(tmp_path: Path, value: str) -> None:
    paths = _with(tmp_path, f"matching: {{settled: {value}}}")
    with pytest.raises(DataError) as caught:
        read_elections(paths)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{paths[0]}:303: matching.settled: ") for p in problems), problems
