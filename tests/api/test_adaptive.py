"""POST /api/v1/elections/{election}/next through the real app (demo fixture)."""

import json
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import DEMO_FILES
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings

URL = "/api/v1/elections/demo/next"


def _statements(client: TestClient) -> list[str]:
    bundle = client.get("/api/v1/elections/demo/bundle").json()
    return [s["id"] for s in bundle["questionnaire"]["statements"]]


def test_next_walks_the_questionnaire_without_repeats(client: TestClient) -> None:
    ids = _statements(client)
    first = client.post(URL, json={"answers": {}})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["statement"] in ids
    assert (body["certainty"], body["settled"]) == (0.0, False)
    answers: dict[str, str | None] = {body["statement"]: None}  # shown and skipped
    asked = [body["statement"]]
    for _ in range(5):
        r = client.post(URL, json={"answers": answers})
        assert r.status_code == 200, r.text
        step = r.json()
        assert step["statement"] not in asked
        assert 0.0 <= step["certainty"] <= 1.0
        asked.append(step["statement"])
        answers[step["statement"]] = "agree"
    again = client.post(URL, json={"answers": answers}).json()
    assert again == client.post(URL, json={"answers": answers}).json()  # deterministic


def test_all_answered_is_settled(client: TestClient) -> None:
    answers = {sid: "agree" for sid in _statements(client)}
    body = client.post(URL, json={"answers": answers}).json()
    assert body == {"statement": None, "certainty": 1.0, "settled": True}


def test_bad_input_is_a_clear_4xx(client: TestClient) -> None:
    r = client.post(URL, json={"answers": {"no-such": "agree"}})
    assert r.status_code == 400 and "no-such" in r.json()["detail"]
    r = client.post(URL, json={"answers": {}, "race": "mayor"})
    assert r.status_code == 400 and "mayor" in r.json()["detail"]
    r = client.post(URL, json={"answers": {}, "method": "nope"})
    assert r.status_code == 422
    assert client.post("/api/v1/elections/nowhere/next", json={"answers": {}}).status_code == 404


# three answers as green-coast gives them: certainty 0.585 on the demo
THREE = {
    "e-petitions": "agree-strongly",
    "participatory-budget": "agree-strongly",
    "open-council": "agree",
}


def test_the_threshold_is_the_elections(
    client: TestClient, settings: Settings, demo: sa.Engine, tmp_path: Path
) -> None:
    # the same election under another slug, settled at 0.5 instead of the default 0.9
    files = []
    for path in DEMO_FILES:
        text = path.read_text(encoding="utf-8").replace("election: demo", "election: eager")
        text = text.replace(
            "matching: {method: cityblock, missing: max}",
            "matching: {method: cityblock, missing: max, settled: 0.5}",
        )
        files.append(tmp_path / path.name)
        files[-1].write_text(text, encoding="utf-8")
    with session_scope(demo) as session:
        load_files(session, paths=files)
    default = client.post(URL, json={"answers": THREE}).json()
    eager = client.post("/api/v1/elections/eager/next", json={"answers": THREE}).json()
    assert 0.5 <= default["certainty"] < 0.9
    assert eager["certainty"] == default["certainty"]
    assert (default["settled"], eager["settled"]) == (False, True)
    # the browser's quick mode gets the election's threshold with the page
    for slug, threshold in (("demo", 0.9), ("eager", 0.5)):
        page = client.get(f"/en/{slug}/quick").text
        script = page.split('<script type="application/json" id="quick-data">')[1]
        assert json.loads(script.split("</script>")[0])["settled"] == threshold
