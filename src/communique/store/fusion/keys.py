"""How placing a report finds the stored events it may join without reading a participant's whole
history: `fusion_keys` holds, for every fused event with a date window, one row per participant
and per participant country, with the event's type, status and window beside the key; one covering
index answers "the events of these keys, of this type and status, whose windows come near these
dates" (see `docs/scale.md` for the plans on a large store)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, select, union

from communique.store import identity
from communique.store.fusion.dates import LONG_PRECISIONS, MAX_WINDOW_DAYS, SHORT_WINDOW_DAYS
from communique.store.fusion.participants import Participant
from communique.store.schema import fusion_keys


def _key(kind: str, value: str) -> str:
    return identity.safe_row(fusion_keys, {"key": f"{kind}:{value}"})["key"]  # cut to the column: a superset


def participant_keys(participants: list[Participant]) -> set[str]:
    """The keys an event with these participants is found by: each global actor, each name the
    extractor could not resolve (as reported), and each participant's country."""
    keys = {_key("actor", p.actor_id) if p.actor_id else _key("name", p.name) for p in participants}
    return keys | {_key("country", p.country) for p in participants if p.country}


def has_long_window(precisions: list[str]) -> bool:
    """Whether an event whose reports give these precisions may have a window over SHORT_WINDOW_DAYS."""
    return any(p in LONG_PRECISIONS for p in precisions)


def key_rows(event_id: str, values: dict, participants: list[Participant], long_window: bool) -> list[dict]:
    """The `fusion_keys` rows of a fused event (`values`: its refreshed columns); none without a window."""
    if values["date_start"] is None or values["date_end"] is None:
        return []
    common = {
        "event_id": event_id,
        "type": values["type"],
        "status": values["status"],
        "long_window": long_window,
        "date_start": values["date_start"],
        "date_end": values["date_end"],
    }
    return [{"key": key, **common} for key in sorted(participant_keys(participants))]


def candidate_events(conn: Connection, report) -> set[str]:
    """Stored events that may hold a report `report` (a `clusters.ReportView`) could share an event
    with: same type and status, a participant or a participant's country in common, and a window near
    the report's (a superset: the caller tests each report). An event's window is the intersection
    of its reports' windows, so a report's window lies within a report's window length of it:
    SHORT_WINDOW_DAYS unless the event has a report dated to a month or a year (`long_window`),
    then MAX_WINDOW_DAYS. The lower bound on `date_start` follows from the window's length being at
    most that long; it is what keeps the index range to a few days (or two years) of the keys."""
    keys = sorted(participant_keys(report.participants))
    if not keys or report.window is None:
        return set()
    lo, hi = report.window
    params = {"keys": keys, "type": report.type, "status": report.status}
    for name, reach in (("short", SHORT_WINDOW_DAYS), ("long", MAX_WINDOW_DAYS)):
        params |= {f"{name}_first": _day(lo, -2 * reach), f"{name}_last": _day(hi, reach), f"{name}_end": _day(lo, -reach)}
    return set(conn.execute(_CANDIDATES, params).scalars())


def _near(name: str, long_window: bool):
    return select(fusion_keys.c.event_id).where(
        fusion_keys.c.key.in_(bindparam("keys", expanding=True)),
        fusion_keys.c.type == bindparam("type"),
        fusion_keys.c.status == bindparam("status"),
        fusion_keys.c.long_window == long_window,
        fusion_keys.c.date_start.between(bindparam(f"{name}_first"), bindparam(f"{name}_last")),
        fusion_keys.c.date_end >= bindparam(f"{name}_end"),
    )


# built once: a statement built per report costs more in SQLAlchemy than the look-up in the database
_CANDIDATES = union(_near("short", False), _near("long", True))


def _day(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max
