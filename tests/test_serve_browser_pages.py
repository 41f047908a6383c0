"""The analyst's pages in a real browser (Debian's chromium through Playwright, as in
tests/test_serve_browser.py, whose demo-record server and browser this module reuses), on a desktop
(1400×1000) and a phone (390×844): the China–Ukraine question answered on pages alone in at most
three clicks from the start page, sides typed as names, no horizontal scroll on a phone, an HTML
404, and facet counts against the API's. Screenshots go where tests/test_serve_browser.py puts them
(`desktop-*.png`, `phone-*.png`)."""

from __future__ import annotations

import re

import httpx
import pytest

from test_serve_browser import _chromium, base_url, browser, shots  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.skipif(_chromium() is None, reason="no chromium on PATH (apt-get install chromium)")

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}


class Clicks:
    """A page whose clicks are counted (a question's cost to the reader)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()


def _open(browser, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport)
    outside: list[str] = []
    context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if not route.request.url.startswith("http://127.0.0.1:") else route.continue_())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return context, page, outside, errors


@pytest.fixture
def desktop(browser):  # noqa: F811
    context, page, outside, errors = _open(browser, DESKTOP)
    yield page
    context.close()
    assert outside == [], f"the page fetched from outside: {outside}"
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def phone(browser):  # noqa: F811
    context, page, outside, errors = _open(browser, PHONE)
    yield page
    context.close()
    assert outside == []  # (its pages include the 404 page, which the browser logs as an error)


def _call(base: str) -> dict:
    events = httpx.get(f"{base}/api/timeline/CHN/UKR", params={"type": "CONSULT"}).json()["items"]
    return next(e for e in events if e["date"] == "2022-04-04")


def test_the_china_ukraine_question_in_three_clicks(desktop, base_url, shots):  # noqa: F811
    """When did the Chinese and Ukrainian foreign ministers last talk, who reported it, and what
    did each side say? From the start page, by clicks alone."""
    reader = Clicks(desktop)
    desktop.goto(base_url + "/")
    reader.click(desktop.get_by_role("link", name="China and Ukraine", exact=True))
    desktop.wait_for_url("**/timeline/CHN/UKR")
    reader.click(desktop.get_by_role("link", name="their last contact"))
    desktop.wait_for_url("**/last-contact/CHN/UKR")
    assert reader.count <= 3
    assert desktop.locator("h1").inner_text() == "Last contact between China and Ukraine"
    contact = desktop.locator("#contact")
    assert "4 April 2022" in contact.inner_text() and "Wang Yi" in contact.inner_text()
    reports = desktop.locator("article.report")
    assert reports.count() == len(_call(base_url)["reports"]) == 3
    chains = desktop.locator("dd.chain").all_inner_texts()
    assert any("foreign ministry" in c for c in chains)
    sides = desktop.locator("#statements .side")
    assert sides.count() == 2 and all(s.locator("blockquote").count() >= 1 for s in sides.all())
    desktop.screenshot(path=str(shots / "desktop-last-contact.png"), full_page=False)


def test_the_question_typed_with_names_and_a_date(desktop, base_url, shots):  # noqa: F811
    desktop.goto(base_url + "/")
    form = desktop.locator("form[action='/last-contact']")
    form.locator("input[name=a]").fill("Chinese")
    form.locator("input[name=b]").fill("ukraine")
    form.locator("input[name=before]").fill("2022-04-05")
    form.get_by_role("button").click()  # one click
    desktop.wait_for_url("**/last-contact/Chinese/ukraine?before=2022-04-05")
    assert desktop.locator("h1").inner_text() == "Last contact between China and Ukraine before 5 April 2022"
    assert "4 April 2022" in desktop.locator("#contact").inner_text()
    desktop.goto(base_url + "/timeline/china/Ukrainian")
    assert desktop.locator("h1").inner_text() == "China and Ukraine"
    assert desktop.locator("#timeline-chart a.dot").count() >= 2
    desktop.goto(base_url + "/timeline/Chna/UKR")
    assert desktop.locator("h1").inner_text() == "Chna and Ukraine"
    desktop.locator("#no-events a", has_text="China (CHN)").click()
    desktop.wait_for_url("**/timeline/CHN/UKR")
    desktop.screenshot(path=str(shots / "desktop-timeline.png"), full_page=False)


def test_event_facets_count_what_the_api_answers(desktop, base_url, shots):  # noqa: F811
    desktop.goto(base_url + "/events")
    total = int(re.match(r"\d+", desktop.locator("#total").inner_text()).group())
    assert total == len(httpx.get(f"{base_url}/api/events", params={"limit": 500}).json()["items"])
    desktop.screenshot(path=str(shots / "desktop-events.png"), full_page=False)
    for item in desktop.locator("[data-facet=type] li").all()[:3]:
        code = item.locator("a").get_attribute("data-value")
        shown = int(item.locator(".count").inner_text())
        api = httpx.get(f"{base_url}/api/events", params={"type": code, "limit": 500}).json()["items"]
        assert shown == len(api)
    first = desktop.locator("[data-facet=country] li").first
    shown = int(first.locator(".count").inner_text())
    first.locator("a").click()
    desktop.wait_for_url("**/events?country=*")
    assert int(re.match(r"\d+", desktop.locator("#total").inner_text()).group()) == shown
    assert desktop.locator("p.downloads a").count() == 3
    desktop.goto(base_url + "/quotes")
    assert desktop.locator("ul.quotes li").count() >= 1
    desktop.screenshot(path=str(shots / "desktop-quotes.png"), full_page=False)
    desktop.goto(base_url + "/counts/CHN/UKR")
    assert desktop.locator("#counts-chart rect").count() >= 1 and desktop.locator("#counts-table tbody tr").count() >= 1
    desktop.screenshot(path=str(shots / "desktop-counts.png"), full_page=False)


def test_an_unknown_path_is_an_html_page(browser, base_url, shots):  # noqa: F811
    # (the browser logs the 404 and the 422 of the documents themselves as console errors)
    context, desktop, outside, _ = _open(browser, DESKTOP)
    answer = desktop.goto(base_url + "/no/such/page")
    assert answer.status == 404 and desktop.locator("h1").inner_text() == "Page not found"
    answer = desktop.goto(base_url + "/events?type=FOO")
    assert answer.status == 422 and "CONSULT" in desktop.locator(".problem").inner_text()
    desktop.screenshot(path=str(shots / "desktop-error.png"), full_page=False)
    context.close()
    assert outside == []


def test_claims_are_checked_on_a_page(desktop, base_url, shots):  # noqa: F811
    # the demo article that calls the call "their first contact in several weeks"
    checked = {r["article_id"]: httpx.get(f"{base_url}/api/check-claims/{r['article_id']}").json()["claims"]
               for r in _call(base_url)["reports"]}
    article_id, claims = next((a, c) for a, c in checked.items() if c)
    desktop.goto(f"{base_url}/article/{article_id}")
    desktop.get_by_role("link", name="claims checked").click()
    desktop.wait_for_url("**/claims/**")
    assert desktop.locator("h1").inner_text().startswith("Claims checked")
    assert desktop.locator("ul.claims > li").count() == len(claims)
    assert [t.lower() for t in desktop.locator("ul.claims > li > .tag").all_inner_texts()] == [c["verdict"] for c in claims]
    desktop.screenshot(path=str(shots / "desktop-claims.png"), full_page=False)


PHONE_PAGES = {
    "home": "/",
    "timeline": "/timeline/CHN/UKR",
    "last-contact": "/last-contact/CHN/UKR",
    "events": "/events",
    "quotes": "/quotes",
    "counts": "/counts/CHN/UKR",
    "search": "/search?q=phone+call",
    "error": "/no/such/page",
}


def test_pages_fit_a_phone(phone, base_url, shots):  # noqa: F811
    call = _call(base_url)
    pages = {**PHONE_PAGES, "event": f"/event/{call['id']}", "article": f"/article/{call['reports'][0]['article_id']}"}
    kuleba = httpx.get(f"{base_url}/api/actors", params={"q": "Kuleba"}).json()["items"][0]
    pages["actor"] = f"/actor/{kuleba['id']}"
    for name, path in pages.items():
        phone.goto(base_url + path)
        wide = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} scrolls sideways by {wide}px on a 390px phone"
        phone.screenshot(path=str(shots / f"phone-{name}.png"), full_page=False)
    # chart labels stay readable: the chart scrolls inside its frame instead of shrinking
    phone.goto(base_url + "/timeline/CHN/UKR")
    label = phone.locator("#timeline-chart text.rowlabel").first.bounding_box()
    assert label["height"] >= 9
    # the actor network's labels are inside the drawing
    phone.goto(base_url + pages["actor"])
    box = phone.locator("svg.network").bounding_box()
    for text in phone.locator("svg.network text").all():
        t = text.bounding_box()
        assert box["x"] - 1 <= t["x"] and t["x"] + t["width"] <= box["x"] + box["width"] + 1
