"""vaa.bootstrap: the first start migrates and loads the demo, later starts load nothing."""

from sqlmodel import Session, select

from tests.conftest import DEMO_FILES
from vaa.bootstrap import prepare_database
from vaa.models import Election, QuestionnaireVersion
from vaa.settings import Settings


def test_an_empty_database_gets_the_demo_election_once(settings: Settings) -> None:
    assert settings.demo_files == DEMO_FILES
    engine, loaded = prepare_database(settings)
    try:
        assert [(o.slug, o.changed) for o in loaded] == [("demo", True)]
        engine.dispose()
        engine, again = prepare_database(settings)
        assert again == []
        with Session(engine) as db:
            assert db.exec(select(Election.slug)).all() == ["demo"]
            assert len(db.exec(select(QuestionnaireVersion)).all()) == 1
    finally:
        engine.dispose()


def test_a_database_holding_any_election_is_left_as_it_is(settings: Settings) -> None:
    engine, _ = prepare_database(settings.model_copy(update={"demo_files": []}))
    try:
        with Session(engine) as db:
            db.add(Election(slug="town"))
            db.commit()
        second, loaded = prepare_database(settings)
        second.dispose()
        assert loaded == []
        with Session(engine) as db:
            assert db.exec(select(Election.slug)).all() == ["town"]
    finally:
        engine.dispose()
