"""The API, the CLI and the batch engine give the same numbers for the same answers."""

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_FILES
from vaa import matching
from vaa.cli import main
from vaa.loading import read_elections
from vaa.publish import checksum
from vaa.results import prepare
from vaa.settings import Settings, get_settings


def _voters() -> list[dict[str, object]]:
    (demo,) = read_elections(DEMO_FILES)
    ids = [s.id for s in demo.questionnaire.statements]
    options = [o.id for o in demo.questionnaire.scale]
    rng = np.random.default_rng(7)
    voters = []
    for n in range(6):
        answers = {
            sid: options[int(rng.integers(len(options)))] for sid in ids if rng.random() > 0.2
        }
        weights = {sid: 2 for sid in ids[n::5]}
        voters.append({"answers": answers, "weights": weights})
    return voters


@pytest.mark.parametrize("method", matching.METHODS)
def test_api_cli_and_batch_agree(
    client: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    method: str,
) -> None:
    (demo,) = read_elections(DEMO_FILES)
    prepared = prepare(demo, checksum(demo))
    voters = _voters()
    answers = np.full((len(voters), len(prepared.statement_ids)), np.nan)
    weights = np.ones_like(answers)
    for row, voter in enumerate(voters):
        answers[row], weights[row] = prepared.voter_arrays(voter["answers"], voter["weights"])  # type: ignore[arg-type]
    batch = matching.batch_scores(
        answers,
        weights,
        prepared.entity_answers,
        method=method,
        missing="max",  # type: ignore[arg-type]
    )
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        for row, voter in enumerate(voters):
            api = client.post(
                "/api/v1/elections/demo/match", json={**voter, "method": method}
            ).json()
            path = tmp_path / f"voter{row}.json"
            path.write_text(json.dumps(voter), encoding="utf-8")
            assert (
                main(["match", "demo", "--answers", str(path), "--method", method, "--json"]) == 0
            )
            cli = json.loads(capsys.readouterr().out)
            expected = dict(zip(prepared.entity_ids, batch[row], strict=True))
            for source in (api, cli):
                scores = {r["entity"]: r["score"] for r in source["results"]}
                assert scores == pytest.approx(expected, abs=1e-9)
            assert api == cli
    finally:
        get_settings.cache_clear()


def test_cli_match_prints_a_readable_ranking(
    client: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        path = tmp_path / "a.json"
        path.write_text(json.dumps(_voters()[0]["answers"]), encoding="utf-8")
        assert main(["match", "demo", "--answers", str(path), "--language", "en"]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0].startswith("demo · cityblock · missing=max")
        api = client.post(
            "/api/v1/elections/demo/match", json={"answers": _voters()[0]["answers"]}
        ).json()["sensitivity"]
        tops = set(api.values())
        expected = (
            f"the same top match under all four methods: {tops.pop()}"
            if len(tops) == 1
            else "the top match depends on the method: "
            + ", ".join(f"{m}={e}" for m, e in api.items())
        )
        assert out.splitlines()[-1] == expected
        bad = tmp_path / "bad.json"
        bad.write_text('{"answers": {"no-such-statement": "agree"}}', encoding="utf-8")
        assert main(["match", "demo", "--answers", str(bad)]) == 2
        assert "unknown statement 'no-such-statement'" in capsys.readouterr().err
        bad.write_text("{oops", encoding="utf-8")
        assert main(["match", "demo", "--answers", str(bad)]) == 2
        assert f"{bad}:1: not valid JSON" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
