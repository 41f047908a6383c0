"""The web pages in a real browser: Playwright drives Debian's chromium (`apt-get install chromium`;
Playwright's own browser download is not used) against `communique serve`'s app on a local port.

The record is what `communique demo` ingests: the bundled demo articles, three of which report the
Wang Yi – Dmytro Kuleba call of 4 April 2022, so the call has three reports. A person opens the
China–Ukraine timeline, clicks the call, and reads three reports with their evidence highlighted;
then the article, an actor and a search. Screenshots go to $COMMUNIQUE_SCREENSHOTS (the README's
come from `COMMUNIQUE_SCREENSHOTS=docs/screenshots python -m pytest tests/test_serve_browser.py`),
else to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


pytestmark = pytest.mark.skipif(_chromium() is None, reason="no chromium on PATH (apt-get install chromium)")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("COMMUNIQUE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def base_url(pipeline, tmp_path_factory):
    """The demo record, served by uvicorn on a free local port."""
    import uvicorn

    from communique.cli.core import demo_corpus
    from communique.config import Settings
    from communique.readers import load_articles
    from communique.serve import create_app
    from communique.store import Store

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('served') / 'demo.db'}")
    store.migrate()
    articles = list(load_articles([str(demo_corpus())], Settings()))
    report = store.ingest(pipeline.process(articles))
    assert report.errors == [] and report.added >= 6
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store, token=""), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    sync_playwright = sync_api.sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # nothing may be fetched from anywhere but the server itself
    outside: list[str] = []
    context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if not route.request.url.startswith("http://127.0.0.1:") else route.continue_())
    opened = context.new_page()
    yield opened
    context.close()
    assert outside == [], f"the page fetched from outside: {outside}"


def _call_id(base_url: str) -> str:
    import httpx

    events = httpx.get(f"{base_url}/api/timeline/CHN/UKR", params={"type": "CONSULT"}).json()["items"]
    [call] = [e for e in events if e["date"] == "2022-04-04"]
    return call["id"]


def test_home_page_lists_the_dyads_and_articles(page, base_url, shots):
    page.goto(base_url + "/")
    assert page.get_by_role("link", name="China and Ukraine", exact=True).count() == 1
    page.screenshot(path=str(shots / "home.png"), full_page=True)


def test_timeline_to_the_call_with_three_highlighted_reports(page, base_url, shots):
    page.goto(base_url + "/")
    page.get_by_role("link", name="China and Ukraine", exact=True).click()
    page.wait_for_url("**/timeline/CHN/UKR")
    assert page.locator("h1").inner_text() == "China and Ukraine"
    dots = page.locator("#timeline-chart a.dot")
    assert dots.count() >= 2
    page.screenshot(path=str(shots / "timeline.png"), full_page=True)
    call = _call_id(base_url)
    page.locator(f'#timeline-chart a.dot[data-event="{call}"]').click()
    page.wait_for_url("**/event/**")
    assert "Talks or meeting" in page.locator("h1").inner_text()
    assert "4 April 2022" in page.locator("dl.facts").inner_text()
    reports = page.locator("article.report")
    assert reports.count() == 3
    for i in range(3):
        evidence = reports.nth(i).locator("mark.evidence")
        assert evidence.count() == 1 and len(evidence.inner_text().strip()) > 20
        assert evidence.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        assert reports.nth(i).locator("dd.reason").inner_text().strip()
    reasons = page.locator("dd.reason").all_inner_texts()
    assert sum(r == "first report" for r in reasons) == 1
    page.screenshot(path=str(shots / "event.png"), full_page=True)


def test_article_page_marks_actors_quotes_and_events(page, base_url, shots):
    page.goto(f"{base_url}/event/{_call_id(base_url)}")
    page.locator("article.report a.headline").first.click()
    page.wait_for_url("**/article/**")
    text = page.locator("#article-text")
    assert text.locator("a.actor").count() >= 2
    assert text.locator("span.quote").count() >= 1
    assert text.locator("span.event").count() >= 1 and text.locator("a.badge").count() >= 1
    # opened from the event: the report's evidence is lit up in the article
    assert text.locator("span.event.here").count() >= 1
    page.screenshot(path=str(shots / "article.png"), full_page=True)
    text.locator("a.actor", has_text="Kuleba").first.click()
    page.wait_for_url("**/actor/**")
    assert page.locator("h1").inner_text() == "Dmytro Kuleba"
    assert "Ukraine" in page.locator("p.lede").inner_text()
    network = page.locator("svg.network")
    assert network.count() == 1 and "Wang Yi" in network.text_content()
    assert page.locator("ul.quotes li").count() >= 1
    page.screenshot(path=str(shots / "actor.png"), full_page=True)


def test_search_over_quotes_and_evidence(page, base_url, shots):
    page.goto(base_url + "/")
    box = page.get_by_placeholder("Search quotes and evidence")
    box.fill("phone call")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    results = page.locator("ul.results li")
    assert results.count() >= 1
    assert "phone call" in results.first.inner_text().lower()
    page.screenshot(path=str(shots / "search.png"), full_page=True)
    page.goto(base_url + "/search?q=zebra+xylophone")
    assert "Nothing in the record" in page.locator("p.empty").inner_text()


def test_api_docs_page_needs_nothing_from_outside(page, base_url, shots):
    page.goto(base_url + "/docs")
    assert page.locator("section.operation").count() == 12
    assert page.locator("#timeline-chart").count() == 0
    assert "/api/last-contact/{a}/{b}" in page.locator("body").inner_text()
    page.screenshot(path=str(shots / "api.png"), full_page=False)
