"""A fused event's row rebuilt from its reports: date, window, mode, location, conflicts, counts,
participants, dyads and the keys fusion finds it by (`keys`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Connection, bindparam, delete, insert, select, update

from communique.dates import iso_date
from communique.store import identity
from communique.store.fusion.dates import PRECISION_RANK, describe_date, overlap, refines, report_window
from communique.store.fusion.keys import has_long_window, key_rows
from communique.store.fusion.participants import Participant, build_participants, chunks, known_actors
from communique.store.schema import articles, event_dyads, event_participants, event_reports, events, fusion_keys

_NULL_JSON = JSON(none_as_null=True)  # no conflicts: SQL NULL, as a plain UPDATE writes it


def refresh_event(conn: Connection, event_id: str) -> None:
    """Recompute a fused event from all its reports (see `refresh_events`)."""
    refresh_events(conn, [event_id])


def refresh_events(conn: Connection, event_ids: list[str]) -> None:
    """Recompute fused events from all their reports: date (the most precise), window, mode,
    location, conflicts, counts, participants, dyad rows and fusion keys; an event left without reports is
    deleted. A few statements per 500 events, whatever their number."""
    for chunk in chunks(sorted(set(event_ids))):
        _refresh_chunk(conn, chunk)


def _refresh_chunk(conn: Connection, event_ids: list[str]) -> None:
    by_event: dict[str, list] = {}
    for r in conn.execute(
        select(event_reports, articles.c.published)
        .join(articles, articles.c.id == event_reports.c.article_id)
        .where(event_reports.c.event_id.in_(event_ids))
    ):
        by_event.setdefault(r.event_id, []).append(r)
    for reports in by_event.values():
        reports.sort(key=lambda r: (r.published is None, r.published or date.min, r.id))
    empty = [e for e in event_ids if e not in by_event]
    for table in (event_dyads, event_participants, fusion_keys):
        conn.execute(delete(table).where(table.c.event_id.in_(event_ids)))
    if empty:
        conn.execute(delete(events).where(events.c.id.in_(empty)))
    refs_by_event = {
        event_id: [
            (role, a)
            for r in reports
            for role, refs in (("actor", r.actors), ("recipient", r.recipients))
            for a in (refs or [])
            if isinstance(a, str)
        ]
        for event_id, reports in by_event.items()
    }
    known = known_actors(conn, [ref for refs in refs_by_event.values() for _, ref in refs])
    updates, participant_rows, dyads, keys = [], [], [], []
    for event_id, reports in by_event.items():
        values = _event_values(reports)
        updates.append({"b_id": event_id, **values})
        participants = build_participants(refs_by_event[event_id], known)
        positions = {"actor": 0, "recipient": 0}
        for p in participants:
            participant_rows.append(
                {
                    "event_id": event_id,
                    "role": p.role,
                    "position": positions[p.role],
                    "actor_id": p.actor_id,
                    "name": None if p.actor_id else p.name,
                }
            )
            positions[p.role] += 1
        dyads += dyad_rows(event_id, values["type"], values["date"], participants)
        keys += key_rows(event_id, values, participants, has_long_window([r.date_precision for r in reports]))
    if updates:
        columns = [c for c in updates[0] if c != "b_id"]
        statement = (
            update(events)
            .where(events.c.id == bindparam("b_id"))
            .values({c: bindparam(c, type_=_NULL_JSON if c == "conflicts" else events.c[c].type) for c in columns})
        )
        conn.execute(statement, [identity.safe_row(events, {c: u[c] for c in columns}) | {"b_id": u["b_id"]}
                                 for u in updates])
    if participant_rows:
        conn.execute(insert(event_participants), [identity.safe_row(event_participants, row) for row in participant_rows])
    if dyads:
        conn.execute(insert(event_dyads), dyads)
    if keys:
        conn.execute(insert(fusion_keys), keys)


def _event_values(reports: list) -> dict:
    """The fused event's columns from its reports (in publication order)."""

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
    return {
        "type": chosen.type,
        "mode": mode,
        "context": chosen.context or next((r.context for r in reports if r.context), None),
        "status": chosen.status,
        "date": iso_date(chosen.date, periods=True) if chosen.date else (window[1] if window else None),
        "date_precision": chosen.date_precision if (chosen.date or window is None) else "publication",
        "location": location,
        "first_seen": min(published) if published else None,
        "date_start": window[0] if window else None,
        "date_end": window[1] if window else None,
        "report_count": len(reports),
        "conflicts": conflicts or None,
    }


def events_with_actors(conn: Connection, actor_ids: list[str]) -> dict[str, str]:
    """The stored fused events these actors take part in: event id -> type."""
    out: dict[str, str] = {}
    for chunk in chunks(sorted(set(actor_ids))):
        rows = conn.execute(
            select(events.c.id, events.c.type)
            .join(event_participants, event_participants.c.event_id == events.c.id)
            .where(event_participants.c.actor_id.in_(chunk))
        )
        out.update({r.id: r.type for r in rows})
    return out


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
