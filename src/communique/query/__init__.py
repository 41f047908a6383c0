"""The Python API over the fused record.

    import communique
    with communique.open("news.db") as record:          # or communique.query.Record(url_or_path)
        record.actors(country="CHN")
        record.quotes(speaker="Kuleba", via="Xinhua")
        record.events(dyad=("CHN", "UKR"), type="CONSULT", since=date(2022, 1, 1))
        page = record.timeline("CHN", "UKR")             # page.next: pass as before= for older events
        record.last_contact("CHN", "UKR", before=date(2022, 4, 4), level="minister")
        record.search("peace talks").to_dataframe()

Each method takes the arguments of the command of the same name and returns typed records
(`communique.query.records`): `Results` lists of `Actor`, `Quote`, `Event` or `SearchHit`, whose
`to_dataframe()` gives one flat row per record (dates as dates, lists as lists; needs pandas), and
whose `to_dicts()` gives the JSON the command line prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import IO, Self

from communique.query import claims as _claims
from communique.query import export as _export
from communique.query import record as _record
from communique.query import search as _search
from communique.query.records import Actor, Event, Quote, Results, SearchHit, to_dataframe
from communique.store import Store
from communique.store import queries as _queries
from communique.store.filters import EventFilter, event_filter, event_id_query, undated_left_out

LEVELS = ("any", "minister", "leader")


class Record:
    """Queries over a communique store (a `Store`, or a database URL / path that opens one)."""

    def __init__(self, store: Store | str | None = None, create: bool = False):
        """`store`: an open Store, or what names one (a SQLite path, a postgresql:// URL, or None
        for COMMUNIQUE_DB / the default file). A database that does not exist (or holds no record)
        is a StoreOpenError unless `create=True`, which makes an empty one."""
        self._owned = not isinstance(store, Store)
        self.store = store if isinstance(store, Store) else Store.open(store, create=create)

    def close(self) -> None:
        if self._owned:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self):
        return self.store.engine.connect()

    # ------------------------------------------------------------ actors and quotes

    def actors(self, country: str | None = None, name: str | None = None) -> Results[Actor]:
        """Actors (of one country, or whose name contains `name`) with mention and article counts,
        most widely reported first."""
        with self._read() as conn:
            rows = _queries.list_actors(conn, country=country, name=name)
        return Results((Actor.from_dict(r) for r in rows), Actor)

    def quotes(
        self,
        speaker: str | None = None,
        country: str | None = None,
        via: str | None = None,
        search: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> Results[Quote]:
        """Quotes, newest article first. `speaker` and `via` match actor names (any case, part of a
        name); `country` is the speaker's; `search` a part of the quoted words."""
        with self._read() as conn:
            rows = _queries.list_quotes(
                conn, speaker=speaker, country=country, via=via, search=search, limit=limit, offset=offset
            )
        page = Results((Quote.from_dict(r) for r in rows), Quote)
        if limit and len(page) == limit:
            page.next = str(offset + limit)  # pass as offset= for the next page
        return page

    # ------------------------------------------------------------ events

    def iter_events(
        self, where: EventFilter | None = None, /, limit: int | None = None, offset: int = 0, **filters
    ) -> Iterator[Event]:
        """`events`, streamed in batches: memory stays flat on any store (the exports use it)."""
        with self._read() as conn:
            query = event_id_query(conn, event_filter(where, **filters))
            if offset:
                query = query.offset(max(0, offset))
            if limit is not None:
                query = query.limit(max(0, limit))
            for record in _export.iter_event_records(conn, query):
                yield Event.from_dict(record)

    def events(
        self, where: EventFilter | None = None, /, limit: int | None = None, offset: int = 0, **filters
    ) -> Results[Event]:
        """Fused events in date order (undated last), with participants and reports. `actor`
        matches a participant's name; `country` a participant's country; `dyad` two different
        participants (names or country codes, either role); `type` a PLOVER type; `since` /
        `until` bound the date (inclusive): the keyword filters of an `EventFilter`, or one given
        whole as `where`. The same filters as `Store.events` and `communique events`."""
        # one event more than the page: `next` is set only when another page follows
        found = list(self.iter_events(event_filter(where, **filters), limit=None if limit is None else limit + 1, offset=offset))
        more = limit is not None and len(found) > limit
        return Results(found[:limit] if limit is not None else found, Event, next=str(offset + limit) if more and limit else None)

    def timeline(
        self,
        a: str,
        b: str | None = None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        offset: int = 0,
        before: date | str | None = None,
    ) -> Results[Event]:
        """Fused events between `a` and `b` (country codes or actor names), or of `a`, in date order;
        `limit` keeps the latest N, `offset` / `before` (a date or an event id) page back in time.
        `next` is the id to pass as `before` for the page of older events (None when there is none)."""
        with self._read() as conn:
            rows = _record.timeline(
                conn, a, b, type=type, since=since, until=until, limit=limit, offset=offset, before=before
            )
        page = Results((Event.from_dict(r) for r in rows), Event)
        if limit and len(page) == limit:
            page.next = page[0].id
        return page

    def last_contact(
        self, a: str, b: str, before: date | None = None, level: str = "any", type: str = "CONSULT"
    ) -> Event | None:
        """The last dated CONSULT (or `type`) between two sides strictly before `before`; `level` is
        any, minister or leader (a participant of that rank). With no dated one, the undated contact
        seen last (its `date` None): `undated_count(a, b, "CONSULT")` says how many cannot be placed."""
        if (level or "any").lower() not in LEVELS:
            raise ValueError(f"level={level!r}: choose one of {', '.join(LEVELS)}")
        with self._read() as conn:
            found = _record.last_contact(conn, a, b, before=before, level=level, type=type)
        return Event.from_dict(found) if found else None

    def undated_count(
        self,
        a: str | None = None,
        b: str | None = None,
        type: str | None = None,
        level: str = "any",
        where: EventFilter | None = None,
    ) -> int:
        """How many undated fused events (their articles had no date, nor did the text) a date
        filter leaves out: between sides `a` and `b` (or of `a`), as `timeline` and `last_contact`
        read them; else matching `where` (an EventFilter; its dates are not used), as `events` reads it."""
        with self._read() as conn:
            if a:
                return _record.undated_count(conn, a, b, type=type, level=level)
            where = where or EventFilter(type=type)
            return int(conn.execute(undated_left_out(conn, where)).scalar() or 0)

    def event(self, ident: str) -> Event | None:
        """One fused event with its reports, their merge reasons and the conflicts between them."""
        with self._read() as conn:
            found = _record.event_detail(conn, ident)
        return Event.from_dict(found) if found else None

    # ------------------------------------------------------------ claims and search

    def check_claims(self, article: str | None = None) -> Results[dict]:
        """Claims of novelty ("first ... since DATE") checked against the record."""
        with self._read() as conn:
            article_id = None
            if article:
                ids = _queries.article_ids(conn, article)
                if len(ids) != 1:
                    return Results()
                article_id = ids[0]
            return Results(_claims.check_claims(conn, article_id))

    def search(self, text: str, limit: int = 50) -> Results[SearchHit]:
        """Quotes and event evidence containing every word of `text`, best first."""
        with self._read() as conn:
            rows = _search.search(conn, text, limit=limit)
        return Results((SearchHit.from_dict(r) for r in rows), SearchHit)

    # ------------------------------------------------------------ export

    def export(
        self,
        fmt: str,
        out: IO | str,
        kind: str = "events",
        left_out: Counter | None = None,
        **filters,
    ) -> int:
        """Write events, quotes or actors (`kind`) in `fmt` (see `communique.query.export.FORMATS`)
        to a text stream or, for parquet, a path; `filters` are those of the method named `kind`.
        Returns the count written; `left_out["undated"]` counts the undated events PLOVER and
        POLECAT cannot hold (they require a date)."""
        return _export.write(self.rows(kind, **filters), fmt, out, kind=kind, left_out=left_out)

    def rows(self, kind: str = "events", **filters) -> Iterator:
        """The records an export of `kind` writes: events streamed, quotes (all, unless a limit is
        given) or actors."""
        if kind == "events":
            return self.iter_events(**filters)
        if kind == "quotes":
            return iter(self.quotes(**{"limit": None, **filters}))
        if kind == "actors":
            return iter(self.actors(**filters))
        raise ValueError(f"unknown kind {kind!r}: choose events, quotes or actors")


__all__ = ["Actor", "Event", "Quote", "Record", "Results", "SearchHit", "to_dataframe"]
