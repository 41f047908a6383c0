"""Exporting fused events: CSV, JSON lines, Parquet (needs pyarrow: `pip install communique[parquet]`)
and PLOVER/POLECAT-style JSON lines.

Events are streamed: ids come from a server-side cursor (`stream_results`, `yield_per`) in
batches, and each batch is read and written before the next, so memory stays flat on any store.

`write_file` never harms what is already on disk: it refuses to write onto the database being
read (or any of its files, through symlinks and hard links too), refuses to replace an existing
file or symlink unless forced, and writes to a temporary file in the target's folder that is
renamed into place only once complete, so a failure (a full disk) leaves no partial file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import date
from pathlib import Path
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
    exit_code = 2


class ExportError(RuntimeError):
    """An export that cannot or must not be written; the message starts with the target path."""

    def __init__(self, message: str, usage: bool = False):
        super().__init__(message)
        self.exit_code = 2 if usage else 1


def store_files(store) -> list[Path]:
    """The files a store lives in (a SQLite database and its journal files); none for PostgreSQL."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return []
    db = Path(url.database).expanduser()
    return [db] + [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def check_target(path: str | Path, force: bool = False, protect: Iterable[Path] = ()) -> Path:
    """The target of an export, once it is known to be safe to write; ExportError otherwise."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{path} is a directory: name a file, e.g. {target / 'events.jsonl'}", usage=True)
    if any(_same_file(target, p) for p in protect):
        raise ExportError(f"{path} is the database being exported: choose another file", usage=True)
    if target.exists() and not target.is_symlink() and not target.is_file():
        raise ExportError(f"{path} is not a regular file (a device or a pipe): name a file", usage=True)
    if (target.exists() or target.is_symlink()) and not force:
        raise ExportError(f"{path} already exists: add --force to replace it", usage=True)
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(
    records: Iterator[dict], fmt: str, path: str | Path, force: bool = False, protect: Iterable[Path] = ()
) -> int:
    """Write records in `fmt` to the file `path` safely (see the module's docstring); the count written."""
    target = check_target(path, force, protect)
    folder = target.parent
    try:
        handle_fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"{path} cannot be written: {exc.strerror or exc} ({folder}): choose another place") from exc
    try:
        if fmt == "parquet":
            os.close(handle_fd)
            n = write(records, fmt, tmp)
        else:
            with os.fdopen(handle_fd, "w", encoding="utf-8", newline="") as handle:
                n = write(records, fmt, handle)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; an export is an ordinary file
        os.replace(tmp, target)  # replaces a symlink itself, never the file it points to
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            if exc.errno == errno.ENOSPC:
                raise ExportError(f"{path} was not written: no space left on the device; nothing was kept") from exc
            raise ExportError(f"{path} was not written: {exc.strerror or exc}; nothing was kept") from exc
        raise
    return n


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
