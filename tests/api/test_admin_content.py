"""The admin content UI through the real app: pages, forms, conflicts, publishing, spreadsheets.

Every form is sent the way a browser sends it: with the session's CSRF token and the
draft revision the page was opened at.
"""

import io
import re
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.soup import alerts, content, fields, hrefs, injected, one, parse, text, texts
from vaa import accounts, audit
from vaa.db import session_scope
from vaa.drafts import open_draft, save_draft
from vaa.models import Account, Election

ADMIN = "/admin/elections"
PASSWORD = "a long enough password"


def sign_in_as(client: TestClient, engine: sa.Engine, role: str, language: str = "en") -> str:
    """Sign in an account of this role (made on first use); return its CSRF token."""
    email = f"{role}@example.org"
    with session_scope(engine) as session:
        account = session.exec(select(Account).where(Account.email == email)).first()
        if account is None:
            account = accounts.create_account(
                session,
                email=email,
                password=PASSWORD,
                role=role,
                election="demo" if role == "party" else None,
                entity="green-coast" if role == "party" else None,
                actor="test",
            )
        token = accounts.start_session(session, account=account)
    client.cookies.clear()
    client.cookies.set("vaa_session", token)
    client.cookies.set("vaa_lang", language)
    client.headers["accept"] = "text/html"
    page = client.get(ADMIN)
    if page.status_code != 200:
        return ""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def revision(engine: sa.Engine, slug: str) -> int:
    with session_scope(engine) as session:
        opened = open_draft(session, slug=slug)
        assert opened is not None
        return opened.revision


def draft(engine: sa.Engine, slug: str) -> dict[str, Any]:
    with session_scope(engine) as session:
        opened = open_draft(session, slug=slug)
        assert opened is not None
        return opened.data


class Editor:
    """A signed-in editor sending forms."""

    def __init__(self, client: TestClient, engine: sa.Engine, role: str = "editor") -> None:
        self.client = client
        self.engine = engine
        self.token = sign_in_as(client, engine, role)

    def post(
        self, path: str, data: dict[str, Any], *, slug: str | None = None, **kw: Any
    ) -> httpx.Response:
        body = {"csrf_token": self.token, **data}
        if slug is not None and "revision" not in data:
            body["revision"] = str(revision(self.engine, slug))
        return self.client.post(path, data=body, follow_redirects=False, **kw)

    def ok(self, path: str, data: dict[str, Any], slug: str | None = None) -> httpx.Response:
        response = self.post(path, data, slug=slug)
        assert response.status_code == 303, response.text[:3000]
        return response


@pytest.fixture
def editor(client: TestClient, demo: sa.Engine) -> Editor:
    return Editor(client, demo)


def demo_pages() -> list[str]:
    base = f"{ADMIN}/demo"
    return [
        ADMIN,
        f"{ADMIN}/new",
        base,
        f"{base}/settings",
        f"{base}/questionnaire",
        f"{base}/themes/new",
        f"{base}/themes/governance",
        f"{base}/axes/new",
        f"{base}/axes/economic",
        f"{base}/statements/new",
        f"{base}/statements/e-petitions",
        f"{base}/entities",
        f"{base}/entities/new",
        f"{base}/entities/green-coast",
        f"{base}/entities/green-coast/positions",
        f"{base}/translate",
        f"{base}/translate?a=en&b=ka&only=missing",
        f"{base}/diagnostics",
        f"{base}/spreadsheets",
        f"{base}/preview/ka/",
        f"{base}/preview/en/quiz",
        f"{base}/publish",
    ]


@pytest.mark.parametrize("role", ["admin", "editor"])
@pytest.mark.parametrize("language", ["ka", "en"])
def test_every_page_renders_for_admins_and_editors(
    client: TestClient, demo: sa.Engine, role: str, language: str
) -> None:
    sign_in_as(client, demo, role, language)
    for path in demo_pages():
        page = client.get(path)
        assert page.status_code == 200, f"{path}: {page.status_code} {page.text[:500]}"
        expected = language if "/preview/" not in path else path.split("/preview/")[1][:2]
        assert parse(page.text).html["lang"] == expected, path
        assert "Cache-Control" in page.headers
    sample = content(parse(client.get(f"{ADMIN}/demo/questionnaire")))
    if language == "ka":
        assert "კითხვარი" in sample
    else:
        assert "Questionnaire" in sample and "Answer scale" in sample


@pytest.mark.parametrize("role", [None, "facilitator", "party"])
def test_others_may_not_use_the_content_pages(
    client: TestClient, demo: sa.Engine, role: str | None
) -> None:
    if role is None:
        client.headers["accept"] = "application/json"
        assert client.get(f"{ADMIN}/demo/questionnaire").status_code == 401
        assert client.post(f"{ADMIN}/demo/themes", data={}).status_code == 401
        return
    token = sign_in_as(client, demo, role)
    assert client.get(f"{ADMIN}/demo/questionnaire").status_code == 403
    response = client.post(
        f"{ADMIN}/demo/themes",
        data={"csrf_token": token, "revision": "1", "id": "x", "label_en": "X"},
    )
    assert response.status_code == 403


def test_forms_need_the_csrf_token(editor: Editor, demo: sa.Engine) -> None:
    before = draft(demo, "demo")
    response = editor.client.post(
        f"{ADMIN}/demo/themes",
        data={"revision": str(revision(demo, "demo")), "id": "new-theme", "label_en": "X"},
    )
    assert response.status_code == 403
    assert draft(demo, "demo") == before


def build_election(editor: Editor, slug: str = "batumi-2026") -> None:
    """Create a two-language election from nothing with the forms, as the UI does."""
    created = editor.ok(
        ADMIN,
        {
            "slug": slug,
            "languages": ["ka", "en"],
            "title_ka": "ბათუმის არჩევნები",
            "title_en": "Batumi election",
        },
    )
    base = f"{ADMIN}/{slug}"
    assert created.headers["location"] == f"{base}?done=created"
    editor.ok(
        f"{base}/themes",
        {"id": "transport", "label_ka": "ტრანსპორტი", "label_en": "Transport"},
        slug,
    )
    editor.ok(
        f"{base}/themes",
        {"id": "environment", "label_ka": "გარემო", "label_en": "Environment"},
        slug,
    )
    editor.ok(
        f"{base}/axes",
        {
            "id": "economic",
            "label_ka": "ეკონომიკა",
            "label_en": "Economy",
            "low_ka": "მარცხენა",
            "low_en": "Left",
            "high_ka": "მარჯვენა",
            "high_en": "Right",
        },
        slug,
    )
    for sid, theme, ka, en, loading in (
        ("free-buses", "transport", "ავტობუსი უფასო უნდა იყოს.", "Buses should be free.", "-1"),
        ("bike-lanes", "transport", "საჭიროა ველობილიკები.", "We need bike lanes.", ""),
        ("parks", "environment", "მეტი პარკი.", "More parks.", "0.5"),
    ):
        editor.ok(
            f"{base}/statements",
            {
                "id": sid,
                "theme": theme,
                "text_ka": ka,
                "text_en": en,
                "info_ka": "",
                "info_en": "",
                "axis_economic": loading,
            },
            slug,
        )
    for eid, ka, en, color in (
        ("sea-party", "ზღვის პარტია", "Sea Party", "#1f6feb"),
        ("hill-party", "მთის პარტია", "Hill Party", "#2e7d32"),
    ):
        editor.ok(
            f"{base}/entities",
            {
                "id": eid,
                "kind": "party",
                "name_ka": ka,
                "name_en": en,
                "color": color,
                "url": "",
                "party": "",
                "constituency": "",
                "fictional": "1",
            },
            slug,
        )
    for eid, answers in (
        ("sea-party", ("agree", "agree-strongly", "disagree")),
        ("hill-party", ("disagree", "neutral", "agree")),
    ):
        form: dict[str, Any] = {}
        for sid, answer in zip(("free-buses", "bike-lanes", "parks"), answers, strict=True):
            form[f"answer_{sid}"] = answer
            form[f"justification_{sid}_ka"] = f"{eid} ka"
            form[f"justification_{sid}_en"] = f"{eid} en"
            form[f"source_{sid}"] = "https://example.org/" + eid
        editor.ok(f"{base}/entities/{eid}/positions", form, slug)


def test_build_an_election_from_nothing_and_publish_it(editor: Editor, demo: sa.Engine) -> None:
    build_election(editor)
    base = f"{ADMIN}/batumi-2026"
    data = draft(demo, "batumi-2026")
    q = data["questionnaire"]
    assert q["languages"] == ["ka", "en"]
    assert [t["id"] for t in q["themes"]] == ["transport", "environment"]
    assert [s["id"] for s in q["statements"]] == ["free-buses", "bike-lanes", "parks"]
    assert q["statements"][0]["axes"] == {"economic": -1.0}
    assert q["statements"][1]["axes"] == {}
    assert data["entities"][1]["positions"]["parks"] == {
        "answer": "agree",
        "justification": {"ka": "hill-party ka", "en": "hill-party en"},
        "source": "https://example.org/hill-party",
    }
    # Reorder with the buttons: parks first.
    editor.ok(f"{base}/statements/parks/move", {"direction": "up"}, "batumi-2026")
    editor.ok(f"{base}/statements/parks/move", {"direction": "up"}, "batumi-2026")
    order = [s["id"] for s in draft(demo, "batumi-2026")["questionnaire"]["statements"]]
    assert order == ["parks", "free-buses", "bike-lanes"]
    # Not listed for voters before publishing.
    listed = editor.client.get("/api/v1/elections").json()
    assert "batumi-2026" not in [e["election"] for e in listed]
    assert "Not published yet" in content(parse(editor.client.get(ADMIN)))
    preview = editor.client.get(f"{base}/preview/en/quiz")
    assert preview.status_code == 200
    read = text(parse(preview).body)
    assert "Preview – not published" in read and "More parks." in read

    published = editor.ok(f"{base}/publish", {}, "batumi-2026")
    assert published.headers["location"] == f"{base}/publish?done=published"
    listed = editor.client.get("/api/v1/elections").json()
    summary = next(e for e in listed if e["election"] == "batumi-2026")
    assert summary["number"] == 1
    page = content(parse(editor.client.get(f"{base}/publish?done=published")))
    assert "Version 1" in page and summary["version"] in page
    assert editor.client.get("/en/batumi-2026/quiz").status_code == 200
    with Session(demo) as session:
        actions = [e.action for e in audit.entries(session)]
    assert "election.create" in actions and "election.publish" in actions
    assert actions.count("draft.statement.add") == 3
    assert actions.count("draft.positions.edit") == 2
    with Session(demo) as session:
        entry = next(e for e in audit.entries(session) if e.action == "draft.theme.add")
    assert entry.actor == "editor@example.org"
    assert entry.before is None and entry.after["id"] in ("transport", "environment")


def test_invalid_inputs_are_form_errors_and_change_nothing(editor: Editor, demo: sa.Engine) -> None:
    bad_slug = editor.post(ADMIN, {"slug": "Bad Slug!", "languages": ["en"], "title_en": "X"})
    assert bad_slug.status_code == 400
    assert text(one(parse(bad_slug), "#e-slug")).startswith("Use only lower-case Latin letters")
    taken = editor.post(ADMIN, {"slug": "demo", "languages": ["en"], "title_en": "X"})
    assert taken.status_code == 400
    assert text(one(parse(taken), "#e-slug")) == "An election with this address already exists."
    with Session(demo) as session:
        assert [e.slug for e in session.exec(select(Election)).all()] == ["demo"]

    before, rev = draft(demo, "demo"), revision(demo, "demo")
    base = f"{ADMIN}/demo"
    statement = {"theme": "governance", "text_ka": "ტექსტი", "text_en": "Text"}
    cases = [
        (f"{base}/statements", {**statement, "id": "s-new", "axis_economic": "2"}, "from −1 to 1"),
        (f"{base}/statements", {**statement, "id": "s-new", "axis_social": "many"}, "from −1 to 1"),
        (
            f"{base}/statements",
            {**statement, "id": "s-new", "theme": "nowhere"},
            "not one of the options",
        ),
        (f"{base}/statements", {**statement, "id": "e-petitions"}, "already used"),
        (f"{base}/statements", {**statement, "id": "Not A Slug"}, "lower-case Latin"),
        (
            f"{base}/statements",
            {**statement, "id": "s-new", "text_ka": "", "text_en": ""},
            "at least one language",
        ),
        (f"{base}/themes", {"id": "governance", "label_en": "Again"}, "already used"),
        (f"{base}/statements/e-petitions", {**statement, "axis_social": "-1.5"}, "from −1 to 1"),
        (
            f"{base}/entities",
            {"id": "x", "kind": "party", "name_en": "X", "color": "green"},
            "hexadecimal",
        ),
        (
            f"{base}/entities",
            {"id": "x", "kind": "party", "name_en": "X", "url": "javascript:alert(1)"},
            "https://",
        ),
        (
            f"{base}/entities",
            {"id": "x", "kind": "robot", "name_en": "X"},
            "not one of the options",
        ),
        (
            f"{base}/entities/green-coast/positions",
            {"answer_e-petitions": "maybe"},
            "Choose one of the options",
        ),
        (
            f"{base}/settings",
            {"title_en": "T", "languages": "ka en", "method": "magic", "missing": "max"},
            "Choose one of the options",
        ),
        (
            f"{base}/settings",
            {
                "title_en": "T",
                "languages": "ka en",
                "method": "cityblock",
                "missing": "max",
                "date": "tomorrow",
            },
            "YYYY-MM-DD",
        ),
    ]
    for path, form, expected in cases:
        response = editor.post(path, {**form, "revision": str(rev)})
        assert response.status_code == 400, (path, form, response.status_code)
        page = parse(response)
        # Listed at the top, and said again next to the field it is about.
        assert expected in alerts(page), (path, form)
        assert any(expected in t for t in texts(page, ".field-error")), (path, form)
        assert page.select('[aria-invalid="true"]'), (path, form)
    assert draft(demo, "demo") == before
    assert revision(demo, "demo") == rev


def test_the_domains_refusals_show_at_their_fields_in_georgian(
    editor: Editor, demo: sa.Engine
) -> None:
    # The title, date and matching defaults, the scale's labels and the positions are
    # checked by vaa.draft_edits alone; the page shows each field code in the editor's words.
    editor.client.cookies.set("vaa_lang", "ka")
    before, rev = draft(demo, "demo"), revision(demo, "demo")
    base = f"{ADMIN}/demo"
    first = draft(demo, "demo")["questionnaire"]["languages"][0]
    settings = editor.post(
        f"{base}/settings",
        {"languages": "ka en", "date": "tomorrow", "method": "magic", "missing": "max"},
        slug="demo",
    )
    assert settings.status_code == 400
    page = parse(settings)
    assert text(one(page, f"#e-title_{first}")) == "გთხოვთ, შეიყვანოთ სათაური მინიმუმ ერთ ენაზე."
    assert text(one(page, "#e-date")) == "გთხოვთ, თარიღი შეიყვანოთ ფორმატით წწწწ-თთ-დდ."
    assert text(one(page, "#e-method")) == "გთხოვთ, აირჩიოთ ერთ-ერთი ვარიანტი."
    assert one(page, "#f-date")["aria-invalid"] == "true"
    assert not page.select("#e-missing")  # max is a policy
    assert fields(one(page, "form.content-form"))["revision"] == [str(rev)]

    option = draft(demo, "demo")["questionnaire"]["scale"][0]["id"]
    scale = editor.post(f"{base}/scale", {f"scale_{option}_{first}": ""}, slug="demo")
    assert scale.status_code == 400
    message = "გთხოვთ, ეს ტექსტი შეიყვანოთ მინიმუმ ერთ ენაზე."
    assert text(one(parse(scale), f"#e-scale_{option}_{first}")) == message

    positions = editor.post(
        f"{base}/entities/green-coast/positions",
        {"answer_e-petitions": "agree", "source_e-petitions": "ftp://example.org/x"},
        slug="demo",
    )
    assert positions.status_code == 400
    assert text(one(parse(positions), "#e-source_e-petitions")) == (
        "გთხოვთ, შეიყვანოთ ვებმისამართი, რომელიც https:// ან http://-ით იწყება."
    )
    assert draft(demo, "demo") == before
    assert revision(demo, "demo") == rev


def test_a_stale_save_is_refused_with_a_message(editor: Editor, demo: sa.Engine) -> None:
    rev = revision(demo, "demo")
    form = {"id": "first", "label_ka": "პირველი", "label_en": "First", "revision": str(rev)}
    assert editor.post(f"{ADMIN}/demo/themes", form).status_code == 303
    second = {"id": "second", "label_en": "Second", "revision": str(rev)}
    stale = editor.post(f"{ADMIN}/demo/themes", second)
    assert stale.status_code == 409
    page = parse(stale)
    assert "Your changes were not saved" in alerts(page)
    assert fields(one(page, "main form:has([name=label_en])"))["label_en"] == ["Second"]  # kept
    themes = [t["id"] for t in draft(demo, "demo")["questionnaire"]["themes"]]
    assert "first" in themes and "second" not in themes
    moved = editor.post(
        f"{ADMIN}/demo/themes/first/move", {"direction": "up", "revision": str(rev)}
    )
    assert moved.headers["location"].endswith("?done=stale")
    assert "Your changes were not saved" in alerts(
        parse(editor.client.get(moved.headers["location"]))
    )


def test_delete_keeps_the_draft_consistent(editor: Editor, demo: sa.Engine) -> None:
    base = f"{ADMIN}/demo"
    in_use = editor.post(f"{base}/themes/governance/delete", {}, slug="demo")
    assert in_use.headers["location"].endswith("done=in_use&item=governance")
    assert "governance" in [t["id"] for t in draft(demo, "demo")["questionnaire"]["themes"]]
    editor.ok(f"{base}/statements/e-petitions/delete", {}, "demo")
    editor.ok(f"{base}/axes/social/delete", {}, "demo")
    data = draft(demo, "demo")
    assert "e-petitions" not in [s["id"] for s in data["questionnaire"]["statements"]]
    assert all("e-petitions" not in e["positions"] for e in data["entities"])
    assert all("social" not in s["axes"] for s in data["questionnaire"]["statements"])
    assert editor.client.get(f"{base}/publish").status_code == 200


def test_publishing_with_problems_is_refused_and_lists_them(
    editor: Editor, demo: sa.Engine
) -> None:
    editor.ok(ADMIN, {"slug": "half", "languages": ["ka", "en"], "title_ka": "ნახევარი"})
    base = f"{ADMIN}/half"
    editor.ok(f"{base}/themes", {"id": "roads", "label_ka": "გზები"}, "half")
    editor.ok(
        f"{base}/statements", {"id": "potholes", "theme": "roads", "text_ka": "ორმოები"}, "half"
    )
    page = parse(editor.client.get(f"{base}/publish"))
    assert "cannot be previewed or published yet" in content(page)
    assert f"{base}/statements/potholes" in hrefs(page)
    assert f"{base}/settings" in hrefs(page, "main a")  # the English title is missing
    assert "statements[0].text.en" in problem_fields(page)
    refused = problem_fields(parse(editor.post(f"{base}/publish", {}, slug="half")))
    assert "statements[0].text.en" in refused and "title.en" in refused
    assert editor.client.get("/api/v1/elections/half").status_code == 404
    assert editor.client.get(f"{base}/preview/en/").status_code == 409
    # Diagnostics still work on the unfinished draft.
    diagnostics = editor.client.get(f"{base}/diagnostics")
    assert diagnostics.status_code == 200 and "potholes" in content(parse(diagnostics))


def problem_fields(page: BeautifulSoup) -> list[str]:
    """The field path each listed problem is about (the title of its field's name)."""
    return [str(span["title"]) for span in page.select(".problem-field")]


def test_published_versions_never_change(editor: Editor, demo: sa.Engine) -> None:
    client = editor.client
    first = client.get("/api/v1/elections/demo").json()["version"]
    bundle = client.get(f"/api/v1/elections/demo/bundle/{first}").content
    quiz = client.get("/en/demo/quiz").text
    base = f"{ADMIN}/demo"
    statement = draft(demo, "demo")["questionnaire"]["statements"][0]
    form = {
        "theme": statement["theme"],
        "text_ka": statement["text"]["ka"],
        "text_en": "An edited statement nobody has seen yet.",
        "info_ka": statement.get("info", {}).get("ka", ""),
        "info_en": statement.get("info", {}).get("en", ""),
        **{f"axis_{a}": str(v) for a, v in statement["axes"].items()},
    }
    editor.ok(f"{base}/statements/{statement['id']}", form, "demo")
    # Edited, not published: voters see exactly what they saw.
    assert client.get("/api/v1/elections/demo").json()["version"] == first
    assert client.get("/api/v1/elections/demo/bundle").content == bundle
    assert client.get("/en/demo/quiz").text == quiz
    listing = parse(client.get(ADMIN))
    (row,) = [r for r in listing.select("main tr") if texts(r, "td code") == ["demo"]]
    assert texts(row, "td")[1:3] == ["demo", "Version 1"]
    assert text(one(row, "td:nth-of-type(4) strong")) == "Yes"  # changes since

    editor.ok(f"{base}/publish", {}, "demo")
    second = client.get("/api/v1/elections/demo").json()
    assert second["version"] != first and second["number"] == 2
    assert "An edited statement nobody has seen yet." in client.get("/en/demo/quiz").text
    old = client.get(f"/api/v1/elections/demo/bundle/{first}")
    assert old.status_code == 200 and old.content == bundle  # byte for byte
    # Edit and publish again: both earlier versions stay as they were.
    form["text_en"] = "Edited twice."
    editor.ok(f"{base}/statements/{statement['id']}", form, "demo")
    editor.ok(f"{base}/publish", {}, "demo")
    assert client.get(f"/api/v1/elections/demo/bundle/{first}").content == bundle
    assert client.get("/api/v1/elections/demo").json()["number"] == 3
    # Publishing an unchanged draft makes no new version.
    unchanged = editor.ok(f"{base}/publish", {}, "demo")
    assert unchanged.headers["location"].endswith("done=unchanged")
    assert client.get("/api/v1/elections/demo").json()["number"] == 3


def test_translation_view_edits_two_languages(editor: Editor, demo: sa.Engine) -> None:
    base = f"{ADMIN}/demo"
    editor.ok(f"{base}/themes", {"id": "sport", "label_ka": "სპორტი"}, "demo")
    page = editor.client.get(f"{base}/translate?a=ka&b=en&only=missing")
    assert page.status_code == 200
    form = parse(page)
    one(form, '[name="t/theme/sport/label/en"]')
    assert not form.select('[name="t/theme/governance/label/en"]')  # complete: left out
    full = parse(editor.client.get(f"{base}/translate?a=ka&b=en"))
    assert any(re.fullmatch(r"\d+%", share) for share in texts(full, "main strong"))
    editor.ok(
        f"{base}/translate",
        {
            "a": "ka",
            "b": "en",
            "t/theme/sport/label/ka": "სპორტი",
            "t/theme/sport/label/en": "Sport",
        },
        "demo",
    )
    themes = draft(demo, "demo")["questionnaire"]["themes"]
    assert themes[-1]["label"] == {"ka": "სპორტი", "en": "Sport"}
    assert themes[0]["label"]["en"] == "Open government and participation"  # not in the form


def test_diagnostics_flag_statements_everyone_answers_alike(
    editor: Editor, demo: sa.Engine
) -> None:
    build_election(editor, "alike")
    base = f"{ADMIN}/alike"
    form: dict[str, Any] = {}
    for sid in ("free-buses", "bike-lanes", "parks"):
        form[f"answer_{sid}"] = "agree"
    editor.ok(f"{base}/entities/sea-party/positions", form, "alike")
    editor.ok(f"{base}/entities/hill-party/positions", form, "alike")
    page = content(parse(editor.client.get(f"{base}/diagnostics")))
    assert page.count("Everyone answers alike") == 3
    assert "All statements on this axis point the same way" not in page  # -1 and +0.5


def workbook_with(data: bytes, sheet: str, header: str, row: int, value: Any) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    table = book[sheet]
    heads = [c.value for c in table[1]]
    table.cell(row=row, column=heads.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_spreadsheet_round_trip(editor: Editor, demo: sa.Engine) -> None:
    base = f"{ADMIN}/demo"
    client = editor.client
    page = parse(client.get(f"{base}/spreadsheets"))
    assert f"{base}/spreadsheets/demo-questionnaire.csv" in hrefs(page)
    xlsx = client.get(f"{base}/spreadsheets/demo.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv_file = client.get(f"{base}/spreadsheets/demo-questionnaire.csv")
    assert csv_file.status_code == 200 and csv_file.content.startswith(b"\xef\xbb\xbf")
    assert client.get(f"{base}/spreadsheets/other.csv").status_code == 404

    before, rev = draft(demo, "demo"), revision(demo, "demo")
    first = before["questionnaire"]["statements"][0]["id"]
    edited = workbook_with(xlsx.content, "questionnaire", "text_en", 2, "Changed in Excel.")
    checked = editor.post(
        f"{base}/spreadsheets/import",
        {"revision": str(rev)},
        files={"files": ("demo.xlsx", edited, "application/octet-stream")},
    )
    assert checked.status_code == 200, checked.text[:2000]
    changes = texts(parse(checked), "main tr")
    assert any("Changed in Excel." in row and first in row for row in changes)
    assert draft(demo, "demo") == before  # nothing changes before the confirmation
    (payload,) = fields(one(parse(checked), "form:has(input[name=payload])"))["payload"]
    editor.ok(f"{base}/spreadsheets/apply", {"payload": payload, "revision": str(rev)})
    after = draft(demo, "demo")
    assert after["questionnaire"]["statements"][0]["text"]["en"] == "Changed in Excel."
    assert after["entities"] == before["entities"]
    with Session(demo) as session:
        entry = audit.entries(session)[0]
    assert entry.action == "draft.spreadsheet.import"
    assert "Changed in Excel." in str(entry.after)

    # A bad cell: every problem with sheet, row and column, and nothing changes.
    rev = revision(demo, "demo")
    broken = workbook_with(xlsx.content, "questionnaire", "axis_economic", 3, 2)
    refused = editor.post(
        f"{base}/spreadsheets/import",
        {"revision": str(rev)},
        files={"files": ("demo.xlsx", broken, "application/octet-stream")},
    )
    assert refused.status_code == 400
    rows = [texts(row, "td")[:3] for row in parse(refused).select("main tr")]
    assert ["questionnaire", "3", "axis_economic"] in rows
    assert draft(demo, "demo") == after
    # CSV files are read too.
    csv_body = csv_file.content.decode("utf-8-sig").replace("Changed in Excel.", "Changed in CSV.")
    checked = editor.post(
        f"{base}/spreadsheets/import",
        {"revision": str(rev)},
        files={"files": ("demo-questionnaire.csv", csv_body.encode(), "text/csv")},
    )
    assert checked.status_code == 200
    # The CSV came from before the Excel import, so its text differs from the draft's now.
    assert any("Changed in Excel." in row for row in texts(parse(checked), "main tr"))
    # A tampered payload is a clear 400, not a 500.
    tampered = editor.post(f"{base}/spreadsheets/apply", {"payload": "!!", "revision": str(rev)})
    assert tampered.status_code == 400


def test_user_content_is_escaped(editor: Editor, demo: sa.Engine) -> None:
    script = "<script>alert(1)</script>"
    base = f"{ADMIN}/demo"
    editor.ok(f"{base}/themes", {"id": "xss", "label_ka": script, "label_en": script}, "demo")
    for path in (f"{base}/questionnaire", f"{base}/themes/xss", f"{base}/translate"):
        page = parse(editor.client.get(path))
        assert injected(page) == [], path  # the payload never runs
        shown_as_text = script in text(page.body) or any(
            script == str(e.get("value")) for e in page.select("input, textarea")
        )
        assert shown_as_text, path  # it is shown as typed


def test_the_settings_form_keeps_quick_modes_threshold(editor: Editor, demo: sa.Engine) -> None:
    # matching.settled has no field on the form: saving the form must not drop it
    with session_scope(demo) as session:
        opened = open_draft(session, slug="demo")
        assert opened is not None
        data = opened.data
        data["questionnaire"]["matching"]["settled"] = 0.8
        save_draft(session, slug="demo", data=data, revision=opened.revision)
    form = {"title_en": "T", "languages": "ka en", "method": "euclidean", "missing": "skip"}
    editor.ok(f"{ADMIN}/demo/settings", form, "demo")
    matching = draft(demo, "demo")["questionnaire"]["matching"]
    assert matching == {"method": "euclidean", "missing": "skip", "settled": 0.8}
