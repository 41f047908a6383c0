"""Time dyad timelines and last-contact queries on a store (see bench/synth_store.py).

    python bench/query_bench.py --db /tmp/synth.db --n 200

Each round picks a random pair of countries from the store, weighted by how active they are (a
random event_dyads row), and a random cut-off date; it runs `timeline(A, B, limit=--limit)` (the
latest events of the dyad with their participants and reports), `timeline(A, B, type=CONSULT,
limit)` and `last_contact(A, B, before=date)` at levels any and minister, through the same
functions the CLI uses, each on a warm connection. It also runs what `/api/events?dyad=A,B` asks
(`list_events(dyad=(A, B), limit=51)`) and, for the ratio, the ids of that page through both dyad
paths: `event_dyads` (`events_dyad_ids`) and the participant join that names need
(`events_dyad_ids_participants`). Prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select  # noqa: E402

from communique.config import db_url  # noqa: E402
from communique.query.record import last_contact, timeline  # noqa: E402
from communique.store.filters import EventFilter, event_id_query  # noqa: E402
from communique.store.queries import list_events  # noqa: E402
from communique.store import Store  # noqa: E402
from communique.store.schema import event_dyads, events  # noqa: E402


API_PAGE = 51  # what GET /api/events asks the store for: a page of 50 and one to tell there is more


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--limit", type=int, default=100, help="events per timeline (the latest N)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    store = Store(db_url(args.db))
    timings: dict[str, list[float]] = {}
    sizes: list[int] = []
    with store.engine.connect() as conn:
        n_dyads = conn.execute(select(func.max(event_dyads.c.id))).scalar() or 0
        first, last = conn.execute(select(func.min(events.c.date), func.max(events.c.date))).one()
        n_events = conn.execute(select(func.count()).select_from(events)).scalar()
        if not n_dyads:
            sys.exit("the store has no events")
        span = (last - first).days
        for _ in range(args.n):
            row = None
            while row is None:
                row = conn.execute(
                    select(event_dyads.c.country_a, event_dyads.c.country_b).where(
                        event_dyads.c.id == rng.randint(1, n_dyads)
                    )
                ).first()
            a, b = row
            before = first + timedelta(days=rng.randrange(span + 1))
            for name, call in (
                ("timeline", lambda: timeline(conn, a, b, limit=args.limit)),
                ("timeline_consult", lambda: timeline(conn, a, b, type="CONSULT", limit=args.limit)),
                ("last_contact", lambda: last_contact(conn, a, b, before=before)),
                ("last_contact_minister", lambda: last_contact(conn, a, b, before=before, level="minister")),
                ("events_dyad", lambda: list_events(conn, EventFilter(dyad=(a, b)), limit=API_PAGE)),
                ("events_dyad_ids", lambda: conn.execute(event_id_query(conn, EventFilter(dyad=(a, b))).limit(API_PAGE)).all()),
                (
                    "events_dyad_ids_participants",  # no connection to check the codes: the participant join
                    lambda: conn.execute(event_id_query(None, EventFilter(dyad=(a, b))).limit(API_PAGE)).all(),
                ),
            ):
                started = time.perf_counter()
                result = call()
                timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                if name == "timeline":
                    sizes.append(len(result))
                if name == "events_dyad_ids":
                    fast_ids = [r[0] for r in result]
                if name == "events_dyad_ids_participants" and [r[0] for r in result] != fast_ids:
                    sys.exit(f"the two dyad paths disagree on {a},{b}")
    store.close()
    report = {
        "db": store.engine.dialect.name,
        "events": n_events,
        "rounds": args.n,
        "timeline_limit": args.limit,
        "mean_timeline_events": round(statistics.mean(sizes), 1),
        "ms": {
            name: {"p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2), "max": round(max(v), 2)}
            for name, v in timings.items()
        },
    }
    slow, fast = timings["events_dyad_ids_participants"], timings["events_dyad_ids"]
    report["dyad_ids_participants_over_event_dyads"] = {
        "p50": round(pct(slow, 50) / pct(fast, 50), 1),
        "total": round(sum(slow) / sum(fast), 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
