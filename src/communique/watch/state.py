"""The watch's state in the store: followed sources, the addresses they listed, article versions.

Everything a watcher knows lives in these tables, so a watcher killed at any moment starts again
where it stopped: a listing's validators are saved as soon as it is read, each address is a row
before its page is fetched, and an address is marked stored only after its article is committed (a
kill in between fetches that page again, and the store's content ids make the second write a no-op).

Claims: a watcher takes a source or an address by one conditional UPDATE that succeeds only where
no other watcher holds an unexpired lease, so two watchers on one PostgreSQL store never work the
same source at once. A watcher that dies leaves leases that run out after `WatchSettings.lease`.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update

from communique.store.engine import WRITE
from communique.store.ingest import insert_ignore
from communique.store.schema import watch_items, watch_sources, watch_versions
from communique.watch.sources import Listed
from communique.watch.urls import canonical_url, fetch_url, url_id

PENDING, STORED, REJECTED, FAILED, DUPLICATE = "pending", "stored", "rejected", "failed", "duplicate"
STATUSES = (PENDING, STORED, REJECTED, FAILED, DUPLICATE)


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def default_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{random.randrange(16**6):06x}"


@dataclass
class Source:
    id: str
    url: str
    kind: str | None
    etag: str | None
    last_modified: str | None
    parent_id: str | None


@dataclass
class Item:
    id: str
    url: str
    fetch_url: str
    source_id: str
    status: str
    listed_date: date | None
    article_id: str | None
    etag: str | None
    last_modified: str | None
    tries: int


def _due(at: datetime, read_before: datetime):
    s = watch_sources.c
    return and_(
        or_(s.next_fetch_at.is_(None), s.next_fetch_at <= at),
        or_(s.last_fetch_at.is_(None), s.last_fetch_at < read_before),
    )


def _free(table, owner: str, at: datetime):
    """The lease is free, run out, or already ours."""
    return or_(table.c.lease_owner.is_(None), table.c.lease_until < at, table.c.lease_owner == owner)


class WatchState:
    """Reads and writes the watch tables of one store for one watcher (`owner`)."""

    def __init__(self, store, owner: str | None = None, lease_seconds: float = 600.0):
        self.store = store
        self.owner = owner or default_owner()
        self.lease = timedelta(seconds=lease_seconds)

    def _write(self):
        return self.store.engine.connect().execution_options(**WRITE)

    # ------------------------------------------------------------ sources

    def add_sources(self, urls: list[str], parent_id: str | None = None, kind: str | None = None) -> list[str]:
        """Follow these addresses (already followed ones are left as they are); their ids."""
        ids = []
        with self._write() as conn, conn.begin():
            for url in urls:
                source_id = url_id(url)
                ids.append(source_id)
                insert_ignore(conn, watch_sources, {
                    "id": source_id, "url": url, "kind": kind, "parent_id": parent_id, "added_at": now(),
                })
        return ids

    def claim_sources(self, limit: int, read_before: datetime) -> list[Source]:
        """Up to `limit` due sources, and no more than half of them (in random order, so that
        watchers spread out), that no other watcher holds, each now leased to this watcher. Due: not read since `read_before` (a round
        reads each source once), and not waiting out a backoff or a Retry-After."""
        at = now()
        with self.store.engine.connect() as conn:
            candidates = list(conn.execute(
                select(watch_sources.c.id).where(_due(at, read_before), _free(watch_sources, self.owner, at))
            ).scalars())
        random.shuffle(candidates)
        # at most half of what is due (rounded up): another watcher on the store finds work too
        limit = min(limit, (len(candidates) + 1) // 2) if len(candidates) > 1 else limit
        claimed = []
        for source_id in candidates:
            if len(claimed) >= limit:
                break
            if self._lease(watch_sources, source_id, at, _due(at, read_before)):
                claimed.append(source_id)
        if not claimed:
            return []
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(watch_sources).where(watch_sources.c.id.in_(claimed))).mappings().all()
        by_id = {r["id"]: Source(r["id"], r["url"], r["kind"], r["etag"], r["last_modified"], r["parent_id"])
                 for r in rows}
        return [by_id[i] for i in claimed if i in by_id]

    def _lease(self, table, row_id: str, at: datetime, *more) -> bool:
        conditions = [table.c.id == row_id, _free(table, self.owner, at), *more]
        with self._write() as conn, conn.begin():
            result = conn.execute(
                update(table).where(*conditions).values(lease_owner=self.owner, lease_until=at + self.lease)
            )
            return result.rowcount == 1

    def renew(self, source_ids: list[str], item_ids: list[str] = ()) -> None:
        """Extend this watcher's leases (a long round keeps what it holds)."""
        until = now() + self.lease
        with self._write() as conn, conn.begin():
            for table, ids in ((watch_sources, source_ids), (watch_items, list(item_ids))):
                if ids:
                    conn.execute(update(table).where(table.c.id.in_(ids), table.c.lease_owner == self.owner)
                                 .values(lease_until=until))

    def release_sources(self, source_ids: list[str]) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                update(watch_sources)
                .where(watch_sources.c.id.in_(source_ids), watch_sources.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    def depth(self, source: Source) -> int:
        """How many sources lie above this one (a sitemap index's sitemap is at depth 1)."""
        depth, parent = 0, source.parent_id
        with self.store.engine.connect() as conn:
            while parent is not None and depth < 10:
                depth += 1
                parent = conn.execute(select(watch_sources.c.parent_id).where(watch_sources.c.id == parent)).scalar()
        return depth

    def source_read(self, source: Source, kind: str | None, etag: str | None, last_modified: str | None,
                    new_items: int) -> None:
        """A listing was read (or was not modified): save its validators at once."""
        at = now()
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_sources).where(watch_sources.c.id == source.id).values(
                kind=kind or source.kind, etag=etag, last_modified=last_modified, last_fetch_at=at,
                last_success_at=at, failures=0, next_fetch_at=None, last_error=None,
                items_seen=watch_sources.c.items_seen + new_items,
            ))

    def source_failed(self, source: Source, error: str, retry_at: datetime | None, backoff_first: float,
                      backoff_max: float, kind: str | None = None) -> None:
        at = now()
        with self._write() as conn, conn.begin():
            failures = conn.execute(select(watch_sources.c.failures).where(watch_sources.c.id == source.id)).scalar()
            failures = (failures or 0) + 1
            wait = min(backoff_max, backoff_first * 2 ** (failures - 1))
            next_at = max(retry_at, at + timedelta(seconds=wait)) if retry_at else at + timedelta(seconds=wait)
            conn.execute(update(watch_sources).where(watch_sources.c.id == source.id).values(
                kind=kind or source.kind, last_fetch_at=at, last_error_at=at, last_error=error[:500],
                failures=failures, next_fetch_at=next_at,
            ))

    def defer_source(self, source: Source, retry_at: datetime) -> None:
        """Not fetched this round (the host asked to wait): due again then, not counted a failure."""
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_sources).where(watch_sources.c.id == source.id)
                         .values(next_fetch_at=retry_at, last_fetch_at=now()))

    # ------------------------------------------------------------ items

    def list_items(self, source: Source, listed: list[Listed]) -> int:
        """Record the addresses a listing gave; the number that were new. An address already stored
        whose listed modification time changed is marked pending again (the article was updated)."""
        new = 0
        at = now()
        seen: set[str] = set()
        with self._write() as conn, conn.begin():
            for entry in listed:
                canonical = canonical_url(entry.url)
                item_id = url_id(canonical)
                if item_id in seen:
                    continue
                seen.add(item_id)
                row = {
                    "id": item_id, "url": canonical, "fetch_url": fetch_url(entry.url), "source_id": source.id,
                    "status": PENDING, "listed_at": at, "listed_date": entry.published,
                    "listed_modified": entry.modified,
                }
                if insert_ignore(conn, watch_items, row):
                    new += 1
                    continue
                # an address given up at one link (a 404 at its AMP or slash variant) gets another chance
                conn.execute(
                    update(watch_items)
                    .where(watch_items.c.id == item_id, watch_items.c.status == FAILED,
                           watch_items.c.fetch_url != row["fetch_url"], watch_items.c.last_error.like("HTTP 4%"))
                    .values(fetch_url=row["fetch_url"], status=PENDING, tries=0, next_try_at=None)
                )
                if entry.modified:
                    conn.execute(
                        update(watch_items)
                        .where(watch_items.c.id == item_id, watch_items.c.status == STORED,
                               or_(watch_items.c.listed_modified.is_(None),
                                   watch_items.c.listed_modified != entry.modified))
                        .values(status=PENDING, listed_modified=entry.modified, tries=0, next_try_at=None)
                    )
        return new

    def claim_items(self, source_ids: list[str] | None, per_source: int) -> list[Item]:
        """The pending addresses that are due, oldest first, leased to this watcher: up to
        `per_source` of each of these sources, or with None up to `per_source` of any."""
        at = now()
        claimed: list[Item] = []
        due = [
            watch_items.c.status == PENDING,
            or_(watch_items.c.next_try_at.is_(None), watch_items.c.next_try_at <= at),
            _free(watch_items, self.owner, at),
        ]
        order = (watch_items.c.listed_at, watch_items.c.id)
        with self.store.engine.connect() as conn:
            if source_ids is None:
                rows = conn.execute(select(watch_items).where(*due).order_by(*order).limit(per_source)).mappings().all()
            else:
                rows = []
                for source_id in source_ids:
                    rows += conn.execute(
                        select(watch_items).where(watch_items.c.source_id == source_id, *due)
                        .order_by(*order).limit(per_source)
                    ).mappings().all()
        for r in rows:
            if self._lease(watch_items, r["id"], at):
                claimed.append(Item(r["id"], r["url"], r["fetch_url"], r["source_id"], r["status"], r["listed_date"],
                                    r["article_id"], r["etag"], r["last_modified"], r["tries"]))
        return claimed

    def item_done(self, item: Item, status: str, article_id: str | None = None, etag: str | None = None,
                  last_modified: str | None = None, error: str | None = None) -> None:
        """The page was dealt with for good (stored, rejected, a duplicate, given up): lease released."""
        values = {"status": status, "fetched_at": now(), "tries": 0, "next_try_at": None, "last_error": error,
                  "lease_owner": None, "lease_until": None, "etag": etag, "last_modified": last_modified}
        if article_id is not None:
            values["article_id"] = article_id
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_items).where(watch_items.c.id == item.id).values(**values))

    def item_not_modified(self, item: Item) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_items).where(watch_items.c.id == item.id).values(
                status=STORED if item.article_id else PENDING, fetched_at=now(), tries=0, next_try_at=None,
                last_error=None, lease_owner=None, lease_until=None,
            ))

    def item_failed(self, item: Item, error: str, retry_at: datetime | None, give_up: bool,
                    backoff_first: float, backoff_max: float) -> bool:
        """A failed fetch: tried again later (backoff, or the host's Retry-After), or given up when
        it cannot succeed or has failed too often. True when given up."""
        at = now()
        tries = item.tries + 1
        wait = min(backoff_max, backoff_first * 2 ** (tries - 1))
        next_at = max(retry_at or at, at + timedelta(seconds=wait))
        values = {"tries": tries, "last_error": error[:500], "fetched_at": at, "lease_owner": None,
                  "lease_until": None, "next_try_at": None if give_up else next_at}
        if give_up:
            values["status"] = FAILED
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_items).where(watch_items.c.id == item.id).values(**values))
        return give_up

    def defer_item(self, item: Item, retry_at: datetime) -> None:
        """Not fetched (the host asked to wait): pending until then, not counted a failure."""
        with self._write() as conn, conn.begin():
            conn.execute(update(watch_items).where(watch_items.c.id == item.id).values(
                next_try_at=retry_at, lease_owner=None, lease_until=None))

    def stored_alias(self, canonical: str) -> str | None:
        """The article stored for a canonical address, if one is."""
        with self.store.engine.connect() as conn:
            return conn.execute(
                select(watch_items.c.article_id).where(
                    watch_items.c.id == url_id(canonical), watch_items.c.status == STORED,
                    watch_items.c.article_id.is_not(None))
            ).scalar()

    def remember_alias(self, canonical: str, item: Item, article_id: str) -> None:
        """The page's canonical link names another address: note it as stored too, so that a
        listing of that address later is known."""
        with self._write() as conn, conn.begin():
            insert_ignore(conn, watch_items, {
                "id": url_id(canonical), "url": canonical, "fetch_url": canonical, "source_id": item.source_id,
                "status": STORED, "listed_at": now(), "article_id": article_id, "fetched_at": now(),
            })

    def add_version(self, item: Item, article_id: str) -> bool:
        """Record the article as the item's newest version unless it already is one; True when it
        is a new version of an address stored before."""
        with self._write() as conn, conn.begin():
            known = conn.execute(
                select(watch_versions.c.version, watch_versions.c.article_id)
                .where(watch_versions.c.item_id == item.id).order_by(watch_versions.c.version)
            ).all()
            if any(a == article_id for _, a in known):
                return False
            conn.execute(insert(watch_versions).values(
                item_id=item.id, version=(known[-1][0] + 1) if known else 1, article_id=article_id, seen_at=now()))
            return bool(known)

    # ------------------------------------------------------------ reading

    def status(self) -> list[dict]:
        """Per source: its address, kind, last success, last error, backlog and what became of its items."""
        counts = {}
        with self.store.engine.connect() as conn:
            for source_id, status, n in conn.execute(
                select(watch_items.c.source_id, watch_items.c.status, func.count())
                .group_by(watch_items.c.source_id, watch_items.c.status)
            ):
                counts.setdefault(source_id, {})[status] = n
            rows = conn.execute(select(watch_sources).order_by(watch_sources.c.added_at, watch_sources.c.url)).mappings().all()
        out = []
        for r in rows:
            c = counts.get(r["id"], {})
            out.append({
                "url": r["url"], "kind": r["kind"], "last_success": aware(r["last_success_at"]),
                "last_error_at": aware(r["last_error_at"]), "last_error": r["last_error"], "failures": r["failures"],
                "next_fetch": aware(r["next_fetch_at"]), "backlog": c.get(PENDING, 0), "stored": c.get(STORED, 0),
                "rejected": c.get(REJECTED, 0), "failed": c.get(FAILED, 0), "duplicates": c.get(DUPLICATE, 0),
                "held_by": r["lease_owner"] if r["lease_until"] and aware(r["lease_until"]) > now() else None,
            })
        return out

    def totals(self) -> dict[str, int]:
        """Addresses per status, over all sources, and the number of sources and versions."""
        with self.store.engine.connect() as conn:
            totals = {s: 0 for s in STATUSES}
            totals.update(dict(conn.execute(
                select(watch_items.c.status, func.count()).group_by(watch_items.c.status)).all()))
            totals["sources"] = conn.execute(select(func.count()).select_from(watch_sources)).scalar_one()
            totals["updated_versions"] = conn.execute(
                select(func.count()).select_from(watch_versions).where(watch_versions.c.version > 1)).scalar_one()
            totals["failing_sources"] = conn.execute(
                select(func.count()).select_from(watch_sources).where(watch_sources.c.failures > 0)).scalar_one()
        return totals

