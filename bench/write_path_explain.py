"""The plans and times of the write path's look-ups on a stored record, for its busiest participant
and speaker: what placing a new report reads (`fusion.keys.candidate_events`) and what grouping a
new quote reads (`fusion.quotes._neighbours`), each as the store runs it.

    python bench/write_path_explain.py --db postgresql://postgres@127.0.0.1:5432/communique_bench
    python bench/write_path_explain.py --db /tmp/synth.db --runs 50

Prints, per look-up, the plan (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite: EXPLAIN QUERY PLAN),
how many rows the key has in the whole store against how many the look-up returns, and the median
and p95 milliseconds over --runs executions at dates spread over the busiest key's years.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select  # noqa: E402

from communique.config import db_url  # noqa: E402
from communique.store import Store  # noqa: E402
from communique.store.fusion.keys import _CANDIDATES  # noqa: E402
from communique.store.fusion.quotes import QUOTE_WINDOW_DAYS, _neighbour_query  # noqa: E402
from communique.store.fusion.dates import MAX_WINDOW_DAYS, SHORT_WINDOW_DAYS  # noqa: E402
from communique.store.schema import fusion_keys, quotes  # noqa: E402


def _days(day: date, n: int) -> date:
    return date.fromordinal(day.toordinal() + n)


def candidate_params(key: str, event_type: str, day: date) -> dict:
    params = {"keys": [key], "type": event_type, "status": "occurred"}
    for name, reach in (("short", SHORT_WINDOW_DAYS), ("long", MAX_WINDOW_DAYS)):
        params |= {f"{name}_first": _days(day, -2 * reach), f"{name}_last": _days(day, reach),
                   f"{name}_end": _days(day, -reach)}  # fmt: skip
    return params


def quote_params(speaker: str, day: date) -> dict:
    return {"id": "", "speaker": speaker, "first": _days(day, -QUOTE_WINDOW_DAYS), "last": _days(day, QUOTE_WINDOW_DAYS)}


def explain(conn, statement, params, pg: bool) -> list[str]:
    bound = statement.params(**params)
    sql = str(bound.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True}))
    raw = conn.connection.driver_connection
    if pg:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
    return [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]


def timed(conn, statement, params_list) -> tuple[float, float, int]:
    times, rows = [], 0
    for params in params_list:
        started = time.perf_counter()
        rows += len(conn.execute(statement, params).all())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], rows // len(params_list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    store = Store(db_url(args.db))
    pg = store.engine.dialect.name == "postgresql"
    with store.engine.connect() as conn:
        key, event_type, n_key = conn.execute(
            select(fusion_keys.c.key, fusion_keys.c.type, func.count())
            .where(fusion_keys.c.key.like("actor:%"))
            .group_by(fusion_keys.c.key, fusion_keys.c.type)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        first, last = conn.execute(
            select(func.min(fusion_keys.c.date_start), func.max(fusion_keys.c.date_start)).where(fusion_keys.c.key == key)
        ).one()
        first, last = (d if isinstance(d, date) else date.fromisoformat(str(d)) for d in (first, last))
        span = (last - first).days
        days = [_days(first, span * (i + 1) // (args.runs + 1)) for i in range(args.runs)]
        n_all = conn.execute(select(func.count()).where(fusion_keys.c.key == key)).scalar_one()
        print(f"## events: busiest key {key} ({n_key:,} keyed events of type {event_type}, {n_all:,} of any type)")
        middle = days[len(days) // 2]
        for line in explain(conn, _CANDIDATES, candidate_params(key, event_type, middle), pg):
            print("   ", line)
        p50, p95, rows = timed(conn, _CANDIDATES, [candidate_params(key, event_type, d) for d in days])
        print(f"candidate_events: p50 {p50:.2f} ms, p95 {p95:.2f} ms, {rows} events returned on average")

        speaker, n_quotes = conn.execute(
            select(quotes.c.speaker_id, func.count()).where(quotes.c.speaker_id.is_not(None))
            .group_by(quotes.c.speaker_id).order_by(func.count().desc()).limit(1)
        ).one_or_none() or (None, 0)  # fmt: skip
        if speaker is None:
            print("## quotes: none stored")
            return
        statement = _neighbour_query(True, True)
        print(f"## quotes: busiest speaker {speaker} ({n_quotes:,} quotes)")
        for line in explain(conn, statement, quote_params(speaker, middle), pg):
            print("   ", line)
        p50, p95, rows = timed(conn, statement, [quote_params(speaker, d) for d in days])
        print(f"quote neighbours: p50 {p50:.2f} ms, p95 {p95:.2f} ms, {rows} quotes returned on average")
    store.close()


if __name__ == "__main__":
    main()
