"""Profile pages: every party and candidate, who they are and every answer with its reasons."""

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import DATA
from tests.factories import quiz_form, voter_answers, voter_slice
from tests.soup import fields, one, parse, select, text, texts
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import Settings


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_a_party_profile_shows_who_it_is_and_every_answer_with_its_reasons(
    client: TestClient, lang: str
) -> None:
    election = voter_slice(client, lang=lang)
    reasons = client.get(
        f"/api/v1/elections/demo/bundle/{election['version']}/{lang}/justifications"
    ).json()["entities"]
    # A party that left a statement unanswered, to see how that shows.
    entity = next(
        e for e in election["entities"] if len(e["answers"]) < len(election["statements"])
    )
    response = client.get(f"/{lang}/demo/entities/{entity['id']}")
    assert response.status_code == 200
    page = parse(response)
    assert one(page, "html")["lang"] == lang
    assert entity["name"] in text(one(page, "h1"))
    assert (
        text(one(page, ".results-election .tag")) == {"en": "fictional", "ka": "გამოგონილი"}[lang]
    )
    assert text(one(page, ".profile__description")) == entity["description"]
    assert one(page, ".profile__facts a[rel~=noopener]")["href"] == entity["url"]

    items = select(page, ".profile-answers > li.pa")
    assert [str(li["id"]) for li in items] == [
        f"statement-{s['id']}" for s in election["statements"]
    ]
    labels = {o["id"]: o["label"] for o in election["scale"]}
    no_answer = {"en": "No answer", "ka": "პასუხი არ არის"}[lang]
    for s, li in zip(election["statements"], items, strict=True):
        assert text(one(li, ".pa__text")) == s["text"]
        option = entity["answers"].get(s["id"])
        assert text(one(li, ".pa__answer")) == (labels[option] if option else no_answer)
        reason = reasons[entity["id"]].get(s["id"], {})
        if "justification" in reason:
            assert text(one(li, ".pa__why")) == reason["justification"]
        if "source" in reason:
            assert one(li, ".pa__src a")["href"] == reason["source"]
    assert any(select(li, ".pa__src a") for li in items)  # the demo cites sources
    # Every other party is one link away, and so is the result.
    others = {str(a["href"]) for a in select(page, ".profile__everyone a")}
    assert others == {
        f"/{lang}/demo/entities/{e['id']}" for e in election["entities"] if e is not entity
    }
    assert select(page, f"a.button[href='/{lang}/demo/results']")


def test_an_unknown_entity_gets_a_not_found_page_in_its_language(client: TestClient) -> None:
    response = client.get("/ka/demo/entities/no-such-party")
    assert response.status_code == 404
    page = parse(response)
    assert text(one(page, "h1")) == "გვერდი ვერ მოიძებნა"
    assert len(select(page, ".profile__everyone a")) == 7  # the way on: every real one
    assert client.get("/ka/nope/entities/green-coast").status_code == 404
    assert client.get(f"/ka/demo/entities/{'x' * 300}").status_code in (404, 422)


def test_the_ranking_leads_to_each_profile_and_back_with_the_answers(client: TestClient) -> None:
    answers, weights = voter_answers(voter_slice(client, lang="en"))
    page = parse(client.post("/en/demo/results", data=quiz_form(answers, weights)))
    ranking = _ranking(page)
    rows = select(page, "[data-list=rows] > li.rank")
    assert len(rows) == 7
    # Without JavaScript each name posts the page's answers to the profile (no link
    # could carry them without putting them in its address).
    carried = fields(one(page, "form#profile-form"))
    for row in rows:
        way = one(row, "button.rank__profile[form=profile-form]")
        assert way["formaction"] == f"/en/demo/entities/{row['data-entity']}"
    entity = str(rows[1]["data-entity"])
    profile = parse(client.post(f"/en/demo/entities/{entity}", data=_sent(carried)))
    assert text(one(rows[1], "[data-k=name]")) in text(one(profile, "h1"))
    back = one(profile, "button[formaction='/en/demo/results']")
    assert text(back) == "Back to your result"
    again = parse(
        client.post("/en/demo/results", data=_sent(fields(one(profile, "#profile-form"))))
    )
    assert _ranking(again) == ranking
    # Its language switch keeps them too.
    georgian = one(profile, f"nav.lang-switch form[action='/ka/demo/entities/{entity}']")
    in_ka = parse(client.post(str(georgian["action"]), data=_sent(fields(georgian))))
    assert one(in_ka, "html")["lang"] == "ka"
    assert select(in_ka, "button[formaction='/ka/demo/results']")
    # The page the script fills links the names instead, from its data block.
    shell = client.get("/en/demo/results").text
    assert '"profiles":{"green-coast":"/en/demo/entities/green-coast"' in shell
    assert one(parse(shell), "template#tpl-rank").find("a", class_="rank__profile")
    assert client.post("/en/demo/entities/green-coast", data={}).status_code == 400


def _sent(found: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[-1] for name, values in found.items()}


def _ranking(page: BeautifulSoup) -> list[tuple[str, str]]:
    return [
        (str(row["data-entity"]), text(one(row, "[data-k=pct]")))
        for row in select(page, "[data-list=rows] > li.rank")
    ]


def _with_a_candidate(directory: Path) -> list[Path]:
    """The tiny example election with a candidate nominated by party A."""
    parties = yaml.safe_load((DATA / "example-parties.yaml").read_text(encoding="utf-8"))
    parties["entities"].append(
        {
            "id": "nino",
            "kind": "candidate",
            "name": {"ka": "ნინო ბერიძე", "en": "Nino Beridze"},
            "party": "party-a",
            "positions": {"s1": {"answer": "agree"}},
        }
    )
    path = directory / "parties.yaml"
    path.write_text(yaml.safe_dump(parties, allow_unicode=True), encoding="utf-8")
    return [DATA / "example-questionnaire.yaml", path]


def test_a_candidate_profile_names_its_party_and_the_party_its_candidates(
    settings: Settings, engine: sa.Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_files(session, paths=_with_a_candidate(tmp_path))
    with TestClient(create_app(settings)) as client:
        candidate = parse(client.get("/ka/example/entities/nino"))
        assert text(one(candidate, "h1")) == "ნინო ბერიძე"
        assert "კანდიდატი" in text(one(candidate, ".results-election"))
        facts = one(candidate, ".profile__facts")
        assert texts(facts, "dt") == ["წარმდგენი პარტია"]
        assert one(facts, "a")["href"] == "/ka/example/entities/party-a"
        assert text(one(facts, "a")) == "პარტია ა"
        assert not select(candidate, ".results-election .tag")  # not marked fictional

        party = parse(client.get("/en/example/entities/party-a"))
        assert texts(party, ".profile__facts dt") == ["Candidates of this party"]
        assert one(party, ".profile__facts a")["href"] == "/en/example/entities/nino"
        assert text(one(party, "#statement-s4 .pa__why")) == "We think so."
        assert text(one(party, "#statement-s3 .pa__why")) == "No reason given."


def test_a_candidate_in_a_race_on_its_party_positions(
    settings: Settings, engine: sa.Engine
) -> None:
    with session_scope(engine) as session:
        load_files(session, paths=[DATA / "races-questionnaire.yaml", DATA / "races-parties.yaml"])
    with TestClient(create_app(settings)) as client:
        page = parse(client.get("/en/races/entities/m-beka"))
        facts = one(page, ".profile__facts")
        assert texts(facts, "dt") == [
            "Running for",
            "Nominating party",
            "Backing parties",
            "Answers given by",
        ]
        assert texts(facts, "dd") == ["Mayor", "Party B", "Party C", "Party B"]
        # The answers shown are the lending party's, as the match uses them.
        assert text(one(page, "#statement-s2 .pa__answer")) == "Neither agree nor disagree"
        georgian = parse(client.get("/ka/races/entities/m-beka"))
        assert texts(georgian, ".profile__facts dt")[0] == "კენჭს იყრის"
        assert texts(georgian, ".profile__facts dd")[0] == "მერი"
