"""Bundles: the immutable JSON document voters download, named by its checksum.

The checksum is the SHA-256 of the canonical JSON of the election's content, so the
same content always gets the same version id and the same bytes, whenever and however
often it is published.
"""

import hashlib
import json
from functools import lru_cache
from typing import Any

from vaa.content import ElectionContent, MatchingDefaults

BUNDLE_FORMAT = 1


def canonical_json(data: Any) -> bytes:
    """JSON with sorted keys and no spaces: one byte string per value."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_data(content: ElectionContent) -> dict[str, Any]:
    """The election's content as plain JSON data.

    Race fields are left out while empty, and quick mode's `settled` threshold while it
    is the default, so an election that sets neither keeps the checksum (and the bundle
    bytes) it had before they existed.
    """
    questionnaire = _without_empty(
        content.questionnaire.model_dump(mode="json", exclude_none=True),
        ("constituencies", "races"),
    )
    if content.questionnaire.matching.settled == MatchingDefaults().settled:
        del questionnaire["matching"]["settled"]
    return {
        "questionnaire": questionnaire,
        "entities": [
            _without_empty(e.model_dump(mode="json", exclude_none=True), ("races", "backing"))
            for e in content.entities
        ],
    }


def _without_empty(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (k in keys and v == [])}


def _borrowed(entities: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each entity's positions as matched: its own, or those of its positions_from."""
    by_id = {e["id"]: e for e in entities}
    return {
        e["id"]: by_id[e["positions_from"]]["positions"]
        if e.get("positions_from") in by_id
        else e["positions"]
        for e in entities
    }


def checksum(content: ElectionContent) -> str:
    """The version id of this content."""
    return hashlib.sha256(canonical_json(content_data(content))).hexdigest()


def build_bundle(content: ElectionContent) -> bytes:
    """The bundle's exact bytes: format, election, version, then the content."""
    data = content_data(content)
    return canonical_json(
        {
            "format": BUNDLE_FORMAT,
            "election": content.slug,
            "version": hashlib.sha256(canonical_json(data)).hexdigest(),
            **data,
        }
    )


@lru_cache(maxsize=64)
def content_from_bundle(bundle: bytes) -> ElectionContent:
    """Parse a bundle back into content (cached: bundles never change)."""
    data = json.loads(bundle)
    return ElectionContent.model_validate(
        {"questionnaire": data["questionnaire"], "entities": data["entities"]}, strict=False
    )


def _pick(text: dict[str, str] | None, language: str) -> str | None:
    return None if text is None else text[language]


@lru_cache(maxsize=64)
def voter_slice(bundle: bytes, language: str) -> bytes:
    """What the quiz needs in one language: texts and the entities' answers, no reasons.

    Derived from an immutable bundle, so it is immutable too. KeyError if the
    election has no such language.
    """
    data = json.loads(bundle)
    q = data["questionnaire"]
    if language not in q["languages"]:
        raise KeyError(language)
    positions = _borrowed(data["entities"])

    def label(item: dict[str, Any], *fields: str) -> dict[str, Any]:
        return {k: (_pick(item[k], language) if k in fields else v) for k, v in item.items()}

    return canonical_json(
        {
            "format": BUNDLE_FORMAT,
            "election": data["election"],
            "version": data["version"],
            "language": language,
            "languages": q["languages"],
            "title": _pick(q["title"], language),
            "description": _pick(q.get("description"), language),
            "publisher": _pick(q.get("publisher"), language),
            "date": q.get("date"),
            "scale": [label(o, "label") for o in q["scale"]],
            "themes": [label(t, "label") for t in q["themes"]],
            "axes": [label(a, "label", "low", "high") for a in q["axes"]],
            "statements": [label(s, "text", "info") for s in q["statements"]],
            "constituencies": [label(c, "name") for c in q.get("constituencies", [])],
            "races": [label(r, "title") for r in q.get("races", [])],
            "matching": q["matching"],
            "entities": [
                {
                    **{
                        k: v
                        for k, v in label(e, "name", "short", "description").items()
                        if k != "positions"
                    },
                    "answers": {sid: p["answer"] for sid, p in positions[e["id"]].items()},
                }
                for e in data["entities"]
            ],
        }
    )


def _reason(position: dict[str, Any], language: str) -> dict[str, str]:
    """A position's justification in one language and its source, where present."""
    found = {
        "justification": _pick(position.get("justification"), language),
        "source": position.get("source"),
    }
    return {k: v for k, v in found.items() if v is not None}


@lru_cache(maxsize=64)
def justification_slice(bundle: bytes, language: str) -> bytes:
    """Every entity's reasons and sources in one language, loaded when results show."""
    data = json.loads(bundle)
    if language not in data["questionnaire"]["languages"]:
        raise KeyError(language)
    positions = _borrowed(data["entities"])
    return canonical_json(
        {
            "election": data["election"],
            "version": data["version"],
            "language": language,
            "entities": {
                e["id"]: {
                    sid: reason
                    for sid, p in positions[e["id"]].items()
                    if (reason := _reason(p, language))
                }
                for e in data["entities"]
            },
        }
    )
