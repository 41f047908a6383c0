"""The events and quotes pages' filters and facets: which fused events (or quotes) the filters in the
URL mean, and, for each facet (type, country, actor, outlet, year, status, date precision), how many
of them have each value, so the page can offer every value as a link with its count.

Event filters are `communique events`' own (`store.filters.event_id_query`) plus outlet, status and
date precision; a facet counts distinct events, so one event with two Chinese participants counts
once under China."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date

from sqlalchemy import Connection, distinct, extract, func, select

from communique.query.record import country_named
from communique.serve import cache
from communique.store.filters import COUNTRY_CODE, EventFilter, actors_named, event_id_query
from communique.store.queries import _quotes_by_id
from communique.store.schema import actors, articles, event_participants, event_reports, events, quotes

FACET_VALUES = 12  # values shown per facet, most frequent first
LISTED = 10_000  # chosen events matched as a list of ids (under every backend's limit on parameters)


def country_code(value: str | None) -> str | None:
    """A code as given (upper-cased), or the code of a country's name or demonym."""
    value = (value or "").strip()
    if not value:
        return None
    return value.upper() if COUNTRY_CODE.match(value) else (country_named(value) or value)


def named_side(term: str) -> str:
    """A side of a dyad: a country's name or demonym as its code; anything else (a code, an actor's
    name) as given, for the store's own reading."""
    if COUNTRY_CODE.match(term.strip()):
        return term
    return country_named(term) or term


class _UrlFilters:
    """Filters that live in a page's URL: each field one parameter."""

    def params(self, **changes) -> dict[str, str]:
        """The filters as URL parameters (empty ones left out), with `changes` applied."""
        merged = asdict(replace(self, **changes))
        return {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in merged.items() if v}

    @property
    def active(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name)]


@dataclass(frozen=True)
class EventFilters(_UrlFilters):
    type: str | None = None
    country: str | None = None
    actor: str | None = None
    outlet: str | None = None
    since: date | None = None
    until: date | None = None
    status: str | None = None
    precision: str | None = None


def _by_outlet(outlet: str):
    return select(event_reports.c.event_id).join(articles, articles.c.id == event_reports.c.article_id).where(
        articles.c.publisher == outlet
    )


def event_ids(conn: Connection, f: EventFilters):
    """SELECT the ids of the events the filters mean, in date order (undated last)."""
    query = event_id_query(
        conn, EventFilter(actor=f.actor, country=country_code(f.country), type=f.type, since=f.since, until=f.until)
    )
    if f.outlet:
        query = query.where(events.c.id.in_(_by_outlet(f.outlet)))
    if f.status:
        query = query.where(events.c.status == f.status)
    if f.precision:
        query = query.where(events.c.date_precision == f.precision)
    return query


def _counts(conn: Connection, query) -> list[tuple[str, int]]:
    return [(str(value), int(n)) for value, n in conn.execute(query.limit(FACET_VALUES)).all() if value is not None]


def event_facets(conn: Connection, f: EventFilters) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """(how many events the filters mean, {facet: [(value, events), ...]}), most frequent first.
    Without filters every table is counted whole (no list of ids to match against)."""
    ids = event_ids(conn, f).order_by(None).subquery()
    total = int(conn.execute(select(func.count()).select_from(ids)).scalar() or 0)

    # a few thousand chosen ids are read once and matched as a list; more are matched as a subquery
    chosen = list(conn.execute(select(ids.c.id)).scalars()) if f.active and total <= LISTED else None

    def within(column):  # a condition keeping the chosen events, None when all are chosen
        if not f.active:
            return None
        return column.in_(chosen) if chosen is not None else column.in_(select(ids.c.id))

    def narrowed(query, column):
        condition = within(column)
        return query if condition is None else query.where(condition)

    def by(column):  # one row per event in `events`: a plain count
        n = func.count()
        return narrowed(select(column, n), events.c.id).group_by(column).order_by(n.desc(), column)

    year = extract("year", events.c.date)
    people = event_participants.join(actors, actors.c.id == event_participants.c.actor_id)
    told = event_reports.join(articles, articles.c.id == event_reports.c.article_id)
    n_events = func.count(distinct(event_participants.c.event_id))
    per_report = func.count(distinct(event_reports.c.event_id))

    def of_participants(column):
        query = select(column, n_events).select_from(people)
        return narrowed(query, event_participants.c.event_id).group_by(column).order_by(n_events.desc(), column)

    years = narrowed(select(year, func.count()).where(events.c.date.is_not(None)), events.c.id)
    return total, cache.kept(conn, ("event facets", f), total, lambda: {
        "type": _counts(conn, by(events.c.type)),
        "country": _counts(conn, of_participants(actors.c.country)),
        "actor": _counts(conn, of_participants(actors.c.name)),
        "outlet": _counts(conn, narrowed(select(articles.c.publisher, per_report).select_from(told), event_reports.c.event_id)
                          .group_by(articles.c.publisher).order_by(per_report.desc(), articles.c.publisher)),
        "year": [(str(int(float(y))), n) for y, n in _counts(conn, years.group_by(year).order_by(year.desc()))],
        "status": _counts(conn, by(events.c.status)),
        "precision": _counts(conn, by(events.c.date_precision)),
    })


# ---------------------------------------------------------------- quotes


@dataclass(frozen=True)
class QuoteFilters(_UrlFilters):
    speaker: str | None = None
    country: str | None = None
    outlet: str | None = None
    q: str | None = None
    since: date | None = None
    until: date | None = None


def _quote_query(f: QuoteFilters):
    query = (
        select(quotes.c.id)
        .join(articles, articles.c.id == quotes.c.article_id)
        .outerjoin(actors, actors.c.id == quotes.c.speaker_id)
    )
    if f.speaker:
        query = query.where(
            quotes.c.speaker_id.in_(actors_named(f.speaker)) | quotes.c.speaker_text.icontains(f.speaker.strip(), autoescape=True)
        )
    if f.country:
        query = query.where(actors.c.country == country_code(f.country))
    if f.outlet:
        query = query.where(articles.c.publisher == f.outlet)
    if f.q:
        query = query.where(quotes.c.text.icontains(f.q.strip(), autoescape=True))
    if f.since:
        query = query.where(articles.c.published >= f.since)
    if f.until:
        query = query.where(articles.c.published <= f.until)
    return query


def quote_page(conn: Connection, f: QuoteFilters, limit: int, offset: int) -> list[dict]:
    """A page of the quotes the filters mean, newest article first (one more than `limit`)."""
    ordered = _quote_query(f).order_by(articles.c.published.desc().nulls_last(), quotes.c.article_id, quotes.c.position)
    ids = list(conn.execute(ordered.offset(offset).limit(limit + 1)).scalars())
    return _quotes_by_id(conn, ids)


def quote_facets(conn: Connection, f: QuoteFilters) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    ids = _quote_query(f).subquery()
    total = int(conn.execute(select(func.count()).select_from(ids)).scalar() or 0)
    base = (
        select()
        .select_from(quotes.join(articles, articles.c.id == quotes.c.article_id).outerjoin(actors, actors.c.id == quotes.c.speaker_id))
        .where(quotes.c.id.in_(select(ids.c.id)))
    )
    n = func.count()

    def by(column):
        return base.add_columns(column, n).group_by(column).order_by(n.desc(), column)

    year = extract("year", articles.c.published)
    return total, {
        "speaker": _counts(conn, by(actors.c.name)),
        "country": _counts(conn, by(actors.c.country)),
        "outlet": _counts(conn, by(articles.c.publisher)),
        "year": [(str(int(float(y))), c) for y, c in _counts(conn, base.add_columns(year, n).where(articles.c.published.is_not(None))
                                                            .group_by(year).order_by(year.desc()))],
    }
