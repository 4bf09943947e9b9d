"""Plain keyword-only factories shared by the test modules: a voter's answers, the quiz form."""

from typing import Any

from fastapi.testclient import TestClient


def voter_slice(client: TestClient, *, lang: str, election: str = "demo") -> dict[str, Any]:
    """The published election in one language, as the quiz downloads it."""
    bundle = client.get(f"/api/v1/elections/{election}").json()["bundle"]
    data: dict[str, Any] = client.get(f"{bundle}/{lang}").json()
    return data


def voter_answers(election: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, int]]:
    """A voter with an opinion on most statements, a few skipped and two marked important."""
    options = [o["id"] for o in election["scale"]]
    answers: dict[str, str | None] = {}
    for i, s in enumerate(election["statements"]):
        answers[s["id"]] = None if i % 7 == 3 else options[(i * 3 + 1) % len(options)]
    ids = [s["id"] for s in election["statements"]]
    return answers, {ids[0]: 2, ids[5]: 2}


def quiz_form(
    answers: dict[str, str | None], weights: dict[str, int] | None = None, **extra: str
) -> dict[str, str]:
    """The no-JavaScript quiz form for these answers (`answer-<id>`, `weight-<id>`, extras)."""
    form = {f"answer-{sid}": option or "skip" for sid, option in answers.items()}
    form.update({f"weight-{sid}": str(w) for sid, w in (weights or {}).items()})
    form.update(extra)
    return form
