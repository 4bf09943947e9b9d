"""The lean match path (issue 14 item 4) answers exactly as the old one did.

tests/api/match_reference.py is the scoring code as it was before; here hundreds of
random requests go through both, in process and through the served route on SQLite and
PostgreSQL, and a publish is seen by the route's per-process cache.
"""

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.schemas import MatchResponse
from tests.api.match_reference import reference_score_answers
from tests.conftest import DEMO_FILES
from vaa import matching
from vaa.db import session_scope
from vaa.errors import InvalidAnswers
from vaa.loading import read_elections
from vaa.results import (
    MatchRequest,
    PreparedElection,
    match_json,
    prepare,
    prepared_if_cached,
    score_answers,
)
from vaa.settings import Settings

URL = "/api/v1/elections/demo/match"
ROOT = Path(__file__).resolve().parents[2]


def _random_body(prepared: PreparedElection, rng: random.Random) -> dict[str, Any]:
    q = prepared.content.questionnaire
    options: list[str | None] = [o.id for o in q.scale] + [None]
    statements = prepared.statement_ids
    chosen = rng.sample(statements, rng.randint(0, len(statements)))
    body: dict[str, Any] = {"answers": {sid: rng.choice(options) for sid in chosen}}
    if rng.random() < 0.5:
        body["weights"] = {
            sid: rng.choice([0, 0.5, 1, 2, 3, 100]) for sid in rng.sample(statements, 5)
        }
    if rng.random() < 0.7:
        body["method"] = rng.choice(matching.METHODS)
    if rng.random() < 0.7:
        body["missing"] = rng.choice(["max", "neutral", "skip"])
    if rng.random() < 0.5:
        body["language"] = rng.choice(q.languages)
    places = [c.id for c in q.constituencies]
    if places and rng.random() < 0.6:
        body["constituency"] = rng.choice(places)
    elif rng.random() < 0.05:
        body["constituency"] = "nowhere"  # a problem the old path named too
    return body


def _expected(prepared: PreparedElection, body: dict[str, Any]) -> dict[str, Any] | str:
    """The old path's JSON (through the response model, as the route used to), or the
    code of the problem it raised."""
    try:
        old = reference_score_answers(prepared, MatchRequest.model_validate(body))
    except InvalidAnswers as exc:
        return exc.code
    return MatchResponse.model_validate(old).model_dump(mode="json")


SHIPPED_DEMO = [ROOT / "questionnaires" / "demo.yaml", ROOT / "parties" / "demo.yaml"]


@pytest.fixture(scope="module", params=["shipped demo (races)", "flat test election"])
def prepared_demo(request: pytest.FixtureRequest) -> PreparedElection:
    files = SHIPPED_DEMO if request.param.startswith("shipped") else DEMO_FILES
    (content,) = read_elections(files)
    return prepare(content, f"test-{request.param}")


def test_new_scoring_equals_the_old_on_random_requests(prepared_demo: PreparedElection) -> None:
    rng = random.Random(14)
    compared = 0
    for _ in range(400):
        body = _random_body(prepared_demo, rng)
        expected = _expected(prepared_demo, body)
        try:
            new = score_answers(prepared_demo, MatchRequest.model_validate(body))
        except InvalidAnswers as exc:
            assert exc.code == expected, body
            continue
        assert json.loads(orjson.dumps(new)) == expected, body
        # the dict callers get is the old one too (the no-JS results page reads it)
        assert new == reference_score_answers(prepared_demo, MatchRequest.model_validate(body))
        compared += 1
    assert compared > 250  # most requests score; a few answer nothing or name nowhere


def test_match_json_is_the_dict_written_by_orjson(prepared_demo: PreparedElection) -> None:
    """The route's bytes, built from per-version fragments, are byte for byte what
    orjson writes for score_answers' dict, in full and in summary."""
    rng = random.Random(41)
    compared = 0
    for _ in range(300):
        body = _random_body(prepared_demo, rng)
        body["detail"] = rng.choice(["full", "summary"])
        request = MatchRequest.model_validate(body)
        try:
            expected = orjson.dumps(score_answers(prepared_demo, request))
        except InvalidAnswers as exc:
            with pytest.raises(InvalidAnswers) as raised:
                match_json(prepared_demo, request)
            assert raised.value.code == exc.code
            continue
        assert match_json(prepared_demo, request) == expected, body
        compared += 1
    assert compared > 200


def test_served_match_equals_the_old_path(client: TestClient) -> None:
    rng = random.Random(4)
    first = client.post(URL, json={"answers": {"e-petitions": "agree"}})
    assert first.status_code == 200
    prepared = prepared_if_cached(first.json()["version"], "demo")
    assert prepared is not None
    for _ in range(150):
        body = _random_body(prepared, rng)
        expected = _expected(prepared, body)
        response = client.post(URL, json=body)
        if isinstance(expected, str):
            assert response.status_code == 400, body
            assert response.json()["code"] == expected
        else:
            assert response.status_code == 200, body
            assert response.headers["content-type"] == "application/json"
            assert response.json() == expected, body


def test_the_docs_still_describe_the_match_response(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/elections/{election}/match"]["post"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/MatchResponse"}
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MatchRequest"
    }


def test_unknown_election_is_still_a_404(client: TestClient) -> None:
    response = client.post("/api/v1/elections/nowhere/match", json={"answers": {}})
    assert response.status_code == 404
    assert response.json()["code"] == "election.unknown"


def _edited_demo(tmp_path: Path) -> list[Path]:
    """The demo files with one party's first position changed: a new version."""
    questionnaire, parties = DEMO_FILES
    text = Path(parties).read_text(encoding="utf-8")
    edited = tmp_path / "parties.yaml"
    for old, new in (("answer: agree-strongly", "answer: disagree-strongly"),):
        assert old in text
        text = text.replace(old, new, 1)
    edited.write_text(text, encoding="utf-8")
    return [Path(questionnaire), edited]


def test_a_publish_in_this_process_is_seen_at_once(
    client: TestClient, demo: sa.Engine, tmp_path: Path
) -> None:
    from vaa.loading import load_files

    before = client.post(URL, json={"answers": {"e-petitions": "agree"}}).json()["version"]
    with session_scope(demo) as session:
        load_files(session, paths=_edited_demo(tmp_path))
    after = client.post(URL, json={"answers": {"e-petitions": "agree"}}).json()["version"]
    assert after != before


def test_a_publish_by_another_process_is_seen_within_a_second(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    before = client.post(URL, json={"answers": {"e-petitions": "agree"}}).json()["version"]
    subprocess.run(
        [sys.executable, "-m", "vaa.cli", "load", *map(str, _edited_demo(tmp_path))],
        cwd=ROOT,
        env={"VAA_DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    published = time.monotonic()
    while True:
        version = client.post(URL, json={"answers": {"e-petitions": "agree"}}).json()["version"]
        if version != before:
            break
        assert time.monotonic() - published < 1.5, "the route kept the old version"
        time.sleep(0.05)


def test_match_groups_equals_match_and_sensitivity_on_each_group() -> None:
    """The one-pass engine call gives, group by group, what match() and sensitivity()
    give on the group's rows, ties and gaps included (few scale points: many ties)."""
    rng = np.random.default_rng(14)
    for _ in range(300):
        n_entities, n_statements = int(rng.integers(1, 9)), int(rng.integers(1, 7))
        levels = np.array([-1.0, 0.0, 1.0])
        entities = rng.choice(levels, size=(n_entities, n_statements))
        entities[rng.random(entities.shape) < 0.3] = np.nan
        voter = rng.choice(levels, size=n_statements)
        voter[rng.random(n_statements) < 0.3] = np.nan
        voter[0] = 1.0
        weights = rng.choice([0.0, 1.0, 2.0], size=n_statements)
        weights[0] = 1.0
        ids = [f"e{int(i)}" for i in rng.permutation(n_entities)]
        themes = rng.integers(0, 2, size=n_statements).astype(np.intp)
        groups = [list(range(n_entities))] + [
            sorted(rng.choice(n_entities, size=int(rng.integers(1, n_entities + 1)), replace=False))
            for _ in range(3)
        ]
        method = str(rng.choice(matching.METHODS))
        missing = str(rng.choice(["max", "neutral", "skip"]))
        found = matching.match_groups(
            voter,
            weights,
            entities,
            entity_ids=ids,
            groups=groups,
            themes=themes,
            n_themes=2,
            method=method,  # type: ignore[arg-type]
            missing=missing,  # type: ignore[arg-type]
        )
        for group, (result, top) in zip(groups, found, strict=True):
            rows = entities[group]
            group_ids = [ids[e] for e in group]
            expected = matching.match(
                voter,
                weights,
                rows,
                entity_ids=group_ids,
                themes=themes,
                n_themes=2,
                method=method,  # type: ignore[arg-type]
                missing=missing,  # type: ignore[arg-type]
            )
            for field in (
                "scores",
                "agreements",
                "theme_scores",
                "intervals",
                "order",
                "ranks",
                "close_to_top",
            ):
                np.testing.assert_array_equal(getattr(result, field), getattr(expected, field))
            assert top == matching.sensitivity(
                voter,
                weights,
                rows,
                entity_ids=group_ids,
                missing=missing,  # type: ignore[arg-type]
            )


def test_repeated_matches_read_nothing_from_the_database(client: TestClient) -> None:
    """The published version comes from the process's cache: before, every match read it
    (and its bundle's id) from the database."""
    engine: sa.Engine = client.app.state.engine  # type: ignore[attr-defined]
    assert client.post(URL, json={"answers": {"e-petitions": "agree"}}).status_code == 200
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for option in ("agree", "disagree", "neutral") * 5:
            response = client.post(URL, json={"answers": {"e-petitions": option}})
            assert response.status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert statements == []


def test_a_full_collection_skips_what_the_app_made_at_startup(settings: Settings) -> None:
    """Once the app is up its startup objects are frozen, so a full collection under load
    walks only what requests made (unfrozen, one took 0.4-0.5 s, the event loop stalled);
    they are collectable again once the app stops."""
    import gc

    from api.app import create_app

    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > len(gc.get_objects())
    assert gc.get_freeze_count() == 0
