"""Bulk load: many extractions in one transaction per batch.

A batch's rows (articles, actor links and mentions, quotes, reports and their single-report events)
are built first and written table by table at the end of the batch: with COPY on PostgreSQL
(psycopg 3), with one executemany per table on SQLite. Then fusion places the batch's reports together
(`fusion.place_reports`), in the same transaction. Because fusion does not depend on the
order reports arrive in, the store holds the same fused events as when each article is written in
its own transaction; nor do quote groups, which `fusion.place_quotes` forms for the batch's quotes
once they are written.

Actors are resolved (and new ones written) as each article is built, as in the one-item path, so
that later articles of the batch resolve to them.

On PostgreSQL the batch takes the GLOBAL advisory lock exclusively (see `store.locks`): one bulk
writer at a time, and no item writer meanwhile. If anything in a batch fails, the caller rolls it
back and writes its items one by one, so that a bad item costs only itself.

Parallel writers (`writers` > 1, PostgreSQL only; SQLite has one writer, so it stays serial there):
the batch is written in two steps. First, serially and in one transaction, everything but events:
articles, actors (resolution creates actors, so it must see every earlier article of the load),
mentions and quotes with their groups (quote groups depend only on speaker and words, never on
events). Then the events and reports, partitioned by event type (`event_partitions`), each
partition by its own connection and transaction, under the shared GLOBAL lock and the FUSION lock
of its event types, as an item writer takes them. Partitioning by type keeps fusion exact: a report
joins only events of its own type (`fusion`), so reports of different partitions can never fuse,
and the fused events of a type do not depend on anything another partition writes. The cost: between
the two steps the batch's articles are visible without their events.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import JSON, Connection, Engine, Table

from communique.models import Extraction
from communique.store import fusion, identity, locks
from communique.store.engine import WRITE
from communique.store.ingest import (
    ActorResolver,
    actor_rows,
    article_row,
    event_rows,
    quote_rows,
)
from communique.store.schema import actor_mentions, article_actors, articles, event_reports, events, quotes

TABLE_ORDER = (articles, article_actors, actor_mentions, quotes, events, event_reports)  # foreign keys first


class BulkBatch:
    """The rows of one batch, written by `flush`."""

    def __init__(self, conn: Connection, resolver: ActorResolver, copy: bool):
        self.conn, self.resolver = conn, resolver
        self.copy = copy and conn.dialect.name == "postgresql"
        self.rows: dict[str, list[dict]] = {t.name: [] for t in TABLE_ORDER}
        self.article_ids: set[str] = set()
        if conn.dialect.name == "postgresql":
            locks.ItemLocks(conn, expected=locks.MAX_FINE_LOCKS + 1)  # GLOBAL, exclusive

    def add(self, extraction: Extraction) -> str | None:
        """Build the rows of one extraction; its article id, or None when the batch holds it already."""
        art = extraction.article
        article_id = identity.article_id(art.body, art.text)
        if article_id in self.article_ids:
            return None
        self.article_ids.add(article_id)
        row = article_row(extraction, article_id)
        published = row["published"]
        self.rows["articles"].append(row)
        local_to_global, links, mentions, completed = actor_rows(extraction, article_id, self.resolver)
        # stored events of actors this article completed show their new country and rank
        fusion.refresh_events(self.conn, sorted(fusion.events_with_actors(self.conn, completed)))
        self.rows["article_actors"] += links
        self.rows["actor_mentions"] += mentions

        def globalise(ref: str) -> str:
            return local_to_global.get(ref, ref)

        self.rows["quotes"] += quote_rows(extraction, article_id, local_to_global, globalise, published)
        single_events, reports = event_rows(extraction, article_id, published, globalise)
        self.rows["events"] += single_events
        self.rows["event_reports"] += reports
        return article_id

    def flush(self, with_events: bool = True) -> None:
        """Write every table, then fuse the batch's reports; without the events and reports
        when `with_events` is False (`write_event_partitions` writes them once this is committed)."""
        for table in TABLE_ORDER if with_events else TABLE_ORDER[:-2]:
            rows = [identity.safe_row(table, row) for row in self.rows[table.name]]
            if rows:
                (copy_rows if self.copy else insert_rows)(self.conn, table, rows)
        fusion.place_quotes(self.conn, [identity.safe_row(quotes, q)["id"] for q in self.rows["quotes"]])
        if with_events:
            fusion.place_reports(self.conn, [report["id"] for report in self.rows["event_reports"]])


def event_partitions(event_rows: list[dict], report_rows: list[dict], writers: int) -> list[tuple[list, list]]:
    """The batch's single-report events and reports split into at most `writers` parts by event type
    (every report of a type in one part), the types dealt largest first to the smallest part."""
    by_type: dict[str, tuple[list, list]] = {}
    for event, report in zip(event_rows, report_rows, strict=True):
        part = by_type.setdefault(event["type"], ([], []))
        part[0].append(event)
        part[1].append(report)
    parts: list[tuple[list, list]] = [([], []) for _ in range(max(1, writers))]
    for _, (type_events, type_reports) in sorted(by_type.items(), key=lambda kv: (-len(kv[1][0]), kv[0])):
        smallest = min(parts, key=lambda part: len(part[0]))
        smallest[0].extend(type_events)
        smallest[1].extend(type_reports)
    return [part for part in parts if part[0]]


def write_event_partition(engine: Engine, part_events: list[dict], part_reports: list[dict], copy: bool) -> None:
    """One partition's events and reports in one transaction, then their fusion, under the shared
    GLOBAL lock and the FUSION locks of the partition's event types (an item writer's locks)."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        item_locks = locks.ItemLocks(conn, expected=0)
        item_locks.take(locks.FUSION, [fusion.event_lock_name(t) for t in {e["type"] for e in part_events}])
        use_copy = copy and conn.dialect.name == "postgresql"
        for table, rows in ((events, part_events), (event_reports, part_reports)):
            (copy_rows if use_copy else insert_rows)(conn, table, [identity.safe_row(table, row) for row in rows])
        fusion.place_reports(conn, [report["id"] for report in part_reports])


def write_event_partitions(engine: Engine, batch: BulkBatch, writers: int, copy: bool) -> None:
    """The batch's events by `writers` connections at once (`event_partitions`). A partition that
    fails is written once more on its own before the failure is raised."""
    parts = event_partitions(batch.rows["events"], batch.rows["event_reports"], writers)
    with ThreadPoolExecutor(max_workers=max(1, len(parts))) as pool:
        futures = [pool.submit(write_event_partition, engine, e, r, copy) for e, r in parts]
    for future, (part_events, part_reports) in zip(futures, parts):
        if future.exception() is not None:  # e.g. a deadlock with an item writer: its transaction rolled back
            write_event_partition(engine, part_events, part_reports, copy)


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """One executemany per set of columns (rows of one table share them)."""
    conn.execute(table.insert(), rows)


def copy_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """COPY ... FROM STDIN through the transaction's own psycopg connection."""
    columns = [c.name for c in table.columns if c.name in rows[0]]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row.get(c)) if c in json_columns and row.get(c) is not None else row.get(c) for c in columns]
            )
