"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL is not optional: the tests fail when the server cannot be reached, unless
VAA_TEST_SKIP_POSTGRES=1 is set for a quick local run.
"""

import copy
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

import vaa.accounts
import vaa.loading
from api.app import create_app
from vaa.db import create_db_engine, migrate, session_scope
from vaa.formats import ParsedFile, Problem, parse_file
from vaa.loading import load_files
from vaa.settings import ROOT, Settings, get_settings

DATA = Path(__file__).parent / "data"
# The suite's election: the original flat demo (one race of 7 parties), kept stable so tests
# do not change whenever the shipped demo (questionnaires/demo.yaml) is rewritten.
DEMO_FILES = [DATA / "flat-questionnaire.yaml", DATA / "flat-parties.yaml"]
# A small election with four races, every number of it worked out in tests/api/test_races.py.
RACE_FILES = [DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"]
SHIPPED_DEMO_FILES = [ROOT / "questionnaires" / "demo.yaml", ROOT / "parties" / "demo.yaml"]
POSTGRES_ADMIN_URL = os.environ.get(
    "VAA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite"] + ([] if os.environ.get("VAA_TEST_SKIP_POSTGRES") == "1" else ["postgresql"])


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Real argon2id hashes, at the lowest cost, in this process's app (not in served ones).

    The library's defaults take about 0.12 s of CPU a hash, by design; the suite signs in
    and creates accounts thousands of times. Hashing and checking are the same calls on
    the same kind of hash (tests/api/test_auth.py checks the format), only cheaper, as
    Django's test settings do with their password hasher.
    """
    default = vaa.accounts._hasher
    vaa.accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    vaa.accounts._hasher = default


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = create_db_engine(Settings(database_url=f"sqlite:///{path}"))
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database for this test run, migrated once, dropped at the end."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"vaa_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {exc}")
    url = sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(Settings(database_url=url))
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "vaa.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        _empty_postgres(url)
    return Settings(database_url=url, demo_files=DEMO_FILES)


@pytest.fixture
def engine(settings: Settings) -> Iterator[sa.Engine]:
    engine = create_db_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def demo(engine: sa.Engine) -> sa.Engine:
    """The database with the demo election published."""
    with session_scope(engine) as session:
        load_files(session, paths=DEMO_FILES)
    return engine


@pytest.fixture
def client(settings: Settings, demo: sa.Engine) -> Iterator[TestClient]:
    """The real app on a database holding the demo election."""
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def races(settings: Settings, demo: sa.Engine) -> Iterator[TestClient]:
    """The real app on a database holding the demo and the races election."""
    with session_scope(demo) as session:
        load_files(session, paths=RACE_FILES)
    with TestClient(create_app(settings)) as client:
        yield client


_PARSED: dict[tuple[str, bytes], tuple[ParsedFile | None, list[Problem]]] = {}


def _parse_once(path: Path | str) -> tuple[ParsedFile | None, list[Problem]]:
    """parse_file, each file's bytes parsed once per worker: most tests load the same
    demo files, and the bounded YAML reader is pure Python (a tenth of a second each).
    Every caller gets its own copy, so no test sees another's changes."""
    try:
        if Path(path).stat().st_size > 1_000_000:
            return parse_file(path)  # the size limit's own test measures what it reads
        key = (str(Path(path).resolve()), hashlib.blake2b(Path(path).read_bytes()).digest())
    except OSError:
        return parse_file(path)  # it names the problem
    if key not in _PARSED:
        _PARSED[key] = parse_file(path)
    return copy.deepcopy(_PARSED[key])


@pytest.fixture(autouse=True, scope="session")
def _parse_each_file_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vaa.loading, "parse_file", _parse_once)
        yield


@pytest.fixture(autouse=True)
def _fresh_process_settings() -> Iterator[None]:
    """Each test reads VAA_* from its own environment: the process-wide settings are
    cached (vaa.settings.get_settings), and a page rendered by an earlier test in the same
    worker (a date in Tbilisi time reads the time zone) must not pin another's database."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
