"""`Store`: the database behind `communique ingest`, `show`, `actors`, `quotes` and `events`."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Self

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from communique.models import Extraction, Rejection
from communique.store import queries
from communique.store.filters import EventFilter, event_filter
from communique.store.engine import WRITE, is_sqlite_busy, make_engine
from communique.store.errors import (
    DiskFull,
    StoreOpenError,
    check_backend,
    check_sqlite_path,
    describe,
    display_name,
    is_disk_full,
)
from communique.store.ingest import (
    ADDED,
    DATED,
    ERROR,
    REJECTED,
    UNCHANGED,
    ActorResolver,
    known_article_ids,
    stored_article_id,
    write_extraction,
    write_rejection,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SCHEMA_HEAD = "0006"  # the newest migration's revision: add a migration, raise this (a test compares them)
ITEM_ATTEMPTS = 8  # tries of one item that keeps meeting deadlocks, serialization failures or a busy file
RETRY_FIRST_PAUSE_S = 0.05  # doubled after each failed try, up to RETRY_MAX_PAUSE_S, and jittered
RETRY_MAX_PAUSE_S = 2.0
PG_MIGRATION_LOCK = 0x636F6D6D  # pg_advisory_xact_lock key: one migrating process at a time
_FIRST_RECORD = "`communique ingest FILES` or `communique demo` makes one (nothing was created)"


@dataclass
class IngestReport:
    """What one `Store.ingest` call did. `errors` holds one line per item that could not be stored."""

    added: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)  # ids of the articles this call stored
    dated: list[str] = field(default_factory=list)  # one line per stored article whose missing date this call filled in
    retries: int = 0  # items written again after a deadlock, serialization failure or busy SQLite file
    bulk_fallbacks: int = 0  # bulk batches that failed and were written item by item
    # a full disk stops the call: why (one line, no SQL, no path), and how many items read were not stored
    stopped: str | None = None
    unwritten: int = 0

    @property
    def not_stored(self) -> int:
        return len(self.errors) + self.unwritten

    def __str__(self) -> str:
        return f"{self.added} added, {self.unchanged} unchanged, {self.rejected} rejected, {len(self.errors)} errors"


OnItem = Callable[[object, str], None]  # called with (item, "added" | "unchanged" | "rejected" | "error")


def _label(item) -> str:
    if isinstance(item, Extraction):
        return item.article.source or item.article.id
    if isinstance(item, dict):
        article = item.get("article") if isinstance(item.get("article"), dict) else {}
        return str(article.get("source") or article.get("id") or "<record>")
    return type(item).__name__


def _batches(items: Iterable, size: int) -> Iterator[tuple[list, BaseException | None]]:
    """Batches of `items`; if the input fails, the items read so far come with the exception."""
    iterator = iter(items)
    while True:
        batch: list = []
        try:
            for item in islice(iterator, size):
                batch.append(item)  # noqa: PERF402  (one by one: what was read before a failure is kept)
        except BaseException as exc:  # noqa: BLE001  (re-raised by the caller once the batch is stored)
            yield batch, exc
            return
        if not batch:
            return
        yield batch, None


class Store:
    """A communique database at a SQLAlchemy URL (`communique.config.db_url()` builds one)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    @classmethod
    def open(cls, value: str | None = None, migrate: bool = True, create: bool = True) -> Store:
        """A Store for `--db` / COMMUNIQUE_DB / the default SQLite file, migrated to the current schema
        (or, with `migrate=False`, only checked to be reachable).

        With `create=False` (what the reading commands and `communique.open` use) nothing is
        created: a SQLite file that does not exist, or a database without a communique record, is
        a StoreOpenError, and no file or folder is made.

        Raises StoreOpenError, whose message names the database and says what to do, when the name
        is not a database, the database cannot be reached or created, or its schema is unknown.
        """
        from communique.config import db_url, db_value

        target = display_name(db_value(value))
        store, backend = None, None
        try:
            raw = db_url(value, create=create)
            url = make_url(raw)
            backend = url.get_backend_name()
            check_backend(target, backend)
            in_memory = backend == "sqlite" and url.database in (None, "", ":memory:")
            if backend == "sqlite" and not in_memory:
                path = Path(url.database).expanduser()
                check_sqlite_path(target, path)
                if not create and not path.exists():
                    raise StoreOpenError(target, f"does not exist: {_FIRST_RECORD}")
            store = cls(raw)
            current = store.revision()
            if not create and not in_memory and current is None:
                raise StoreOpenError(target, f"holds no communique record: {_FIRST_RECORD}")
            if migrate and current != SCHEMA_HEAD:  # at the head: nothing to do, Alembic not even imported
                store.migrate()
            else:
                with store.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            return store
        except StoreOpenError:
            if store is not None:
                store.close()
            raise
        except Exception as exc:  # every failure to open is told as one StoreOpenError
            if store is not None:
                store.close()
            raise describe(target, backend, exc) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------ schema

    def knows_revision(self, revision: str) -> bool:
        """Whether `revision` is one of this communique's schema migrations (False for a database
        written by a newer communique)."""
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        try:
            return ScriptDirectory.from_config(self.alembic_config()).get_revision(revision) is not None
        except CommandError:
            return False

    def alembic_config(self):
        """The Alembic configuration of this store's migrations and database."""
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # ConfigParser interpolates '%': a URL-encoded password must be escaped
        config.set_main_option(
            "sqlalchemy.url", self.engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
        return config

    def migrate(self) -> None:
        """Upgrade the database to the newest schema; does nothing when it is already there."""
        from alembic import command

        config = self.alembic_config()
        with self.engine.connect().execution_options(**WRITE) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration): Alembic's
        version table, read with one query (importing Alembic costs more than the whole check)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def head(self) -> str | None:
        """The newest schema revision this version knows (SCHEMA_HEAD, checked against the migrations
        folder by tests/test_store_migrations.py)."""
        return SCHEMA_HEAD

    # ------------------------------------------------------------ writing

    def ingest(
        self,
        items: Iterable[Extraction | Rejection | dict],
        batch_size: int = 50,
        on_item: OnItem | None = None,
    ) -> IngestReport:
        """Store extractions (or their JSON dicts) and record rejections.

        Each item is one transaction: an item that cannot be stored is reported in `errors` and
        the others go on; an item that meets a deadlock or serialization failure (PostgreSQL) or a
        busy database file (SQLite) is rolled back and written again whole, after a jittered pause.
        An article already in the store is left as it is, so an interrupted ingest can simply be
        run again. Items are read `batch_size` at a time (one query finds which are stored
        already). If `items` itself raises, the items read before it are stored and the exception
        is re-raised. `on_item` is called for each item once it is committed.
        """
        report = IngestReport()
        for batch, failure in _batches(items, max(1, int(batch_size))):
            if batch and not _stops_when_full(report, batch, self._ingest_batch, on_item):
                return report
            if failure is not None:
                raise failure
        return report

    def bulk_ingest(
        self,
        items: Iterable[Extraction | Rejection | dict],
        batch_size: int = 500,
        on_item: OnItem | None = None,
        copy: bool = True,
        writers: int = 1,
    ) -> IngestReport:
        """Store items as `ingest` does, a batch per transaction (`store.bulk`): COPY on PostgreSQL
        (unless `copy` is False: batched INSERTs), batched INSERTs on SQLite, then fusion of the
        batch's reports. A batch that fails is rolled back and written item by item, so the outcome
        of every item, and the store, are those of `ingest`. With `writers` > 1 on PostgreSQL, each
        batch's events are written by that many connections at once, partitioned by event type
        (`store.bulk` says why the record is the same); SQLite has one writer and ignores it."""
        writers = max(1, int(writers)) if self.engine.dialect.name == "postgresql" else 1
        report = IngestReport()
        # one resolver for the whole load, bound to each batch's connection in turn: actors resolved
        # (and completed) by a committed batch are not looked up again by the next
        resolver = ActorResolver(None)
        for batch, failure in _batches(items, max(1, int(batch_size))):
            if batch and not _stops_when_full(report, batch, self._bulk_batch, on_item, copy, resolver, writers):
                return report
            if failure is not None:
                raise failure
        return report

    def _bulk_batch(
        self,
        batch: list,
        report: IngestReport,
        on_item: OnItem | None,
        copy: bool,
        resolver: ActorResolver,
        writers: int = 1,
    ) -> None:
        from communique.store.bulk import BulkBatch, write_event_partitions

        with self.engine.connect() as conn:
            stored, to_date = known_article_ids(conn, batch)
        outcomes: list[tuple[str | None, str | None]] = []
        later: list = []  # filled in one by one once the batch is committed (`store.redate`)
        with self.engine.connect().execution_options(**WRITE) as conn:
            resolver.conn = conn
            try:
                with conn.begin():
                    rows = BulkBatch(conn, resolver, copy)
                    for item in batch:
                        if isinstance(item, Rejection):
                            outcomes.append((write_rejection(conn, item), None))
                            continue
                        if isinstance(item, dict):
                            item = Extraction.model_validate(item)
                        if not isinstance(item, Extraction):
                            raise TypeError(f"not an Extraction or Rejection: {type(item).__name__}")
                        article_id = stored_article_id(item)
                        if article_id in to_date:
                            later.append(item)  # a stored article whose missing date this one brings
                            outcomes.append((None, article_id))
                        elif article_id in stored or rows.add(item) is None:
                            outcomes.append((UNCHANGED, article_id))
                        else:
                            outcomes.append((ADDED, article_id))
                    rows.flush(with_events=writers == 1)
            except Exception:
                resolver.forget()  # what it remembered may have been rolled back with the batch
                if conn.invalidated:
                    raise
                report.bulk_fallbacks += 1
                self._ingest_batch(batch, report, on_item)
                return
        if writers > 1:  # the committed articles' events, by type, over `writers` connections
            write_event_partitions(self.engine, rows, writers, copy)
        late: list[tuple[str, str | None]] = []
        if later:  # each in its own transaction, as `ingest` writes it
            with self.engine.connect().execution_options(**WRITE) as conn:
                resolver = ActorResolver(conn)
                late = [self._write_item(conn, item, resolver, report) for item in later]
        results = iter(late)
        for item, (outcome, detail) in zip(batch, outcomes):
            if outcome is None:
                outcome, detail = next(results)
            self._count(report, outcome, detail)
            if on_item is not None:
                on_item(item, outcome)

    @staticmethod
    def _count(report: IngestReport, outcome: str, detail: str | None) -> None:
        if outcome == ADDED:
            report.added += 1
            report.added_ids.append(detail)
        elif outcome == UNCHANGED:
            report.unchanged += 1
        elif outcome == DATED:
            report.unchanged += 1  # already stored: it was not added, its date was filled in
            report.dated.append(detail)
        elif outcome == REJECTED:
            report.rejected += 1
        else:
            report.errors.append(detail)

    def _ingest_batch(self, batch: list, report: IngestReport, on_item: OnItem | None) -> None:
        with self.engine.connect() as conn:
            stored, _ = known_article_ids(conn, batch)
        with self.engine.connect().execution_options(**WRITE) as conn:
            resolver = ActorResolver(conn)
            for item in batch:
                article_id = stored_article_id(item) if isinstance(item, Extraction) else None
                if article_id is not None and article_id in stored:
                    outcome, detail = UNCHANGED, article_id  # the common rerun case: no transaction
                else:
                    outcome, detail = self._write_item(conn, item, resolver, report)
                self._count(report, outcome, detail)
                if on_item is not None:
                    on_item(item, outcome)

    def _write_item(
        self, conn: Connection, item, resolver: ActorResolver, report: IngestReport
    ) -> tuple[str, str | None]:
        """Write one item in its own transaction, retrying it whole when that may succeed;
        (outcome, article id or error line)."""
        pause = RETRY_FIRST_PAUSE_S
        for attempt in range(1, ITEM_ATTEMPTS + 1):
            try:
                with conn.begin():
                    return self._ingest_item(conn, item, resolver)
            except Exception as exc:  # bad input, or a database error: the transaction is rolled back
                resolver.forget()  # what it remembered may have been rolled back with it
                if conn.invalidated or getattr(exc, "connection_invalidated", False):
                    raise  # the database went away: nothing more can be stored
                if is_disk_full(exc):
                    raise DiskFull("the database's disk is full") from exc
                if not _transient(exc):
                    return ERROR, f"{_label(item)}: {exc.__class__.__name__}: {_one_line(exc)}"
                if attempt == ITEM_ATTEMPTS:
                    return ERROR, (
                        f"{_label(item)}: not stored after {ITEM_ATTEMPTS} tries "
                        f"({exc.__class__.__name__}: {_one_line(exc)})"
                    )
            report.retries += 1
            # jittered, so that writers that collided do not collide again in step
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, RETRY_MAX_PAUSE_S)
        raise AssertionError("unreachable")

    @staticmethod
    def _ingest_item(conn: Connection, item, resolver: ActorResolver) -> tuple[str, str | None]:
        if isinstance(item, Rejection):
            return write_rejection(conn, item), None
        if isinstance(item, dict):
            item = Extraction.model_validate(item)
        if not isinstance(item, Extraction):
            raise TypeError(f"not an Extraction or Rejection: {type(item).__name__}")
        return write_extraction(conn, item, resolver)

    # ------------------------------------------------------------ reading

    def _read(self):
        return self.engine.connect()

    def count(self) -> dict[str, int]:
        """Rows per table."""
        with self._read() as conn:
            return queries.count(conn)

    def articles(self, limit: int = 50, offset: int = 0) -> list[dict]:
        """Article summaries, newest publication first, with their actor, quote and event counts."""
        with self._read() as conn:
            return queries.list_articles(conn, limit=limit, offset=offset)

    def article_ids(self, ident: str) -> list[str]:
        """The ids `ident` could mean (id, external id, or id prefix): one when it is unambiguous."""
        with self._read() as conn:
            return queries.article_ids(conn, ident)

    def article(self, ident: str) -> dict | None:
        """One article with its actors, quotes and events, in the extract contract's shape (actor ids
        are global). `ident` is an id, a unique id prefix, or the input's own id; None if none or
        several match."""
        with self._read() as conn:
            return queries.get_article(conn, ident)

    def rejections(self) -> list[dict]:
        with self._read() as conn:
            return queries.list_rejections(conn)

    def actors(self, country: str | None = None, name: str | None = None) -> list[dict]:
        """Actors (optionally of one country, or whose name contains `name`) with `mention_count`
        and `article_count`, most widely reported first."""
        with self._read() as conn:
            return queries.list_actors(conn, country=country, name=name)

    def quotes(
        self,
        speaker: str | None = None,
        country: str | None = None,
        via: str | None = None,
        search: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[dict]:
        """Quotes, newest article first. `speaker` and `via` match actor names (substring, any case);
        `country` is the speaker's country; `search` a substring of the quoted text."""
        with self._read() as conn:
            return queries.list_quotes(
                conn, speaker=speaker, country=country, via=via, search=search, limit=limit, offset=offset
            )

    def events(self, where: EventFilter | None = None, /, limit: int | None = None, **filters) -> list[dict]:
        """Events in date order (undated last) with participants and reports: those `where` (an
        EventFilter) means, or the keyword filters of one (actor, country, dyad, type, since, until)."""
        with self._read() as conn:
            return queries.list_events(conn, event_filter(where, **filters), limit=limit)


def _stops_when_full(report: IngestReport, batch: list, write: Callable[..., None], *args) -> bool:
    """Write one batch (`write(batch, report, *args)`); False when the disk is full: the batch's items not yet counted are
    counted as not stored, once, and the caller reads no more input."""
    before = report.added + report.unchanged + report.rejected + len(report.errors)
    try:
        write(batch, report, *args)
    except DiskFull as exc:
        done = report.added + report.unchanged + report.rejected + len(report.errors) - before
        report.unwritten += len(batch) - done
        report.stopped = str(exc)
        return False
    return True


def _transient(exc: BaseException) -> bool:
    """Whether writing the item again may succeed: a PostgreSQL deadlock or serialization failure
    (SQLSTATE class 40), or SQLite's "database is locked" once its busy timeout has passed."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate.startswith("40"):
        return True
    return isinstance(exc, DBAPIError) and orig is not None and is_sqlite_busy(orig)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
