"""An election need not include Georgian: the pages offer only the election's languages."""

from pathlib import Path

import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import DATA
from tests.soup import parse, select, text
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings


def _english_only(directory: Path) -> list[Path]:
    """The tiny example election with its Georgian texts removed."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            if set(value) == {"ka", "en"}:
                return {"en": value["en"]}
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    paths = []
    for name in ("example-questionnaire.yaml", "example-parties.yaml"):
        data = strip(yaml.safe_load((DATA / name).read_text(encoding="utf-8")))
        assert isinstance(data, dict)
        data["election"] = "english-only"
        if "languages" in data:
            data["languages"] = ["en"]
        path = directory / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths


def test_an_election_without_georgian(
    settings: Settings, engine: sa.Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, paths=_english_only(tmp_path))
    with TestClient(create_app(settings)) as client:
        start = client.get("/en/english-only/")
        assert start.status_code == 200
        page = parse(start)
        assert "Example" in text(page.find("main"))
        # The language switch offers only what the election has.
        assert not select(page, "[hreflang=ka], a[href^='/ka/']")
        # A Georgian address leads to the election's own language, not to an error.
        georgian = client.get("/ka/english-only/quiz", follow_redirects=False)
        assert georgian.status_code == 307
        assert georgian.headers["location"] == "/en/english-only/quiz"
        # The server-side result works in English with no Georgian text anywhere.
        form = {
            "answer-s1": "agree",
            "answer-s2": "agree",
            "answer-s3": "disagree",
            "answer-s4": "agree",
        }
        result = client.post("/en/english-only/results", data=form)
        assert result.status_code == 200
        shown = parse(result)
        assert text(select(shown, "[data-list=rows] [data-k=name]")[0]) == "Party A"
        assert "პარტია" not in text(shown)
        match = client.post(
            "/api/v1/elections/english-only/match", json={"answers": {"s1": "agree"}}
        )
        assert match.status_code == 200 and match.json()["results"][0]["name"] == "Party A"
        refused = client.post(
            "/api/v1/elections/english-only/match",
            json={"answers": {"s1": "agree"}, "language": "ka"},
        )
        assert refused.status_code == 400 and "'ka'" in refused.json()["detail"]
