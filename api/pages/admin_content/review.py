"""Before publishing: diagnostics, a preview as a voter, and publishing itself."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from api.assets import static_url
from api.deps import SessionDep
from api.i18n import translations
from api.pages.admin_content.core import DraftDep, EditorDep, base_url, load, page, redirect
from api.pages.admin_content.forms import FormDep, revision_of
from api.pages.render import language_switch, render_template
from vaa.content import ElectionContent
from vaa.diagnostics import diagnose
from vaa.drafts import OpenDraft, draft_content, publish_draft, readable_content
from vaa.formats import DataError, Problem
from vaa.models import QuestionnaireVersion
from vaa.publish import build_bundle, checksum, voter_slice
from vaa.publishing import publish_warnings
from vaa.store import latest_published

router = APIRouter(prefix="/admin/elections")

_ITEM = re.compile(r"^(scale|themes|axes|statements|entities)\[(\d+)\](.*)$")


@dataclass
class ProblemGroup:
    """The problems of one thing (a statement, an entity...), with the page to fix them."""

    kind: str
    item: str
    url: str
    problems: list[Problem] = field(default_factory=list)


def group_problems(data: dict[str, Any], problems: list[Problem]) -> list[ProblemGroup]:
    """Problems by the thing they are about, in the order found, each linked to its page."""
    base = base_url(data["questionnaire"].get("election", ""))
    groups: dict[tuple[str, str], ProblemGroup] = {}
    for problem in problems:
        where = problem.field.removeprefix("questionnaire.")
        match = _ITEM.match(where)
        kind, item, url = "settings", "", f"{base}/settings"
        if match:
            kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
            items = (
                data.get("entities", [])
                if kind == "entities"
                else data["questionnaire"].get(kind, [])
            )
            item = str(items[index].get("id", index)) if index < len(items) else str(index)
            if kind == "scale":
                url = f"{base}/questionnaire#scale"
            elif kind == "entities" and rest.startswith(".positions"):
                kind, url = "positions", f"{base}/entities/{item}/positions"
            else:
                url = f"{base}/{kind}/{item}"
        elif where.startswith("entities"):
            kind, url = "entities", f"{base}/entities"
        elif where.startswith(("scale", "themes", "statements", "axes")):
            kind = where.split("[")[0].split(".")[0]
            url = f"{base}/questionnaire"
        groups.setdefault((kind, item), ProblemGroup(kind, item, url)).problems.append(problem)
    return list(groups.values())


# -- diagnostics ---------------------------------------------------------------------------


@router.get("/{election}/diagnostics", response_class=HTMLResponse)
def read_diagnostics(request: Request, opened: DraftDep) -> HTMLResponse:
    """Spread of answers per statement, missing answers, axis balance, missing translations."""
    content, problems = readable_content(opened.data)  # no content: only its problems
    q = opened.data["questionnaire"]
    return page(
        request,
        "diagnostics.html",
        opened=opened,
        report=diagnose(content) if content is not None else None,
        groups=group_problems(opened.data, problems),
        statements={s["id"]: s for s in q.get("statements", [])},
        scale=q.get("scale", []),
        entity_count=len(content.entities) if content is not None else 0,
    )


# -- preview ---------------------------------------------------------------------------


def _preview_election(opened: OpenDraft, lang: str) -> dict[str, Any] | list[Problem]:
    content, problems = draft_content(opened.data)
    if content is None:
        return problems
    try:
        data: dict[str, Any] = json.loads(voter_slice(build_bundle(content), lang))
    except KeyError:
        raise HTTPException(404, f"the election is not in {lang!r}") from None
    return data


def _render_preview(
    request: Request, opened: OpenDraft, lang: str, template: str, **context: Any
) -> HTMLResponse:
    slug = opened.election.slug
    base = f"{base_url(slug)}/preview"
    langs = opened.data["questionnaire"]["languages"]
    tail = "quiz" if template.endswith("quiz.html") else ""
    return render_template(
        request,
        template,
        language=lang,
        switch=language_switch(langs, lang, lambda code: f"{base}/{code}/{tail}"),
        headers={"Cache-Control": "no-store"},
        admin_url=base_url(slug),
        start_url=f"{base}/{lang}/",
        quiz_url=f"{base}/{lang}/quiz",
        results_url=f"{base}/{lang}/",
        method_url=f"/{lang}/{slug}/method" if opened.published else f"{base}/{lang}/",
        **context,
    )


Gettext = Callable[[str], str]


def _preview(
    request: Request,
    opened: OpenDraft,
    lang: str,
    template: str,
    context: Callable[[OpenDraft, dict[str, Any], Gettext], dict[str, Any]],
) -> HTMLResponse:
    """A voter's page built from the draft, or the problems that stop it from being built."""
    found = _preview_election(opened, lang)
    if isinstance(found, list):
        return _publish_page(request, opened, version=None, problems=found, preview_refused=True)
    gettext = translations(lang).gettext
    return _render_preview(
        request, opened, lang, f"admin/content/{template}", **context(opened, found, gettext)
    )


def _start_context(opened: OpenDraft, found: dict[str, Any], gettext: Gettext) -> dict[str, Any]:
    entities = sorted(found["entities"], key=lambda e: (e["name"].casefold(), e["id"]))
    answered = "You have answered or skipped %(n)s of %(total)s statements on this device."
    script = {
        "election": f"preview:{opened.slug}",
        "answers": static_url("js/answers.js"),
        "statements": [s["id"] for s in found["statements"]],
        "answered": gettext(answered) % {"n": "{n}", "total": "{total}"},
        "confirm": gettext("Delete your answers and start again?"),
    }
    return {
        "election": found,
        "entities": entities,
        "kinds": {e["kind"] for e in entities},
        "fictional": [e for e in entities if e.get("fictional")],
        "script": script,
    }


def _quiz_context(opened: OpenDraft, found: dict[str, Any], gettext: Gettext) -> dict[str, Any]:
    script = {
        "election": f"preview:{opened.slug}",
        "version": found["version"],
        "answers": static_url("js/answers.js"),
        "results": f"{base_url(opened.slug)}/preview/{found['language']}/",
        "step": gettext("Statement %(n)s of %(total)s") % {"n": "{n}", "total": "{total}"},
        "saved": gettext("Saved: %(answer)s.") % {"answer": "{answer}"},
        "skipped": gettext("Skipped."),
        "important": gettext("Marked as important: it counts twice."),
        "normal": gettext("No longer marked as important."),
        "confirm": gettext("Delete your answers and start again?"),
        "cleared": gettext("Your answers were deleted."),
        "changed": "",
        "dropped": "",
    }
    themes = {t["id"]: t["label"] for t in found["themes"]}
    return {"election": found, "themes": themes, "script": script}


@router.get("/{election}/preview/{lang}/", response_class=HTMLResponse)
def read_preview_start(request: Request, opened: DraftDep, lang: str) -> HTMLResponse:
    """The draft's start page as voters will see it, bannered as a preview."""
    return _preview(request, opened, lang, "preview_start.html", _start_context)


@router.get("/{election}/preview/{lang}/quiz", response_class=HTMLResponse)
def read_preview_quiz(request: Request, opened: DraftDep, lang: str) -> HTMLResponse:
    """The draft's quiz as voters will see it; answers stay apart from the real quiz's."""
    return _preview(request, opened, lang, "preview_quiz.html", _quiz_context)


# -- publishing -----------------------------------------------------------------------------


def _publish_page(
    request: Request,
    opened: OpenDraft,
    *,
    version: QuestionnaireVersion | None,
    problems: list[Problem] | None = None,
    preview_refused: bool = False,
) -> HTMLResponse:
    """publish.html: the draft's problems and what publishing it would make of `version`;
    given `problems` (publishing or, with preview_refused, the preview refused), a 409."""
    status = 200 if problems is None else 409
    content = None
    if problems is None:
        content, problems = draft_content(opened.data)
    shown = _publish_context(opened.data, content, problems, version)
    shown["preview_refused"] = preview_refused
    return page(request, "publish.html", opened=opened, status_code=status, **shown)


def _publish_context(
    data: dict[str, Any],
    content: ElectionContent | None,
    problems: list[Problem],
    version: QuestionnaireVersion | None,
) -> dict[str, Any]:
    """What publish.html shows of a draft: its problems grouped, and when it reads as
    content its warnings and whether it is still `version` (then nothing is new)."""
    grouped = {"groups": group_problems(data, problems), "version": version}
    if content is None:
        return grouped | {
            "unchanged": False,
            "warnings": [],
            "entity_names": {},
            "statement_texts": {},
        }
    return grouped | {
        "unchanged": version is not None and checksum(content) == version.checksum,
        "warnings": publish_warnings(content),
        "entity_names": {e.id: e.name for e in content.entities},
        "statement_texts": {s.id: s.text for s in content.questionnaire.statements},
    }


@router.get("/{election}/publish", response_class=HTMLResponse)
def read_publish(
    request: Request, election: str, session: SessionDep, user: EditorDep
) -> HTMLResponse:
    """Every problem that stops the draft from being published, or the publish button."""
    opened = load(session, election)
    assert opened.election.id is not None
    version = latest_published(session, election_id=opened.election.id)
    return _publish_page(request, opened, version=version)


@router.post("/{election}/publish")
def publish_election(
    request: Request, opened: DraftDep, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Freeze the draft as the next version, if it has no problems (else list them, 409)."""
    if revision_of(form) != opened.revision:
        return redirect(f"{base_url(opened.slug)}/publish?done=stale")
    assert opened.election.id is not None
    before = latest_published(session, election_id=opened.election.id)
    try:
        outcome = publish_draft(session, slug=opened.slug, actor=user)
    except DataError as exc:
        session.rollback()
        return _publish_page(request, opened, version=before, problems=exc.problems)
    if not outcome.created:
        session.rollback()
        if before is None or outcome.version.id != before.id:
            # Someone published the same draft while this request waited for the lock.
            return redirect(f"{base_url(opened.slug)}/publish?done=concurrent")
        return redirect(f"{base_url(opened.slug)}/publish?done=unchanged")
    session.commit()
    return redirect(f"{base_url(opened.slug)}/publish?done=published")
