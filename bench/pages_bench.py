"""Time the analyst's web pages of `communique serve` on a store (see bench/synth_store.py), over HTTP
as bench/serve_bench.py times the API (same server start, same random pairs of countries and
cut-off dates):

    python bench/synth_store.py --events 100000 --db /tmp/synth.db
    python bench/pages_bench.py --db /tmp/synth.db --n 100

Each round requests the last-contact page of a pair before a date, its timeline page and its counts
by month, the events page unfiltered and narrowed to CONSULT events of one of its countries, and the
quotes page of that country (facets counted, or kept while the record is unchanged: see
serve/cache.py), the record-wide counts and the start page. Prints
p50 / p95 / max in milliseconds per page (client-side wall time, body read).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from serve_bench import free_port, pct, rounds, start_server  # noqa: E402


def pages(a: str, b: str, before: str) -> list[tuple[str, str, dict]]:
    return [
        ("last_contact", f"/last-contact/{a}/{b}", {"before": before}),
        ("timeline", f"/timeline/{a}/{b}", {}),
        ("counts_dyad", f"/counts/{a}/{b}", {}),
        ("events", "/events", {}),
        ("events_filtered", "/events", {"type": "CONSULT", "country": a}),
        ("quotes_country", "/quotes", {"country": a}),
        ("counts_record", "/counts", {}),
        ("home", "/", {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5, help="rounds run first and not timed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    picks, n_events = rounds(args.db, args.n + args.warmup, args.seed)
    port = free_port()
    server = start_server(args.db, port)
    timings: dict[str, list[float]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for i, (a, b, before) in enumerate(picks):
                for name, path, params in pages(a, b, before):
                    started = time.perf_counter()
                    response = client.get(path, params=params)
                    _ = response.content
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        sys.exit(f"{path} answered {response.status_code}: {response.text[:200]!r}")
                    if i >= args.warmup:
                        timings.setdefault(name, []).append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({
        "db": args.db if "://" not in args.db else args.db.split("@")[-1],
        "events": n_events,
        "rounds": args.n,
        "ms": {name: {"p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1), "max": round(max(v), 1)}
               for name, v in timings.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
