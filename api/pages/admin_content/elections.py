"""The list of elections, a new election, and an election's settings, questionnaire,
scale, entities and positions pages."""

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep
from api.i18n import available_languages, language_name
from api.pages.admin import admin_language
from api.pages.admin_content.core import (
    DraftDep,
    EditDep,
    EditorDep,
    base_url,
    form_page,
    item_in,
    languages,
    page,
    redirect,
)
from api.pages.admin_content.forms import (
    N_,
    Errors,
    FormDep,
    Message,
    field_errors,
    form_values,
    get,
    text_field,
    text_values,
)
from vaa import draft_edits
from vaa.drafts import OpenDraft, create_election, draft_content
from vaa.models import Draft, Election
from vaa.publish import checksum
from vaa.rules import LANGUAGE, METHODS, MISSING, SLUG, text_in
from vaa.store import latest_published

router = APIRouter(prefix="/admin/elections")


def catalog_languages() -> list[str]:
    """UI languages offered for a new election, Georgian first."""
    return sorted(available_languages(), key=lambda code: (code != "ka", code != "en", code))


def unpublished_changes(session: Session, election: Election) -> bool | None:
    """Whether the draft differs from what voters see (None: never published)."""
    assert election.id is not None
    version = latest_published(session, election_id=election.id)
    if version is None:
        return None
    draft = session.exec(select(Draft).where(Draft.election_id == election.id)).first()
    if draft is None:
        return False
    content, _ = draft_content(draft.data)
    return content is None or checksum(content) != version.checksum


@router.get("", response_class=HTMLResponse)
def read_elections(request: Request, session: SessionDep, user: EditorDep) -> HTMLResponse:
    """List every election with its published version and whether its draft has changes."""
    lang = admin_language(request)
    rows = []
    for election in session.exec(select(Election).order_by(col(Election.slug))).all():
        assert election.id is not None
        version = latest_published(session, election_id=election.id)
        draft = session.exec(select(Draft).where(Draft.election_id == election.id)).first()
        title = (draft.data["questionnaire"].get("title") if draft else None) or (
            version.title if version else {}
        )
        rows.append(
            {
                "slug": election.slug,
                "title": text_in(title, lang, default=election.slug),
                "number": version.number if version else None,
                "changes": unpublished_changes(session, election),
                "visibility": election.visibility,
            }
        )
    return page(request, "elections.html", elections=rows)


def _new_page(
    request: Request, values: dict[str, Any], errors: Errors | None = None
) -> HTMLResponse:
    return page(
        request,
        "new.html",
        status_code=400 if errors else 200,
        values=values,
        errors=errors or {},
        catalog=[(code, language_name(code)) for code in catalog_languages()],
    )


@router.get("/new", response_class=HTMLResponse)
def read_new_election(request: Request, user: EditorDep) -> HTMLResponse:
    """Show the form for a new election."""
    return _new_page(request, {"languages": ["ka", "en"]})


@router.post("")
def create_new_election(
    request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> Response:
    """Create an election with an empty draft (a five-point scale and the title)."""
    errors: Errors = {}
    slug = get(form, "slug")
    chosen = [v for v in form.getlist("languages") if isinstance(v, str) and v]
    chosen = [code for code in catalog_languages() if code in chosen]
    others = [c for c in get(form, "other_languages").replace(",", " ").split() if c]
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["languages"] = chosen
    if not slug:
        errors["slug"] = Message(N_("Enter a short name for the address."))
    elif not SLUG.match(slug) or slug == "new":
        errors["slug"] = Message(
            N_("Use only lower-case Latin letters, digits and hyphens (for example: zugdidi-2025).")
        )
    elif session.exec(select(Election).where(Election.slug == slug)).first() is not None:
        errors["slug"] = Message(N_("An election with this address already exists."))
    bad = [c for c in others if not LANGUAGE.match(c)]
    if bad:
        errors["other_languages"] = Message(
            N_("%(codes)s: enter language codes such as ru or hy."), {"codes": ", ".join(bad)}
        )
    codes = list(dict.fromkeys(chosen + others))
    if not codes:
        errors["languages"] = Message(N_("Choose at least one language."))
    title = text_field(form, "title", codes, errors)
    if codes and not title:
        errors[f"title_{codes[0]}"] = Message(N_("Enter the title in at least one language."))
    if errors:
        return _new_page(request, values, errors)
    create_election(session, slug=slug, title=title, languages=codes, actor=user)
    session.commit()
    return redirect(f"{base_url(slug)}?done=created")


@router.get("/{election}", response_class=HTMLResponse)
def read_election(request: Request, opened: DraftDep, session: SessionDep) -> HTMLResponse:
    """An election's overview: its versions, the draft's state and where to edit what."""
    assert opened.election.id is not None
    version = latest_published(session, election_id=opened.election.id)
    q = opened.data["questionnaire"]
    _, problems = draft_content(opened.data)
    return page(
        request,
        "overview.html",
        opened=opened,
        version=version,
        changes=unpublished_changes(session, opened.election),
        problems=len(problems),
        visibility=opened.election.visibility,
        counts={
            "themes": len(q.get("themes", [])),
            "axes": len(q.get("axes", [])),
            "statements": len(q.get("statements", [])),
            "entities": len(opened.data.get("entities", [])),
        },
    )


# -- settings -----------------------------------------------------------------------------

TEXTS = draft_edits.SETTINGS_TEXTS


def _settings_values(data: dict[str, Any]) -> dict[str, str]:
    q = data["questionnaire"]
    langs = languages(data)
    values = {
        "date": q.get("date") or "",
        "method": q.get("matching", {}).get("method", METHODS[0]),
        "missing": q.get("matching", {}).get("missing", MISSING[0]),
        "languages": " ".join(langs),
    }
    for name in TEXTS:
        values.update(text_values(name, q.get(name), langs))
    return values


def _settings_page(
    request: Request, opened: OpenDraft, values: dict[str, str], **form: Any
) -> HTMLResponse:
    """The settings form; `form` as form_page takes it (errors, stale, revision)."""
    return form_page(
        request,
        "settings.html",
        opened=opened,
        values=values,
        methods=METHODS,
        missing_policies=MISSING,
        **form,
    )


@router.get("/{election}/settings", response_class=HTMLResponse)
def read_settings(request: Request, opened: DraftDep) -> HTMLResponse:
    """The election's texts, date, languages and matching defaults."""
    return _settings_page(request, opened, _settings_values(opened.data))


@router.post("/{election}/settings")
def update_settings(request: Request, opened: DraftDep, edit: EditDep, form: FormDep) -> Response:
    """Save the election's settings; texts of a removed language are removed everywhere."""
    revision = edit.revision
    values = form_values(form)
    errors: Errors = {}
    codes = list(dict.fromkeys(get(form, "languages").replace(",", " ").split()))
    bad = [c for c in codes if not LANGUAGE.match(c)]
    if bad:
        errors["languages"] = Message(
            N_("%(codes)s: enter language codes such as ru or hy."), {"codes": ", ".join(bad)}
        )
    elif not codes:
        errors["languages"] = Message(N_("Choose at least one language."))
    langs = codes if not errors else languages(opened.data)
    texts = {name: text_field(form, name, langs, errors) for name in TEXTS}
    if errors:
        return _settings_page(request, opened, values, errors=errors, revision=revision)
    # The title, date and matching defaults are the domain's to check (ItemInvalid).
    return edit.save(
        partial(
            draft_edits.update_settings,
            languages=codes,
            texts=texts,
            date=get(form, "date"),
            method=get(form, "method"),
            missing=get(form, "missing"),
        ),
        invalid=lambda refused: _settings_page(
            request,
            opened,
            values,
            errors=field_errors(refused, at={"title": f"title_{langs[0]}"}),
            revision=revision,
        ),
        again=lambda fresh: _settings_page(request, fresh, values, stale=True),
        done=f"{base_url(opened.slug)}/settings?done=saved",
    )


# -- questionnaire and scale ------------------------------------------------------------


def _questionnaire_page(
    request: Request,
    opened: OpenDraft,
    *,
    scale_values: dict[str, str] | None = None,
    **form: Any,
) -> HTMLResponse:
    q = opened.data["questionnaire"]
    langs = languages(opened.data)
    if scale_values is None:
        scale_values = {}
        for option in q.get("scale", []):
            scale_values.update(text_values(f"scale_{option['id']}", option.get("label"), langs))
    themes = {t["id"] for t in q.get("themes", [])}
    return form_page(
        request,
        "questionnaire.html",
        opened=opened,
        scale_values=scale_values,
        known_themes=themes,
        **form,
    )


@router.get("/{election}/questionnaire", response_class=HTMLResponse)
def read_questionnaire(request: Request, opened: DraftDep) -> HTMLResponse:
    """The scale, themes, axes and statements, each with edit, delete and move buttons."""
    return _questionnaire_page(request, opened)


@router.post("/{election}/scale")
def update_scale(request: Request, opened: DraftDep, edit: EditDep, form: FormDep) -> Response:
    """Save the labels of the answer scale (fields scale_<option>_<language>)."""
    langs = languages(opened.data)
    errors: Errors = {}
    scale = opened.data["questionnaire"].get("scale", [])
    labels = {o["id"]: text_field(form, f"scale_{o['id']}", langs, errors) for o in scale}
    values = form_values(form)
    if errors:
        return _questionnaire_page(
            request, opened, scale_values=values, errors=errors, revision=edit.revision
        )
    # An empty label is the domain's to refuse (ItemInvalid, field scale_<option>).
    first = {f"scale_{o['id']}": f"scale_{o['id']}_{langs[0]}" for o in scale}
    return edit.save(
        partial(draft_edits.update_scale, labels=labels),
        invalid=lambda refused: _questionnaire_page(
            request,
            opened,
            scale_values=values,
            errors=field_errors(refused, at=first),
            revision=edit.revision,
        ),
        again=lambda fresh: _questionnaire_page(request, fresh, scale_values=values, stale=True),
        done=f"{base_url(opened.slug)}/questionnaire?done=saved#scale",
    )


# -- entities and positions ------------------------------------------------------------


@router.get("/{election}/entities", response_class=HTMLResponse)
def read_entities(request: Request, opened: DraftDep) -> HTMLResponse:
    """Parties and candidates, with how many statements each has answered."""
    statements = [s["id"] for s in opened.data["questionnaire"].get("statements", [])]
    return page(request, "entities.html", opened=opened, statement_ids=statements)


def _positions_values(entity: dict[str, Any], langs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for sid, position in (entity.get("positions") or {}).items():
        values[f"answer_{sid}"] = position.get("answer", "")
        values[f"source_{sid}"] = position.get("source", "")
        values.update(text_values(f"justification_{sid}", position.get("justification"), langs))
    return values


def _positions_page(
    request: Request,
    opened: OpenDraft,
    entity: dict[str, Any],
    values: dict[str, str],
    **form: Any,
) -> HTMLResponse:
    q = opened.data["questionnaire"]
    return form_page(
        request,
        "positions.html",
        opened=opened,
        entity=entity,
        values=values,
        statements=q.get("statements", []),
        scale=q.get("scale", []),
        orphans=sorted(
            set(entity.get("positions") or {}) - {s["id"] for s in q.get("statements", [])}
        ),
        **form,
    )


@router.get("/{election}/entities/{item}/positions", response_class=HTMLResponse)
def read_positions(request: Request, opened: DraftDep, item: str) -> HTMLResponse:
    """An entity's answer, justification and source on every statement."""
    entity = item_in(opened, "entities", item)
    return _positions_page(
        request, opened, entity, _positions_values(entity, languages(opened.data))
    )


@router.post("/{election}/entities/{item}/positions")
def update_positions(
    request: Request,
    opened: DraftDep,
    item: str,
    edit: EditDep,
    form: FormDep,
) -> Response:
    """Save an entity's positions: answer_<s>, justification_<s>_<lang>, source_<s>."""
    revision = edit.revision
    langs = languages(opened.data)
    entity = item_in(opened, "entities", item)
    q = opened.data["questionnaire"]
    errors: Errors = {}
    positions: dict[str, dict[str, Any]] = {}
    for statement in q.get("statements", []):
        sid = statement["id"]
        answer = get(form, f"answer_{sid}")
        justification = text_field(form, f"justification_{sid}", langs, errors)
        source = get(form, f"source_{sid}")
        if not answer:
            if justification or source:
                errors[f"answer_{sid}"] = Message(
                    N_("Choose an answer, or clear the justification and the source.")
                )
            continue
        position: dict[str, Any] = {"answer": answer}
        if justification:
            position["justification"] = justification
        if source:
            position["source"] = source
        positions[sid] = position
    values = form_values(form)
    if errors:
        return _positions_page(request, opened, entity, values, errors=errors, revision=revision)
    # Answers that are not options and sources that are not web addresses are the
    # domain's to refuse (ItemInvalid, fields answer_<s> and source_<s>).
    return edit.save(
        partial(draft_edits.update_positions, entity=item, positions=positions),
        invalid=lambda refused: _positions_page(
            request, opened, entity, values, errors=field_errors(refused), revision=revision
        ),
        again=lambda fresh: _positions_page(
            request, fresh, item_in(fresh, "entities", item), values, stale=True
        ),
        done=f"{base_url(opened.slug)}/entities/{item}/positions?done=saved",
    )
