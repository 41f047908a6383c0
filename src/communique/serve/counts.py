"""Counts over time: fused events per month and type, for a pair of countries (the store's
`dyad_month` view) or for the whole record, drawn as stacked bars (server-rendered SVG) with the
same numbers in a table behind it; and the record's totals for the start page."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import Connection, column, func, select, table

from communique.serve import labels
from communique.store.schema import articles, event_reports, events

DYAD_MONTH = table("dyad_month", column("country_a"), column("country_b"), column("type"), column("month"), column("events"))

WIDTH, LEFT, RIGHT, TOP, HEIGHT, AXIS = 960, 48, 16, 12, 220, 30


def dyad_months(conn: Connection, a: str, b: str) -> dict[str, Counter]:
    """{"YYYY-MM": Counter(type -> events)} between two countries (dated events only)."""
    rows = conn.execute(
        select(DYAD_MONTH.c.month, DYAD_MONTH.c.type, DYAD_MONTH.c.events).where(
            DYAD_MONTH.c.country_a == a, DYAD_MONTH.c.country_b == b
        )
    ).all()
    out: dict[str, Counter] = defaultdict(Counter)
    for month, type_, n in rows:
        out[str(month)][type_] += int(n)
    return out


def record_months(conn: Connection) -> dict[str, Counter]:
    """{"YYYY-MM": Counter(type -> events)} over the whole record (each event once)."""
    rows = conn.execute(
        select(events.c.date, events.c.type, func.count()).where(events.c.date.is_not(None)).group_by(events.c.date, events.c.type)
    ).all()
    out: dict[str, Counter] = defaultdict(Counter)
    for day, type_, n in rows:
        out[str(day)[:7]][type_] += int(n)
    return out


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    months = []
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def month_label(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y")


def chart(by_month: dict[str, Counter]) -> dict | None:
    """Stacked bars, one per month from the first to the last with events (empty months drawn as
    gaps), one colour per type; the table's rows; None without dated events."""
    if not by_month:
        return None
    months = _month_range(min(by_month), max(by_month))
    types = sorted({t for c in by_month.values() for t in c},
                   key=lambda t: list(labels.EVENT_TYPES).index(t) if t in labels.EVENT_TYPES else 99)
    top = max(sum(c.values()) for c in by_month.values())
    inner = WIDTH - LEFT - RIGHT
    step = inner / len(months)
    bars, rows = [], []
    for i, month in enumerate(months):
        counts = by_month.get(month, Counter())
        y = TOP + HEIGHT
        for t in types:
            n = counts.get(t, 0)
            if not n:
                continue
            h = HEIGHT * n / top
            y -= h
            bars.append({"x": round(LEFT + i * step + step * 0.1, 1), "y": round(y, 1), "w": round(max(1.0, step * 0.8), 1),
                         "h": round(h, 1), "colour": labels.type_colour(t),
                         "title": f"{month_label(month)}: {n} {labels.event_type(t).lower()} event{'s' if n != 1 else ''}"})
        rows.append({"month": month, "label": month_label(month), "counts": [counts.get(t, 0) for t in types],
                     "total": sum(counts.values())})
    every = max(1, len(months) // 10)
    ticks = [{"x": round(LEFT + (i + 0.5) * step, 1), "label": month_label(m)} for i, m in enumerate(months) if i % every == 0]
    scale = [{"y": round(TOP + HEIGHT - HEIGHT * v / top, 1), "label": v} for v in sorted({0, top // 2, top})]
    return {
        "width": WIDTH, "height": TOP + HEIGHT + AXIS, "left": LEFT, "right": WIDTH - RIGHT, "axis_y": TOP + HEIGHT,
        "bars": bars, "ticks": ticks, "scale": scale, "rows": rows,
        "types": [{"code": t, "label": labels.event_type(t), "colour": labels.type_colour(t),
                   "total": sum(c.get(t, 0) for c in by_month.values())} for t in types],
        "total": sum(sum(c.values()) for c in by_month.values()),
    }


def totals(conn: Connection) -> dict[str, int]:
    """The record in numbers: articles, outlets, events, reports, and the dated share of events."""
    def one(query) -> int:
        return int(conn.execute(query).scalar() or 0)

    return {
        "articles": one(select(func.count()).select_from(articles)),
        "outlets": one(select(func.count(func.distinct(articles.c.publisher)))),
        "events": one(select(func.count()).select_from(events)),
        "reports": one(select(func.count()).select_from(event_reports)),
        "dated_to_the_day": one(select(func.count()).select_from(events).where(events.c.date_precision == "day")),
        "undated": one(select(func.count()).select_from(events).where(events.c.date.is_(None))),
    }
