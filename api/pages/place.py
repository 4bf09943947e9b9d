"""The voter's place: "where do you vote?", asked once where an election has races.

The choice decides which ballots the result shows (vaa.races). It travels in the
address (`?place=`) and in the quiz form, and the browser keeps it in localStorage
(place.js); the server stores nothing.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.assets import static_url
from api.pages.render import LanguageDep, VoterElectionDep, render
from vaa.races import chain_of

router = APIRouter(include_in_schema=False)


def place_tree(election: dict[str, Any]) -> list[dict[str, Any]]:
    """Top-level places, each with the places within it (depth first), for the picker."""
    places = election.get("constituencies", [])
    children: dict[str | None, list[dict[str, Any]]] = {}
    for place in places:
        children.setdefault(place.get("within"), []).append(place)

    def below(place_id: str, seen: frozenset[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for child in children.get(place_id, []):
            if child["id"] not in seen:
                out += [child, *below(child["id"], seen | {child["id"]})]
        return out

    return [
        {**top, "within_it": below(top["id"], frozenset({top["id"]}))}
        for top in children.get(None, [])
    ]


def known_place(election: dict[str, Any], place: str | None) -> str | None:
    """The place if the election has it, else None (an unknown place is asked again)."""
    ids = {c["id"] for c in election.get("constituencies", [])}
    return place if place in ids else None


def races_of(election: dict[str, Any], place: str) -> list[dict[str, Any]]:
    """The races a voter in `place` votes in, in ballot order (vaa.races.ballots' rule)."""
    home = chain_of({c["id"]: c.get("within") for c in election.get("constituencies", [])}, place)
    return [r for r in election.get("races", []) if r["constituency"] in home]


@router.get("/{lang}/{election}/place", response_class=HTMLResponse)
def read_place(
    request: Request,
    lang: LanguageDep,
    election: VoterElectionDep,
    place: str | None = None,
    next: str | None = None,
) -> Response:
    """Ask where the voter votes; an election without places goes straight to the quiz."""
    base = f"/{lang}/{election['election']}"
    if not election.get("constituencies"):
        return RedirectResponse(f"{base}/quiz", status_code=303)
    names = {c["id"]: c["name"] for c in election["constituencies"]}
    return render(
        request,
        "place.html",
        language=lang,
        languages=election["languages"],
        election=election,
        tree=place_tree(election),
        chosen=known_place(election, place),
        races={
            c["id"]: [r["title"] for r in races_of(election, c["id"])]
            for c in election["constituencies"]
        },
        names=names,
        # where the choice leads: the quiz (quick mode's), or back to the result
        action={"results": f"{base}/results", "quick": f"{base}/quick"}.get(
            next or "", f"{base}/quiz"
        ),
        start_url=f"{base}/",
        method_url=f"{base}/method",
        script={"election": election["election"], "place": static_url("js/place.js")},
    )
