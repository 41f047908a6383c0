"""`communique watch` throughput: a local news site (tests/watch_site.py) with N articles across 50
feeds, one round with `--workers 2`; articles stored per minute and the fetch / analysis / store split.

    python bench/watch_bench.py                       # 10,000 articles, 50 feeds, 2 workers, SQLite
    python bench/watch_bench.py --articles 600        # a few minutes on a small machine
    python bench/watch_bench.py --db postgresql://postgres@127.0.0.1:5432/test --bulk

Everything is on 127.0.0.1: the site is started here and stopped at the end. The site is one host,
so the per-host politeness settings are opened up for the bench (--host-concurrency, interval 0):
the figure is the watcher's own speed, not a polite crawl's. The split is the main process's wall
time: waiting for pages (fetch), for the analysis workers (analysis) and writing (store); with
workers, fetching and analysis overlap, so the split says where the main process waited.

For scale, bare spaCy (`nlp.pipe` of the same pipeline, one process) is timed on a sample of the
same article texts in the same run, and the watch's rate is given as a ratio to it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from watch_site import Site, article_page, recent, rss, story  # noqa: E402

from communique.config import Settings, WatchSettings  # noqa: E402
from communique.store import Store  # noqa: E402
from communique.watch import Watcher  # noqa: E402


FIRST_DAY = date(2026, 11, 2)


def build_site(site: Site, articles: int, feeds: int) -> list[str]:
    per_feed: dict[int, list] = {f: [] for f in range(feeds)}
    for n in range(articles):
        # a day's news is 20 stories: events of one pair on one day fuse, as they would in real news
        site.put(f"/news/{n}", article_page(n, published=FIRST_DAY - timedelta(days=n // 20)))
        per_feed[n % feeds].append((site.url + f"/news/{n}?utm_source=feed", f"story {n}", recent(n % 600)))
    urls = []
    for f, items in per_feed.items():
        urls.append(site.put(f"/feed{f}.xml", rss(items), content_type="application/rss+xml"))
    return urls


def bare_spacy_rate(sample: int) -> float:
    """Articles per minute through spaCy's nlp.pipe alone on the same story texts."""
    from communique.nlp import load_nlp

    nlp = load_nlp(Settings().spacy_model)
    texts = ["\n\n".join(story(n)[1]) for n in range(sample)]
    list(nlp.pipe(texts[:8]))  # warm
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return sample / (time.perf_counter() - started) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", default=None, help="a postgresql:// URL (default: a new SQLite file)")
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--host-concurrency", type=int, default=4)
    parser.add_argument("--spacy-sample", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, Site() as site:
        sources = build_site(site, args.articles, args.feeds)
        db = args.db or str(Path(folder) / "watch_bench.db")
        watch = WatchSettings(
            host_interval=0, host_concurrency=args.host_concurrency, fetch_threads=max(8, args.host_concurrency),
            items_per_source=args.articles // args.feeds + 1, timeout=60,
        )
        with Store.open(db) as store:
            with Watcher(store, Settings(), watch, workers=args.workers, bulk=args.bulk) as watcher:
                watcher.add(sources)
                started = time.perf_counter()
                report = watcher.run_round()
                seconds = time.perf_counter() - started
            stored = store.count()["articles"]
        spacy_rate = bare_spacy_rate(min(args.spacy_sample, args.articles))
    rate = report.stored / seconds * 60
    split = report.seconds
    print(report.line())
    print(f"articles {args.articles}, feeds {args.feeds}, workers {args.workers}, bulk {args.bulk}, "
          f"db {'postgresql' if args.db else 'sqlite'}, cores {len(os.sched_getaffinity(0))}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"stored {report.stored} (store holds {stored}) in {seconds:.1f}s: {rate:.0f} articles/minute")
    total = sum(split.get(k, 0.0) for k in ("fetch", "analysis", "store", "state")) or 1.0
    print("main-process split: " + ", ".join(
        f"{k} {split.get(k, 0.0):.1f}s ({split.get(k, 0.0) / total:.0%})" for k in ("fetch", "analysis", "store", "state")))
    print(f"bare spaCy nlp.pipe, one process, same texts: {spacy_rate:.0f} articles/minute; "
          f"watch / spaCy = {rate / spacy_rate:.2f}")


if __name__ == "__main__":
    main()
