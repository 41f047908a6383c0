"""`communique watch` against news sites the tests start on 127.0.0.1 (tests/watch_site.py): feeds,
sitemaps, home pages, robots.txt, 304s, 429 with Retry-After, slow and broken hosts, redirects,
repeated items with tracking parameters, updated articles, kill -9 and restart, and two watchers
on one PostgreSQL store. What the watcher did is measured on the server's side (its request log)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from communique.config import Settings, WatchSettings
from communique.store import Store
from communique.store.schema import articles, watch_items, watch_sources, watch_versions
from communique.watch import Watcher
from communique.watch.fetch import Fetcher, Job, fetch_all
from communique.watch.sources import FEED, PAGE, SITEMAP, read_listing
from communique.watch.state import WatchState
from communique.watch.urls import canonical_link, canonical_url, fetch_url

sys.path.insert(0, str(Path(__file__).parent))
from watch_site import Page, Site, article_page, atom, recent, rss, sitemap  # noqa: E402

pytest_plugins = ["store_db"]  # pg_database_url, for the two-watcher test

# timeout: the site runs in the test's own process, beside the pipeline, on a machine that may be busy
# every=0: a round reads every source again, however recently it was read
FAST = dict(host_interval=0.02, timeout=15, backoff_first=1, max_retry_after=10, lease=30, every=0)


def fast(**changes) -> WatchSettings:
    return WatchSettings(**{**FAST, **changes})


@pytest.fixture
def site():
    with Site() as s:
        s.put("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        yield s


@pytest.fixture
def store(tmp_path):
    with Store.open(str(tmp_path / "watch.db")) as s:
        yield s


def _count(store, table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


# ---------------------------------------------------------------- addresses and listings


def test_tracking_parameters_amp_and_mobile_editions_make_one_address():
    same = [
        "https://www.example.com/world/talks-resume?utm_source=rss&utm_medium=feed#comments",
        "http://m.example.com/world/talks-resume/?fbclid=abc&gclid=x",
        "https://amp.example.com/world/talks-resume/amp/?outputType=amp",
        "https://example.com/world/talks-resume.amp.html?ref=twitter",
        "https://example.com/amp/world/talks-resume",
    ]
    assert {canonical_url(u) for u in same} == {"https://example.com/world/talks-resume"}
    # parameters that pick the article are kept (and sorted)
    assert canonical_url("https://example.com/story?id=7&page=2&utm_campaign=z") == "https://example.com/story?id=7&page=2"
    assert canonical_url("https://example.com/story?id=7") != canonical_url("https://example.com/story?id=8")
    # what is fetched keeps the outlet's host and path: only tracking goes
    assert fetch_url("http://m.example.com/a/amp/?utm_source=x&id=2#top") == "http://m.example.com/a/amp/?id=2"
    html = b'<html><head><link href="/world/talks-resume" rel="canonical"></head>'
    assert canonical_link(html, "https://amp.example.com/x/amp") == "https://amp.example.com/world/talks-resume"


def test_feeds_sitemaps_and_home_pages_are_read():
    when = recent(5)
    links = [("http://h.test/news/1?utm_source=x", "One", when), ("/news/2", "Two", when)]
    for kind, body in (("rss", rss(links)), ("atom", atom(links))):
        listing = read_listing(body, "http://h.test/feed")
        assert listing.kind == FEED and listing.error is None, kind
        assert [i.url for i in listing.items] == ["http://h.test/news/1?utm_source=x", "http://h.test/news/2"]
        assert listing.items[0].published == when.date()
    today = date.today()
    news = read_listing(sitemap([("http://h.test/n/1", today), ("http://h.test/n/old", today - timedelta(days=40))],
                               news=True), "http://h.test/news-sitemap.xml")
    assert news.kind == SITEMAP and [i.url for i in news.items] == ["http://h.test/n/1"]  # the archive is skipped
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>http://h.test/s1.xml</loc></sitemap></sitemapindex>")
    assert read_listing(index, "http://h.test/index.xml").sources == ["http://h.test/s1.xml"]
    page = (b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
            b'<link rel="alternate" type="application/atom+xml" href="http://h.test/atom"></head><body>x</body></html>')
    home = read_listing(page, "http://h.test/")
    assert home.kind == PAGE and home.sources == ["http://h.test/rss", "http://h.test/atom"]
    assert read_listing(b"\x00\x01 not anything", "http://h.test/x").error
    assert read_listing(b"<rss><channel><item><link>", "http://h.test/x").items == []


# ---------------------------------------------------------------- politeness, measured at the server


def test_robots_txt_is_obeyed_and_the_user_agent_names_the_project(site):
    site.put("/private/secret", article_page(1))
    site.put("/news/1", article_page(1))
    fetcher = Fetcher(fast(contact="https://example.org/contact"))
    try:
        refused = fetcher.get(site.url + "/private/secret")
        fetched = fetcher.get(site.url + "/news/1")
    finally:
        fetcher.close()
    assert refused.refused_by_robots and refused.permanent_failure
    assert site.requests_for("/private/secret") == []
    assert fetched.ok and b"report number 1" in fetched.content
    agent = site.requests_for("/news/1")[0].headers["user-agent"]
    assert agent.startswith("communique/") and "+https://example.org/contact" in agent
    assert len(site.requests_for("/robots.txt")) == 1  # read once, then remembered


def test_the_rate_limit_per_host_is_held_and_other_hosts_are_not_held_up(site):
    interval = 0.15
    for n in range(8):
        site.put(f"/news/{n}", article_page(n), delay=0.05)
    with Site() as other:
        for n in range(8):
            other.put(f"/news/{n}", article_page(n), delay=0.05)
        fetcher = Fetcher(fast(host_interval=interval, host_concurrency=2))
        started = time.monotonic()
        try:
            jobs = [Job(n, s.url + f"/news/{n}") for s in (site, other) for n in range(8)]
            results = list(fetch_all(fetcher, jobs))
        finally:
            fetcher.close()
        elapsed = time.monotonic() - started
    assert all(f.ok for _, f in results) and len(results) == 16
    for host in (site, other):
        _assert_paced(sorted(h.at for h in host.hits if h.path.startswith("/news/")), interval)
        assert host.most_in_flight <= 2
    # two hosts side by side: about one host's time (robots.txt + 8 paced requests), not two
    assert elapsed < 2 * 8 * interval, elapsed


def _assert_paced(arrivals: list[float], interval: float, window: int = 5) -> tuple[float, float]:
    """The requests reached the server at the pace: any `window` + 1 arrivals in a row span at least
    `window` - 1 intervals. (Not every single gap: on a loaded machine one request can reach the
    server late, e.g. while a new connection is accepted, and so arrive close to the next one; a
    window holds the rate whatever one arrival does.) Returns the smallest gap and window span."""
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    spans = [arrivals[i + window] - arrivals[i] for i in range(len(arrivals) - window)]
    assert not spans or min(spans) >= (window - 1) * interval, sorted(spans)[:5]
    return (min(gaps) if gaps else 0.0), (min(spans) if spans else 0.0)


def test_conditional_requests_get_304s(site):
    url = site.put("/feed.xml", rss([(site.url + "/news/1", "One", recent())]), content_type="application/rss+xml")
    fetcher = Fetcher(fast())
    try:
        first = fetcher.get(url)
        second = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    finally:
        fetcher.close()
    assert first.ok and first.etag
    assert second.not_modified and second.content == b""
    assert site.requests_for("/feed.xml")[1].headers["if-none-match"] == first.etag


def test_429_with_retry_after_closes_the_host_until_then(site):
    site.put("/busy", b"slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain")
    site.put("/news/1", article_page(1))
    fetcher = Fetcher(fast())
    try:
        busy = fetcher.get(site.url + "/busy")
        deferred = fetcher.get(site.url + "/news/1")
        assert busy.status == 429 and busy.retry_at and 0.5 < busy.retry_at - time.time() <= 1.1
        assert deferred.status == 0 and deferred.retry_at and "Retry-After" in deferred.error
        assert site.requests_for("/news/1") == []  # not asked while the host said to wait
        time.sleep(1.1)
        assert fetcher.get(site.url + "/news/1").ok
    finally:
        fetcher.close()


def test_slow_broken_and_oversized_answers_and_redirects_within_limits(site):
    import socket

    site.put("/slow", article_page(1), delay=2.5)
    site.put("/big", b"<html><body>" + b"x" * 5000 + b"</body></html>")
    site.put("/news/1", article_page(1))
    site.put("/r1", b"", status=301, headers={"Location": "/r2"}, etag=False)
    site.put("/r2", b"", status=302, headers={"Location": site.url + "/news/1"}, etag=False)
    site.put("/loop", b"", status=302, headers={"Location": "/loop"}, etag=False)
    site.put("/to-private", b"", status=302, headers={"Location": "/private/x"}, etag=False)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"
    fetcher = Fetcher(fast(timeout=1, max_page_bytes=2000, max_redirects=3))
    try:
        slow, big, moved, loop, private = (
            fetcher.get(site.url + p) for p in ("/slow", "/big", "/r1", "/loop", "/to-private")
        )
        broken = fetcher.get(dead)
    finally:
        fetcher.close()
    assert slow.status == 0 and "timed out" in slow.error and slow.seconds < 2.0
    assert "too large" in big.error and big.permanent_failure
    assert moved.ok and moved.url == site.url + "/news/1"
    assert "more than 3 redirects" in loop.error and len(site.requests_for("/loop")) == 4
    assert private.refused_by_robots and site.requests_for("/private/x") == []
    assert broken.status == 0 and broken.error  # robots.txt unreachable: nothing fetched from it


# ---------------------------------------------------------------- rounds, end to end


def _watcher(store, pipeline, **changes) -> Watcher:
    return Watcher(store, Settings(), fast(**changes), pipeline=pipeline)


def test_a_round_stores_each_article_once_whatever_the_address(site, store, pipeline):
    """Two feeds and a home page list five stories under addresses with tracking parameters, an AMP
    edition and an alias whose canonical link names the story: five articles, each page fetched
    once; a second round costs 304s and fetches no page."""
    for n in range(5):
        site.put(f"/news/{n}", article_page(n))
    site.put("/news/3/amp", article_page(3, canonical=site.url + "/news/3"))
    site.put("/alias-4", article_page(4, canonical=site.url + "/news/4"))
    feed_a = [(site.url + f"/news/{n}?utm_source=a&utm_medium=rss", f"S{n}", recent(n)) for n in range(5)]
    feed_a.append((site.url + "/private/9", "Not for robots", recent()))
    feed_b = [(site.url + f"/news/{n}/?fbclid=zz{n}", f"S{n}", recent(n)) for n in range(3)]
    feed_b += [(site.url + "/news/3/amp", "S3 amp", recent()), (site.url + "/alias-4", "S4 again", recent())]
    site.put("/a.xml", rss(feed_a), content_type="application/rss+xml")
    site.put("/b.atom", atom(feed_b), content_type="application/atom+xml")
    site.put("/", b'<!doctype html><html><head><link rel="alternate" type="application/atom+xml" href="/b.atom">'
                  b"</head><body>Home</body></html>")
    with _watcher(store, pipeline) as watcher:
        watcher.add([site.url + "/a.xml", site.url + "/"])
        first = watcher.run_round()
    assert _count(store, articles) == 5, first.error_lines
    fetched = site.article_paths_fetched("/news/") + site.article_paths_fetched("/alias")
    # no address fetched twice (an alias is fetched once to read its canonical link; which of a
    # story's addresses is fetched first depends on which feed is read first)
    assert len(fetched) == len(set(fetched)) and {p.split("?")[0].rstrip("/") for p in fetched} >= {"/news/0", "/news/1", "/news/2"}
    assert site.requests_for("/private/9") == []
    assert first.sources == 3 and first.stored == 5 and first.rejected == 0
    assert first.line().startswith("round 1: 3 sources, ")
    status = {r["url"]: r for r in WatchState(store).status()}
    assert status[site.url + "/"]["kind"] == "page" and status[site.url + "/b.atom"]["kind"] == "feed"
    assert _count(store, watch_items, watch_items.c.status == "failed") == 1  # the robots-refused address

    def pages() -> list[str]:
        return site.article_paths_fetched("/news/") + site.article_paths_fetched("/alias")

    pages_before = len(pages())
    with _watcher(store, pipeline) as again:  # as after a restart
        second = again.run_round()
    assert second.new == 0 and second.stored == 0 and _count(store, articles) == 5
    assert [h.status for h in site.requests_for("/a.xml")] == [200, 304]
    assert len(pages()) == pages_before  # no page fetched again


def test_an_updated_article_is_analysed_again_and_the_earlier_version_kept(site, store, pipeline):
    site.put("/news/7", article_page(7))
    site.put("/feed", atom([(site.url + "/news/7", "Seven", recent(30))]), content_type="application/atom+xml")
    with _watcher(store, pipeline) as watcher:
        watcher.add([site.url + "/feed"])
        assert watcher.run_round().stored == 1
        first_id = store.articles()[0]["id"]
        site.put("/news/7", article_page(7, revision=1))
        site.put("/feed", atom([(site.url + "/news/7", "Seven", recent(0))]), content_type="application/atom+xml")
        report = watcher.run_round()
    assert report.updated == 1 and report.stored == 1
    ids = {a["id"] for a in store.articles()}
    assert first_id in ids and len(ids) == 2  # the earlier version is kept
    with store.engine.connect() as conn:
        versions = conn.execute(select(watch_versions.c.version, watch_versions.c.article_id)
                                .order_by(watch_versions.c.version)).all()
        current = conn.execute(select(watch_items.c.article_id)).scalar_one()
    assert [v for v, _ in versions] == [1, 2] and versions[0][1] == first_id and versions[1][1] == current
    assert "joint office" in store.article(current)["article"]["text"]


def test_a_busy_host_and_a_broken_source_are_retried_later_and_reported(site, store, pipeline):
    import socket

    calls = {"n": 0}

    def busy_once(s, path, headers):
        calls["n"] += 1
        if calls["n"] == 1:
            return Page(b"later", "text/plain", 429, headers={"Retry-After": "1"})
        return Page(article_page(11))

    site.handlers["/news/11"] = busy_once
    site.put("/feed", rss([(site.url + "/news/11", "Eleven", recent())]), content_type="application/rss+xml")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/rss"
    with _watcher(store, pipeline) as watcher:
        watcher.add([site.url + "/feed", dead])
        first = watcher.run_round()
        assert first.stored == 0 and first.errors >= 1 and any(dead in line for line in first.error_lines)
        time.sleep(1.2)  # the Retry-After and the first backoff pass
        second = watcher.run_round()
    assert second.stored == 1 and _count(store, articles) == 1 and calls["n"] == 2
    rows = {r["url"]: r for r in WatchState(store).status()}
    assert rows[dead]["failures"] >= 1 and rows[dead]["last_error"] and rows[dead]["last_success"] is None
    assert rows[site.url + "/feed"]["stored"] == 1 and rows[site.url + "/feed"]["backlog"] == 0


def test_a_page_without_feeds_is_followed_through_the_sitemaps_robots_txt_names(site, store, pipeline):
    today = date.today()
    site.put("/news/21", article_page(21))
    site.put("/news/22", article_page(22))
    site.put("/news-sitemap.xml", sitemap([(site.url + "/news/21", today), (site.url + "/news/22", today),
                                          (site.url + "/news/old", today - timedelta(days=300))], news=True),
             content_type="application/xml")
    site.put("/sitemap-index.xml", (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url}/news-sitemap.xml</loc><lastmod>{today.isoformat()}</lastmod></sitemap>"
        f"<sitemap><loc>{site.url}/2019.xml</loc><lastmod>2019-01-01</lastmod></sitemap></sitemapindex>").encode(),
        content_type="application/xml")
    site.put("/robots.txt", f"User-agent: *\nDisallow: /private/\nSitemap: {site.url}/sitemap-index.xml\n".encode(),
             content_type="text/plain")
    site.put("/", b"<!doctype html><html><head><title>No feeds here</title></head><body>Home</body></html>")
    with _watcher(store, pipeline) as watcher:
        watcher.add([site.url + "/"])
        report = watcher.run_round()
    assert report.stored == 2 and site.requests_for("/news/old") == [] and site.requests_for("/2019.xml") == []
    kinds = {r["url"]: r["kind"] for r in WatchState(store).status()}
    assert kinds == {site.url + "/": "page", site.url + "/sitemap-index.xml": "sitemap",
                     site.url + "/news-sitemap.xml": "sitemap"}


def test_a_round_that_stops_on_an_error_is_reported_and_the_watch_goes_on(store, monkeypatch):
    watcher = Watcher(store, Settings(), fast(every=0))
    real = watcher.state.claim_sources
    failures = iter([True, False, True, True, True])

    def flaky(*args, **kwargs):
        if next(failures):
            raise OSError("disk went away for a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(watcher.state, "claim_sources", flaky)
    try:
        first, second = watcher.run(rounds=2)
        assert first.errors == 1 and "the round stopped: OSError: disk went away" in first.error_lines[0]
        assert second.errors == 0
        with pytest.raises(OSError):  # three in a row: the watch stops, with the error
            watcher.run(rounds=5)
    finally:
        watcher.close()


def test_metrics_show_the_watch_state(site, store, pipeline):
    from fastapi.testclient import TestClient

    from communique.serve import create_app

    site.put("/news/31", article_page(31))
    site.put("/feed", rss([(site.url + "/news/31", "x", recent())]), content_type="application/rss+xml")
    with _watcher(store, pipeline) as watcher:
        watcher.add([site.url + "/feed"])
        watcher.run_round()
    with TestClient(create_app(store, token="")) as client:
        response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "communique_articles 1" in lines
    assert 'communique_watch_items{status="stored"} 1' in lines
    assert f'communique_watch_source_backlog{{source="{site.url}/feed"}} 0' in lines


# ---------------------------------------------------------------- the command, kill -9, two watchers


def _env(**more) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNIQUE_WATCH_")}
    env.update({"COMMUNIQUE_WATCH_HOST_INTERVAL": "0.02", "COMMUNIQUE_WATCH_TIMEOUT": "5",
                "COMMUNIQUE_WATCH_CONTACT": "https://example.org/tests", **more})
    return env


def test_the_command_says_what_it_skips_and_shows_the_status(tmp_path, site):
    listing = tmp_path / "sources.txt"
    listing.write_text(f"# my outlets\n{site.url}/missing.xml\nnot a url\n")
    db = str(tmp_path / "cli.db")
    run = subprocess.run(["communique", "watch", str(listing), "ftp://nowhere", "--once", "--db", db],
                         env=_env(), capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "entry 2 ('not a url') is not a web address" in run.stderr
    assert "ftp://nowhere: neither a web address" in run.stderr
    assert "round 1: 0 sources, 0 new, 0 stored, 0 rejected, 1 errors" in run.stderr
    assert "HTTP 404" in run.stderr and "Traceback" not in run.stderr
    status = subprocess.run(["communique", "watch", "--status", "--json", "--db", db], env=_env(),
                            capture_output=True, text=True, timeout=60)
    import json

    rows = json.loads(status.stdout)["items"]
    assert [r["url"] for r in rows] == [site.url + "/missing.xml"] and rows[0]["last_error"] == "HTTP 404"


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_and_restart_loses_nothing_and_stores_nothing_twice(tmp_path, site):
    total = 16
    for n in range(total):
        site.put(f"/news/{n}", article_page(40 + n), delay=0.3)
    site.put("/feed", rss([(site.url + f"/news/{n}?utm_source=feed", f"S{n}", recent(n)) for n in range(total)]),
             content_type="application/rss+xml")
    db = str(tmp_path / "kill.db")
    engine = create_engine(f"sqlite:///{db}")

    def stored() -> int:
        try:
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(watch_items)
                                    .where(watch_items.c.status == "stored")).scalar_one()
        except Exception:  # noqa: BLE001  (not created yet)
            return 0

    env = _env(COMMUNIQUE_WATCH_HOST_CONCURRENCY="1")
    first = subprocess.Popen(["communique", "watch", site.url + "/feed", "--every", "1m", "--db", db, "--name", "w1"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: stored() >= 3, 120, "three stored articles")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    before = {p.split("?")[0] for p in site.article_paths_fetched()}
    stored_before = stored()
    assert stored_before < total  # killed part way
    second = subprocess.run(["communique", "watch", "--once", "--db", db, "--name", "w1"], env=env,
                            capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(articles)).scalar_one() == total
        statuses = conn.execute(select(watch_items.c.status, func.count()).group_by(watch_items.c.status)).all()
    engine.dispose()
    assert dict(statuses) == {"stored": total}
    fetched = [p.split("?")[0] for p in site.article_paths_fetched()]
    assert set(fetched) == {f"/news/{n}" for n in range(total)}
    # a page is fetched again only if the kill came between fetching it and committing its article
    again = [p for p in set(fetched) if fetched.count(p) > 1]
    assert len(again) <= len(before) - stored_before + 1, (again, before, stored_before)
    # read a moment ago: the feed is not due again, but the pages it listed are fetched
    assert [h.status for h in site.requests_for("/feed")] == [200]


@pytest.mark.pg
def test_two_watchers_on_one_postgresql_store_share_the_sources(site, pg_database_url):
    from store_db import _empty_pg_schema

    _empty_pg_schema(pg_database_url)
    feeds = 8
    for f in range(feeds):
        for k in range(2):
            site.put(f"/news/{f}-{k}", article_page(60 + f * 2 + k))
        site.put(f"/feed{f}", rss([(site.url + f"/news/{f}-{k}", "x", recent(k)) for k in range(2)]),
                 content_type="application/rss+xml")
    url = pg_database_url.replace("postgresql+psycopg://", "postgresql://")
    with Store.open(url) as store:  # migrated once, and the sources recorded, before both start
        WatchState(store).add_sources([site.url + f"/feed{f}" for f in range(feeds)])
    watchers = [
        subprocess.Popen(["communique", "watch", "--once", "--db", url, "--name", f"w{i}"], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    outputs = [w.communicate(timeout=240) for w in watchers]
    assert [w.returncode for w in watchers] == [0, 0], outputs
    per_watcher = []
    for _, err in outputs:
        line = next(line for line in err.splitlines() if line.startswith("round 1:"))
        per_watcher.append(int(line.split(": ")[1].split(" sources")[0]))
    print(f"\nsources read per watcher: {per_watcher}")
    assert sum(per_watcher) == feeds  # every feed read by one watcher only
    fetched = site.article_paths_fetched()
    assert sorted(fetched) == sorted(f"/news/{f}-{k}" for f in range(feeds) for k in range(2))  # each page once
    with Store.open(url) as store:
        assert store.count()["articles"] == feeds * 2
        assert _count(store, watch_sources, watch_sources.c.lease_owner.is_not(None)) == 0  # leases given back


# ---------------------------------------------------------------- an hour unattended


@pytest.mark.slow
def test_an_hour_unattended(tmp_path):
    """`communique watch --every 1m --for 1h` (COMMUNIQUE_WATCH_SOAK shortens it) against a site that
    publishes a story every 20 s across ten feeds and a news sitemap, repeats stories with tracking
    parameters, lists a page robots.txt forbids and answers one request in five to its busy pages
    with 429 and a Retry-After. At the end: every story stored once, nothing fetched that robots.txt
    forbids, and the pace per host held, measured at the server."""
    import threading

    from communique.config import parse_duration

    duration = parse_duration(os.environ.get("COMMUNIQUE_WATCH_SOAK", "1h"))
    every, step, interval = min(60.0, duration / 4), 20.0, 0.2
    quiet_before_end = 2.5 * every  # stop publishing so that the last rounds can take it all in
    with Site() as site:
        site.put("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        feeds: dict[int, list] = {f: [] for f in range(10)}
        busy_calls = {"n": 0}
        published: list[int] = []

        def busy(s, path, headers):
            busy_calls["n"] += 1
            if busy_calls["n"] % 5 == 0:
                return Page(b"later", "text/plain", 429, headers={"Retry-After": "30"})
            return Page(article_page(int(path.rsplit("/", 1)[1])))

        def publish(n: int) -> None:
            path = f"/busy/{n}" if n % 7 == 0 else f"/news/{n}"
            if n % 7 == 0:
                site.handlers[path] = busy
            else:
                site.put(path, article_page(n))
            entry = (site.url + path + f"?utm_source=feed{n % 10}", f"S{n}", recent())
            feeds[n % 10] = ([entry] + feeds[n % 10])[:20]
            if n % 4 == 0:  # the same story in a second feed, with other tracking parameters
                feeds[(n + 1) % 10] = ([(site.url + path + "?utm_campaign=x&fbclid=y", f"S{n}", recent())]
                                       + feeds[(n + 1) % 10])[:20]
            if n % 11 == 0:
                feeds[n % 10].insert(0, (site.url + f"/private/{n}", "hidden", recent()))
            for f, items in feeds.items():
                site.put(f"/feed{f}.xml", rss(items), content_type="application/rss+xml")
            published.append(n)

        for n in range(10):
            publish(n)
        stop = threading.Event()

        def publisher() -> None:
            n = 10
            deadline = time.monotonic() + duration - quiet_before_end
            while not stop.wait(step) and time.monotonic() < deadline:
                publish(n)
                n += 1

        thread = threading.Thread(target=publisher, daemon=True)
        thread.start()
        listing = tmp_path / "sources.txt"
        listing.write_text("".join(f"{site.url}/feed{f}.xml\n" for f in range(10)))
        db = str(tmp_path / "soak.db")
        env = _env(COMMUNIQUE_WATCH_HOST_INTERVAL=str(interval), COMMUNIQUE_WATCH_BACKOFF_FIRST="20s")
        try:
            run = subprocess.run(
                ["communique", "watch", str(listing), "--every", f"{every:g}s", "--for", f"{duration:g}s", "--db", db],
                env=env, capture_output=True, text=True, timeout=duration + 600,
            )
        finally:
            stop.set()
            thread.join(step + 5)
        assert run.returncode == 0, run.stderr[-2000:]
        rounds = [line for line in run.stderr.splitlines() if line.startswith("round ")]
        assert len(rounds) >= int(duration // every) - 1, rounds
        with Store.open(db) as store:
            assert store.count()["articles"] == len(published), (len(published), rounds[-3:])
            assert _count(store, watch_items, watch_items.c.status == "stored") == len(published)
        assert not [h for h in site.hits if h.path.startswith("/private/")]
        smallest_gap, smallest_span = _assert_paced(sorted(h.at for h in site.hits), interval)
        fetched = [p.split("?")[0] for p in site.article_paths_fetched("/news/")]
        assert len(fetched) == len(set(fetched))  # no page fetched twice
        print(f"\nsoak: {duration:g}s, {len(rounds)} rounds, {len(published)} stories published and stored once, "
              f"{len(site.hits)} requests, {busy_calls['n']} to busy pages; smallest gap between two arrivals "
              f"{smallest_gap:.3f}s, smallest span of 6 arrivals {smallest_span:.3f}s (pace {interval}s); "
              f"last round: {rounds[-1]}")
