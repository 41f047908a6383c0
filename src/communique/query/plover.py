"""Fused events in the PLOVER data format and as POLECAT-style rows.

PLOVER (the manual's "Data Fields" chapter) names the fields of one event record, written one JSON
object per line: `id`, `date`, `actor` and `recipient` (lists of entity objects: `code` the country,
`sector`, `entity_text`, `identifier_id` / `identifier_text`, `office`), `event` (a list of
categories), `mode` and `context` (lists, or null), `quad_code`, `event_loc`, `event_text`,
`cite_info`, `coder`. The fields PLOVER leaves to providers carry communique's own details under
their own names (`date_precision`, `status`, `report_count`, `reports`). `plover_schema()` is the
JSON Schema of these records (`data/export/plover-event.schema.json`).

POLECAT, the PLOVER-coded data set, ships tab-separated files with named columns; `POLECAT_COLUMNS`
are those of its columns communique has a value for, under POLECAT's own names.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from communique import __version__
from communique.query.records import Event, Participant

CODER = f"communique {__version__}"


def _entity(p: Participant) -> dict:
    return {
        "code": p.country,
        "sector": p.sector,
        "entity_text": p.name,
        "identifier_id": p.id,
        "identifier_text": p.name if p.id else None,
        "office": p.title,
    }


def end_date(start: date | None, precision: str | None) -> date | None:
    """The last day of the period a coarse date stands for (PLOVER's `enddate`); None for a day."""
    if start is None:
        return None
    if precision == "week":
        return start + timedelta(days=6)
    if precision == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return start.replace(month=12, day=31)
    return None


def plover_record(event: Event) -> dict | None:
    """One fused event as a PLOVER record; None for an undated event (PLOVER requires a date)."""
    if event.date is None:
        return None
    main = event.reports[0] if event.reports else None
    end = end_date(event.date, event.date_precision)
    return {
        "id": event.id,
        "has_event": True,
        "date": event.date.isoformat(),
        "enddate": end.isoformat() if end else None,
        "actor": [_entity(p) for p in event.side("actor")],
        "recipient": [_entity(p) for p in event.side("recipient")],
        "event": [event.type],
        "mode": [event.mode] if event.mode else None,
        "context": [event.context] if event.context else None,
        "quad_code": event.quad_code,
        "event_loc": {"extracted_place": event.location} if event.location else None,
        "event_text": [r.evidence for r in event.reports if r.evidence] or ([event.evidence] if event.evidence else []),
        "cite_info": {
            "publication": main.publisher,
            "language": "en",
            "coder": CODER,
            "codebook": "plover",
        } if main else None,
        "coder": CODER,
        # provider fields (PLOVER: "feel free to include named fields beyond those provided here")
        "date_precision": event.date_precision,
        "status": event.status,
        "report_count": event.report_count,
        "reports": [
            {
                "id": r.id,
                "article_id": r.article_id,
                "publication": r.publisher,
                "published": r.published.isoformat() if r.published else None,
                "date": r.date,
                "evidence": r.evidence,
            }
            for r in event.reports
        ],
    }  # fmt: skip


@lru_cache(maxsize=1)
def plover_schema() -> dict:
    """The JSON Schema every `plover_record` satisfies."""
    path = resources.files("communique") / "data" / "export" / "plover-event.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


# POLECAT's column names, in its files' order, for the fields communique has.
POLECAT_COLUMNS = [
    "Event ID", "Event Date", "Event Type", "Event Mode", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Recipient Name", "Recipient Country", "Primary Recipient Sector", "Recipient Sectors", "Recipient Title",
    "Raw Placename", "Source", "Publication Date", "Language", "Version",
]  # fmt: skip


def _joined(values) -> str | None:
    kept = [str(v) for v in values if v]
    return "; ".join(dict.fromkeys(kept)) or None


def polecat_row(event: Event) -> dict | None:
    """One fused event as a POLECAT row (several actors joined with "; "); None for an undated event."""
    if event.date is None:
        return None
    acting, receiving = event.side("actor"), event.side("recipient")
    main = event.reports[0] if event.reports else None
    return {
        "Event ID": event.id,
        "Event Date": event.date.isoformat(),
        "Event Type": event.type,
        "Event Mode": event.mode,
        "Quad Code": event.quad_code,
        "Contexts": event.context,
        "Actor Name": _joined(p.name for p in acting),
        "Actor Country": _joined(p.country for p in acting),
        "Primary Actor Sector": acting[0].sector if acting else None,
        "Actor Sectors": _joined(p.sector for p in acting),
        "Actor Title": _joined(p.title for p in acting),
        "Recipient Name": _joined(p.name for p in receiving),
        "Recipient Country": _joined(p.country for p in receiving),
        "Primary Recipient Sector": receiving[0].sector if receiving else None,
        "Recipient Sectors": _joined(p.sector for p in receiving),
        "Recipient Title": _joined(p.title for p in receiving),
        "Raw Placename": event.location,
        "Source": _joined(r.publisher for r in event.reports),
        "Publication Date": main.published.isoformat() if main and main.published else None,
        "Language": "en",
        "Version": CODER,
    }


__all__ = ["CODER", "POLECAT_COLUMNS", "end_date", "plover_record", "plover_schema", "polecat_row"]
