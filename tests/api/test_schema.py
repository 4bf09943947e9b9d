"""Property-based: every operation, fed generated input, answers 2xx/4xx, never 500.

schemathesis generates requests from the app's own OpenAPI document and checks each
response against it, in process (no server).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.throttle import Throttle, Throttles
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


# --- hostile JSON bodies -------------------------------------------------------------------
# schemathesis' JSON generation never produces NaN or Infinity (they are not JSON) and keeps
# values small, so every JSON-body operation of the schema is also sent, field by field,
# non-finite and huge numbers, huge strings and huge arrays, written as raw JSON text.

HUGE_STRING = "x" * 200_000  # under the 256 KiB body limit: the field's own bound must refuse it
HOSTILE = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e308": "1e308",
    "1e999": "1e999",  # overflows to infinity in Python's parser
    "huge string": json.dumps(HUGE_STRING),
    "huge array": "[" + ",".join(["1e308"] * 40_000) + "]",
}
SLOT = "\u0000hostile\u0000"
ECHOES = ("NaN", "Infinity", '"inf"', '"-inf"', '"nan"', "1e+308", "1e308", "x" * 1000)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _slots(spec: dict[str, Any], node: dict[str, Any], base: Any) -> Iterator[tuple[str, Any]]:
    """(where, body with SLOT there) for each property, map value, map key and array item."""
    node = _resolve(spec, node)
    for variant in node.get("anyOf", []):
        if _resolve(spec, variant).get("type") in ("object", "array"):
            yield from _slots(spec, variant, base)
    yield "", SLOT
    if node.get("type") == "array" or "items" in node:
        for where, inner in _slots(spec, node.get("items", {}), None):
            yield f"[]{where}", [inner]
    if node.get("type") == "object" or "properties" in node:
        base = base if isinstance(base, dict) else {}
        for name, child in node.get("properties", {}).items():
            for where, inner in _slots(spec, child, base.get(name)):
                yield f".{name}{where}", {**base, name: inner}
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            key = next(iter(base), "key")
            for where, inner in _slots(spec, extra, base.get(key)):
                yield f".{{{key}}}{where}", {**base, key: inner}
            yield ".{huge key}", {**base, HUGE_STRING: base.get(key)}


def _json_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(method, path with parameters filled, body schema, documented example) per operation."""
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            body_schema = content["application/json"]["schema"]
            examples = _resolve(spec, body_schema).get("examples") or [{}]
            path = template.replace("{election}", "demo").replace("{code}", "ABCD2345")
            yield method, path, body_schema, examples[0]


def test_every_json_operation_refuses_non_finite_and_huge_values(app: FastAPI) -> None:
    spec = app.openapi()
    saved = app.state.throttles
    generous = Throttle(per_client=10**9, overall=10**9, window=600)
    # The floods are tested in tests/security; here every request must reach validation.
    app.state.throttles = Throttles(
        donations=generous, donation_tokens=generous, joins=generous, join_misses=generous
    )
    operations = list(_json_operations(spec))
    assert len(operations) >= 4  # match, next, donations, session answers
    headers = {"content-type": "application/json"}
    tried = 0
    try:
        with TestClient(app) as client:
            for method, path, body_schema, example in operations:
                for where, body in _slots(spec, body_schema, example):
                    text = json.dumps(body)
                    for name, raw in HOSTILE.items():
                        if name == "huge array" and where.endswith(".{huge key}"):
                            continue  # a huge key and a huge array together pass 256 KiB
                        content = text.replace(json.dumps(SLOT), raw, 1)
                        response = client.request(method, path, content=content, headers=headers)
                        tried += 1
                        label = f"{method.upper()} {path} {where or 'body'} = {name}"
                        assert 400 <= response.status_code < 500, label
                        assert len(response.content) < 10_000, label
                        assert not any(e in response.text for e in ECHOES), label
                oversized = json.dumps({"padding": "x" * 300_000})
                response = client.request(method, path, content=oversized, headers=headers)
                assert response.status_code == 413, f"{method.upper()} {path}"
                assert len(response.content) < 10_000
    finally:
        app.state.throttles = saved
    assert tried > 100
