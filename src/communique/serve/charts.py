"""Geometry for the pages' inline SVG charts (the templates draw them): a dyad timeline (events by
date, one row per event type) and an actor's contacts as a small network."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from communique.dates import iso_date
from communique.serve import counting, labels

WIDTH = 960
LEFT = 190  # room for the type labels
RIGHT = 24
ROW = 34
TOP = 16
AXIS = 34


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


VAGUE = ("month", "year")  # drawn as a bar over the period; they do not set the axis
REPORTED = ("publication",)  # only the article's date is known: drawn hollow


def _period(day: date, precision: str | None) -> tuple[date, date]:
    """The days a date at `precision` may mean."""
    if precision == "week":
        return day, day + timedelta(days=6)
    if precision == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return day, following - timedelta(days=1)
    if precision == "year":
        return day, day.replace(month=12, day=31)
    return day, day


def _axis(dated: list[tuple[dict, date]]) -> tuple[date, date]:
    """The axis's first and last day: set by the events dated to a day or week (or only by their
    publication) when there are any, so that one year-only event does not stretch it over a year or
    more; padded a little either side."""
    exact = [(e, d) for e, d in dated if (e.get("date_precision") or "day") not in VAGUE] or dated
    lo = min(_period(d, e.get("date_precision"))[0] for e, d in exact)
    hi = max(_period(d, e.get("date_precision"))[1] for e, d in exact)
    pad = max(2, (hi - lo).days // 20)
    return lo - timedelta(days=pad), hi + timedelta(days=pad)


def _mark_title(event: dict, outlets: int, reports: int) -> str:
    who = ", ".join(labels.who(p) for p in event.get("participants") or [])
    when = labels.event_date(event.get("date"), event.get("date_precision"))
    if event.get("date_precision") in REPORTED:
        when += " (the day it was reported: the text gives no date)"
    return (f"{when}: {labels.event_type(event['type'])}. {who}. {reports} report{'s' if reports != 1 else ''} "
            f"from {outlets} outlet{'s' if outlets != 1 else ''}.")


def timeline_chart(events: list[dict]) -> dict | None:
    """Rows (one per event type), marks (one per event, linked) and axis ticks; None without dated
    events. A mark is a dot for a day (or week), a hollow dot for a date known only from the
    publication, a bar over the period for a month or year (cut at the axis's ends); its size grows
    with the distinct outlets that reported the event, not with its sentences."""
    dated = [(e, iso_date(e.get("date"))) for e in events]
    dated = [(e, d) for e, d in dated if d is not None]
    if not dated:
        return None
    types = sorted({e["type"] for e, _ in dated}, key=lambda t: list(labels.EVENT_TYPES).index(t) if t in labels.EVENT_TYPES else 99)
    lo, hi = _axis(dated)
    span = max(1, (hi - lo).days)
    inner = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        day = min(max(day, lo), hi)
        return round(LEFT + inner * (day - lo).days / span, 1)

    rows = [
        {"type": t, "label": labels.event_type(t), "y": TOP + i * ROW + ROW / 2, "colour": labels.type_colour(t)}
        for i, t in enumerate(types)
    ]
    row_y = {r["type"]: r["y"] for r in rows}
    crowd: dict[tuple, int] = defaultdict(int)
    dots = []
    for event, day in dated:
        precision = event.get("date_precision") or "day"
        first, last = _period(day, precision)
        key = (event["type"], round(x(first) / 8))
        nudge = crowd[key]
        crowd[key] += 1
        tally = counting.tally(event)
        shape = "span" if precision in VAGUE else "dot"
        x1, x2 = x(first), x(last)
        dots.append(
            {
                "id": event["id"],
                "shape": shape,
                "hollow": precision in REPORTED or shape == "span",
                "x": x1 if shape == "dot" else round((x1 + x2) / 2, 1),
                "x1": x1,
                "width": max(4.0, round(x2 - x1, 1)),
                "clipped": first < lo or last > hi,
                "precision": precision,
                "y": row_y[event["type"]] + (0, -8, 8)[nudge % 3],
                "r": min(11, 5 + 2 * (tally.outlets - 1)),
                "colour": labels.type_colour(event["type"]),
                "title": _mark_title(event, tally.outlets, tally.reports),
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
    # room either side for labels written outwards from the circle (a long name is never cut off)
    margin = max([0] + [6.5 * len(n.get("name") or "") - (size - n["label_x"] if n["anchor"] == "start" else n["label_x"])
                        for n in nodes if n["anchor"] != "middle"])
    margin = round(max(0.0, margin) + 8)
    view = f"{-margin} 0 {size + 2 * margin} {size}"
    return {"size": size, "centre": centre, "name": actor.get("name") or "", "nodes": nodes, "view": view}
