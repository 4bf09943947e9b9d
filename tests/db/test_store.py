"""vaa.store: publishing content as numbered versions and reading them back (both backends)."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import DEMO_FILES, RACE_FILES
from vaa import store
from vaa.db import session_scope
from vaa.loading import read_elections
from vaa.publish import build_bundle, checksum


def test_publishing_the_same_content_twice_creates_one_version(engine: sa.Engine) -> None:
    (content,) = read_elections(DEMO_FILES)
    with session_scope(engine) as db:
        first = store.publish(db, content=content)
    with session_scope(engine) as db:
        again = store.publish(db, content=content)
    assert (first.created, again.created) == (True, False)
    assert again.version.id == first.version.id
    assert (first.version.number, first.version.checksum) == (1, checksum(content))


def test_new_content_is_the_next_number_and_what_voters_see(engine: sa.Engine) -> None:
    (content,) = read_elections(DEMO_FILES)
    title = {**content.questionnaire.title, "en": "Zugdidi, revised"}
    revised = content.model_copy(
        update={"questionnaire": content.questionnaire.model_copy(update={"title": title})}
    )
    with session_scope(engine) as db:
        store.publish(db, content=content)
    with session_scope(engine) as db:
        second = store.publish(db, content=revised)
    assert (second.created, second.version.number) == (True, 2)
    with Session(engine) as db:
        ref = store.published_ref(db, slug="demo")
        assert ref is not None
        assert (ref.number, ref.checksum, ref.archived) == (2, checksum(revised), False)
        assert store.bundle_bytes(db, version_id=ref.version_id) == build_bundle(revised)
        election = store.get_election(db, slug="demo")
        assert election is not None and election.id is not None
        old = store.version_by_checksum(db, election_id=election.id, version=checksum(content))
        assert old is not None and old.number == 1  # an old version stays readable


@pytest.mark.parametrize("files", [DEMO_FILES, RACE_FILES], ids=["flat", "races"])
def test_the_stored_content_reads_back_equal(engine: sa.Engine, files: list[Path]) -> None:
    """Every field a row stores comes back: the flat demo has axes, statement notes,
    justifications, sources, short names and fictional parties; the races election
    candidates with races, backing parties and borrowed positions."""
    (content,) = read_elections(files)
    with session_scope(engine) as db:
        version = store.publish(db, content=content).version
    with Session(engine) as db:
        assert store.read_content(db, version=version, slug=content.slug) == content


def test_visibility_decides_which_elections_voters_find(engine: sa.Engine) -> None:
    demo, races = read_elections(DEMO_FILES)[0], read_elections(RACE_FILES)[0]
    with session_scope(engine) as db:
        store.publish(db, content=demo)
        store.publish(db, content=races)
    with Session(engine) as db:
        slugs = [e.slug for e, _v in store.published_versions(db, listed=True)]
        assert slugs == ["demo", "races"]
    for visibility, reachable, listed in [
        ("hidden", ["demo", "races"], ["demo"]),
        ("archived", ["demo", "races"], ["demo"]),
        ("unpublished", ["demo"], ["demo"]),
    ]:
        with session_scope(engine) as db:
            election = store.get_election(db, slug="races")
            assert election is not None
            election.visibility = visibility
            db.add(election)
        with Session(engine) as db:
            assert [e.slug for e, _v in store.published_versions(db)] == reachable, visibility
            assert [e.slug for e, _v in store.published_versions(db, listed=True)] == listed
            ref = store.published_ref(db, slug="races")
            assert (ref is None) == (visibility == "unpublished")
            assert ref is None or ref.archived == (visibility == "archived")


def test_a_new_version_moves_the_generation_counter_and_a_repeat_does_not(
    engine: sa.Engine,
) -> None:
    (content,) = read_elections(DEMO_FILES)
    before = store.published_generation()
    with session_scope(engine) as db:
        store.publish(db, content=content)
    moved = store.published_generation()
    assert moved > before  # once when publishing, again when that commits
    with session_scope(engine) as db:
        store.publish(db, content=content)
    assert store.published_generation() == moved
