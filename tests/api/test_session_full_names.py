"""A room reads the parties' full names, not their abbreviations: on the projector, in the
printed session report and in its CSV (issue 12, item 3)."""

import json
import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_session_pages import _code, _create, _join, facilitator  # noqa: F401
from tests.soup import parse, select, text


def _finished_group(client: TestClient) -> str:
    base = _create(client)
    code = _code(client, base)
    for answer in ("agree", "disagree", "agree"):  # the minimum group is 3
        phone, person = _join(client, code)
        sent = phone.post(
            f"/api/v1/sessions/{code}/answers",
            json={"participant": person, "answers": {"e-petitions": answer}, "finished": True},
        )
        assert sent.status_code == 200
    return base


def test_projector_report_and_csv_name_parties_in_full(
    facilitator: TestClient,  # noqa: F811
    demo: sa.Engine,
) -> None:
    bundle = facilitator.get("/api/v1/elections/demo/bundle").json()
    full = {e["id"]: e["name"]["en"] for e in bundle["entities"]}
    short = {e["id"]: e["short"]["en"] for e in bundle["entities"] if e.get("short")}
    assert short  # the election has abbreviations the room should not be left to decode
    base = _finished_group(facilitator)

    projector = facilitator.get(f"{base}/projector")
    data = json.loads(
        re.search(r'id="projector-data">(.*?)</script>', projector.text).group(1)  # type: ignore[union-attr]
    )
    assert {k: v["name"] for k, v in data["meta"]["entities"].items()} == full

    report = parse(facilitator.get(f"{base}/report").text)
    names = [text(th) for th in select(report, ".report__matches th[scope=row]")]
    assert sorted(names) == sorted(full.values())

    exported = facilitator.get(f"{base}/report.csv").text
    for entity, name in full.items():
        assert f"match,{entity}," in exported and name in exported, entity
