"""What each side said around an event: the quotes of its participants (or, for a country side, of
anyone of that country) in articles published within a few days of it. Quotes carry no reliable
date of their own, so the window is read on the articles' publication dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, or_, select

from communique.serve import labels
from communique.store.queries import _quotes_by_id
from communique.store.schema import actors, articles, quotes

WINDOW_DAYS = 3  # before the event's first day and after its last
PER_SIDE = 8


@dataclass
class Speakers:
    """One side: its label, the actor ids that speak for it, and its country (any speaker of that
    country counts too), if it is one."""

    label: str
    actor_ids: set[str] = field(default_factory=set)
    country: str | None = None


def window(event: dict) -> tuple[date, date] | None:
    """The publication dates that count as "around" the event; None for an undated event."""
    try:
        start = date.fromisoformat(str(event.get("date"))[:10])
    except ValueError:
        return None
    end = start
    precision = event.get("date_precision")
    if precision == "week":
        end = start + timedelta(days=6)
    elif precision == "month":
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    elif precision == "year":
        end = start.replace(month=12, day=31)
    return start - timedelta(days=WINDOW_DAYS), end + timedelta(days=WINDOW_DAYS)


def by_participant(event: dict) -> list[Speakers]:
    """One group per named participant (for the event page)."""
    seen: dict[str, Speakers] = {}
    for p in event.get("participants") or []:
        if p.get("id") and p["id"] not in seen:
            seen[p["id"]] = Speakers(labels.who(p), {p["id"]})
    return list(seen.values())


def by_side(event: dict, sides: list) -> list[Speakers]:
    """One group per side of a dyad (`sides.SideName`s): its participants, and for a country side
    every speaker of that country."""
    groups = []
    for s in sides:
        group = Speakers(s.name, country=s.code)
        for p in event.get("participants") or []:
            if not p.get("id"):
                continue
            if (s.code and p.get("country") == s.code) or (not s.code and s.term.casefold() in (p.get("name") or "").casefold()):
                group.actor_ids.add(p["id"])
        groups.append(group)
    return groups


def statements(conn: Connection, event: dict, groups: list[Speakers]) -> list[dict]:
    """[{"label", "quotes", "window"}] for each group, the quotes oldest first; empty when the event
    is undated (nothing can be placed around it)."""
    span = window(event)
    out = []
    for group in groups:
        found: list[dict] = []
        if span is not None and (group.actor_ids or group.country):
            who = [quotes.c.speaker_id.in_(sorted(group.actor_ids))] if group.actor_ids else []
            if group.country:
                who.append(actors.c.country == group.country)
            ids = conn.execute(
                select(quotes.c.id)
                .join(articles, articles.c.id == quotes.c.article_id)
                .outerjoin(actors, actors.c.id == quotes.c.speaker_id)
                .where(or_(*who), articles.c.published.between(*span))
                .order_by(articles.c.published, quotes.c.article_id, quotes.c.position)
                .limit(PER_SIDE)
            ).scalars().all()
            found = _quotes_by_id(conn, list(ids))
        out.append({"label": group.label, "quotes": found, "window": span})
    return out
