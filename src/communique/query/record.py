"""Reading the fused record: dyad timelines, last contact, one event with its reports and why they
were merged. Every function takes an open connection and returns plain, JSON-ready dicts.

A side of a dyad is a country code ("CHN", "EU"), a country's name or demonym ("China", "Chinese")
read through the knowledge base's country lookup, or an actor (a name, or part of one, or a global
actor id). Countries are looked up in `event_dyads` (one composite index answers a dyad); actors
through `event_participants`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    ARRAY,
    Connection,
    Select,
    String,
    Text,
    any_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from communique.dates import record_date
from communique.vocabulary import PAGE  # the command's default --limit (re-exported)
from communique.store.fusion import LEVEL_LEADER, LEVEL_MINISTER, PRECISION_RANK
from communique.store.filters import actors_named
from communique.store.schema import (
    actors,
    articles,
    event_dyads,
    event_participants,
    event_reports,
    events,
)

CHUNK = 500
LEVELS = {"any": 0, "minister": LEVEL_MINISTER, "leader": LEVEL_LEADER}
_CODE = re.compile(r"^[A-Za-z]{2,4}$")


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _span(start, end):
    return None if start is None or end is None else [start, end]


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


# ---------------------------------------------------------------- sides


@dataclass(frozen=True)
class Side:
    """One side of a dyad: a country code, or the actors a name matched."""

    term: str
    country: str | None = None

    @property
    def is_country(self) -> bool:
        return self.country is not None


def _known_country(conn: Connection, code: str) -> bool:
    """The record has an event or an actor of country `code`."""
    return conn.execute(
        select(literal(1)).where(
            or_(
                exists(select(event_dyads.c.id).where(event_dyads.c.country_a == code)),
                exists(select(actors.c.id).where(actors.c.country == code)),
            )
        )
    ).first() is not None


def country_named(term: str) -> str | None:
    """The country (or organisation) code a name, alias or demonym stands for ("China", "Chinese",
    "European Union"), through the knowledge base's one country lookup; None for anything else."""
    from communique.actors.kb import load_kb

    term = (term or "").strip()
    return load_kb().country_of(term) if term else None


def side(conn: Connection, term: str) -> Side:
    """A country when `term` is a code that the record knows as a country, or a country's name or
    demonym ("China", "Ukrainian") that the record knows; else an actor (a name, part of one, an id)."""
    term = (term or "").strip()
    if _CODE.match(term):
        code = term.upper()
        if term.isupper():  # written as a code: no need to ask the database
            return Side(term, code)
        if _known_country(conn, code):
            return Side(term, code)
    named = country_named(term)
    if named and _known_country(conn, named):
        return Side(term, named)
    return Side(term)


def _actor_events(term: str):
    """Ids of fused events with a participant matched by the actor term."""
    p = aliased(event_participants)
    return select(p.c.event_id).where(
        or_(p.c.actor_id.in_(actors_named(term)), p.c.name.icontains(term.strip(), autoescape=True))
    )


def dyad_query(
    conn: Connection,
    a: Side,
    b: Side | None,
    type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    before: date | None = None,
    level: int = 0,
    undated: bool = False,
) -> Select:
    """SELECT event_id, date of the dated fused events between the two sides (or involving `a`);
    with `undated`, of the undated ones instead (no date filter can hold for those)."""
    type = type.strip().upper() if type else None
    if a.is_country or (b is not None and b.is_country):
        country_side, other = (a, b) if a.is_country else (b, a)
        d = event_dyads
        query = select(d.c.event_id, d.c.date).where(
            d.c.country_a == country_side.country, d.c.date.is_(None) if undated else d.c.date.is_not(None)
        )
        if other is not None and other.is_country:
            query = query.where(d.c.country_b == other.country)
        elif other is not None:
            query = query.where(d.c.event_id.in_(_actor_events(other.term)))
        if type:
            query = query.where(d.c.type == type)
        if level:
            query = query.where(d.c.level.op("&")(level) != 0)
        date_column = d.c.date
        if other is None:
            query = query.distinct()
    else:
        query = select(events.c.id.label("event_id"), events.c.date).where(
            events.c.id.in_(_actor_events(a.term)), events.c.date.is_(None) if undated else events.c.date.is_not(None)
        )
        if b is not None:
            query = query.where(events.c.id.in_(_actor_events(b.term)))
        if type:
            query = query.where(events.c.type == type)
        if level:
            query = query.where(events.c.id.in_(select(event_dyads.c.event_id).where(event_dyads.c.level.op("&")(level) != 0)))
        date_column = events.c.date
    if undated:
        return query
    if since:
        query = query.where(date_column >= since)
    if until:
        query = query.where(date_column <= until)
    if before:
        query = query.where(date_column < before)
    return query


def undated_count(conn: Connection, a: str, b: str | None = None, type: str | None = None, level: str = "any") -> int:
    """How many undated fused events there are between the two sides (or of `a`): what a date filter
    (`--since`, `--until`, `--before` a date) or a date-ordered answer (last contact) cannot place."""
    sa, sb = side(conn, a), (side(conn, b) if b else None)
    query = dyad_query(conn, sa, sb, type=type, level=LEVELS.get((level or "any").lower(), 0), undated=True).subquery()
    return int(conn.execute(select(func.count()).select_from(query)).scalar() or 0)


def timeline(
    conn: Connection,
    a: str,
    b: str | None = None,
    type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    offset: int = 0,
    before: date | str | None = None,
) -> list[dict]:
    """The fused events between two sides (or of one), in date order, the undated ones last (their
    `date` is null, their `date_precision` "unknown"). With `limit`, the latest `limit` of them
    (still in date order; the undated ones count as the latest). Pages go back in time: `offset`
    skips that many of the latest events; `before` keeps the events strictly before a date or, given
    an event id (the first event of the page just read), strictly before that event in timeline
    order. A date filter (`since`, `until`, `before` a date) keeps dated events only
    (`undated_count` says how many it left out). An unknown event id gives no events."""
    sa, sb = side(conn, a), (side(conn, b) if b else None)
    ident = before.strip() if isinstance(before, str) else ""
    cursor, cursor_undated = None, False
    if ident:
        found = conn.execute(select(events.c.id, events.c.date).where(events.c.id == ident)).first()
        if found is None:
            return []
        cursor, cursor_undated = found.date, found.date is None
    date_filtered = bool(since or until or isinstance(before, date))

    # the undated events first (they end the timeline), newest id first, after the cursor if undated
    undated_ids: list[str] = []
    undated_exhausted = True
    if not date_filtered and (not ident or cursor_undated):
        query = dyad_query(conn, sa, sb, type=type, undated=True).subquery()
        ordered = select(query.c.event_id).order_by(query.c.event_id.desc())
        if cursor_undated:
            ordered = ordered.where(query.c.event_id < ident)
        if limit is not None:
            ordered = ordered.limit(max(0, limit) + max(0, offset))
        undated_ids = list(conn.execute(ordered).scalars())
        undated_exhausted = limit is None or len(undated_ids) < max(0, limit) + max(0, offset)
    skip = max(0, offset or 0)
    page_undated = undated_ids[skip:] if limit is None else undated_ids[skip : skip + max(0, limit)]

    dated_rows: list = []
    room = None if limit is None else max(0, limit) - len(page_undated)
    if undated_exhausted and (room is None or room > 0):
        query = dyad_query(
            conn, sa, sb, type=type, since=since, until=until, before=before if isinstance(before, date) else None
        ).subquery()
        ordered = select(query.c.event_id, query.c.date).order_by(query.c.date.desc(), query.c.event_id.desc())
        if cursor is not None:
            # (date, id) < (cursor date, cursor id); the plain `<=` lets the index start at the cursor
            ordered = ordered.where(
                query.c.date <= cursor,
                or_(query.c.date < cursor, query.c.event_id < ident),
            )
        if room is not None:
            ordered = ordered.limit(room)
        dated_skip = max(0, skip - len(undated_ids))
        if dated_skip:
            ordered = ordered.offset(dated_skip)
        page = ordered.subquery()
        dated_rows = conn.execute(
            select(*_EVENT_COLUMNS).join_from(page, events, events.c.id == page.c.event_id).order_by(
                page.c.date, page.c.event_id
            )
        ).all()
    undated_rows = []
    if page_undated:
        by_id = {r[0]: r for r in conn.execute(_sql(conn).events, {"ids": sorted(page_undated)}).all()}
        undated_rows = [by_id[i] for i in sorted(page_undated) if i in by_id]
    return _records(conn, [*dated_rows, *undated_rows])


def last_contact(
    conn: Connection,
    a: str,
    b: str,
    before: date | None = None,
    level: str = "any",
    type: str = "CONSULT",
) -> dict | None:
    """The latest dated fused CONSULT (or `type`) event between two sides strictly before `before`;
    `level` "minister" or "leader" keeps events with a participant of that rank. Undated contacts
    cannot be placed before or after a date: when there is no dated one, the undated contact seen
    last is the answer (its date null); `undated_count` says how many there are."""
    bits = LEVELS.get((level or "any").lower(), 0)
    sa, sb = side(conn, a), side(conn, b)
    query = dyad_query(conn, sa, sb, type=type, before=before, level=bits).subquery()
    row = conn.execute(
        select(query.c.event_id).order_by(query.c.date.desc(), query.c.event_id.desc()).limit(1)
    ).first()
    if row is None:
        undated = dyad_query(conn, sa, sb, type=type, level=bits, undated=True).subquery()
        row = conn.execute(
            select(undated.c.event_id)
            .join(events, events.c.id == undated.c.event_id)
            .order_by(events.c.first_seen.desc().nulls_last(), undated.c.event_id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return event_records(conn, [row.event_id])[0]


def next_contact(
    conn: Connection,
    a: str,
    b: str,
    after: date,
    level: str = "any",
    type: str = "CONSULT",
) -> dict | None:
    """The earliest dated fused CONSULT (or `type`) between two sides strictly after `after`: the
    contact that follows one `last_contact` found (its counterpart going forward in time)."""
    bits = LEVELS.get((level or "any").lower(), 0)
    query = dyad_query(conn, side(conn, a), side(conn, b), type=type, level=bits).subquery()
    row = conn.execute(
        select(query.c.event_id).where(query.c.date > after).order_by(query.c.date, query.c.event_id).limit(1)
    ).first()
    return event_records(conn, [row.event_id])[0] if row else None


def event_ids(conn: Connection, ident: str) -> list[str]:
    """Fused event ids that `ident` names: an event id, a report id, or a unique prefix of one."""
    ident = (ident or "").strip()
    if not ident:
        return []
    exact = conn.execute(select(events.c.id).where(events.c.id == ident)).scalars().all()
    if exact:
        return list(exact)
    via_report = conn.execute(select(event_reports.c.event_id).where(event_reports.c.id == ident)).scalars().all()
    if via_report:
        return list(via_report)
    return list(
        conn.execute(
            select(events.c.id).where(events.c.id.startswith(ident, autoescape=True)).order_by(events.c.id).limit(10)
        ).scalars()
    )


def event_detail(conn: Connection, ident: str) -> dict | None:
    """One fused event with all its reports, each with the reason it was merged, and the conflicts."""
    ids = event_ids(conn, ident)
    if len(ids) != 1:
        return None
    return event_records(conn, ids, detail=True)[0]


# ---------------------------------------------------------------- event records
#
# A timeline page is ~100 events with ~150 reports: the time went to Python, not to the index
# lookups. So each table is read once per page by one statement built once (`_reads`: the page's
# event ids as one parameter, only the columns the record needs; revision 0003's covering indexes
# answer the participants and the articles' outlet and date), rows are consumed as plain tuples,
# dates and JSON come back unconverted (`_raw`, `_json`) and actor names are resolved in one query.


def _id_in(column, array: bool):
    """`column IN (:ids)`. On PostgreSQL `column = ANY(:ids)`, one array parameter: its SQL text is
    the same whatever the page size, so psycopg prepares it after a few runs on a connection and the
    server stops planning it again (planning a 100-value IN list costs about as much as running it)."""
    if array:
        return column == any_(bindparam("ids", type_=ARRAY(String)))
    return column.in_(bindparam("ids", expanding=True))


def _raw(column):
    """`column` without SQLAlchemy's result conversion (a Date column then reads as ISO text on
    SQLite, a date on PostgreSQL: `_iso` makes both ISO text)."""
    return type_coerce(column, String).label(column.name)


def _json(column):
    """A JSON column read without conversion: text on SQLite (`_list` parses it), already parsed on
    PostgreSQL (psycopg decodes json itself)."""
    return type_coerce(column, Text).label(column.name)


def _list(value) -> list:
    """A JSON list as read by `_json`; anything else (null, malformed) is an empty list."""
    if isinstance(value, str):
        if value == "[]":  # by far the most common value: no need to parse it
            return []
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list) else []


_EVENT_COLUMNS = (
    events.c.id, events.c.type, events.c.mode, events.c.context, events.c.status, _raw(events.c.date),
    events.c.date_precision, events.c.location, _raw(events.c.first_seen), _json(events.c.conflicts),
)
_PARTICIPANT_COLUMNS = (
    event_participants.c.event_id, event_participants.c.role, event_participants.c.actor_id, event_participants.c.name,
)

# what a report contributes to an event record (positions below follow this order); `detail` adds
# what the single-event view shows
_REPORT_COLUMNS = (
    event_reports.c.id, event_reports.c.event_id, event_reports.c.article_id, event_reports.c.evidence,
    event_reports.c.evidence_start, event_reports.c.evidence_end, _json(event_reports.c.reported_by),
    event_reports.c.date, event_reports.c.date_precision, event_reports.c.mode, event_reports.c.refers_to_past,
    event_reports.c.merge_reason, articles.c.publisher, _raw(articles.c.published),
)
_DETAIL_COLUMNS = (
    articles.c.headline, articles.c.url, event_reports.c.type, event_reports.c.status,
    _json(event_reports.c.actors), _json(event_reports.c.recipients), event_reports.c.location,
)


@dataclass(frozen=True)
class _Reads:
    """The statements that read a page of event records, by the page's event ids (`ids`)."""

    events: Select
    participants: Select
    reports: Select
    reports_detail: Select
    names: Select


@lru_cache(maxsize=2)
def _reads(array: bool) -> _Reads:
    def reports(detail: bool) -> Select:
        return (
            select(*_REPORT_COLUMNS, *(_DETAIL_COLUMNS if detail else ()))
            .join(articles, articles.c.id == event_reports.c.article_id)
            .where(_id_in(event_reports.c.event_id, array))
            .order_by(articles.c.published.asc().nulls_last(), event_reports.c.id)
        )

    return _Reads(
        events=select(*_EVENT_COLUMNS).where(_id_in(events.c.id, array)),
        participants=select(*_PARTICIPANT_COLUMNS)
        .where(_id_in(event_participants.c.event_id, array))
        .order_by(event_participants.c.event_id, event_participants.c.role, event_participants.c.position),
        reports=reports(False),
        reports_detail=reports(True),
        names=select(actors.c.id, actors.c.name, actors.c.country, actors.c.sector, actors.c.role).where(
            _id_in(actors.c.id, array)
        ),
    )


def _sql(conn: Connection) -> _Reads:
    return _reads(conn.dialect.name == "postgresql")


def _names(conn: Connection, ids: Iterable[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for chunk in _chunks(sorted({i for i in ids if isinstance(i, str) and i})):
        for actor_id, name, country, sector, role in conn.execute(_sql(conn).names, {"ids": chunk}).all():
            out[actor_id] = {"id": actor_id, "name": name, "country": country, "sector": sector, "role": role}
    return out


def event_records(conn: Connection, ids: list[str], detail: bool = False) -> list[dict]:
    """Fused events in the order of `ids`, in the `extract` event shape (actor ids global; evidence,
    span and reported_by of the report the event's date came from) plus `report_count`,
    `participants` (names and countries), `conflicts` and `reports`."""
    if not ids:
        return []
    rows: dict[str, tuple] = {}
    for chunk in _chunks(ids):
        rows.update((r[0], r) for r in conn.execute(_sql(conn).events, {"ids": chunk}).all())
    return _records(conn, [rows[i] for i in ids if i in rows], detail)


def _records(conn: Connection, rows: list[tuple], detail: bool = False) -> list[dict]:
    """`event_records` of event rows already read (`_EVENT_COLUMNS`, in the order wanted)."""
    participants: dict[str, list[tuple]] = defaultdict(list)
    reports: dict[str, list[tuple]] = defaultdict(list)
    wanted: set[str] = set()
    sql = _sql(conn)
    for chunk in _chunks([r[0] for r in rows]):
        params = {"ids": chunk}
        for p in conn.execute(sql.participants, params).all():
            participants[p[0]].append(p)
            if p[2]:
                wanted.add(p[2])
        for r in conn.execute(sql.reports_detail if detail else sql.reports, params).all():
            r = (*r[:6], _list(r[6]), *r[7:])
            reports[r[1]].append(r)
            wanted.update(ref for ref in r[6] if isinstance(ref, str))
    names = _names(conn, wanted)
    out = []
    for row in rows:
        event_id, type_, mode, context, status, day, precision, location, first_seen, conflicts = row
        parts = participants.get(event_id, ())
        reps = reports.get(event_id, ())
        main = _main_report(reps)
        out.append(
            {
                "id": event_id,
                "type": type_,
                "mode": mode,
                "context": context,
                "status": status,
                "actors": [p[2] or p[3] for p in parts if p[1] == "actor"],
                "recipients": [p[2] or p[3] for p in parts if p[1] == "recipient"],
                "date": _iso(day),
                "date_precision": precision,
                "location": location,
                "evidence": main[3] if main is not None else "",
                "evidence_span": _span(main[4], main[5]) if main is not None else None,
                "reported_by": list(main[6]) if main is not None else [],
                "refers_to_past": any(bool(r[10]) for r in reps),
                "first_seen": _iso(first_seen),
                "report_count": len(reps),
                "participants": [_participant(names.get(p[2]), p[3], p[1]) for p in parts],
                "conflicts": _list(conflicts),
                "reports": [_report_dict(r, names, detail) for r in reps],
            }
        )
    return out


def _participant(known: dict | None, name: str | None, side: str) -> dict:
    """A participant as the record shows it: `role` is its side (actor or recipient), `title` the
    office the knowledge base gives the actor."""
    known = known or {"id": None, "name": name, "country": None, "sector": None, "role": None}
    return {
        "id": known["id"], "name": known["name"], "country": known["country"], "sector": known["sector"],
        "title": known["role"], "role": side,
    }  # fmt: skip


def _main_report(reps):
    """The report the fused event took its date from (the most precise; ties by id)."""
    if not reps:
        return None
    return min(reps, key=lambda r: (PRECISION_RANK.get(r[8], 9), r[7] is None, r[0]))


def _report_dict(r: tuple, names: dict[str, dict], detail: bool) -> dict:
    refs = r[6]
    out = {
        "id": r[0],
        "article_id": r[2],
        "publisher": r[12],
        "published": _iso(r[13]),
        "evidence": r[3],
        "evidence_span": _span(r[4], r[5]),
        "reported_by": list(refs),
        "reported_by_names": [(names.get(ref) or {"name": ref})["name"] for ref in refs],
        **dict(zip(("date", "date_precision"), record_date(r[7], r[8], _iso(r[13])))),
        "mode": r[9],
        "refers_to_past": bool(r[10]),
        "merge_reason": r[11],
    }
    if detail:
        headline, url, type_, status, acting, receiving, location = r[14:21]
        out.update(
            {
                "headline": headline,
                "url": url,
                "type": type_,
                "status": status,
                "actors": _list(acting),
                "recipients": _list(receiving),
                "location": location,
            }
        )
    return out


def dyad_countries(conn: Connection, event_id: str) -> set[tuple[str, str]]:
    return {
        (r.country_a, r.country_b)
        for r in conn.execute(
            select(event_dyads.c.country_a, event_dyads.c.country_b).where(event_dyads.c.event_id == event_id)
        )
    }


__all__ = [
    "LEVELS",
    "PAGE",
    "Side",
    "dyad_query",
    "event_detail",
    "event_ids",
    "event_records",
    "last_contact",
    "side",
    "timeline",
    "undated_count",
]
