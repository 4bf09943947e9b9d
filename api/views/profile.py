"""A party's or candidate's profile page: who they are and every answer with its reasons.

Built from the election's voter slice and its justification slice in one language; pure
(no request, no database).
"""

from collections.abc import Mapping
from typing import Any


def profile_url(lang: str, election: str, entity: str) -> str:
    """Where an entity's profile is: /{lang}/{election}/entities/{entity}."""
    return f"/{lang}/{election}/entities/{entity}"


def profile_urls(election: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Every entity's profile address, by entity id."""
    slug = election["election"]
    return {e["id"]: profile_url(lang, slug, e["id"]) for e in election["entities"]}


def _link(entity: Mapping[str, Any], urls: Mapping[str, str]) -> dict[str, str]:
    return {"id": entity["id"], "name": str(entity["name"]), "url": urls[entity["id"]]}


def profile_view(
    election: Mapping[str, Any],
    reasons: Mapping[str, Mapping[str, Mapping[str, str]]],
    entity_id: str,
    *,
    lang: str,
) -> dict[str, Any] | None:
    """What the profile of `entity_id` shows, or None when the election has no such entity.

    `reasons` is the justification slice's "entities": {entity: {statement: {justification,
    source}}}. Every statement is listed, answered or not, in the questionnaire's order.
    """
    entities = {e["id"]: e for e in election["entities"]}
    entity = entities.get(entity_id)
    if entity is None:
        return None
    urls = profile_urls(election, lang)
    options = {o["id"]: o["label"] for o in election["scale"]}
    themes = {th["id"]: th["label"] for th in election["themes"]}
    own = reasons.get(entity_id, {})
    party = entities.get(entity.get("party") or "")
    backing = [entities[b] for b in entity.get("backing") or [] if b in entities]
    # A candidate on its party's positions: the answers and reasons shown are the party's.
    lender = entities.get(entity.get("positions_from") or "")
    stands = set(entity.get("races") or [])
    races = [str(r["title"]) for r in election.get("races") or [] if r["id"] in stands]
    answers = []
    for s in election["statements"]:
        option = entity["answers"].get(s["id"])
        reason = own.get(s["id"], {})
        answers.append(
            {
                "id": s["id"],
                "theme": themes.get(s["theme"], ""),
                "text": s["text"],
                "answer": options.get(option) if option else None,
                "justification": reason.get("justification"),
                "source": reason.get("source"),
            }
        )
    name = str(entity["name"])
    short = entity.get("short")
    return {
        "id": entity_id,
        "name": name,
        "short": short if short and short != name else None,
        "kind": entity.get("kind", "party"),
        "fictional": bool(entity.get("fictional")),
        "description": entity.get("description"),
        "url": entity.get("url"),
        "color": entity.get("color"),
        "party": _link(party, urls) if party else None,
        "backing": [_link(b, urls) for b in backing],
        "positions_from": _link(lender, urls) if lender else None,
        "races": races,
        "candidates": [_link(e, urls) for e in election["entities"] if e.get("party") == entity_id],
        "answers": answers,
        "answered": sum(1 for a in answers if a["answer"] is not None),
    }


def directory(election: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """Every party and candidate with the address of its profile, in the election's order."""
    urls = profile_urls(election, lang)
    return [_link(e, urls) for e in election["entities"]]
