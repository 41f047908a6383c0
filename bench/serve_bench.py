"""Time the HTTP API on a store (see bench/synth_store.py): `communique serve` runs in a subprocess and
each request goes over HTTP (one keep-alive connection per client; --clients clients at once), so
the numbers include routing, JSON encoding, the socket and the server's queueing, not only the query.

    python bench/synth_store.py --events 1000000 --db /tmp/synth.db
    python bench/serve_bench.py --db /tmp/synth.db --n 200
    python bench/serve_bench.py --db postgresql://postgres@127.0.0.1:5432/communique_bench_h24 --n 30 --clients 4

With --during-ingest N the reads run while a second process bulk-loads N synthetic extractions
(bench/synth_store.py's, numbered after --ingest-first) into the same store, and the rounds repeat
until that load ends: reader latency under a writer (on SQLite, the one writer holds the database).

Each round picks a random pair of countries from the store, weighted by how active they are (a
random event_dyads row), and a random cut-off date, as bench/query_bench.py does, then requests
GET /api/timeline/A/B (the latest --limit events with their reports), the same with type=CONSULT,
and GET /api/last-contact/A/B?before=DATE at levels any and minister, a page of GET /api/events?dyad=A,B
and GET /api/search?q=consult+A. Prints p50 / p95 / max in
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


def requests_of(a: str, b: str, before: str, limit: int) -> list[tuple[str, str, dict]]:
    """One round's requests: (name, path, query)."""
    return [
        ("timeline", f"/api/timeline/{a}/{b}", {"limit": limit}),
        ("timeline_consult", f"/api/timeline/{a}/{b}", {"limit": limit, "type": "CONSULT"}),
        ("last_contact", f"/api/last-contact/{a}/{b}", {"before": before}),
        ("last_contact_minister", f"/api/last-contact/{a}/{b}", {"before": before, "level": "minister"}),
        ("events_page", "/api/events", {"dyad": f"{a},{b}", "limit": 50}),
        ("search", "/api/search", {"q": f"consult {a}", "limit": 20}),
    ]


def client_rounds(port: int, picks: list, limit: int, warmup: int, until=None) -> dict[str, list[tuple[float, int]]]:
    """One client's rounds over its own keep-alive connection: (ms, bytes) per request name. With
    `until` (a callable), the picks repeat until it answers True."""
    out: dict[str, list[tuple[float, int]]] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        i = 0
        while i < len(picks) or (until is not None and not until()):
            a, b, before = picks[i % len(picks)]
            for name, path, params in requests_of(a, b, before, limit):
                started = time.perf_counter()
                response = client.get(path, params=params)
                body = response.content
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}: {body[:200]!r}")
                if i >= warmup:
                    out.setdefault(name, []).append((elapsed, len(body)))
            i += 1
    return out


def start_ingest(db: str, n: int, first: int) -> subprocess.Popen:
    """A process bulk-loading `n` synthetic extractions into `db` (bench/synth_store.py)."""
    code = (
        "import sys, time; sys.path.insert(0, 'bench'); from synth_store import synthetic_extractions;"
        "from communique.config import db_url; from communique.store import Store;"
        f"s = Store(db_url({db!r})); t = time.perf_counter();"
        f"r = s.bulk_ingest(synthetic_extractions({n}, 120, 7, first={first}));"
        "print(r.added, round(time.perf_counter() - t, 1), r.bulk_fallbacks, len(r.errors))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--limit", type=int, default=100, help="events per timeline (the latest N)")
    parser.add_argument("--warmup", type=int, default=10, help="rounds run first and not timed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=1, help="clients at once, each its own connection")
    parser.add_argument("--during-ingest", type=int, default=0, metavar="N",
                        help="read while another process bulk-loads N synthetic extractions")
    parser.add_argument("--ingest-first", type=int, default=10**7, help="number of the first article loaded")
    args = parser.parse_args()

    picks, n_events = rounds(args.db, args.n + args.warmup, args.seed)
    port = free_port()
    server = start_server(args.db, port)
    from concurrent.futures import ThreadPoolExecutor

    clients = max(1, args.clients)
    share = [picks[args.warmup:][i::clients] for i in range(clients)]
    ingest, ingest_result = None, None
    try:
        # every client warms its connection and the server's caches first, untimed
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda _: client_rounds(port, picks[: args.warmup], args.limit, args.warmup), range(clients)))
        if args.during_ingest:
            ingest = start_ingest(args.db, args.during_ingest, args.ingest_first)
        until = (lambda: ingest.poll() is not None) if ingest is not None else None
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda part: client_rounds(port, part, args.limit, 0, until), share))
        wall = time.perf_counter() - started
        if ingest is not None:
            ingest_result = ingest.communicate(timeout=600)[0].split()
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.terminate()
        server.terminate()
        server.wait(timeout=30)
    timings: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    for result in results:
        for name, values in result.items():
            timings.setdefault(name, []).extend(ms for ms, _ in values)
            sizes.setdefault(name, []).extend(size for _, size in values)
    report = {
        "db": args.db if "://" not in args.db else args.db.split("@")[-1],
        "events": n_events,
        "rounds": args.n,
        "clients": clients,
        "requests": sum(len(v) for v in timings.values()),
        "requests_per_s": round(sum(len(v) for v in timings.values()) / wall, 1),
        "timeline_limit": args.limit,
        "during_ingest": None if ingest_result is None else {
            "added": int(ingest_result[0]), "seconds": float(ingest_result[1]),
            "extractions_per_s": round(int(ingest_result[0]) / max(float(ingest_result[1]), 1e-9), 1),
            "bulk_fallbacks": int(ingest_result[2]), "errors": int(ingest_result[3]),
        },
        "mean_response_kb": {name: round(statistics.mean(v) / 1024, 1) for name, v in sizes.items()},
        "ms": {
            name: {"p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2), "max": round(max(v), 2)}
            for name, v in timings.items()
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
