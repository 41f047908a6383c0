"""Geometry for the pages' inline SVG charts (the templates draw them): a dyad timeline (events by
date, one row per event type) and an actor's contacts as a small network."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from communique.serve import labels

WIDTH = 960
LEFT = 190  # room for the type labels
RIGHT = 24
ROW = 34
TOP = 16
AXIS = 34


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _ticks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Axis ticks: years for long spans, months for shorter ones, days for a few weeks."""
    span = (hi - lo).days
    out: list[tuple[date, str]] = []
    if span > 3 * 365:
        step = max(1, span // 365 // 8)
        for year in range(lo.year + 1, hi.year + 1, step):
            out.append((date(year, 1, 1), str(year)))
    elif span > 60:
        step = max(1, span // 30 // 8)
        month = date(lo.year, lo.month, 1)
        while month <= hi:
            if month >= lo:
                out.append((month, month.strftime("%b %Y")))
            total = month.month - 1 + step
            month = date(month.year + total // 12, total % 12 + 1, 1)
    else:
        step = max(1, span // 8)
        current = lo
        while current <= hi:
            out.append((current, f"{current.day} {current.strftime('%b')}"))
            current += timedelta(days=step)
    return out


def timeline_chart(events: list[dict]) -> dict | None:
    """Rows (one per event type), dots (one per event, linked) and axis ticks; None without dated events."""
    dated = [(e, _day(e.get("date"))) for e in events]
    dated = [(e, d) for e, d in dated if d is not None]
    if not dated:
        return None
    types = sorted({e["type"] for e, _ in dated}, key=lambda t: list(labels.EVENT_TYPES).index(t) if t in labels.EVENT_TYPES else 99)
    lo = min(d for _, d in dated)
    hi = max(d for _, d in dated)
    pad = max(2, (hi - lo).days // 20)
    lo, hi = lo - timedelta(days=pad), hi + timedelta(days=pad)
    span = max(1, (hi - lo).days)
    inner = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return round(LEFT + inner * (day - lo).days / span, 1)

    rows = [
        {"type": t, "label": labels.event_type(t), "y": TOP + i * ROW + ROW / 2, "colour": labels.type_colour(t)}
        for i, t in enumerate(types)
    ]
    row_y = {r["type"]: r["y"] for r in rows}
    crowd: dict[tuple, int] = defaultdict(int)
    dots = []
    for event, day in dated:
        key = (event["type"], round(x(day) / 8))
        nudge = crowd[key]
        crowd[key] += 1
        who = ", ".join(labels.who(p) for p in event.get("participants") or [])
        count = event.get("report_count") or len(event.get("reports") or [])
        dots.append(
            {
                "id": event["id"],
                "x": x(day),
                "y": row_y[event["type"]] + (0, -8, 8)[nudge % 3],
                "r": min(11, 5 + 2 * (count - 1)),
                "colour": labels.type_colour(event["type"]),
                "title": f"{labels.event_date(event.get('date'), event.get('date_precision'))}: "
                f"{labels.event_type(event['type'])}. {who}. {count} report{'s' if count != 1 else ''}.",
            }
        )
    height = TOP + len(rows) * ROW
    return {
        "width": WIDTH,
        "height": height + AXIS,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": height,
        "rows": rows,
        "dots": dots,
        "ticks": [{"x": x(d), "label": text} for d, text in _ticks(lo, hi)],
    }


def network_chart(actor: dict, contacts: list[dict], limit: int = 14) -> dict | None:
    """The actor in the middle, its contacts around it; a line's width grows with shared events."""
    contacts = contacts[:limit]
    if not contacts:
        return None
    size, centre, radius = 440, 220, 150
    top = max(c["events"] for c in contacts)
    nodes = []
    for i, c in enumerate(contacts):
        angle = 2 * math.pi * i / len(contacts) - math.pi / 2
        nx, ny = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        nodes.append(
            {
                **c,
                "x": round(nx, 1),
                "y": round(ny, 1),
                "width": round(1 + 5 * c["events"] / top, 1),
                "anchor": "start" if math.cos(angle) > 0.3 else ("end" if math.cos(angle) < -0.3 else "middle"),
                "label_x": round(centre + (radius + 14) * math.cos(angle), 1),
                "label_y": round(centre + (radius + 14) * math.sin(angle) + (4 if abs(math.cos(angle)) > 0.3 else (14 if math.sin(angle) > 0 else -8)), 1),
            }
        )
    return {"size": size, "centre": centre, "name": actor.get("name") or "", "nodes": nodes}
