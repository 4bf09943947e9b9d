"""Hostile data files: `vaa load` refuses each quickly, with its file and line, never a traceback."""

import time
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from tests.conftest import DATA
from vaa.cli import main
from vaa.formats import DataError
from vaa.loading import read_elections
from vaa.models import Election
from vaa.settings import Settings


def billion_laughs() -> str:
    """The 551-byte file of the issue: ten levels of nine aliases, 9**10 values."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = "election: bomb\n" + "\n".join(lines) + "\nstatements: *a9\n"
    return "# billion laughs" + " " * (551 - len(text) - 17) + "\n" + text


def _refusal(tmp_path: Path, content: str | bytes) -> tuple[list[str], float, int]:
    """Load one file; return its problems, the CPU seconds taken and the peak bytes allocated."""
    path = tmp_path / "hostile.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    # CPU seconds, not wall time: what the refusal costs the server, whatever else the
    # machine runs at the same time (the suite's browsers and the other worker).
    started = time.process_time()
    with pytest.raises(DataError) as caught:
        read_elections([path])
    elapsed = time.process_time() - started
    tracemalloc.start()  # a second load, traced (which slows it down)
    try:
        with pytest.raises(DataError):
            read_elections([path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return [str(p) for p in caught.value.problems], elapsed, peak


def test_a_551_byte_alias_bomb_fails_in_under_a_second_in_little_memory(tmp_path: Path) -> None:
    text = billion_laughs()
    assert len(text.encode()) == 551
    problems, elapsed, peak = _refusal(tmp_path, text)
    # Was > 60 s and > 3 GB (a MemoryError at 1.8 GB under a 2 GB cap).
    assert elapsed < 1
    assert peak < 64_000_000
    (problem,) = problems
    assert problem.startswith(f"{tmp_path / 'hostile.yaml'}:")
    assert "aliases expand to more than 100,000 values" in problem


def test_a_recursive_alias_is_a_line_message(tmp_path: Path) -> None:
    problems, _, _ = _refusal(tmp_path, "election: x\nstatements: &s\n  - id: a\n  - *s\n")
    assert problems == [
        f"{tmp_path / 'hostile.yaml'}:4: the alias *s is inside the value it names"
        " (a recursive alias)"
    ]


def test_deep_nesting_is_a_line_message(tmp_path: Path) -> None:
    problems, elapsed, _ = _refusal(tmp_path, "election: x\nstatements: " + "[" * 10_000)
    assert problems == [f"{tmp_path / 'hostile.yaml'}:2: nested more than 64 levels deep"]
    assert elapsed < 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"election: x\nstatements:\n  - id: a\x00b\n", "contains a NUL byte"),
        (b"election: x\nstatements:\n  - id: a\x07b\n", "contains the control character U+0007"),
    ],
)
def test_nul_and_control_bytes_are_a_line_message(tmp_path: Path, raw: bytes, message: str) -> None:
    problems, _, _ = _refusal(tmp_path, raw)
    assert problems == [f"{tmp_path / 'hostile.yaml'}:3: {message}, which a text file cannot"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    questionnaire = (DATA / "example-questionnaire.yaml").read_text("utf-8")
    problems, elapsed, peak = _refusal(tmp_path, questionnaire + "#" * 30_000_000 + "\n")
    assert problems == [
        f"{tmp_path / 'hostile.yaml'}:1: is larger than 4 MB, the most a data file may have"
    ]
    assert elapsed < 1  # was 8 s: read and parsed in full
    assert peak < 10_000_000


def test_a_list_or_mapping_as_a_key_is_a_line_message(tmp_path: Path) -> None:
    problems, _, _ = _refusal(tmp_path, "election: x\n[a]: 1\n? {b: 1}\n: 2\n")
    file = tmp_path / "hostile.yaml"
    assert problems == [
        f"{file}:2: a key must be a plain name, not a list or mapping",
        f"{file}:3: a key must be a plain name, not a list or mapping",
    ]


def test_aliases_for_shared_text_still_load(tmp_path: Path) -> None:
    text = (DATA / "example-questionnaire.yaml").read_text("utf-8")
    first, rest = text.split("statements:", 1)
    path = tmp_path / "q.yaml"
    path.write_text(f"{first}shared: &shared {{ka: ტექსტი, en: Text}}\nstatements:{rest}", "utf-8")
    with pytest.raises(DataError) as caught:  # an anchor alone: only `shared` is unknown
        read_elections([path])
    assert [p.message for p in caught.value.problems] == ["unknown field"]


def test_vaa_load_of_the_bomb_prints_file_and_line_and_changes_nothing(
    settings: Settings,
    engine: sa.Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    from vaa.settings import get_settings

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), "utf-8")
    get_settings.cache_clear()
    try:
        started = time.perf_counter()
        assert main(["load", str(bomb)]) == 1
        assert time.perf_counter() - started < 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "nothing was changed; 1 problem(s)" in err
    assert f"{bomb}:" in err and "Traceback" not in err
    with Session(engine) as session:
        assert session.exec(select(Election)).all() == []
