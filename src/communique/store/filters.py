"""Which fused events a query means: the filters of `communique events` (actor, country, dyad, type,
dates) as SELECTs of event ids, and the actor-name matching the other queries share. A dyad of two
country codes the store knows is read from the `event_dyads` index; names go through the participants."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Connection, and_, exists, or_, select
from sqlalchemy.orm import aliased

from communique.store.schema import actors, article_actors, event_dyads, event_participants, events

COUNTRY_CODE = re.compile(r"^[A-Za-z]{2,4}$")  # ISO 3166 alpha-3, or an organisation code such as EU


@dataclass(frozen=True)
class EventFilter:
    """Which fused events are meant: the filters of `communique events`, GET /api/events and
    `Record.events`, passed down whole from the faces to the SELECT (`event_id_query`).

    `actor` matches a participant's name; `country` a participant's country; `dyad` two different
    participants (names or country codes, either role); `type` a PLOVER type (any case); `since` /
    `until` bound the event date (inclusive; an undated event is outside every range). An empty
    string is no filter, and so is a dyad with an empty side."""

    actor: str | None = None
    country: str | None = None
    dyad: tuple[str, str] | None = None
    type: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self):
        for name in ("actor", "country", "type"):
            if not getattr(self, name):
                object.__setattr__(self, name, None)
        if self.type:
            object.__setattr__(self, "type", self.type.strip().upper())
        if self.dyad is not None:
            dyad = tuple(self.dyad)
            object.__setattr__(self, "dyad", dyad if len(dyad) == 2 and all(dyad) else None)

    @property
    def dated_only(self) -> bool:
        """A date range keeps dated events only (`undated_left_out` counts what it left out)."""
        return bool(self.since or self.until)

    def without_dates(self) -> EventFilter:
        return replace(self, since=None, until=None)


def event_filter(where: EventFilter | None = None, **filters) -> EventFilter:
    """`where`, or an EventFilter of the keyword filters (the Python API's and tests' spelling)."""
    if where is not None and filters:
        raise TypeError("give an EventFilter or keyword filters, not both")
    return where if where is not None else EventFilter(**filters)


def actors_named(term: str):
    """A subquery of the ids of actors whose name, or a name an article used for them, contains
    `term` (case-insensitive), or whose id is `term`."""
    term = term.strip()
    used_name = select(article_actors.c.actor_id).where(
        article_actors.c.name.icontains(term, autoescape=True)
    )
    return select(actors.c.id).where(
        or_(actors.c.id == term, actors.c.name.icontains(term, autoescape=True), actors.c.id.in_(used_name))
    )


def participant_matches(participant, term: str):
    """A participant row (aliased event_participants) is `term`: an actor named so, an actor of
    country `term`, or an unresolved participant whose name contains it."""
    term = term.strip()
    return or_(
        participant.c.actor_id.in_(actors_named(term)),
        participant.c.actor_id.in_(select(actors.c.id).where(actors.c.country == term.upper())),
        participant.c.name.icontains(term, autoescape=True),
    )


def dyad_countries(conn: Connection, dyad: tuple[str, str]) -> tuple[str, str] | None:
    """The dyad as two different country codes when both sides are written as codes (any case) and
    the store has actors of both countries; else None (a side is a name, or both are one country).

    One country on both sides is left to the participant path: `event_dyads` pairs a country with
    itself only when it is an event's sole country, while a dyad means two participants."""
    a, b = (side.strip() for side in dyad)
    if not (COUNTRY_CODE.match(a) and COUNTRY_CODE.match(b)) or a.upper() == b.upper():
        return None
    codes = (a.upper(), b.upper())
    for code in codes:
        if not conn.execute(select(exists().where(actors.c.country == code))).scalar():
            return None
    return codes


def dyad_by_countries(a: str, b: str):
    """SELECT the ids of the fused events with participants of countries `a` and `b` (either role):
    one range of the `event_dyads` index."""
    return select(event_dyads.c.event_id).where(event_dyads.c.country_a == a, event_dyads.c.country_b == b)


def dyad_by_participants(a: str, b: str):
    """SELECT the ids of the fused events with two different participants, one matching each side
    (an actor by name or country, or an unresolved name; see `participant_matches`)."""
    first, second = aliased(event_participants), aliased(event_participants)
    return (
        select(first.c.event_id)
        .join(second, and_(second.c.event_id == first.c.event_id, second.c.id != first.c.id))
        .where(participant_matches(first, a), participant_matches(second, b))
    )


def type_and_dates(query, type: str | None = None, since: date | None = None, until: date | None = None):
    """`query` (a SELECT over `events`) narrowed to one PLOVER type and to event dates in [since, until]."""
    if type:
        query = query.where(events.c.type == type.strip().upper())
    if since:
        query = query.where(events.c.date >= since)
    if until:
        query = query.where(events.c.date <= until)
    return query


def undated_left_out(conn: Connection | None, where: EventFilter):
    """SELECT count of the undated fused events matching the filters other than dates: what a
    `since` / `until` leaves out of `event_id_query` (an undated event cannot be inside a range)."""
    from sqlalchemy import func

    ids = event_id_query(conn, where.without_dates()).order_by(None)
    return select(func.count()).select_from(ids.where(events.c.date.is_(None)).subquery())


def event_id_query(conn: Connection | None, where: EventFilter):
    """SELECT the ids of the fused events matching the filters, in date order (undated last): the
    one definition of `communique events`' filters, shared by `Store.events`, `Record.events` and
    the exports. `conn` lets a dyad of two country codes the store knows be read from `event_dyads`
    (`dyad_countries`); without it every dyad goes through the participants."""
    actor, country, dyad = where.actor, where.country, where.dyad
    query = select(events.c.id)
    if actor:
        p = aliased(event_participants)
        query = query.where(
            events.c.id.in_(
                select(p.c.event_id).where(
                    or_(
                        p.c.actor_id.in_(actors_named(actor)),
                        p.c.name.icontains(actor.strip(), autoescape=True),
                    )
                )
            )
        )
    if country:
        p = aliased(event_participants)
        query = query.where(
            events.c.id.in_(
                select(p.c.event_id).where(
                    p.c.actor_id.in_(select(actors.c.id).where(actors.c.country == country.strip().upper()))
                )
            )
        )
    if dyad:
        codes = dyad_countries(conn, dyad) if conn is not None else None
        query = query.where(events.c.id.in_(dyad_by_countries(*codes) if codes else dyad_by_participants(*dyad)))
    query = type_and_dates(query, where.type, where.since, where.until)
    return query.order_by(events.c.date.asc().nulls_last(), events.c.first_seen.asc().nulls_last(), events.c.id)
