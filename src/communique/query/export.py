"""Exporting fused events: CSV, JSON lines, Parquet (needs pyarrow: `pip install communique[parquet]`)
and PLOVER/POLECAT-style JSON lines.

Events are streamed: ids come from a server-side cursor (`stream_results`, `yield_per`) in
batches, and each batch is read and written before the next, so memory stays flat on any store.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import IO

from sqlalchemy import Connection, select

from communique.query.record import event_records
from communique.store.schema import event_dyads, events

FORMATS = ("csv", "jsonl", "parquet", "plover")
BATCH = 1000

FLAT_COLUMNS = [
    "event_id",
    "type",
    "mode",
    "status",
    "date",
    "date_precision",
    "location",
    "actors",
    "actor_countries",
    "recipients",
    "recipient_countries",
    "report_count",
    "first_seen",
    "evidence",
    "article_ids",
    "publishers",
    "conflicts",
]


class MissingDependency(RuntimeError):
    pass


def iter_events(
    conn: Connection,
    country: str | None = None,
    type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    batch: int = BATCH,
) -> Iterator[dict]:
    """Fused event records (the timeline shape) in date order, undated last, streamed in batches."""
    query = select(events.c.id).order_by(events.c.date.asc().nulls_last(), events.c.id)
    if country:
        query = query.where(
            events.c.id.in_(select(event_dyads.c.event_id).where(event_dyads.c.country_a == country.strip().upper()))
        )
    if type:
        query = query.where(events.c.type == type.strip().upper())
    if since:
        query = query.where(events.c.date >= since)
    if until:
        query = query.where(events.c.date <= until)
    # a second connection reads the details, so the streaming cursor is never interrupted
    with conn.engine.connect() as details:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for partition in result.partitions(batch):
            yield from event_records(details, [r.id for r in partition])


def _side(event: dict, role: str) -> list[dict]:
    return [p for p in event["participants"] if p.get("role") == role]


def _join(values) -> str:
    return "; ".join(str(v) for v in dict.fromkeys(v for v in values if v))


def flat(event: dict) -> dict:
    """One fused event as one flat row (lists joined with '; ')."""
    acting, receiving = _side(event, "actor"), _side(event, "recipient")
    return {
        "event_id": event["id"],
        "type": event["type"],
        "mode": event["mode"],
        "status": event["status"],
        "date": event["date"],
        "date_precision": event["date_precision"],
        "location": event["location"],
        "actors": _join(p["name"] for p in acting),
        "actor_countries": _join(p.get("country") for p in acting),
        "recipients": _join(p["name"] for p in receiving),
        "recipient_countries": _join(p.get("country") for p in receiving),
        "report_count": event["report_count"],
        "first_seen": event["first_seen"],
        "evidence": event["evidence"],
        "article_ids": _join(r["article_id"] for r in event["reports"]),
        "publishers": _join(r["publisher"] for r in event["reports"]),
        "conflicts": json.dumps(event["conflicts"], ensure_ascii=False) if event["conflicts"] else "",
    }


def plover(event: dict) -> dict:
    """A PLOVER/POLECAT-style record: event, actor and recipient with country and sector codes,
    the source sentences and who published them."""
    acting, receiving = _side(event, "actor"), _side(event, "recipient")
    return {
        "event_id": event["id"],
        "event_type": event["type"],
        "mode": event["mode"],
        "context": event["context"],
        "status": event["status"],
        "event_date": event["date"],
        "date_precision": event["date_precision"],
        "actor": _join(p["name"] for p in acting) or None,
        "actor_country": _join(p.get("country") for p in acting) or None,
        "actor_sector": _join(p.get("sector") for p in acting) or None,
        "recipient": _join(p["name"] for p in receiving) or None,
        "recipient_country": _join(p.get("country") for p in receiving) or None,
        "recipient_sector": _join(p.get("sector") for p in receiving) or None,
        "location": event["location"],
        "source_sentences": [r["evidence"] for r in event["reports"]],
        "publishers": list(dict.fromkeys(r["publisher"] for r in event["reports"] if r["publisher"])),
        "article_ids": list(dict.fromkeys(r["article_id"] for r in event["reports"])),
        "report_count": event["report_count"],
        "first_seen": event["first_seen"],
    }


def write(records: Iterator[dict], fmt: str, out: IO | str) -> int:
    """Write fused event records in `fmt` to a text stream (a path for parquet); the count written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        return _write_parquet(records, out)
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS)
        writer.writeheader()
        for event in records:
            writer.writerow(flat(event))
            n += 1
        return n
    shape = plover if fmt == "plover" else (lambda e: e)
    for event in records:
        out.write(json.dumps(shape(event), ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def _write_parquet(records: Iterator[dict], path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependency(
            "parquet export needs pyarrow: pip install 'communique[parquet]'"
        ) from None
    if isinstance(path, io.IOBase) or not isinstance(path, str):
        raise ValueError("parquet export needs a file path (--out FILE)")
    schema = pa.schema(
        [(c, pa.int64() if c == "report_count" else pa.string()) for c in FLAT_COLUMNS]
    )
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict] = []
        for event in records:
            batch.append(flat(event))
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n
