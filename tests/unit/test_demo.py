"""The shipped demo (questionnaires/demo.yaml, parties/demo.yaml) is the election a new
user meets first: a Zugdidi ballot day with three races per voter, everyone in it
visibly invented (docs/demo.md)."""

from tests.conftest import SHIPPED_DEMO_FILES
from vaa.content import ElectionContent
from vaa.loading import read_elections
from vaa.races import ballots
from vaa.results import MatchRequest, prepare, score_answers

DISTRICTS = {
    "zugdidi-centre": "seat-centre",
    "anaklia-rukhi": "seat-anaklia",
    "chkaduashi-jikhashkari": "seat-chkaduashi",
}


def _demo() -> ElectionContent:
    (content,) = read_elections(SHIPPED_DEMO_FILES)
    return content


def test_every_party_and_candidate_is_marked_and_described_as_fictional() -> None:
    for entity in _demo().entities:
        assert entity.fictional, entity.id
        assert entity.description is not None, entity.id
        assert "გამოგონილ" in entity.description["ka"], entity.id
        assert "fictional" in entity.description["en"], entity.id


def test_a_voter_in_each_district_gets_the_mayor_the_party_list_and_their_seat() -> None:
    content = _demo()
    by_id = {e.id: e for e in content.entities}
    for place, seat in DISTRICTS.items():
        races = ballots(content, place)
        assert [b.id for b in races] == ["mayor", "council-list", seat]
        assert 2 <= len(races[2].entity_ids) <= 4
    mayor = [by_id[i] for i in ballots(content, "zugdidi")[0].entity_ids]
    assert len(mayor) >= 4
    assert any(c.party and c.backing for c in mayor)  # a joint candidate
    assert any(c.party is None and c.positions for c in mayor)  # an independent
    assert any(c.positions_from == c.party for c in mayor if c.party)  # the party's positions
    listed = [by_id[i] for i in ballots(content, "zugdidi")[1].entity_ids]
    assert {e.kind for e in listed} == {"party"}
    assert [e.id for e in listed if not e.positions] == ["new-zugdidi"]


def test_each_race_ranks_its_own_people_and_lists_the_silent_party_apart() -> None:
    content = _demo()
    villages = next(e for e in content.entities if e.id == "voice-of-villages")
    answers: dict[str, str | None] = {s: p.answer for s, p in villages.positions.items()}
    prepared = prepare(content, "demo-test")
    response = score_answers(
        prepared, MatchRequest(answers=answers, constituency="chkaduashi-jikhashkari")
    )
    races = {r["race"]: r for r in response["races"]}
    assert list(races) == ["mayor", "council-list", "seat-chkaduashi"]
    listing = races["council-list"]
    assert listing["did_not_answer"] == ["new-zugdidi"]
    assert listing["results"][0]["entity"] == "voice-of-villages"
    assert listing["results"][0]["score"] == 100.0
    seat = races["seat-chkaduashi"]["results"]
    assert [r["entity"] for r in seat] == ["manana-gogokhia", "revaz-janashia"]
    assert seat[0]["positions_from"] == "voice-of-villages"
    for race in races.values():  # no race is a tie of everyone
        scores = {r["score"] for r in race["results"]}
        assert len(scores) > 1, race["race"]
