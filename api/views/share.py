"""Share links: the voter's answers in a URL fragment, which browsers never send.

`share_fragment` writes what answers.js `encodeShare` writes (results.js reads it back);
`share_key` names the questionnaire the link was made for.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode


def share_key(election: Mapping[str, Any]) -> str:
    """Names the questions and options a share link was made for (not the party data).

    A link stays valid while the statements and the scale stay the same; a new
    questionnaire gets a new key, and results.js tells the voter the link is old.
    """
    shape = json.dumps(
        [[s["id"] for s in election["statements"]], [o["id"] for o in election["scale"]]]
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:8]


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def share_fragment(
    election: Mapping[str, Any],
    answers: Mapping[str, str | None],
    weights: Mapping[str, float],
    method: str | None,
    place: str | None = None,
) -> str:
    """The URL fragment of a share link (answers.js encodeShare, with the key, the method
    and the voter's place where the election has races)."""
    option_ids = [o["id"] for o in election["scale"]]
    a = "".join(
        DIGITS[option_ids.index(answers[s["id"]])] if answers.get(s["id"]) else "-"
        for s in election["statements"]
    )
    w = "".join(
        "0" if weights.get(s["id"], 1) == 0 else "2" if weights.get(s["id"], 1) >= 2 else "1"
        for s in election["statements"]
    )
    params = {"v": share_key(election), "a": a, "w": w}
    if method and method != election["matching"]["method"]:
        params["m"] = method
    if place:
        params["p"] = place
    return urlencode(params, safe="-")
