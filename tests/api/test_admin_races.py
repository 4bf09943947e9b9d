"""Editors add places, races and candidates in the admin, import a district list, and
publish an election whose voters get one ranking per race (through the real app)."""

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.test_admin_content import ADMIN, Editor, draft, revision
from tests.soup import alerts, content, hrefs, parse

BASE = f"{ADMIN}/demo"
DISTRICTS = (
    "id,within,name_ka,name_en\n"
    "zugdidi,,ზუგდიდის მუნიციპალიტეტი,Zugdidi municipality\n"
    "zugdidi-d1,zugdidi,№1 ოლქი,District 1\n"
    "zugdidi-d2,zugdidi,№2 ოლქი,District 2\n"
)


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> Editor:
    return Editor(client, demo)


def _entity_form(editor: Editor, entity: str, **changes: Any) -> dict[str, Any]:
    """The entity's form as the edit page fills it, with some fields changed."""
    e = next(x for x in draft(editor.engine, "demo")["entities"] if x["id"] == entity)
    form: dict[str, Any] = {
        "kind": e["kind"],
        "name_ka": e["name"]["ka"],
        "name_en": e["name"]["en"],
        "party": e.get("party", ""),
        "fictional": "1" if e.get("fictional") else "",
        "color": e.get("color", ""),
        "url": e.get("url", ""),
        "races": e.get("races", []),
    }
    form.update(changes)
    return form


def test_import_places_add_races_and_candidates_then_publish(
    editor: Editor, client: TestClient, demo: sa.Engine
) -> None:
    assert "No races" in content(parse(editor.client.get(f"{BASE}/races")))
    # a wrong list changes nothing and names the line and the column
    bad = editor.post(
        f"{BASE}/constituencies/import",
        {"csv": DISTRICTS.replace("zugdidi-d2,zugdidi", "Zugdidi D2,zugdidi") + "d3,nowhere,ა,B\n"},
        slug="demo",
    )
    assert bad.status_code == 400
    refusals = alerts(parse(bad))
    assert "Line 4, column id: Zugdidi D2 is not a valid id." in refusals
    assert "Place d3: nowhere in column within is not a known place." in refusals
    assert draft(demo, "demo")["questionnaire"].get("constituencies", []) == []
    editor.ok(f"{BASE}/constituencies/import", {"csv": DISTRICTS}, "demo")
    places = draft(demo, "demo")["questionnaire"]["constituencies"]
    assert [(p["id"], p.get("within")) for p in places] == [
        ("zugdidi", None),
        ("zugdidi-d1", "zugdidi"),
        ("zugdidi-d2", "zugdidi"),
    ]
    for race, place, ka, en in (
        ("mayor", "zugdidi", "მერი", "Mayor"),
        ("council-list", "zugdidi", "პარტიული სია", "Party list"),
        ("council-d1", "zugdidi-d1", "№1 ოლქის მაჟორიტარი", "District 1 seat"),
    ):
        editor.ok(
            f"{BASE}/races",
            {"id": race, "title_ka": ka, "title_en": en, "constituency": place},
            "demo",
        )
    page = content(parse(editor.client.get(f"{BASE}/races")))
    assert "Nobody stands in this race yet" in page
    # a race in use cannot be deleted; nor can a place that a race is voted in
    every = [e["id"] for e in draft(demo, "demo")["entities"]]
    for entity in every:
        editor.ok(
            f"{BASE}/entities/{entity}",
            _entity_form(editor, entity, races=["council-list"]),
            "demo",
        )
    for path in (f"{BASE}/races/council-list/delete", f"{BASE}/constituencies/zugdidi/delete"):
        refused = editor.ok(path, {}, "demo")
        assert "done=in_use" in refused.headers["location"]
    # a joint mayoral candidate on the green party's positions, backed by a second party
    editor.ok(
        f"{BASE}/entities",
        {
            "id": "nino-beridze",
            "kind": "candidate",
            "name_ka": "ნინო ბერიძე",
            "name_en": "Nino Beridze",
            "party": "green-coast",
            "backing": ["open-city"],
            "positions_from": "green-coast",
            "races": ["mayor"],
            "constituency": "zugdidi",
            "fictional": "1",
        },
        "demo",
    )
    nino = draft(demo, "demo")["entities"][-1]
    assert (nino["races"], nino["backing"], nino["positions_from"]) == (
        ["mayor"],
        ["open-city"],
        "green-coast",
    )
    # the nominating party cannot back its own candidate; a party cannot be backed
    wrong = editor.post(
        f"{BASE}/entities/nino-beridze",
        _entity_form(editor, "nino-beridze", backing=["green-coast"], positions_from="green-coast"),
        slug="demo",
    )
    assert wrong.status_code == 400
    assert "The nominating party is already the candidate's party." in alerts(parse(wrong))
    # the green party is in use now (it nominates, backs or lends positions)
    assert (
        "done=in_use"
        in editor.ok(f"{BASE}/entities/open-city/delete", {}, "demo").headers["location"]
    )
    published = editor.ok(f"{BASE}/publish", {}, "demo")
    assert published.headers["location"].endswith("done=published")
    body = client.post(
        "/api/v1/elections/demo/match",
        json={"answers": {"e-petitions": "agree"}, "constituency": "zugdidi-d1"},
    ).json()
    races = {r["race"]: r for r in body["races"]}
    assert list(races) == ["mayor", "council-list", "council-d1"]
    assert [r["entity"] for r in races["mayor"]["results"]] == ["nino-beridze"]
    assert races["mayor"]["results"][0]["positions_from"] == "green-coast"
    assert races["council-d1"]["results"] == [] and races["council-d1"]["did_not_answer"] == []
    assert len(races["council-list"]["results"]) == len(every)


def test_the_places_page_reads_in_georgian(editor: Editor, demo: sa.Engine) -> None:
    editor.client.cookies.set("vaa_lang", "ka")
    page = editor.client.get(f"{BASE}/races")
    assert page.status_code == 200
    assert "ადგილები და არჩევნები" in content(parse(page))
    empty = editor.post(f"{BASE}/constituencies/import", {"csv": ""}, slug="demo")
    assert empty.status_code == 400 and "ჩასვით სია ან აირჩიეთ ფაილი." in alerts(parse(empty))
    assert revision(demo, "demo") >= 0


def test_place_names_and_race_titles_are_translated_like_every_text(
    editor: Editor, demo: sa.Engine
) -> None:
    editor.ok(f"{BASE}/constituencies/import", {"csv": DISTRICTS}, "demo")
    editor.ok(
        f"{BASE}/races",
        {"id": "mayor", "title_ka": "მერი", "title_en": "", "constituency": "zugdidi"},
        "demo",
    )
    page = parse(editor.client.get(f"{BASE}/translate?a=ka&b=en&only=missing"))
    fields = [str(f["name"]) for f in page.select("[name]")]
    assert any("race/mayor/title" in f for f in fields) or any(
        h.endswith("/races/mayor") for h in hrefs(page)
    )
