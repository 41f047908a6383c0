"""Generate a synthetic fused store for the query benchmark (bench/query_bench.py), or time the
store's write paths on synthetic reports.

    python bench/synth_store.py --events 1000000 --db /tmp/synth.db
    python bench/synth_store.py --events 1000000 --db postgresql://postgres@127.0.0.1:5432/communique_bench
    python bench/synth_store.py --reports 20000 --path copy --db postgresql://postgres@127.0.0.1:5432/communique_bulk

With --reports N the store is emptied and N synthetic extractions (one article each: three actors,
one quote, two event reports) go in through `--path`: `item` (`Store.ingest`, a transaction per
article), `insert` (`Store.bulk_ingest` with batched INSERTs) or `copy` (`Store.bulk_ingest` with
COPY, PostgreSQL only), timed --slice extractions at a time (a line each on stderr); it prints the
rows written per second, the reports per second, fusion included, and the rate over the last
slice against the first (whether ingest keeps its pace as the store grows).

Countries with skewed (Zipf-like) activity, ten actors each (a leader, a foreign minister, other
officials), events of a dozen PLOVER types over 15 years between two countries, one to three reports
per event from articles published the day after, and the `event_dyads` and `fusion_keys` rows
fusion would write.
The schema is the migrated one (so every index and the full-text search exist while loading); rows
go in through executemany on SQLite and COPY on PostgreSQL, in batches.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from communique.config import db_url  # noqa: E402
from communique.store import Store  # noqa: E402
from communique.store.fusion import role_level  # noqa: E402

TYPES = ["CONSULT"] * 8 + ["COOPERATE", "AID", "DISAPPROVE", "ACCUSE", "THREATEN", "REQUEST", "REJECT", "ASSAULT",
                           "PROTEST", "SANCTION", "AGREE", "MOBILIZE"]
ROLES = ["president", "foreign minister", "defence minister", "ambassador", "spokesperson", "official",
         "prime minister", "trade minister", "diplomat", "lawmaker"]
START = date(2010, 1, 1)
DAYS = 15 * 365
ARTICLES_PER_DAY = 60
BATCH = 20000


def country_codes(n: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"X{letters[i // 26 % 26]}{letters[i % 26]}" for i in range(n)]  # user-assigned ISO range


def generate(events: int, countries: int, seed: int):
    """Yield (table, rows) batches."""
    rng = random.Random(seed)
    codes = country_codes(countries)
    weights = [1 / (i + 1) ** 0.8 for i in range(countries)]
    cumulative = list(accumulate(weights))
    actor_rows, actors_of = [], {}
    for code in codes:
        ids = []
        for j, role in enumerate(ROLES):
            actor_id = f"S{code}{j:02d}"
            ids.append((actor_id, role_level(role)))
            actor_rows.append({"id": actor_id, "key": f"synth:{actor_id}", "name": f"{role.title()} of {code}",
                               "country": code, "sector": "GOV", "role": role, "kind": "person", "kb_id": None})
        actors_of[code] = ids
    yield "actors", actor_rows

    now = datetime.now(UTC)
    article_rows = []
    for day in range(DAYS + 1):
        published = START + timedelta(days=day + 1)
        for k in range(ARTICLES_PER_DAY):
            article_rows.append({"id": f"art{day:05d}{k:02d}", "external_id": None, "source": "synth", "url": None,
                                 "publisher": f"Outlet {k % 12}", "headline": "h", "byline": None, "published": published,
                                 "language": "en", "text": "t", "body": "b", "captions": "[]", "ingested_at": now})
        if len(article_rows) >= BATCH:
            yield "articles", article_rows
            article_rows = []
    if article_rows:
        yield "articles", article_rows

    ev, parts, reps, dyads, keys = [], [], [], [], []
    for i in range(events):
        a, b = rng.choices(codes, cum_weights=cumulative, k=2)
        while b == a:
            b = rng.choices(codes, cum_weights=cumulative)[0]
        day = rng.randrange(DAYS)
        when = START + timedelta(days=day)
        kind = rng.choice(TYPES)
        (actor, lvl_a), (recipient, lvl_b) = rng.choice(actors_of[a][:4]), rng.choice(actors_of[b][:4])
        event_id = f"ev{i:08d}"
        ev.append({"id": event_id, "type": kind, "mode": "phone" if kind == "CONSULT" else None, "context": None,
                   "status": "occurred", "date": when, "date_precision": "day", "location": None,
                   "first_seen": when + timedelta(days=1), "date_start": when, "date_end": when,
                   "report_count": 1, "conflicts": None})
        parts.append({"event_id": event_id, "role": "actor", "position": 0, "actor_id": actor, "name": None})
        parts.append({"event_id": event_id, "role": "recipient", "position": 0, "actor_id": recipient, "name": None})
        level = lvl_a | lvl_b
        dyads.append({"event_id": event_id, "country_a": a, "country_b": b, "type": kind, "date": when, "level": level})
        dyads.append({"event_id": event_id, "country_a": b, "country_b": a, "type": kind, "date": when, "level": level})
        for key in sorted({f"actor:{actor}", f"actor:{recipient}", f"country:{a}", f"country:{b}"}):
            keys.append({"event_id": event_id, "key": key, "type": kind, "status": "occurred", "long_window": False,
                         "date_start": when, "date_end": when})
        n_reports = rng.choice((1, 1, 1, 2, 3))
        ev[-1]["report_count"] = n_reports
        for r in range(n_reports):
            article = f"art{day:05d}{rng.randrange(ARTICLES_PER_DAY):02d}"
            reps.append({"id": f"{article}:{event_id}:{r}", "event_id": event_id, "article_id": article, "local_id": event_id,
                         "position": r, "type": kind, "mode": None, "context": None, "status": "occurred",
                         "actors": json.dumps([actor]), "recipients": json.dumps([recipient]),
                         "date": when.isoformat(), "date_precision": "day", "location": None,
                         "location_start": None, "location_end": None,
                         "evidence": f"{kind.lower()} between {a} and {b} reported by outlet {r}",
                         "evidence_start": 0, "evidence_end": 40, "reported_by": "[]", "refers_to_past": False,
                         "merge_reason": "first report" if r == 0 else "synthetic"})
        if len(ev) >= BATCH:
            yield "events", ev
            yield "event_participants", parts
            yield "event_reports", reps
            yield "event_dyads", dyads
            yield "fusion_keys", keys
            ev, parts, reps, dyads, keys = [], [], [], [], []
    if ev:
        yield "events", ev
        yield "event_participants", parts
        yield "event_reports", reps
        yield "event_dyads", dyads
        yield "fusion_keys", keys


def load_sqlite(raw, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    sql = f'INSERT INTO {table} ({", ".join(chr(34) + c + chr(34) for c in columns)}) VALUES ({", ".join("?" * len(columns))})'
    values = [[_sqlite_value(r[c]) for c in columns] for r in rows]
    raw.cursor().executemany(sql, values)


def _sqlite_value(v):
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def load_pg(raw, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    with raw.cursor() as cur, cur.copy(f'COPY {table} ({", ".join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row([r[c] for c in columns])


LOADED = ("actors", "articles", "events", "event_participants", "event_reports", "event_dyads", "fusion_keys")


def secondary_ddl(raw, pg: bool) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the loaded tables' secondary indexes and triggers: dropped while
    loading and built once afterwards, which is much faster than keeping them up to date row by row."""
    cur = raw.cursor()
    names = ", ".join(f"'{t}'" for t in LOADED)
    if pg:
        cur.execute(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ({names}) "
            "AND indexname NOT LIKE 'pk_%' AND indexname NOT LIKE 'uq_%' AND indexname NOT LIKE '%_key'"
        )
        return [(r[0], r[1]) for r in cur.fetchall()]
    cur.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
        f"AND tbl_name IN ({names})"
    )
    return [(f"{r[0]} {r[1]}", r[2]) for r in cur.fetchall()]


def synthetic_extractions(n: int, countries: int, seed: int, arrival: str = "random", first: int = 0):
    """N extractions as the pipeline would give them: a leader and a minister of two countries and a
    third official, a quote, and two reports of events between them on nearby days. `arrival`:
    "random", dates drawn over the whole 15 years (each day's news grows denser as the store fills:
    what a report can match grows with the store), or "time", dates advancing with the article (the
    news of each day arriving in turn: as many reports a day at the end as at the start). `first`: the
    number of the first article (articles of different numbers are different articles)."""
    from communique.models import Actor, ArticleOut, Event, Extraction, Quote, content_id

    rng = random.Random(seed)
    codes = country_codes(countries)
    weights = list(accumulate(1 / (i + 1) ** 0.8 for i in range(countries)))
    for i in range(first, first + n):
        a, b = rng.choices(codes, cum_weights=weights, k=2)
        offset = rng.randrange(DAYS) if arrival == "random" else min(DAYS - 1, (i - first) * DAYS // n + rng.randrange(3))
        day = START + timedelta(days=offset)
        people = [(a, "president"), (b, "foreign minister"), (a, ROLES[rng.randrange(len(ROLES))])]
        actors = [
            Actor(id=f"a{j}", name=f"{role.title()} of {code}", country=code, sector="GOV", role=role,
                  kind="person", kb_id=f"SYN:{code}:{role}", mentions=[(0, 4)])
            for j, (code, role) in enumerate(people)
        ]
        text = f"Synthetic report {i}: the {people[0][1]} of {a} and the {people[1][1]} of {b} met."
        kinds = rng.sample(TYPES, 2)
        events = [
            Event(id=f"e{k}", type=kind, status="occurred", actors=["a0"], recipients=["a1"],
                  date=(day + timedelta(days=k)).isoformat(), date_precision=rng.choice(("day", "day", "week")),
                  evidence=text)
            for k, kind in enumerate(kinds)
        ]
        quotes = [Quote(id="q1", kind="direct", text=f"We discussed matter {rng.randrange(50)} today",
                        speaker="a0", speaker_text=actors[0].name, cue="said")]
        article = ArticleOut(id=content_id(text), publisher=f"Outlet {i % 12}", headline=text[:40],
                             published=(day + timedelta(days=2)).isoformat(), language="en", text=text, body=text,
                             source=f"synth/{i}.txt")
        yield Extraction(article=article, actors=actors, quotes=quotes, events=events)


def time_write_path(args) -> None:
    """Empty the store, then write --reports synthetic extractions through --path, --slice at a time:
    one line per slice (its rate, and the store's size after it), then the whole run, with the rate
    over the first slice against the rate over the last (flat ingest: the two are alike)."""
    from itertools import islice

    from communique.store.schema import metadata

    store = Store(db_url(args.db))
    store.migrate()
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    items = synthetic_extractions(args.reports, args.countries, args.seed, args.arrival)
    slices, added, errors, fallbacks, seconds = [], 0, 0, 0, 0.0
    while chunk := list(islice(items, args.slice)):
        started, cpu = time.perf_counter(), time.process_time()
        if args.path == "item":
            result = store.ingest(chunk)
        else:
            result = store.bulk_ingest(chunk, batch_size=args.batch, copy=args.path == "copy", writers=args.writers)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        seconds += took
        added, errors, fallbacks = added + result.added, errors + len(result.errors), fallbacks + result.bulk_fallbacks
        slices.append(round(len(chunk) / took, 1))
        # the writer's own CPU seconds (on SQLite the database's too): less sensitive than the wall
        # clock to what else the machine runs
        print(json.dumps({"stored": added, "slice": len(chunk), "seconds": round(took, 1), "cpu_s": round(cpu, 1),
                          "extractions_per_s": slices[-1]}), file=sys.stderr, flush=True)
    counts = store.count()
    store.close()
    rows = sum(counts.values())
    reports = counts.get("event_reports", 0)
    print(json.dumps({
        "db": store.engine.dialect.name, "path": args.path, "arrival": args.arrival, "extractions": args.reports, "added": added,
        "errors": errors, "bulk_fallbacks": fallbacks, "seconds": round(seconds, 1),
        "rows": rows, "rows_per_s": round(rows / seconds), "reports_per_s": round(reports / seconds),
        "articles_per_s": round(added / seconds, 1), "first_slice_per_s": slices[0], "last_slice_per_s": slices[-1],
        "last_over_first": round(slices[-1] / slices[0], 2), "counts": counts,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=None, help="time a write path on N synthetic extractions")
    parser.add_argument("--path", choices=("item", "insert", "copy"), default="copy")
    parser.add_argument("--batch", type=int, default=500, help="extractions per bulk transaction")
    parser.add_argument("--writers", type=int, default=1, help="bulk paths on PostgreSQL: connections writing events")
    parser.add_argument("--arrival", choices=("random", "time"), default="random",
                        help="synthetic dates drawn over 15 years, or advancing with the articles (--reports)")
    parser.add_argument("--slice", type=int, default=10000, help="extractions timed together (--reports)")
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--countries", type=int, default=120)
    parser.add_argument("--db", required=True, help="SQLite path or postgresql:// URL (its tables are emptied first)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.reports:
        time_write_path(args)
        return

    store = Store(db_url(args.db))
    store.migrate()
    started = time.perf_counter()
    raw = store.engine.raw_connection()
    pg = store.engine.dialect.name == "postgresql"
    try:
        cur = raw.cursor()
        for table in ("fusion_keys", "event_dyads", "event_reports", "event_participants", "events", "articles",
                      "actors"):
            cur.execute(f"DELETE FROM {table}")
        if pg:
            cur.execute("DELETE FROM quotes")
        else:
            cur.execute("DELETE FROM search_fts")
        ddl = secondary_ddl(raw, pg)
        for name, _ in ddl:
            kind, _, ident = name.rpartition(" ")
            cur.execute(f"DROP {kind.upper() or 'INDEX'} IF EXISTS {ident}")
        if pg:
            raw.commit()
        else:
            raw.driver_connection.execute("BEGIN")
        counts: dict[str, int] = {}
        for table, rows in generate(args.events, args.countries, args.seed):
            (load_pg if pg else load_sqlite)(raw, table, rows)
            counts[table] = counts.get(table, 0) + len(rows)
            if table == "event_dyads":
                done = counts.get("events", 0)
                print(f"\r{done:,} events  {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)
        print(f"\nloaded in {time.perf_counter() - started:.0f} s; building indexes", file=sys.stderr)
        cur = raw.cursor()
        for _, statement in ddl:
            cur.execute(statement)
        if not pg:  # the search triggers were off while loading: index the evidence in one go
            cur.execute("INSERT INTO search_fts(kind, ref, body) SELECT 'event', id, evidence FROM event_reports")
        if pg:
            raw.commit()
            # VACUUM as well as ANALYZE: it sets the visibility map that index-only scans need (what
            # autovacuum does to a live store a little later), so the covering indexes are measured
            raw.driver_connection.autocommit = True
            raw.driver_connection.execute("VACUUM ANALYZE")
            raw.driver_connection.autocommit = False
        else:
            raw.driver_connection.execute("COMMIT")
            raw.driver_connection.execute("ANALYZE")
    finally:
        raw.close()
        store.close()
    print(file=sys.stderr)
    print(json.dumps({"db": args.db, "seconds": round(time.perf_counter() - started, 1), "rows": counts}))


if __name__ == "__main__":
    main()
