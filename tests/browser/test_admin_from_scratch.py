"""A new NGO's whole way through, in the system Chromium, on an empty database.

The first admin is created through the one-time setup link `vaa serve` prints; they build
a two-language election in the admin UI from nothing, set one party's positions, invite the
other party, which fills in, submits, is returned with a comment, resubmits and is approved;
the election is published and a voter takes the quiz on it. Editing after publishing
changes nothing voters get until the next publish, and the earlier version's bundle is
still served byte for byte under its checksum afterwards.

With VAA_SCREENSHOTS=<dir> every admin page passed is also photographed in Georgian and
English at desktop and tablet width, and every party page at phone width.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, start_server
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import session_scope
from vaa.settings import Settings

pytestmark = pytest.mark.browser

SLUG = "kutaisi-2026"
PASSWORD = "correct horse battery staple"
TABLET = {"width": 820, "height": 1180}
SHOTS = Path(os.environ["VAA_SCREENSHOTS"]) if os.environ.get("VAA_SCREENSHOTS") else None

THEMES = {
    "transport": ("ტრანსპორტი", "Transport"),
    "environment": ("გარემო", "Environment"),
}
STATEMENTS = {
    "free-buses": (
        "transport",
        "ქალაქის ავტობუსით მგზავრობა უფასო უნდა იყოს.",
        "City buses should be free to ride.",
    ),
    "bike-lanes": (
        "transport",
        "ქალაქმა ცენტრალურ ქუჩებზე ველოსიპედის ბილიკები უნდა მოაწყოს.",
        "The city should build bike lanes on its central streets.",
    ),
    "more-parks": (
        "environment",
        "ახალი მშენებლობის ნაცვლად ქალაქს მეტი პარკი სჭირდება.",
        "The city needs more parks rather than new buildings.",
    ),
    "river-cleanup": (
        "environment",
        "რიონის გაწმენდა ქალაქის ბიუჯეტის პრიორიტეტი უნდა იყოს.",
        "Cleaning up the Rioni should be a priority of the city budget.",
    ),
}
PARTIES = {
    "river-party": ("მდინარის პარტია", "River Party", "#1565c0"),
    "road-union": ("გზის კავშირი", "Road Union", "#c62828"),
}
RIVER_POSITIONS = {
    "free-buses": "agree",
    "bike-lanes": "agree-strongly",
    "more-parks": "agree-strongly",
    "river-cleanup": "agree-strongly",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Its own server on an empty database (no demo) and the first-admin setup link."""
    url = f"sqlite:///{tmp_path_factory.mktemp('scratch') / 'vaa.db'}"
    engine, loaded = prepare_database(Settings(database_url=url, demo_files=[]))
    assert loaded == []
    with session_scope(engine) as session:  # what `vaa serve` does before it starts
        token = accounts.issue_setup_link(session)
    engine.dispose()
    assert token
    process, base = start_server(url)
    yield base, f"{base}/setup/{token}"
    process.terminate()
    process.wait(timeout=10)


def _with_lang(url: str, lang: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("lang="))
    query = f"{query}&{urlencode({'lang': lang})}" if query else urlencode({"lang": lang})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def tour(page: Page, name: str, *, party: bool = False) -> None:
    """Photograph the page (a GET) in Georgian and English; end in the page's language."""
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    url, size = page.url, page.viewport_size
    home = "ka" if party else "en"
    sizes = {"phone": PHONE} if party else {"desktop": DESKTOP, "tablet": TABLET}
    for lang in [code for code in ("ka", "en") if code != home] + [home]:
        page.goto(_with_lang(url, lang))
        for label, viewport in sizes.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{label}.png"), full_page=True)
    assert size is not None
    page.set_viewport_size(size)  # type: ignore[arg-type]


def shoot(page: Page, name: str) -> None:
    """Photograph the page as it is (after a POST, where reloading would lose what it shows)."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill_texts(page: Page, prefix: str, ka: str, en: str) -> None:
    page.fill(f"#f-{prefix}_ka", ka)
    page.fill(f"#f-{prefix}_en", en)


def saved(page: Page) -> None:
    expect(page.locator(".notice--info[role=status]").first).to_be_visible()


def bundles(base: str) -> tuple[bytes, str, bytes]:
    """The newest bundle's bytes, its versioned URL, and that URL's bytes."""
    latest = httpx.get(f"{base}/api/v1/elections/{SLUG}/bundle")
    latest.raise_for_status()
    version = latest.headers["etag"].strip('"')
    url = f"{base}/api/v1/elections/{SLUG}/bundle/{version}"
    versioned = httpx.get(url)
    versioned.raise_for_status()
    return latest.content, url, versioned.content


def build_election(admin: Page, base: str) -> None:
    """From the admin home to a complete draft: settings, themes, statements, parties."""
    admin.click("main >> text=Elections")
    admin.wait_for_url(f"{base}/admin/elections")
    expect(admin.locator("main")).to_contain_text("There are no elections yet.")
    tour(admin, "elections-empty")
    admin.click("text=New election")
    tour(admin, "election-new")
    admin.fill("#f-slug", SLUG)
    expect(admin.locator("input[name=languages][value=ka]")).to_be_checked()
    expect(admin.locator("input[name=languages][value=en]")).to_be_checked()
    fill_texts(admin, "title", "ქუთაისის საკრებულოს არჩევნები 2026", "Kutaisi City Council 2026")
    admin.click("text=Create the election")
    admin.wait_for_url(f"{base}/admin/elections/{SLUG}?done=created")
    tour(admin, "election-overview-new")

    admin.click("nav.content-nav >> text=Settings")
    tour(admin, "election-settings")
    fill_texts(
        admin,
        "description",
        "ოთხი კითხვა ქალაქის ტრანსპორტსა და გარემოზე.",
        "Four questions on the city's transport and environment.",
    )
    fill_texts(admin, "publisher", "სამოქალაქო ჩართულობის ცენტრი", "Civic Engagement Centre")
    admin.fill("#f-date", "2026-10-04")
    admin.click(".content-form button[type=submit]")
    saved(admin)

    admin.click("nav.content-nav >> text=Questionnaire")
    # The new election starts with a five-point scale already labelled in both languages.
    expect(admin.locator("#f-scale_agree_ka")).to_have_value("ვეთანხმები")
    expect(admin.locator("#f-scale_agree_en")).to_have_value("Agree")
    tour(admin, "questionnaire-empty")
    for theme, (ka, en) in THEMES.items():
        admin.click("text=Add a theme")
        if theme == "transport":
            tour(admin, "theme-new")
        admin.fill("#f-id", theme)
        fill_texts(admin, "label", ka, en)
        admin.click(".content-form button[type=submit]")
        saved(admin)
    for statement, (theme, ka, en) in STATEMENTS.items():
        admin.click("text=Add a statement")
        if statement == "free-buses":
            tour(admin, "statement-new")
        admin.fill("#f-id", statement)
        admin.select_option("#f-theme", theme)
        # The last statement is saved in Georgian only: publishing will point that out.
        fill_texts(admin, "text", ka, "" if statement == "river-cleanup" else en)
        admin.click(".content-form button[type=submit]")
        saved(admin)
    expect(admin.locator("#statement-river-cleanup")).to_contain_text("რიონის")
    tour(admin, "questionnaire-full")

    admin.click("nav.content-nav >> text=Parties and candidates")
    tour(admin, "entities-empty")
    for party, (ka, en, colour) in PARTIES.items():
        admin.click("text=Add a party or candidate")
        if party == "river-party":
            tour(admin, "entity-new")
        admin.fill("#f-id", party)
        fill_texts(admin, "name", ka, en)
        admin.fill("#f-color", colour)
        admin.click(".content-form button[type=submit]")
        saved(admin)
    tour(admin, "entities-full")


def publish(admin: Page, base: str, name: str) -> None:
    admin.goto(f"{base}/admin/elections/{SLUG}/publish")
    expect(admin.locator("main")).to_contain_text("The draft has no problems.")
    tour(admin, name)
    admin.click("text=Publish the new version")
    admin.wait_for_url(f"{base}/admin/elections/{SLUG}/publish?done=published")
    # Now the draft is what voters see: no button that would publish nothing.
    expect(admin.locator("#publish-unchanged")).to_be_visible()
    expect(admin.locator("text=Publish the new version")).to_have_count(0)
    tour(admin, f"{name}-done")


def test_new_ngo_builds_publishes_and_a_voter_takes_the_quiz(
    browser: Browser, server: tuple[str, str]
) -> None:
    base, setup_link = server
    assert httpx.get(f"{base}/api/v1/elections").json() == []
    staff = browser.new_context(viewport=DESKTOP, locale="en-GB")
    party_context = browser.new_context(viewport=PHONE, locale="ka-GE")
    voter_context = browser.new_context(viewport=PHONE, locale="ka-GE")
    admin, party, voter = staff.new_page(), party_context.new_page(), voter_context.new_page()
    try:
        # 1. The first admin, through the link `vaa serve` printed.
        admin.goto(f"{setup_link}?lang=en")
        tour(admin, "setup")
        admin.fill("#email", "admin@ngo.example")
        admin.fill("#password", PASSWORD)
        admin.fill("#confirm", PASSWORD)
        admin.click("button[type=submit]")
        admin.wait_for_url(f"{base}/admin")
        tour(admin, "admin-home")
        assert httpx.get(setup_link).status_code == 404  # the link worked once

        # 2. The election, from nothing.
        build_election(admin, base)

        # 3. Publishing is refused while a statement lacks its English text; the problem
        # links to the statement's form, and once it is fixed the draft can be published.
        admin.click("nav.content-nav >> text=Publish")
        problems = admin.locator(".content-problems")
        expect(problems).to_contain_text("river-cleanup")
        expect(admin.locator("text=Publish the new version")).to_have_count(0)
        tour(admin, "publish-problems")
        admin.click("nav.content-nav >> text=Translations")
        tour(admin, "translate")
        admin.click("nav.content-nav >> text=Publish")
        problems.locator("a", has_text="river-cleanup").click()
        admin.wait_for_url(f"{base}/admin/elections/{SLUG}/statements/river-cleanup")
        admin.fill("#f-text_en", STATEMENTS["river-cleanup"][2])
        admin.click(".content-form button[type=submit]")
        saved(admin)
        admin.click("nav.content-nav >> text=Publish")
        expect(admin.locator("main")).to_contain_text("The draft has no problems.")
        admin.click("nav.content-nav >> text=Diagnostics")
        tour(admin, "diagnostics")

        # 4. The editor enters the River Party's positions themselves.
        admin.goto(f"{base}/admin/elections/{SLUG}/entities")
        admin.click("#entity-river-party >> text=Positions")
        tour(admin, "positions-editor")
        for statement, answer in RIVER_POSITIONS.items():
            admin.select_option(f"#f-answer_{statement}", answer)
        admin.fill(
            "#f-justification_river-cleanup_ka", "მდინარე ქალაქის გულია და მას მოვლა სჭირდება."
        )
        admin.fill(
            "#f-justification_river-cleanup_en",
            "The river is the heart of the city and needs care.",
        )
        admin.fill("#f-source_river-cleanup", "https://river-party.example/programme")
        admin.click("text=Save the positions")
        saved(admin)
        expect(admin.locator("#f-answer_bike-lanes")).to_have_value("agree-strongly")

        # 5. The Road Union is invited; the link is shown once in the page.
        admin.goto(f"{base}/admin/elections/{SLUG}")
        tour(admin, "election-overview")
        admin.click(f"main a[href='/admin/review/{SLUG}']")
        admin.wait_for_url(f"{base}/admin/review/{SLUG}")
        tour(admin, "review-election")
        admin.select_option("#entity", "road-union")
        admin.fill("#days", "14")
        admin.click("text=Create invitation link")
        link = admin.inner_text("#invitation-link").strip()
        assert link.startswith(f"{base}/party/invite/")
        shoot(admin, "review-invitation-en-desktop")

        # 6. The representative accepts on a phone, in Georgian, and fills in.
        party.goto(link)
        tour(party, "party-invite", party=True)
        party.fill("#email", "rep@road-union.example")
        party.fill("#password", PASSWORD)
        party.fill("#confirm", PASSWORD)
        party.click("button[type=submit]")
        party.wait_for_url(f"{base}/party/{SLUG}/road-union")
        tour(party, "party-positions-new", party=True)
        road = {
            "free-buses": "disagree",
            "bike-lanes": "disagree-strongly",
            "more-parks": "neutral",
            "river-cleanup": "agree",
        }
        for statement, answer in road.items():
            party.select_option(f"#answer-{statement}", answer)
        party.fill("#justification-free-buses-ka", "უფასო ავტობუსი ბიუჯეტს ძალიან ძვირი დაუჯდება.")
        party.fill("#source-free-buses", "https://road-union.example/buses")
        party.click("button[value=save]")
        expect(party.locator("[role=status]").first).to_be_visible()
        # Georgian only: saved with a warning, but not submitted until English is there too.
        party.click("button[value=submit]")
        expect(party.locator("#form-errors")).to_be_visible()
        party.fill("#justification-free-buses-en", "Free buses cost too much.")
        party.click("button[value=submit]")
        expect(party.locator("[data-status=pending]")).to_be_visible()
        tour(party, "party-positions-pending", party=True)

        # 7. The editor reads the submission and returns it with a comment.
        admin.goto(f"{base}/admin/review/{SLUG}")
        expect(admin.locator("tr[data-entity=road-union]")).to_have_attribute(
            "data-status", "pending"
        )
        admin.click("tr[data-entity=road-union] a")
        expect(admin.locator("[data-statement=free-buses]")).to_contain_text("ბიუჯეტს")
        tour(admin, "review-submission")
        admin.fill("#comment", "Please expand the English justification.")
        admin.click("text=Return to the party")
        expect(admin.locator("#submission-status")).to_have_attribute("data-status", "returned")
        tour(admin, "review-submission-returned")

        # 8. The party sees the comment, changes an answer and adds the English text.
        party.reload()
        expect(party.locator(".party-comment")).to_contain_text("English justification")
        tour(party, "party-positions-returned", party=True)
        party.fill("#justification-free-buses-en", "Free buses would cost the budget far too much.")
        party.select_option("#answer-more-parks", "disagree")
        party.click("button[value=submit]")
        expect(party.locator("[data-status=pending]")).to_be_visible()

        # 9. The editor sees the new difference and approves.
        admin.reload()
        expect(admin.locator("[data-statement=free-buses]")).to_contain_text("far too much")
        expect(admin.locator("[data-statement=more-parks]")).to_contain_text("Disagree")
        tour(admin, "review-submission-resubmitted")
        admin.click("text=Approve")
        expect(admin.locator("#submission-status")).to_have_attribute("data-status", "approved")
        party.reload()
        expect(party.locator("[data-status=approved]")).to_be_visible()
        tour(party, "party-positions-approved", party=True)

        # 10. Publish: the checks pass now, and voters get version 1.
        admin.goto(f"{base}/admin/elections/{SLUG}/preview/en/")
        tour(admin, "preview")
        publish(admin, base, "publish")
        first_latest, first_url, first_versioned = bundles(base)
        assert first_latest == first_versioned

        # 11. A voter takes the quiz on a phone, in Georgian.
        voter.goto(f"{base}/ka/{SLUG}/")
        expect(voter.locator("h1")).to_contain_text("ქუთაისის")
        voter.locator("#start-new a").click()
        voter.wait_for_url(f"**/{SLUG}/quiz")
        for i, answer in enumerate(["agree", "agree-strongly", "agree", "agree-strongly"]):
            step = voter.locator("#quiz .statement:not([hidden])")
            expect(step).to_have_attribute("data-id", list(STATEMENTS)[i])
            step.locator("label", has=voter.locator(f"input[value='{answer}']")).click()
        voter.click("#quiz-next")  # past the optional weighting step
        voter.wait_for_url(f"**/{SLUG}/results")
        rows = voter.locator("#results:not([hidden]) [data-list=rows] > li")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("მდინარის პარტია")
        expect(rows.nth(1)).to_contain_text("გზის კავშირი")

        # 12. An edit after publishing changes nothing voters get until the next publish.
        admin.goto(f"{base}/admin/elections/{SLUG}/statements/free-buses")
        tour(admin, "statement-edit")
        admin.fill("#f-text_en", "City buses should be free for everyone to ride.")
        admin.click(".content-form button[type=submit]")
        saved(admin)
        admin.goto(f"{base}/admin/elections/{SLUG}")
        expect(admin.locator(".staff-facts")).to_contain_text("Yes")  # unpublished changes
        tour(admin, "election-overview-changed")
        assert bundles(base) == (first_latest, first_url, first_versioned)
        voter.goto(f"{base}/en/{SLUG}/")
        assert b"free for everyone" not in first_latest

        publish(admin, base, "publish-again")
        second_latest, second_url, _ = bundles(base)
        assert second_url != first_url
        assert "free for everyone" in second_latest.decode()
        assert httpx.get(first_url).content == first_versioned  # still, byte for byte
        assert (
            httpx.get(f"{base}/api/v1/elections/{SLUG}")
            .json()["bundle"]
            .endswith(second_url.rsplit("/", 1)[1])
        )
    except Exception:
        if SHOTS is not None:
            for name, open_page in (("admin", admin), ("party", party), ("voter", voter)):
                open_page.screenshot(path=str(SHOTS / f"failed-{name}.png"), full_page=True)
        raise
    finally:
        staff.close()
        party_context.close()
        voter_context.close()
