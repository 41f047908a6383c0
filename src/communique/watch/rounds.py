"""A watcher's rounds: read the sources that are due, fetch the pages they list that are new, and
store the articles through the one ingest path.

A round takes due sources a few at a time (`claim_sources`: a lease each, so two watchers on one
store share the sources between them), reads their listings, records the addresses, claims the
pending ones, fetches them (`fetch_all`), and sends the pages down the path `communique ingest`
uses for HTML: `readers.read_html` and `readers.finish_article`, the pipeline (`Analyser`), and
`Store.ingest` (or `Store.bulk_ingest`). It goes on until no due source is left unclaimed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from communique.config import Settings, WatchSettings
from communique.models import Article, Extraction, Rejection
from communique.watch.analyse import Analyser, StageClock
from communique.watch.fetch import Fetched, Fetcher, Job, fetch_all
from communique.watch.sources import PAGE, SITEMAP, read_listing
from communique.watch.state import DUPLICATE, REJECTED, STORED, Item, Source, WatchState, now
from communique.watch.urls import canonical_link, canonical_url, host_of, url_id

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "")  # "" : no Content-Type, the content decides
MAX_FAILED_ROUNDS = 3  # rounds in a row that stop on an error before the watch gives up
SOURCES_AT_ONCE = 8
STORE_BATCH = 8  # articles read per `Store.ingest` batch (each is still its own transaction)  # sources claimed together: their listings and pages are fetched side by side


@dataclass
class RoundReport:
    """What one round did. `errors` counts sources and pages that failed (and articles that could
    not be stored); `error_lines` says which, one line each."""

    number: int
    sources: int = 0
    new: int = 0
    fetched: int = 0
    stored: int = 0
    updated: int = 0  # of `stored`: new versions of addresses stored before
    already_stored: int = 0  # same text as an article in the store (another address, an unchanged page)
    duplicates: int = 0  # the page's canonical link names an address stored already
    not_modified: int = 0
    rejected: int = 0
    deferred: int = 0  # not asked this round: the host's Retry-After has not passed
    errors: int = 0
    error_lines: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # fetch, analysis, store, state

    def error(self, line: str) -> None:
        self.errors += 1
        self.error_lines.append(line)

    def line(self) -> str:
        split = ", ".join(f"{stage} {self.seconds.get(stage, 0.0):.1f}s" for stage in ("fetch", "analysis", "store"))
        extra = f", {self.updated} updated" if self.updated else ""
        extra += f", {self.deferred} deferred" if self.deferred else ""
        return (
            f"round {self.number}: {self.sources} sources, {self.new} new, {self.stored} stored{extra}, "
            f"{self.rejected} rejected, {self.errors} errors ({split})"
        )


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _short(error: str | None) -> str:
    return " ".join((error or "failed").split())[:300]


class Watcher:
    """Follows the sources recorded in a store; `run_round` does one round."""

    def __init__(self, store, settings: Settings | None = None, watch: WatchSettings | None = None,
                 workers: int = 1, bulk: bool = False, owner: str | None = None, pipeline=None,
                 fetcher: Fetcher | None = None):
        self.store = store
        self.settings = settings or Settings()
        self.watch = watch or WatchSettings()
        self.state = WatchState(store, owner, self.watch.lease)
        self.fetcher = fetcher or Fetcher(self.watch)
        self.analyser = Analyser(self.settings, workers, pipeline)
        self.bulk = bulk
        self.rounds = 0

    def close(self) -> None:
        self.analyser.close()
        self.fetcher.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, urls: list[str]) -> list[str]:
        return self.state.add_sources(urls)

    # ------------------------------------------------------------ a round

    def run_round(self) -> RoundReport:
        self.rounds += 1
        report = RoundReport(self.rounds)
        clock = StageClock()
        self._round_started = now()
        while True:
            clock.enter("state")
            sources = self.state.claim_sources(SOURCES_AT_ONCE, self._read_before())
            clock.leave()
            if not sources:
                break
            try:
                self._work(sources, report, clock)
            finally:
                clock.enter("state")
                self.state.release_sources([s.id for s in sources])
                clock.leave()
        self._backlog(report, clock)
        report.seconds = dict(clock.seconds)
        return report

    def _backlog(self, report: RoundReport, clock: StageClock) -> None:
        """Pages listed earlier and not fetched yet (a watcher killed part way, a cap per source,
        a Retry-After that has passed), whether or not their source is due this round."""
        settled: set[str] = set()
        while True:
            clock.enter("state")
            items = [i for i in self.state.claim_items(None, self.watch.items_per_source) if i.id not in settled]
            clock.leave()
            if not items:
                return
            settled.update(i.id for i in items)
            self._store_pages(items, [], report, clock)

    def _read_before(self) -> datetime:
        """Sources read before this time are due: those not read this round, nor in the last half
        period (so that a watcher started a few minutes after another, or `--once` run again at
        once, does not read them again; their pages not fetched yet are fetched all the same)."""
        return min(self._round_started, now() - timedelta(seconds=self.watch.every / 2))

    def _work(self, sources: list[Source], report: RoundReport, clock: StageClock) -> None:
        clock.enter("fetch")
        listings = list(fetch_all(self.fetcher, [Job(s, s.url, s.etag, s.last_modified) for s in sources]))
        clock.leave()
        clock.enter("state")
        for job, fetched in listings:
            self._read_source(job.key, fetched, report)
        items = self.state.claim_items([s.id for s in sources], self.watch.items_per_source)
        clock.leave()
        if items:
            self._store_pages(items, sources, report, clock)

    def _read_source(self, source: Source, fetched: Fetched, report: RoundReport) -> None:
        state, watch = self.state, self.watch
        if fetched.deferred:
            report.deferred += 1
            state.defer_source(source, _when(fetched.retry_at))
            return
        if fetched.not_modified:
            report.sources += 1
            state.source_read(source, None, fetched.etag or source.etag,
                              fetched.last_modified or source.last_modified, 0)
            return
        if not fetched.ok or fetched.error:
            report.error(f"{source.url}: {_short(fetched.error)}")
            state.source_failed(source, _short(fetched.error), _when(fetched.retry_at), watch.backoff_first,
                                watch.backoff_max)
            return
        listing = read_listing(fetched.content, fetched.url, fetched.content_type, watch.recent_sitemap_days)
        found = list(listing.sources)
        if listing.kind == PAGE and not found:
            # a home page without feed links: the sitemaps its robots.txt names
            found = [u for u in self.fetcher.robots(host_of(fetched.url)).sitemaps if u != source.url]
        if listing.kind == SITEMAP and found and state.depth(source) >= watch.max_sitemap_depth:
            found = []
        if listing.error and not listing.items and not found:
            report.error(f"{source.url}: {listing.error}")
            state.source_failed(source, listing.error, None, watch.backoff_first, watch.backoff_max, listing.kind)
            return
        if found:
            state.add_sources(found, parent_id=source.id)
        new = state.list_items(source, listing.items)
        report.sources += 1
        report.new += new
        state.source_read(source, listing.kind, fetched.etag, fetched.last_modified, new)

    # ------------------------------------------------------------ pages

    def _store_pages(self, items: list[Item], sources: list[Source], report: RoundReport, clock: StageClock) -> None:
        waiting: dict[str, tuple[Item, Fetched, str | None]] = {}
        held = [s.id for s in sources]
        last_renewal = [time.monotonic()]

        def renew() -> None:
            if time.monotonic() - last_renewal[0] > self.watch.lease / 3:
                self.state.renew(held, [w[0].id for w in waiting.values()])
                last_renewal[0] = time.monotonic()

        def on_item(result, outcome: str) -> None:
            source = result.article.source if isinstance(result, Extraction) else result.source
            if source not in waiting:
                return
            clock.enter("state")
            try:
                settle(result, outcome, *waiting.pop(source))
            finally:
                clock.leave()

        def settle(result, outcome: str, item: Item, fetched: Fetched, alias: str | None) -> None:
            from communique.store.ingest import ADDED, UNCHANGED, stored_article_id

            if outcome in (ADDED, UNCHANGED):
                article_id = stored_article_id(result)
                if self.state.add_version(item, article_id):
                    report.updated += 1
                self.state.item_done(item, STORED, article_id, fetched.etag, fetched.last_modified)
                if alias:
                    self.state.remember_alias(alias, item, article_id)
                if outcome == ADDED:
                    report.stored += 1
                else:
                    report.already_stored += 1
            elif outcome == REJECTED:
                report.rejected += 1
                self.state.item_done(item, REJECTED, error=str(getattr(result, "reason", ""))[:500])
            else:  # not stored (the store's error line is added to the report below)
                self.state.item_failed(item, "could not be stored", None, False, self.watch.backoff_first,
                                       self.watch.backoff_max)
            renew()

        pages = self._pages(items, report, waiting)
        analysed = clock.wrap(self.analyser(clock.wrap(pages, "fetch")), "analysis")
        clock.enter("store")
        try:
            if self.bulk:
                stored = self.store.bulk_ingest(analysed, on_item=on_item)
            else:  # small batches: what was analysed is committed soon, and a kill loses little
                stored = self.store.ingest(analysed, batch_size=STORE_BATCH, on_item=on_item)
        finally:
            clock.leave()
        for line in stored.errors:
            report.error(f"not stored: {line}")

    def _pages(self, items: list[Item], report: RoundReport, waiting: dict):
        """Articles (and Rejections) of the fetched pages, for the pipeline; failures, 304s and
        duplicates are settled here and go no further."""
        from communique.readers import finish_article
        from communique.readers.html import read_html

        watch, state = self.watch, self.state
        jobs = [Job(i, i.fetch_url, i.etag if i.article_id else None, i.last_modified if i.article_id else None)
                for i in items]
        for job, fetched in fetch_all(self.fetcher, jobs):
            item: Item = job.key
            if fetched.deferred:
                report.deferred += 1
                state.defer_item(item, _when(fetched.retry_at))
                continue
            if fetched.not_modified and not item.article_id:
                fetched.error = "304 Not Modified to a request without validators"
            if fetched.not_modified and item.article_id:
                report.not_modified += 1
                state.item_not_modified(item)
                continue
            if not fetched.ok or fetched.error:
                give_up = fetched.permanent_failure or item.tries + 1 >= watch.max_tries
                report.error(f"{item.fetch_url}: {_short(fetched.error)}" + (" (given up)" if give_up else ""))
                state.item_failed(item, _short(fetched.error), _when(fetched.retry_at), give_up,
                                  watch.backoff_first, watch.backoff_max)
                continue
            report.fetched += 1
            source = item.fetch_url
            if fetched.content_type not in HTML_TYPES:
                waiting[source] = (item, fetched, None)
                yield Rejection(source, f"not an HTML page ({fetched.content_type})")
                continue
            alias = None
            link = canonical_link(fetched.content, fetched.url)
            if link:
                canonical = canonical_url(link)
                if url_id(canonical) != item.id:
                    known = state.stored_alias(canonical)
                    if known:
                        report.duplicates += 1
                        state.item_done(item, DUPLICATE, known, fetched.etag, fetched.last_modified)
                        continue
                    alias = canonical
            waiting[source] = (item, fetched, alias)
            try:
                article = read_html(fetched.content, source, url=link or fetched.url, charset=fetched.charset)
                yield finish_article(article, item.listed_date) if isinstance(article, Article) else article
            except Exception as exc:  # noqa: BLE001  (one odd page is one rejection, not a stopped round)
                yield Rejection(source, f"could not process ({type(exc).__name__}: {_short(str(exc))[:200]})")

    # ------------------------------------------------------------ rounds

    def run(self, once: bool = False, duration: float | None = None, rounds: int | None = None,
            on_round=None) -> list[RoundReport]:
        """Rounds every `WatchSettings.every` seconds (start to start) until `once`, `rounds` or
        `duration` says stop; `on_round` gets each round's report as it ends."""
        started = time.monotonic()
        reports = []
        failed_in_a_row = 0
        while True:
            round_started = time.monotonic()
            try:
                report = self.run_round()
                failed_in_a_row = 0
            except Exception as exc:  # a database or pipeline failure: one line, and the next round tries again
                failed_in_a_row += 1
                if once or failed_in_a_row >= MAX_FAILED_ROUNDS:
                    raise
                report = RoundReport(self.rounds)
                report.error(f"the round stopped: {type(exc).__name__}: {_short(str(exc))}")
            reports.append(report)
            if on_round is not None:
                on_round(report)
            if once or (rounds is not None and len(reports) >= rounds):
                return reports
            next_start = round_started + self.watch.every
            if duration is not None and next_start >= started + duration:
                return reports
            time.sleep(max(0.0, next_start - time.monotonic()))
