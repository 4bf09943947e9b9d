"""Property-based: every operation, fed generated input, answers 2xx/4xx, never 500.

schemathesis generates requests from the app's own OpenAPI document and checks each
response against it, in process (no server).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from api.app import create_app
from tests.conftest import DEMO_FILES
from vaa.db import create_db_engine, migrate, session_scope
from vaa.loading import load_files
from vaa.settings import Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    path: Path = tmp_path_factory.mktemp("schema") / "vaa.db"
    settings_ = Settings(database_url=f"sqlite:///{path}", demo_files=DEMO_FILES)
    engine = create_db_engine(settings_)
    migrate(engine)
    with session_scope(engine) as session:
        load_files(session, paths=DEMO_FILES)
    engine.dispose()
    yield create_app(settings_)


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_handles_any_input(case: schemathesis.Case) -> None:
    case.call_and_validate()
