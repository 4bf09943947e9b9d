"""The result page in a real browser: computed on the device, equal to the API's result."""

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.forms import post_answers
from vaa.matching import round_half_up
from vaa.settings import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
STORAGE_KEY = "vaa:answers:demo"
Ranking = list[tuple[str, str]]


def _record(election: dict[str, Any]) -> dict[str, Any]:
    """The record the quiz writes: most statements answered, some skipped, two important."""
    options = [o["id"] for o in election["scale"]]
    ids = [s["id"] for s in election["statements"]]
    answers = {
        sid: None if i % 7 == 3 else options[(i * 3 + 1) % len(options)]
        for i, sid in enumerate(ids)
    }
    return {
        "version": election["version"],
        "answers": answers,
        "weights": {ids[0]: 2, ids[5]: 2},
        "current": len(ids),
    }


def _api(base: str, record: dict[str, Any], lang: str, method: str | None = None) -> Ranking:
    body = {"answers": record["answers"], "weights": record["weights"], "language": lang}
    if method:
        body["method"] = method
    results = httpx.post(f"{base}/api/v1/elections/demo/match", json=body).json()["results"]
    return [(r["entity"], f"{int(round_half_up(r['score']))}%") for r in results]


def _ranking(page: Page) -> Ranking:
    rows = page.eval_on_selector_all(
        "[data-list=rows] > li",
        "els => els.map(e => [e.dataset.entity, e.querySelector('[data-k=pct]').textContent])",
    )
    return [(entity, pct) for entity, pct in rows]


def _watch(page: Page) -> list[str]:
    """Collect script errors and CSP refusals: the page must have none."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" or "Refused" in m.text else None,
    )
    return problems


def _open(context: BrowserContext, base: str, lang: str, record: dict[str, Any] | None) -> Page:
    """Store the answers as the quiz does, then open the result page."""
    page = context.new_page()
    if record is not None:
        page.goto(f"{base}/{lang}/privacy")
        page.evaluate(
            "([key, r]) => localStorage.setItem(key, JSON.stringify(r))", [STORAGE_KEY, record]
        )
    page.goto(f"{base}/{lang}/demo/results")
    if record is not None:
        page.wait_for_selector("#results:not([hidden]) [data-list=rows] > li")
    return page


def _stored(page: Page) -> dict[str, Any] | None:
    raw = page.evaluate("key => localStorage.getItem(key)", STORAGE_KEY)
    return None if raw is None else json.loads(raw)


CONTENT = """() => {
    const text = (e) => (e && !e.closest("[hidden]") ? e.textContent.replace(/\\s+/g, " ").trim() : "");
    const all = (selector) => [...document.querySelectorAll(selector)].map(text);
    return {
        summary: all("[data-view=summary] [data-k]"),
        rows: all("[data-list=rows] > li"),
        statements: all("[data-list=statements] > li"),
        suggest: all("#suggest li"),
        compare: all(".compare-summary, [data-list=compare] > li"),
        themes: all("[data-list=theme_rows] > li"),
        voter: text(document.querySelector("#voter-position")),
        radar: [...document.querySelectorAll(".radar__series[data-series]")].flatMap(
            (p) => p.hasAttribute("hidden") ? [] : p.getAttribute("points").split(/[ ,]/).map(Number)),
        star: (document.querySelector("#map-you").getAttribute("transform") || "").match(/[-\\d.]+/g).map(Number),
    };
}"""


def _unfold(page: Page) -> None:
    """Open the folded sections (themes, map, statements, comparison) as a voter does."""
    for section in page.eval_on_selector_all("details.rsec", "els => els.map(e => e.id)"):
        page.locator(f"#{section} > summary").click()


def _content(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(CONTENT)
    return found


def _axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))",
        AXE_TAGS,
    )
    return list(found)


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    # No service worker: tests stand for "no JavaScript" by refusing results.js, which a
    # worker would serve from its cache past the route.
    context = browser.new_context(viewport=PHONE, locale="ka-GE", service_workers="block")
    yield context
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ka", "en"])
def test_browser_result_equals_the_api(
    browser: Browser, live_server: str, slices: dict[str, Any], lang: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    record = _record(slices[lang])
    page = _open(context, live_server, lang, record)
    problems = _watch(page)
    assert _ranking(page) == _api(live_server, record, lang)
    assert page.locator("#results-empty").is_hidden()
    top_name = page.locator("[data-list=rows] > li [data-k=name]").first.text_content()
    assert top_name and top_name in (page.locator("[data-k=headline]").text_content() or "")
    # Every party is a labelled point on the map, and the voter too.
    assert page.locator(".map__party text").count() == len(slices[lang]["entities"])
    assert page.locator("#map-you").get_attribute("transform")
    first = page.locator("[data-list=statements] > li").first
    assert first.locator("[data-list=parties] > li").count() == len(slices[lang]["entities"])
    assert problems == []
    context.close()


def test_method_switch_and_a_changed_answer_update_the_ranking(
    phone: BrowserContext, live_server: str, slices: dict[str, Any]
) -> None:
    election = slices["en"]
    record = _record(election)
    page = _open(phone, live_server, "en", record)
    page.locator("#method-form input[value=directional]").check()
    assert _ranking(page) == _api(live_server, record, "en", "directional")
    assert "Direction" in (page.locator("[data-k=basis]").text_content() or "")

    sid = election["statements"][1]["id"]
    _unfold(page)
    page.locator(f'[data-statement="{sid}"] summary').click()
    options = [o["id"] for o in election["scale"]]
    new = options[0] if record["answers"][sid] != options[0] else options[-1]
    page.select_option(f"#answer-{sid}", new)
    changed = {**record, "answers": {**record["answers"], sid: new}}
    assert _ranking(page) == _api(live_server, changed, "en", "directional")
    stored = _stored(page)
    assert stored is not None and stored["answers"][sid] == new
    # Marking a statement important counts it double, and is kept too.
    page.locator(f'[data-statement="{sid}"] input[type=checkbox]').check()
    weighted = {**changed, "weights": {**changed["weights"], sid: 2}}
    assert _ranking(page) == _api(live_server, weighted, "en", "directional")
    assert (_stored(page) or {})["weights"][sid] == 2
    # The reasons load when a statement is opened.
    page.wait_for_function("() => [...document.querySelectorAll('.sp__why')].some(e => !e.hidden)")


def test_share_link_round_trip(browser: Browser, live_server: str, slices: dict[str, Any]) -> None:
    record = _record(slices["ka"])
    sender = browser.new_context(viewport=PHONE)
    page = _open(sender, live_server, "ka", record)
    page.locator("#method-form input[value=hybrid]").check()
    link = page.locator("#share-link").input_value()
    assert re.search(r"/ka/demo/results#v=[0-9a-f]{8}&a=[0-9a-z-]+&w=[012]+&m=hybrid$", link)
    expected = _ranking(page)
    sender.close()

    receiver = browser.new_context(viewport=PHONE)
    opened = receiver.new_page()
    opened.goto(link)
    opened.wait_for_selector("[data-list=rows] > li")
    assert _ranking(opened) == expected == _api(live_server, record, "ka", "hybrid")
    assert _stored(opened) is None  # nothing written until the voter chooses to continue
    assert opened.locator("#results-shared").is_visible()
    switch = opened.locator("a[data-lang-switch][hreflang=en]").get_attribute("href") or ""
    assert "#v=" in switch  # the other language keeps the shared answers
    opened.locator("#results-continue").click()
    stored = _stored(opened)
    assert stored is not None and stored["answers"] == record["answers"]
    assert stored["weights"] == record["weights"]

    stale = receiver.new_page()
    stale.goto(re.sub(r"v=[0-9a-f]{8}", "v=00000000", link))
    notice = stale.locator("#results-notice")
    notice.wait_for()
    assert "წინა ვერსიისთვის" in (notice.text_content() or "")
    assert stale.locator("#results").is_hidden()
    receiver.close()


def test_answers_never_leave_the_device_until_donated(
    phone: BrowserContext, live_server: str, slices: dict[str, Any]
) -> None:
    record = _record(slices["en"])
    sent: list[Request] = []
    phone.on("request", lambda request: sent.append(request))
    page = _open(phone, live_server, "en", record)
    page.locator("#method-form input[value=euclidean]").check()
    _unfold(page)
    page.locator("[data-list=statements] > li summary").first.click()
    page.wait_for_function("() => [...document.querySelectorAll('.sp__why')].some(e => !e.hidden)")
    page.locator("#share-copy").click()
    for request in sent:
        assert request.post_data is None, request.url
        assert "a=" not in request.url and "agree" not in request.url, request.url
    assert any(r.url.endswith("/justifications") for r in sent)

    before = httpx.get(f"{live_server}/api/v1/elections/demo/statistics").json()
    page.locator("#donate-form button").click()  # unticked: the browser asks for the tick
    assert not [r for r in sent if r.method == "POST"]
    page.locator("#donate-consent").check()
    page.locator("#donate-form button").click()
    page.locator("#donate-status").filter(has_text="Thank you").wait_for()
    posts = [r for r in sent if r.method == "POST"]
    assert [r.url for r in posts] == [
        f"{live_server}/api/v1/elections/demo/donation-tokens",  # a one-time token, no answers
        f"{live_server}/api/v1/elections/demo/donations",
    ]
    assert posts[0].post_data is None
    donated = json.loads(posts[1].post_data or "{}")
    assert donated.pop("token")
    assert donated == {
        "version": record["version"],
        "answers": record["answers"],
        "weights": record["weights"],
    }
    after = httpx.get(f"{live_server}/api/v1/elections/demo/statistics").json()
    assert after["needed"] == max(before["needed"] - 1, 0)


def _donate(live_server: str, donation: dict[str, Any], *, voter: int) -> None:
    """One voter's donation, from their own address (the test server trusts its proxy)."""
    headers = {"x-forwarded-for": f"192.0.2.{voter + 1}"}
    api = f"{live_server}/api/v1/elections/demo"
    token = httpx.post(f"{api}/donation-tokens", headers=headers).json()["token"]
    sent = httpx.post(f"{api}/donations", json={**donation, "token": token}, headers=headers)
    assert sent.status_code == 201, sent.text


def test_statistics_page_before_and_after_twenty_donations(
    browser: Browser, live_server: str, slices: dict[str, Any]
) -> None:
    election = slices["en"]
    donation = {
        "version": election["version"],
        "answers": _record(election)["answers"],
        "weights": {},
    }
    needed = httpx.get(f"{live_server}/api/v1/elections/demo/statistics").json()["needed"]
    for i in range(max(needed - 1, 0)):
        _donate(live_server, donation, voter=i)
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    if needed >= 1:
        page.goto(f"{live_server}/en/demo/statistics")
        assert "Still needed: 1 of 20." in page.locator("main").inner_text()
        assert page.locator("table").count() == 0
        _donate(live_server, donation, voter=99)
    for lang in ("ka", "en"):
        page.goto(f"{live_server}/{lang}/demo/statistics")
        assert page.locator(".stat").count() == len(election["statements"])
        assert page.locator(".stat svg.bar").count() == len(election["statements"]) * (
            len(election["scale"]) + 1
        )
        assert _axe(page) == []
    context.close()


def test_print_fits_on_two_a4_pages(
    phone: BrowserContext, live_server: str, slices: dict[str, Any]
) -> None:
    for lang in ("ka", "en"):
        page = _open(phone, live_server, lang, _record(slices[lang]))
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 2, f"{lang}: {pages} pages"
        page.close()


def test_narrow_screens_do_not_scroll_sideways(
    browser: Browser, live_server: str, slices: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = _open(context, live_server, "ka", _record(slices["ka"]))
    _unfold(page)
    page.locator("[data-list=statements] > li summary").first.click()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_results_are_accessible(
    browser: Browser, live_server: str, slices: dict[str, Any], lang: str
) -> None:
    # No service worker: it would serve results.js past the route that stands for "no JS".
    context = browser.new_context(viewport=PHONE, bypass_csp=True, service_workers="block")
    page = _open(context, live_server, lang, _record(slices[lang]))
    _unfold(page)
    page.locator("[data-list=statements] > li summary").first.click()
    page.locator(".table-details summary").first.click()
    assert _axe(page) == []
    # With JavaScript off the same page asks for answers, and the server's result is the same.
    page.route("**/js/results.js", lambda route: route.abort())
    page.goto(f"{live_server}/{lang}/demo/results")
    assert page.locator("#results-empty").is_visible()
    assert _axe(page) == []
    record = _record(slices[lang])
    post_answers(page, live_server, lang, record["answers"], weights=record["weights"])
    assert _ranking(page) == _api(live_server, record, lang)
    assert _axe(page) == []
    context.close()


def test_server_and_browser_show_the_same_result(
    phone: BrowserContext, live_server: str, slices: dict[str, Any]
) -> None:
    """One view, two paths: the no-JavaScript page and the browser's are the same."""
    record = _record(slices["ka"])
    page = _open(phone, live_server, "ka", record)
    _unfold(page)
    page.locator("[data-list=statements] > li summary").first.click()
    page.wait_for_function("() => [...document.querySelectorAll('.sp__why')].some(e => !e.hidden)")
    browser_side = _content(page)
    server = phone.new_page()
    server.route("**/js/results.js", lambda route: route.abort())
    server.goto(f"{live_server}/ka/privacy")
    post_answers(server, live_server, "ka", record["answers"], weights=record["weights"])
    server_side = _content(server)
    for key in ("radar", "star"):
        assert browser_side.pop(key) == pytest.approx(server_side.pop(key), abs=0.02), key
    assert browser_side == server_side


def test_without_javascript_every_way_leads_back_to_the_result(
    browser: Browser, live_server: str, slices: dict[str, Any]
) -> None:
    """Language switch, donation and "back to your result" all keep the posted answers."""
    record = _record(slices["ka"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/ka/privacy")
    post_answers(page, live_server, "ka", record["answers"], weights=record["weights"])
    expected = _api(live_server, record, "ka")
    assert _ranking(page) == expected
    # No share link that could not open; the page itself can be kept.
    assert page.locator("#share-link").is_hidden()
    assert page.locator("#share [data-nojs-share]").is_visible()

    page.locator("nav.lang-switch button[lang=en]").click()
    page.wait_for_url(f"{live_server}/en/demo/results")
    page.wait_for_selector("[data-list=rows] > li")
    assert page.locator("html").get_attribute("lang") == "en"
    assert [e for e, _ in _ranking(page)] == [e for e, _ in expected]

    page.locator("#donate-consent").check()
    page.locator("#donate-form button[type=submit]").click()
    page.get_by_text("Thank you! Your answers were added").wait_for()
    page.get_by_role("button", name="Back to your result").click()
    page.wait_for_selector("[data-list=rows] > li")
    assert [e for e, _ in _ranking(page)] == [e for e, _ in expected]

    top = expected[0][0]
    page.locator(f"[data-entity='{top}'] .rank__profile").click()
    page.wait_for_url(f"{live_server}/en/demo/entities/{top}")
    assert page.locator(".profile-answers > li").count() == len(slices["en"]["statements"])
    page.get_by_role("button", name="Back to your result").click()
    page.wait_for_selector("[data-list=rows] > li")
    assert [e for e, _ in _ranking(page)] == [e for e, _ in expected]
    context.close()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_the_ranking_leads_to_each_party_profile(
    browser: Browser, live_server: str, slices: dict[str, Any], lang: str
) -> None:
    election = slices[lang]
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # bypass: to inject axe
    page = _open(context, live_server, lang, _record(election))
    first = page.locator("[data-list=rows] > li").first
    entity = first.get_attribute("data-entity")
    name = next(e["name"] for e in election["entities"] if e["id"] == entity)
    first.locator("a.rank__profile").click()
    page.wait_for_url(f"{live_server}/{lang}/demo/entities/{entity}")
    assert name in page.locator("h1").inner_text()
    assert page.locator(".profile-answers > li").count() == len(election["statements"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
    context.close()
