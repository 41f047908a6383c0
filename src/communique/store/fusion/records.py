"""A fused event's row rebuilt from its reports: date, window, mode, location, conflicts, counts,
participants and dyads."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from communique.store import identity
from communique.store.fusion.dates import PRECISION_RANK, describe_date, overlap, refines, report_window
from communique.store.fusion.participants import Participant, participants_for
from communique.store.schema import articles, event_dyads, event_participants, event_reports, events


def refresh_event(conn: Connection, event_id: str) -> None:
    """Recompute a fused event from all its reports: date (the most precise), window, mode,
    location, conflicts, counts, participants and dyad rows."""
    reports = conn.execute(
        select(event_reports, articles.c.published)
        .join(articles, articles.c.id == event_reports.c.article_id)
        .where(event_reports.c.event_id == event_id)
        .order_by(articles.c.published.asc().nulls_last(), event_reports.c.id)
    ).all()
    if not reports:
        conn.execute(delete(events).where(events.c.id == event_id))
        return

    def rank(r):
        return (PRECISION_RANK.get(r.date_precision, 9), r.date is None, r.id)

    chosen = min(reports, key=rank)
    window = None
    for r in reports:
        w = report_window(r.date, r.date_precision, r.published)
        if w is not None:
            window = w if window is None else (overlap(window, w) or window)
    mode = chosen.mode or next((r.mode for r in reports if r.mode), None)
    location = chosen.location or next((r.location for r in reports if r.location), None)
    conflicts = _conflicts(reports, chosen, mode, location)
    published = [r.published for r in reports if r.published]
    conn.execute(
        update(events)
        .where(events.c.id == event_id)
        .values(
            type=chosen.type,
            mode=mode,
            context=chosen.context or next((r.context for r in reports if r.context), None),
            status=chosen.status,
            date=identity.parse_date(chosen.date) if chosen.date else (window[1] if window else None),
            date_precision=chosen.date_precision if (chosen.date or window is None) else "publication",
            location=location,
            first_seen=min(published) if published else None,
            date_start=window[0] if window else None,
            date_end=window[1] if window else None,
            report_count=len(reports),
            conflicts=conflicts or None,
        )
    )
    refs: list[tuple[str, str]] = []
    for r in reports:
        refs += [("actor", a) for a in (r.actors or []) if isinstance(a, str)]
        refs += [("recipient", a) for a in (r.recipients or []) if isinstance(a, str)]
    participants = participants_for(conn, refs)
    conn.execute(delete(event_participants).where(event_participants.c.event_id == event_id))
    positions = {"actor": 0, "recipient": 0}
    rows = []
    for p in participants:
        rows.append(
            {
                "event_id": event_id,
                "role": p.role,
                "position": positions[p.role],
                "actor_id": p.actor_id,
                "name": None if p.actor_id else p.name,
            }
        )
        positions[p.role] += 1
    if rows:
        conn.execute(insert(event_participants), [identity.safe_row(event_participants, row) for row in rows])
    event_date = conn.execute(select(events.c.date).where(events.c.id == event_id)).scalar()
    write_dyads(conn, event_id, chosen.type, event_date, participants)


def dyad_rows(event_id: str, event_type: str, event_date, participants: list[Participant]) -> list[dict]:
    countries = sorted({p.country for p in participants if p.country})
    level = 0
    for p in participants:
        level |= p.level
    pairs = [(a, b) for a in countries for b in countries if a != b] or [(c, c) for c in countries]
    return [
        {"event_id": event_id, "country_a": a, "country_b": b, "type": event_type, "date": event_date, "level": level}
        for a, b in pairs
    ]


def write_dyads(conn: Connection, event_id: str, event_type: str, event_date, participants: list[Participant]) -> None:
    conn.execute(delete(event_dyads).where(event_dyads.c.event_id == event_id))
    rows = dyad_rows(event_id, event_type, event_date, participants)
    if rows:
        conn.execute(insert(event_dyads), rows)


def _conflicts(reports, chosen, mode, location) -> list[dict]:
    out: list[dict] = []
    dates: dict[tuple, list[str]] = {}
    for r in reports:
        if r.date:
            dates.setdefault((r.date, r.date_precision), []).append(r.id)
    keys = list(dates)
    disagree = any(
        not refines(a, b, chosen.published) for i, a in enumerate(keys) for b in keys[i + 1 :]
    )
    if disagree:
        out.append(
            {
                "field": "date",
                "kept": describe_date(chosen.date, chosen.date_precision),
                "values": [{"value": describe_date(*k), "reports": ids} for k, ids in dates.items()],
            }
        )
    for field, kept, normalise in (
        ("mode", mode, lambda v: (v or "").strip().lower()),
        ("location", location, lambda v: identity.normalise_name(v or "")),
    ):
        values: dict[str, tuple[str, list[str]]] = {}
        for r in reports:
            raw = getattr(r, field)
            if raw and normalise(raw):
                values.setdefault(normalise(raw), (raw, []))[1].append(r.id)
        if len(values) > 1:
            out.append(
                {"field": field, "kept": kept, "values": [{"value": v, "reports": ids} for v, ids in values.values()]}
            )
    return out
