"""`communique watch`: follow news feeds and sitemaps, politely, and keep the record current.

- `urls`: one canonical address per article (tracking parameters, AMP and mobile editions off);
- `fetch`: HTTP with robots.txt, per-host pace and concurrency, conditional requests, Retry-After,
  timeouts, size and redirect limits;
- `sources`: what a feed, sitemap or home page lists;
- `state`: sources, addresses and article versions in the store itself, with leases, so that a
  killed watcher resumes and two watchers share one PostgreSQL store;
- `analyse`: the pipeline kept loaded between rounds, and the fetch / analysis / store time split;
- `rounds`: the `Watcher` and its rounds; `metrics`: the Prometheus text `communique serve` shows.
"""

from communique.watch.rounds import RoundReport, Watcher

__all__ = ["RoundReport", "Watcher"]
