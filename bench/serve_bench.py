"""Time the HTTP API on a store (see bench/synth_store.py): `communique serve` runs in a subprocess and
each request goes over HTTP (one keep-alive connection), so the numbers include routing, JSON
encoding and the socket, not only the query.

    python bench/synth_store.py --events 1000000 --db /tmp/synth.db
    python bench/serve_bench.py --db /tmp/synth.db --n 200

Each round picks a random pair of countries from the store, weighted by how active they are (a
random event_dyads row), and a random cut-off date, as bench/query_bench.py does, then requests
GET /api/timeline/A/B (the latest --limit events with their reports), the same with type=CONSULT,
and GET /api/last-contact/A/B?before=DATE at levels any and minister. Prints p50 / p95 / max in
milliseconds (client-side wall time per request, body read) and the mean response size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from communique.config import db_url  # noqa: E402
from communique.store import Store  # noqa: E402
from communique.store.schema import event_dyads, events  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rounds(db: str, n: int, seed: int) -> tuple[list[tuple[str, str, str]], int]:
    """`n` (country a, country b, cut-off date) picks and the number of events in the store."""
    rng = random.Random(seed)
    store = Store(db_url(db))
    picks = []
    with store.engine.connect() as conn:
        n_dyads = conn.execute(select(func.max(event_dyads.c.id))).scalar() or 0
        first, last = conn.execute(select(func.min(events.c.date), func.max(events.c.date))).one()
        n_events = conn.execute(select(func.count()).select_from(events)).scalar()
        if not n_dyads:
            sys.exit("the store has no events")
        span = (last - first).days
        while len(picks) < n:
            row = conn.execute(
                select(event_dyads.c.country_a, event_dyads.c.country_b).where(event_dyads.c.id == rng.randint(1, n_dyads))
            ).first()
            if row is not None:
                picks.append((row[0], row[1], (first + timedelta(days=rng.randrange(span + 1))).isoformat()))
    store.close()
    return picks, n_events


def start_server(db: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("COMMUNIQUE_API_TOKEN", None)  # read-only, as served by default
    server = subprocess.Popen(
        [sys.executable, "-c", "from communique.cli import main; main()", "serve", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"communique serve exited: {server.stderr.read().strip()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("communique serve did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--limit", type=int, default=100, help="events per timeline (the latest N)")
    parser.add_argument("--warmup", type=int, default=10, help="rounds run first and not timed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    picks, n_events = rounds(args.db, args.n + args.warmup, args.seed)
    port = free_port()
    server = start_server(args.db, port)
    timings: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    counts: list[int] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for i, (a, b, before) in enumerate(picks):
                for name, path, params in (
                    ("timeline", f"/api/timeline/{a}/{b}", {"limit": args.limit}),
                    ("timeline_consult", f"/api/timeline/{a}/{b}", {"limit": args.limit, "type": "CONSULT"}),
                    ("last_contact", f"/api/last-contact/{a}/{b}", {"before": before}),
                    ("last_contact_minister", f"/api/last-contact/{a}/{b}", {"before": before, "level": "minister"}),
                ):
                    started = time.perf_counter()
                    response = client.get(path, params=params)
                    body = response.content
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        sys.exit(f"{path} answered {response.status_code}: {body[:200]!r}")
                    if i < args.warmup:
                        continue
                    timings.setdefault(name, []).append(elapsed)
                    sizes.setdefault(name, []).append(len(body))
                    if name == "timeline":
                        counts.append(len(response.json()["events"]))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "db": args.db if "://" not in args.db else args.db.split("@")[-1],
        "events": n_events,
        "rounds": args.n,
        "timeline_limit": args.limit,
        "mean_timeline_events": round(statistics.mean(counts), 1),
        "mean_response_kb": {name: round(statistics.mean(v) / 1024, 1) for name, v in sizes.items()},
        "ms": {
            name: {"p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2), "max": round(max(v), 2)}
            for name, v in timings.items()
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
