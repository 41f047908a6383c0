"""Every call the server makes into the record: the one place that knows `Record` and `Store`.

The API routes and the web pages both read through `RecordReader`, which returns JSON-ready dicts
(lists come as pages: `{"items", "next", "limit"}`, as `--json` prints them). The queries themselves are
the record's (`communique.query.Record`, `communique.store.Store`), the same ones the command line
runs; the few views the record has no method for (an actor's mentions and contacts, the busiest
dyads) are small reads here over the store's tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from sqlalchemy import func, select

from communique.query import Record
from communique.query.records import jsonable
from communique.serve.facets import country_code, named_side
from communique.store import Store
from communique.store.filters import EventFilter
from communique.store.schema import actor_mentions, articles, event_dyads

ACTOR_EVENTS = 200  # an actor page shows its latest events (and its contacts from them)


def page(rows: list, limit: int, offset: int) -> dict:
    """A page of `rows`, read with one row more than `limit` to know whether another page follows:
    the one listing shape of the API and `--json` (`{"items", "next", "limit"}`); `next` is passed
    back as `offset` for the next page."""
    more = len(rows) > limit
    return {"items": rows[:limit], "next": str(offset + limit) if more and limit else None, "limit": limit}


def _slice(rows: Iterable, limit: int, offset: int) -> dict:
    rows = list(rows)
    return page(rows[offset : offset + limit + 1], limit, offset)


class RecordReader:
    """The record as the server reads it. One instance per app; safe to share between threads (each
    call opens and returns its own connection)."""

    def __init__(self, store: Store):
        self.store = store
        self.record = Record(store)

    # ------------------------------------------------------------ articles

    def articles(self, limit: int = 50, offset: int = 0) -> dict:
        return page(self.store.articles(limit=limit + 1, offset=offset), limit, offset)

    def article(self, ident: str) -> dict | None:
        """One stored article in the `extract` contract's shape (what `communique show ID --json` prints)."""
        return self.store.article(ident)

    def article_exists(self, ident: str) -> str | None:
        ids = self.store.article_ids(ident)
        return ids[0] if len(ids) == 1 else None

    # ------------------------------------------------------------ actors

    def actors(self, country: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0) -> dict:
        rows = self.store.actors(country=country.upper() if country else None, name=q or None)
        return _slice(rows, limit, offset)

    def actor(self, ident: str) -> dict | None:
        """An actor with where it is mentioned, what it said, its events and who it dealt with."""
        found = [a for a in self.store.actors(name=ident) if a["id"] == ident]
        if not found:
            return None
        actor = found[0]
        events = jsonable(self.record.timeline(ident, limit=ACTOR_EVENTS))
        events.reverse()  # newest first on the actor's page
        quotes = [q for q in self.store.quotes(speaker=ident, limit=200) if q.get("speaker") == ident]
        return {
            "actor": actor,
            "mentions": self._mentions(ident),
            "quotes": quotes,
            "events": events,
            "contacts": contacts(ident, events),
        }

    def _mentions(self, actor_id: str, limit: int = 100) -> list[dict]:
        """The articles that mention the actor, newest first, with the mention spans in each."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(
                    actor_mentions.c.article_id, actor_mentions.c.start, actor_mentions.c.end, actor_mentions.c.text,
                    articles.c.headline, articles.c.publisher, articles.c.published,
                )
                .join(articles, articles.c.id == actor_mentions.c.article_id)
                .where(actor_mentions.c.actor_id == actor_id)
                .order_by(articles.c.published.desc().nulls_last(), articles.c.id, actor_mentions.c.start)
            ).all()
        out: dict[str, dict] = {}
        for r in rows:
            entry = out.get(r.article_id)
            if entry is None:
                if len(out) >= limit:
                    continue
                entry = out[r.article_id] = {
                    "article_id": r.article_id,
                    "headline": r.headline,
                    "publisher": r.publisher,
                    "published": r.published.isoformat() if isinstance(r.published, date) else r.published,
                    "spans": [],
                    "names": [],
                }
            entry["spans"].append([r.start, r.end])
            if r.text not in entry["names"]:
                entry["names"].append(r.text)
        return list(out.values())

    # ------------------------------------------------------------ quotes and events

    def quotes(
        self, speaker: str | None = None, via: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
    ) -> dict:
        rows = self.store.quotes(speaker=speaker or None, via=via or None, search=q or None, limit=limit + 1, offset=offset)
        return page(rows, limit, offset)

    def events(self, where: EventFilter, limit: int = 50, offset: int = 0) -> dict:
        # a side or country may be a name or demonym ("China", "Ukrainian"): read as its code
        dyad = (named_side(where.dyad[0]), named_side(where.dyad[1])) if where.dyad else None
        where = replace(where, country=country_code(where.country), dyad=dyad)
        listed = self.record.events(where, limit=limit, offset=offset)  # as `communique events --json` reads
        found = {"items": listed.to_dicts(), "next": listed.next, "limit": limit}
        # a date range keeps dated events only: how many undated ones it left out
        found["undated_left_out"] = self.record.undated_count(where=where) if where.dated_only else 0
        return found

    def timeline(
        self,
        a: str,
        b: str | None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        before: date | str | None = None,
    ) -> dict:
        """A page of a dyad's fused events in date order, the undated ones last: the latest `limit`
        (before `before`, a date or the first event id of the page read last); `next` names
        the next (older) page, passed back as `before`; `undated_left_out` counts the undated events a
        date filter left out. The listing shape of `communique timeline --json`, with `limit`."""
        found = jsonable(self.record.timeline(a, b, type=type or None, since=since, until=until, limit=limit, before=before))
        older = found[0]["id"] if limit and len(found) == limit else None
        dated_only = bool(since or until or isinstance(before, date))
        left_out = self.record.undated_count(a, b, type=type or None) if dated_only else 0
        return {"items": found, "next": older, "limit": limit, "undated_left_out": left_out}

    def last_contact(self, a: str, b: str, before: date | None = None, level: str = "any") -> dict | None:
        return jsonable(self.record.last_contact(a, b, before=before, level=level))

    def undated_contacts(self, a: str, b: str, level: str = "any") -> int:
        """Contacts between the two sides that cannot be placed in time (see `last_contact`)."""
        return self.record.undated_count(a, b, type="CONSULT", level=level)

    def event(self, ident: str) -> dict | None:
        return jsonable(self.record.event(ident))

    def search(self, q: str, limit: int = 50, offset: int = 0) -> dict:
        return _slice(jsonable(self.record.search(q, limit=offset + limit + 1)), limit, offset)

    def check_claims(self, article_id: str) -> list[dict] | None:
        """The article's claims with verdicts; None when no single article has that id."""
        if self.article_exists(article_id) is None:
            return None
        return jsonable(self.record.check_claims(article_id))

    def busiest_dyads(self, limit: int = 12) -> list[dict]:
        """The pairs of countries with the most events (for the start page)."""
        d = event_dyads
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(d.c.country_a, d.c.country_b, func.count().label("n"))
                .where(d.c.country_a < d.c.country_b)
                .group_by(d.c.country_a, d.c.country_b)
                .order_by(func.count().desc(), d.c.country_a, d.c.country_b)
                .limit(limit)
            ).all()
        return [{"a": r.country_a, "b": r.country_b, "events": r.n} for r in rows]

    # ------------------------------------------------------------ writing

    def ingest(self, items: Iterable, on_item: Callable | None = None):
        """Store extractions through the store's own ingest (one transaction per article)."""
        return self.store.ingest(items, on_item=on_item)


def contacts(actor_id: str, events: list[dict]) -> list[dict]:
    """The other participants of an actor's events, with how many events they shared, most first."""
    counts: Counter[str] = Counter()
    people: dict[str, dict] = {}
    for event in events:
        seen: set[str] = set()
        for p in event.get("participants") or []:
            key = p.get("id") or f"name:{p.get('name')}"
            if p.get("id") == actor_id or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            people.setdefault(key, {k: p.get(k) for k in ("id", "name", "country", "sector", "role")})
    return [{**people[key], "events": n} for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
