"""Loading into the database: all or nothing, idempotent, versioned, exportable."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from tests.conftest import DATA, DEMO_FILES
from vaa.cli import main
from vaa.db import session_scope
from vaa.formats import DataError
from vaa.loading import current_content, load_files, read_elections
from vaa.models import Election, Position, QuestionnaireVersion
from vaa.publish import build_bundle, checksum
from vaa.settings import Settings

EXAMPLE = [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]


def _count(engine: sa.Engine, table: type) -> int:
    with Session(engine) as session:
        return len(session.exec(select(table)).all())


def test_load_publishes_and_reads_back_the_same_content(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        (outcome,) = load_files(session, paths=DEMO_FILES)
    assert outcome.changed and outcome.number == 1
    (expected,) = read_elections(DEMO_FILES)
    with Session(engine) as session:
        content = current_content(session, "demo")
        version = session.exec(select(QuestionnaireVersion)).one()
    assert content == expected
    assert version.checksum == checksum(expected) == outcome.version
    assert version.bundle == build_bundle(expected)


def test_loading_again_changes_nothing(engine: sa.Engine) -> None:
    for _ in range(2):
        with session_scope(engine) as session:
            outcomes = load_files(session, paths=DEMO_FILES + EXAMPLE)
    assert [o.changed for o in outcomes] == [False, False]
    assert _count(engine, QuestionnaireVersion) == 2
    assert _count(engine, Election) == 2


def test_changed_content_becomes_a_new_version_and_the_old_bundle_stays(
    engine: sa.Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, paths=EXAMPLE)
    parties = (DATA / "example-parties.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "p.yaml"
    changed.write_text(parties.replace("s1: {answer: agree}", "s1: {answer: neutral}"), "utf-8")
    with session_scope(engine) as session:
        (outcome,) = load_files(session, paths=[changed])  # the questionnaire is kept
    assert outcome.changed and outcome.number == 2
    with Session(engine) as session:
        versions = session.exec(
            select(QuestionnaireVersion).order_by(QuestionnaireVersion.number)
        ).all()
        content = current_content(session, "example")
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].bundle == build_bundle(read_elections(EXAMPLE)[0])
    assert content is not None and content.entities[0].positions["s1"].answer == "neutral"


def test_invalid_files_change_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text(
        (DATA / "example-parties.yaml").read_text("utf-8").replace("agree}", "maybe}"), "utf-8"
    )
    with pytest.raises(DataError), session_scope(engine) as session:
        load_files(session, paths=[*DEMO_FILES, DATA / "example-questionnaire.yaml", bad])
    assert _count(engine, Election) == 0
    assert _count(engine, Position) == 0


def test_cli_load_export_load_export_is_byte_identical(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    from vaa.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["load", *map(str, DEMO_FILES)]) == 0
        assert main(["export", "demo", str(tmp_path / "one")]) == 0
        one = [
            tmp_path / "one" / "questionnaires" / "demo.yaml",
            tmp_path / "one" / "parties" / "demo.yaml",
        ]
        assert main(["load", *map(str, one)]) == 0
        assert "demo: unchanged, version 1" in capsys.readouterr().out
        assert main(["export", "demo", str(tmp_path / "two")]) == 0
        two = [
            tmp_path / "two" / "questionnaires" / "demo.yaml",
            tmp_path / "two" / "parties" / "demo.yaml",
        ]
        assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            "election: demo\nentities:\n  - {id: x, kind: party, name: {ka: ა}}\n", "utf-8"
        )
        capsys.readouterr()
        assert main(["load", str(bad)]) == 1
        err = capsys.readouterr().err
        assert "nothing was changed" in err
        assert f"{bad}:3: entities[0].name.en: is missing" in err
    finally:
        get_settings.cache_clear()


def test_quick_modes_threshold_reads_back_and_reloading_it_changes_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    # The version's rows keep method and missing; quick mode's threshold lives in the
    # bundle. Read back as the default 0.9, it made every reload a "new version" and gave
    # an editor's draft of the published version the wrong threshold.
    questionnaire = tmp_path / "q.yaml"
    text = EXAMPLE[0].read_text(encoding="utf-8")
    questionnaire.write_text(text + "matching: {settled: 0.8}\n", "utf-8")
    files = [questionnaire, EXAMPLE[1]]
    for _ in range(2):
        with session_scope(engine) as session:
            (outcome,) = load_files(session, paths=files)
    assert not outcome.changed and outcome.number == 1
    with Session(engine) as session:
        content = current_content(session, "example")
    assert content is not None and content.questionnaire.matching.settled == 0.8
