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
"""

from __future__ import annotations

import json

from sqlalchemy import JSON, Connection, Table

from communique.models import Extraction
from communique.store import fusion, identity, locks
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

    def flush(self) -> None:
        """Write every table, then fuse the batch's reports."""
        for table in TABLE_ORDER:
            rows = [identity.safe_row(table, row) for row in self.rows[table.name]]
            if rows:
                (copy_rows if self.copy else insert_rows)(self.conn, table, rows)
        fusion.place_quotes(self.conn, [identity.safe_row(quotes, q)["id"] for q in self.rows["quotes"]])
        fusion.place_reports(self.conn, [report["id"] for report in self.rows["event_reports"]])


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
