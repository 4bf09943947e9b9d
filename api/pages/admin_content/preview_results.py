"""Preview of the results page: the draft scored for sample answers, before publishing.

The lenient draft is used, so editors can check rankings and reasons while the draft
still has problems that stop publishing.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from api.pages.admin_content.core import DraftDep, page
from vaa.content import ElectionContent
from vaa.drafts import lenient_content
from vaa.errors import InvalidAnswers
from vaa.results import MatchRequest, PreparedElection, score_answers
from vaa.rules import text_in

router = APIRouter(prefix="/admin/elections")

REASONS = 3  # statements shown per entity, each way


def sample_answers(content: ElectionContent, sample: str) -> dict[str, str]:
    """A voter's answers: one entity's own positions, or every scale option in turn."""
    scale = [o.id for o in content.questionnaire.scale]
    statements = [s.id for s in content.questionnaire.statements]
    entity = next((e for e in content.entities if e.id == sample), None)
    if entity is not None:
        positions = content.positions_of(entity)
        return {s: positions[s].answer for s in statements if s in positions}
    if not scale:
        return {}
    return {s: scale[i % len(scale)] for i, s in enumerate(statements)}


def _reasons(
    content: ElectionContent, result: dict[str, Any], lang: str, texts: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    entity = next(e for e in content.entities if e.id == result["entity"])
    positions = content.positions_of(entity)
    scored = [
        (sid, s["agreement"])
        for sid, s in result["statements"].items()
        if s.get("agreement") is not None
    ]

    def row(sid: str, agreement: float) -> dict[str, Any]:
        position = positions.get(sid)
        why = position.justification if position is not None else None
        return {
            "statement": texts.get(sid, sid),
            "agreement": agreement,
            "answer": position.answer if position is not None else None,
            "justification": text_in(dict(why), lang, default="") if why else "",
        }

    ranked = sorted(scored, key=lambda x: (-x[1], x[0]))
    return {
        "agree": [row(s, a) for s, a in ranked[:REASONS]],
        "disagree": [row(s, a) for s, a in sorted(scored, key=lambda x: (x[1], x[0]))[:REASONS]],
    }


@router.get("/{election}/preview/{lang}/results", response_class=HTMLResponse)
def read_preview_results(request: Request, opened: DraftDep, lang: str) -> HTMLResponse:
    """The ranking and reasons the draft gives for sample answers (?sample=<entity id>)."""
    content = lenient_content(opened.data)
    if lang not in opened.data["questionnaire"].get("languages", []):
        raise HTTPException(404, f"the opened.slug is not in {lang!r}")
    sample = request.query_params.get("sample", "")
    rows: list[dict[str, Any]] = []
    answers: dict[str, str] = {}
    refused = content is None
    if content is not None:
        answers = sample_answers(content, sample)
        texts = {
            s.id: text_in(dict(s.text), lang, default=s.id)
            for s in content.questionnaire.statements
        }
        try:
            scored = score_answers(
                PreparedElection.build(content, "draft"),
                MatchRequest.model_validate({"answers": answers, "language": lang}),
            )
        except (InvalidAnswers, ValueError):
            refused = True
        else:
            rows = [{**r, **_reasons(content, r, lang, texts)} for r in scored["results"]]
    entities = [
        (e.id, text_in(dict(e.name), lang, default=e.id))
        for e in (content.entities if content else [])
    ]
    return page(
        request,
        "preview_results.html",
        opened=opened,
        preview_lang=lang,
        sample=sample if any(e == sample for e, _ in entities) else "",
        entities=entities,
        results=rows,
        answered=len(answers),
        refused=refused,
    )
