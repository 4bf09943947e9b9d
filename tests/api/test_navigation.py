"""Navigation by role through the real app: where each role lands after signing in, the
links each one sees, the 403 page in both languages, joining a group session while
signed in, and no inline style in any page (the CSP would block it)."""

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.api.test_auth import add_account, form_token, sign_in
from tests.soup import content, hrefs, one, parse, text, texts
from vaa.models import Entity, Participant
from vaa.settings import ROOT

STAFF_LINKS = ["/admin/elections", "/admin/review", "/facilitator", "/admin/users", "/admin/audit"]


@pytest.fixture
def everyone(client: TestClient, demo: sa.Engine) -> str:
    """One account of each role; returns the party's entity id."""
    client.headers["accept-language"] = "en"
    with Session(demo) as session:
        entity = session.exec(select(Entity.key).limit(1)).one()
    add_account(demo, "admin@example.org", "admin")
    add_account(demo, "editor@example.org", "editor")
    add_account(demo, "facilitator@example.org", "facilitator")
    add_account(demo, "party@example.org", "party", entity=f"demo/{entity}")
    return entity


def nav_links(html: str) -> list[str]:
    return hrefs(one(parse(html), "nav.staff-nav"), "a")


def test_each_role_lands_where_its_work_is(client: TestClient, everyone: str) -> None:
    homes = {
        "admin@example.org": "/admin",
        "editor@example.org": "/admin/elections",
        "facilitator@example.org": "/facilitator",
        "party@example.org": "/party",
    }
    for email, home in homes.items():
        signed = sign_in(client, email)
        assert signed.status_code == 303
        assert signed.headers["location"] == home, email
        page = client.get(home)  # and that page opens for them
        assert page.status_code == 200, email
        if email.startswith("party"):
            assert page.url.path == f"/party/demo/{everyone}"
        client.cookies.clear()


def test_each_role_sees_links_to_its_work(client: TestClient, everyone: str) -> None:
    expected = {
        "admin@example.org": ("/admin", STAFF_LINKS),
        "editor@example.org": ("/admin/elections", ["/admin/elections", "/admin/review"]),
        "facilitator@example.org": ("/facilitator", ["/facilitator"]),
        "party@example.org": ("/party", ["/party"]),
    }
    for email, (home, links) in expected.items():
        assert sign_in(client, email).status_code == 303
        shown = nav_links(client.get(home).text)
        assert "/account" in shown, email
        for link in [*STAFF_LINKS, "/party"]:
            assert (link in shown) == (link in links), (email, link)
        client.cookies.clear()
    # The admin home also points to sessions and accounts.
    assert sign_in(client, "admin@example.org").status_code == 303
    home = client.get("/admin").text.split("<main")[1]
    assert 'href="/facilitator"' in home and 'href="/admin/users"' in home


@pytest.mark.parametrize(
    ("lang", "heading", "button"),
    [
        ("en", "You do not have access to this page", "Go to your start page"),
        ("ka", "ამ გვერდზე წვდომა არ გაქვთ", "თქვენს საწყის გვერდზე გადასვლა"),
    ],
)
def test_a_refused_page_says_so_and_where_to_go(
    client: TestClient, everyone: str, lang: str, heading: str, button: str
) -> None:
    client.headers["accept-language"] = lang
    assert sign_in(client, "facilitator@example.org").status_code == 303
    for path in ("/admin", "/admin/elections", "/admin/users", "/admin/audit"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        page = parse(refused)
        assert heading in text(one(page, "h1")), path
        assert "Something went wrong" not in content(page)
        assert texts(page, 'main a.button[href="/facilitator"]') == [button]
        assert "/facilitator" in nav_links(refused.text)  # the nav is there too
    # A stale form is not "no access": it says to reload.
    client.cookies.clear()
    assert sign_in(client, "admin@example.org").status_code == 303
    stale = client.post("/admin/users", data={"csrf_token": "stale", "email": "x@example.org"})
    assert stale.status_code == 403
    reload = parse(stale)
    assert heading not in text(one(reload, "h1"))
    assert ("reload the page" if lang == "en" else "გადატვირთოთ გვერდი") in content(reload)


def test_a_signed_in_facilitator_can_join_their_own_session(
    client: TestClient, everyone: str, demo: sa.Engine
) -> None:
    # The facilitator opens the kiosk on their own device, where they are signed in.
    assert sign_in(client, "facilitator@example.org").status_code == 303
    data = {
        "election": "demo",
        "language": "en",
        "min_group": "5",
        "kiosk_minutes": "3",
        "csrf_token": form_token(client, "/facilitator"),
    }
    created = client.post("/facilitator/sessions", data=data, follow_redirects=False)
    assert created.status_code == 303
    base = created.headers["location"]
    kiosk = client.get(f"{base}/kiosk", follow_redirects=False)
    assert kiosk.status_code == 303
    code = kiosk.headers["location"].split("/")[3]
    join = f"/en/join/{code}"
    assert client.get(f"{join}/kiosk").status_code == 200
    page = client.get(f"{join}?kiosk=1")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    joined = client.post(join, data={"csrf_token": token.group(1), "consent": "yes", "kiosk": "1"})
    assert joined.status_code == 200, joined.text[:300]
    assert 'id="join-data"' in joined.text
    with Session(demo) as session:
        sources = session.exec(select(Participant.source)).all()
    assert sources == ["kiosk"]
    # The facilitator is still signed in afterwards.
    assert client.get("/facilitator").status_code == 200


def test_no_page_uses_an_inline_style(client: TestClient, everyone: str) -> None:
    # style-src 'self' blocks style="" attributes: a party colour is an SVG fill instead.
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "frontend" / "templates").rglob("*.html")
        if re.search(r"\sstyle=", p.read_text("utf-8"))
    ]
    assert offenders == []
    assert sign_in(client, "admin@example.org").status_code == 303
    entities = client.get("/admin/elections/demo/entities")
    assert entities.status_code == 200
    listed = parse(entities)
    assert listed.select(".swatch") and listed.select("[style]") == []
    assert "style-src 'self'" in entities.headers["content-security-policy"]
