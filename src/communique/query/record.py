"""Reading the fused record: dyad timelines, last contact, one event with its reports and why they
were merged. Every function takes an open connection and returns plain, JSON-ready dicts.

A side of a dyad is a country code ("CHN", "EU") or an actor (a name, or part of one, or a global
actor id). Countries are looked up in `event_dyads` (one composite index answers a dyad); actors
through `event_participants`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Select, exists, literal, or_, select
from sqlalchemy.orm import aliased

from communique.store.fusion import LEVEL_LEADER, LEVEL_MINISTER
from communique.store.queries import actors_named
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


def side(conn: Connection, term: str) -> Side:
    """A country when `term` looks like a code that the record knows as a country; else an actor."""
    term = (term or "").strip()
    if _CODE.match(term):
        code = term.upper()
        if term.isupper():  # written as a code: no need to ask the database
            return Side(term, code)
        known = conn.execute(
            select(literal(1)).where(
                or_(
                    exists(select(event_dyads.c.id).where(event_dyads.c.country_a == code)),
                    exists(select(actors.c.id).where(actors.c.country == code)),
                )
            )
        ).first()
        if known:
            return Side(term, code)
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
) -> Select:
    """SELECT event_id, date of the fused events between the two sides (or involving `a`)."""
    type = type.strip().upper() if type else None
    if a.is_country or (b is not None and b.is_country):
        country_side, other = (a, b) if a.is_country else (b, a)
        d = event_dyads
        query = select(d.c.event_id, d.c.date).where(d.c.country_a == country_side.country, d.c.date.is_not(None))
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
            events.c.id.in_(_actor_events(a.term)), events.c.date.is_not(None)
        )
        if b is not None:
            query = query.where(events.c.id.in_(_actor_events(b.term)))
        if type:
            query = query.where(events.c.type == type)
        if level:
            query = query.where(events.c.id.in_(select(event_dyads.c.event_id).where(event_dyads.c.level.op("&")(level) != 0)))
        date_column = events.c.date
    if since:
        query = query.where(date_column >= since)
    if until:
        query = query.where(date_column <= until)
    if before:
        query = query.where(date_column < before)
    return query


def timeline(
    conn: Connection,
    a: str,
    b: str | None = None,
    type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The dated fused events between two sides (or of one), in date order. With `limit`, the
    latest `limit` of them (still in date order)."""
    sa, sb = side(conn, a), (side(conn, b) if b else None)
    query = dyad_query(conn, sa, sb, type=type, since=since, until=until).subquery()
    ordered = select(query.c.event_id, query.c.date).order_by(query.c.date.desc(), query.c.event_id.desc())
    if limit is not None:
        ordered = ordered.limit(max(0, limit))
    ids = [r.event_id for r in conn.execute(ordered)]
    ids.reverse()
    return event_records(conn, ids)


def last_contact(
    conn: Connection,
    a: str,
    b: str,
    before: date | None = None,
    level: str = "any",
    type: str = "CONSULT",
) -> dict | None:
    """The latest fused CONSULT (or `type`) event between two sides strictly before `before`;
    `level` "minister" or "leader" keeps events with a participant of that rank."""
    bits = LEVELS.get((level or "any").lower(), 0)
    sa, sb = side(conn, a), side(conn, b)
    query = dyad_query(conn, sa, sb, type=type, before=before, level=bits).subquery()
    row = conn.execute(
        select(query.c.event_id).order_by(query.c.date.desc(), query.c.event_id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return event_records(conn, [row.event_id])[0]


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


def _names(conn: Connection, ids: Iterable[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for chunk in _chunks(sorted({i for i in ids if isinstance(i, str) and i})):
        for r in conn.execute(
            select(actors.c.id, actors.c.name, actors.c.country, actors.c.sector, actors.c.role).where(
                actors.c.id.in_(chunk)
            )
        ):
            out[r.id] = {"id": r.id, "name": r.name, "country": r.country, "sector": r.sector, "role": r.role}
    return out


# what a report contributes to an event record outside `detail` (no JSON actor lists to decode)
_REPORT_COLUMNS = (
    "id", "event_id", "article_id", "evidence", "evidence_start", "evidence_end", "reported_by", "date",
    "date_precision", "mode", "refers_to_past", "merge_reason",
)


def event_records(conn: Connection, ids: list[str], detail: bool = False) -> list[dict]:
    """Fused events in the order of `ids`, in the `extract` event shape (actor ids global; evidence,
    span and reported_by of the report the event's date came from) plus `report_count`,
    `participants` (names and countries), `conflicts` and `reports`."""
    if not ids:
        return []
    rows: dict[str, object] = {}
    participants: dict[str, list] = defaultdict(list)
    reports: dict[str, list] = defaultdict(list)
    for chunk in _chunks(ids):
        rows.update({r.id: r for r in conn.execute(select(events).where(events.c.id.in_(chunk)))})
        for p in conn.execute(
            select(event_participants)
            .where(event_participants.c.event_id.in_(chunk))
            .order_by(event_participants.c.event_id, event_participants.c.role, event_participants.c.position)
        ):
            participants[p.event_id].append(p)
        report_columns = [event_reports] if detail else [event_reports.c[c] for c in _REPORT_COLUMNS]
        for r in conn.execute(
            select(*report_columns, articles.c.publisher, articles.c.published, articles.c.headline, articles.c.url)
            .join(articles, articles.c.id == event_reports.c.article_id)
            .where(event_reports.c.event_id.in_(chunk))
            .order_by(articles.c.published.asc().nulls_last(), event_reports.c.id)
        ):
            reports[r.event_id].append(r._asdict())  # plain dicts: Row attribute access is slow in bulk
    names = _names(
        conn,
        [p.actor_id for ps in participants.values() for p in ps]
        + [ref for rs in reports.values() for r in rs for ref in (r["reported_by"] or [])],
    )
    out = []
    for event_id in ids:
        row = rows.get(event_id)
        if row is None:
            continue
        parts = participants[event_id]
        reps = reports[event_id]
        main = _main_report(row, reps)
        out.append(
            {
                "id": row.id,
                "type": row.type,
                "mode": row.mode,
                "context": row.context,
                "status": row.status,
                "actors": [p.actor_id or p.name for p in parts if p.role == "actor"],
                "recipients": [p.actor_id or p.name for p in parts if p.role == "recipient"],
                "date": _iso(row.date),
                "date_precision": row.date_precision,
                "location": row.location,
                "evidence": main["evidence"] if main is not None else "",
                "evidence_span": _span(main["evidence_start"], main["evidence_end"]) if main is not None else None,
                "reported_by": list(main["reported_by"] or []) if main is not None else [],
                "refers_to_past": any(bool(r["refers_to_past"]) for r in reps),
                "first_seen": _iso(row.first_seen),
                "report_count": len(reps),
                "participants": [
                    {**(names.get(p.actor_id) or {"id": None, "name": p.name, "country": None}), "role": p.role}
                    for p in parts
                ],
                "conflicts": list(row.conflicts or []),
                "reports": [_report_dict(r, names, detail) for r in reps],
            }
        )
    return out


def _main_report(row, reps):
    """The report the fused event took its date from (the most precise; ties by id)."""
    from communique.store.fusion import PRECISION_RANK

    if not reps:
        return None
    return min(reps, key=lambda r: (PRECISION_RANK.get(r["date_precision"], 9), r["date"] is None, r["id"]))


def _report_dict(r: dict, names: dict[str, dict], detail: bool) -> dict:
    out = {
        "id": r["id"],
        "article_id": r["article_id"],
        "publisher": r["publisher"],
        "published": _iso(r["published"]),
        "evidence": r["evidence"],
        "evidence_span": _span(r["evidence_start"], r["evidence_end"]),
        "reported_by": list(r["reported_by"] or []),
        "reported_by_names": [(names.get(ref) or {"name": ref})["name"] for ref in (r["reported_by"] or [])],
        "date": r["date"],
        "date_precision": r["date_precision"],
        "mode": r["mode"],
        "refers_to_past": bool(r["refers_to_past"]),
        "merge_reason": r["merge_reason"],
    }
    if detail:
        out.update(
            {
                "headline": r["headline"],
                "url": r["url"],
                "type": r["type"],
                "status": r["status"],
                "actors": list(r["actors"] or []),
                "recipients": list(r["recipients"] or []),
                "location": r["location"],
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
    "Side",
    "dyad_query",
    "event_detail",
    "event_ids",
    "event_records",
    "last_contact",
    "side",
    "timeline",
]
