"""The result page without JavaScript, race by race (tests/data/races-*.yaml; every number
is worked out in tests/api/test_races.py's docstring)."""

from fastapi.testclient import TestClient

from tests.factories import voter_slice
from tests.soup import fields, one, parse, select, text

FORM = {"answer-s1": "agree", "answer-s2": "agree", "answer-s3": "disagree"}


def _ballots(page: object) -> list[tuple[str, list[tuple[str, str, str]], str]]:
    return [
        (
            text(one(section, ".ballot__title")),
            [
                (
                    li["data-entity"],
                    text(one(li, "[data-k=pct]")),
                    text(li.select_one(".rank__party")),
                )
                for li in select(section, "[data-list=rows] > li")
            ],
            text(one(section, "[data-k=silent]")),
        )
        for section in select(page, "#ballots > section.ballot")  # type: ignore[arg-type]
    ]


def test_a_district_voter_reads_each_ballot_with_its_own_ranking(races: TestClient) -> None:
    response = races.post("/en/races/results", data={**FORM, "place": "d1"})
    assert response.status_code == 200, response.text
    page = parse(response)
    mayor, party_list, seat = _ballots(page)
    assert mayor == (
        "Mayor",
        [
            ("m-ana", "67%", "Nominated by Party A"),
            (
                "m-beka",
                "50%",
                "Nominated by Party B, also backed by Party C · stands on the answers of Party B",
            ),
        ],
        "Did not answer the statements, so not ranked: Dato.",
    )
    assert party_list[0] == "Party list"
    assert [(e, pct) for e, pct, _ in party_list[1]] == [
        ("party-a", "67%"),
        ("party-b", "50%"),
        ("party-c", "50%"),
    ]
    assert seat[:2] == (
        "District 1 seat",
        [
            ("d1-gia", "83%", "Independent candidate"),
            ("d1-eka", "67%", "Nominated by Party A, on the party's answers"),
        ],
    )
    # the details are the first race's; every form carries the place on
    assert [o["value"] for o in select(page, "#compare-a option")] == ["m-ana", "m-beka"]
    for form in ("#method-form", "#race-form", "#statements-form", "#donate-form"):
        assert fields(one(page, form)).get("place") == ["d1"], form
    chosen = races.post("/en/races/results", data={**FORM, "place": "d1", "race": "seat-d1"})
    assert [o["value"] for o in select(parse(chosen), "#compare-a option")] == ["d1-eka", "d1-gia"]


def test_the_place_decides_the_ballots_and_reads_in_georgian(races: TestClient) -> None:
    town = parse(races.post("/ka/races/results", data={**FORM, "place": "town"}))
    assert [b[0] for b in _ballots(town)] == ["მერი", "პარტიული სია"]
    assert "დამოუკიდებელი კანდიდატი" not in text(one(town, "#ballots"))  # Gia is in district 1
    assert "წარმდგენი: პარტია ა" in text(one(town, "#ballots"))
    everyone = parse(races.post("/ka/races/results", data=FORM))
    assert len(_ballots(everyone)) == 4
    assert "აირჩიეთ, სად აძლევთ ხმას" in text(one(everyone, "#place-current"))
    unknown = races.post("/en/races/results", data={**FORM, "place": "atlantis"})
    assert unknown.status_code == 400 and "atlantis" in unknown.text


def test_a_voter_who_has_not_seen_every_statement_reads_how_sure_the_top_is(
    client: TestClient,
) -> None:
    ids = [s["id"] for s in voter_slice(client, lang="en")["statements"]]
    seen = {f"answer-{sid}": "agree" if i % 2 else "disagree" for i, sid in enumerate(ids[:8])}
    part = parse(client.post("/en/demo/results", data=seen))
    line = text(one(part, ".summary__certainty [data-k=certainty]"))
    assert line.startswith(f"If you answered the {len(ids) - 8} statements you have not seen")
    every = {f"answer-{sid}": "skip" for sid in ids} | seen
    whole = parse(client.post("/en/demo/results", data=every))
    assert text(one(whole, ".summary__certainty [data-k=certainty]")) == ""  # nothing left unseen


def test_a_too_close_top_two_offers_unanswered_statements_in_one_tap(client: TestClient) -> None:
    election = voter_slice(client, lang="en")
    ids = [s["id"] for s in election["statements"]]
    form = {f"answer-{sid}": "neutral" if i < 6 else "skip" for i, sid in enumerate(ids)}
    page = parse(client.post("/en/demo/results", data=form))
    top = [li["data-entity"] for li in select(page, "[data-list=rows] > li")][:2]
    items = select(page, "#tiebreak [data-list=tiebreak] > li")
    assert 1 <= len(items) <= 3, "neutral answers leave the top two too close to call"
    answers = {e["id"]: e["answers"] for e in election["entities"]}
    for li in items:
        sid = li["data-statement"]
        assert ids.index(sid) >= 6  # not answered yet
        assert answers[top[0]][sid] != answers[top[1]][sid]  # the two answer it differently
        sent = fields(one(li, "form"))
        assert f"answer-{sid}" not in sent and sent[f"answer-{ids[0]}"] == ["neutral"]
    # one tap: the button posts the answer with every other answer carried along
    first = items[0]["data-statement"]
    option = select(items[0], "button[data-option]")[0]["value"]
    tapped = parse(client.post("/en/demo/results", data={**form, f"answer-{first}": option}))
    assert first not in [li["data-statement"] for li in select(tapped, "#tiebreak li")]
