"""Problem fields in the editor's words: `entities[0].positions.trees.justification.en`
becomes "Justification for “More trees” (English)", in the UI language.

`describe_field` only splits the path; the template translates the part and names the
statement and language (see _problems.html).
"""

import re
from typing import Any

from api.errors import N_

# The last named part of a field, as the forms call it.
PARTS = {
    "name": N_("Name"),
    "short": N_("Short name"),
    "description": N_("Description"),
    "title": N_("Title"),
    "publisher": N_("Publisher"),
    "text": N_("Text"),
    "info": N_("Background information"),
    "label": N_("Label"),
    "low": N_("Low end"),
    "high": N_("High end"),
    "justification": N_("Justification"),
    "answer": N_("Answer"),
    "source": N_("Source"),
    "color": N_("Colour"),
    "url": N_("Website"),
    "theme": N_("Theme"),
    "party": N_("Party"),
    "id": N_("Short name"),
    "axes": N_("Loadings on the axes"),
    "positions_from": N_("Uses the positions of"),
    "languages": N_("Languages"),
    "date": N_("Election date"),
}

_POSITION = re.compile(r"^entities\[\d+\]\.positions\.([^.\[]+)(?:\.(.*))?$")


def describe_field(data: dict[str, Any], field: str, languages: list[str]) -> dict[str, Any]:
    """{part: msgid or raw name or "", statement: its text or None, statement_id, language}."""
    where = field.removeprefix("questionnaire.")
    names = [p for p in re.split(r"\.|\[\d+\]", where) if p]
    language = names.pop() if names and names[-1] in languages else None
    statement = statement_id = None
    found = _POSITION.match(where)
    if found:
        statement_id = found.group(1)
        rest = [p for p in (found.group(2) or "").split(".") if p and p not in languages]
        names = rest or ["answer"]
        statements = data.get("questionnaire", {}).get("statements", [])
        statement = next(
            (s.get("text") for s in statements if s.get("id") == statement_id), None
        ) or {"": statement_id}
    last = names[-1] if names else ""
    return {
        "part": PARTS.get(last, last),
        "statement": statement,
        "statement_id": statement_id,
        "language": language,
    }
