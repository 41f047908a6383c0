"""Exporting the record: events, quotes and actors as CSV, JSON lines or Parquet with real types, and
events in the PLOVER data format or as a POLECAT-style TSV (`communique.query.plover`).

Every format but PLOVER writes one flat row per record (`records.Event.flat()` and its kin, whose
`FLAT_TYPES` names each column's type): Parquet keeps the types (dates as date32, lists as lists of
strings, counts as int64, flags as bool); JSON lines write dates as ISO text and lists as arrays;
CSV writes dates as ISO text and lists as JSON arrays in their cell (`read_csv(...,
converters={"actors": json.loads})` reads them back as lists). Parquet needs pyarrow (`pip install
'communique[parquet]'`).

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
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Select, select

from communique.query.plover import POLECAT_COLUMNS, plover_record, polecat_row
from communique.query.record import event_records
from communique.query.records import Actor, Event, Quote
from communique.store.filters import type_and_dates
from communique.store.schema import event_dyads, events

FORMATS = ("csv", "jsonl", "parquet", "plover", "polecat")
EVENT_ONLY_FORMATS = ("plover", "polecat")
KINDS = {"events": Event, "quotes": Quote, "actors": Actor}
BATCH = 1000

FLAT_COLUMNS = list(Event.FLAT_TYPES)  # the columns of an events export (csv, jsonl, parquet)


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
    records: Iterable,
    fmt: str,
    path: str | Path,
    force: bool = False,
    protect: Iterable[Path] = (),
    kind: str = "events",
    left_out: Counter | None = None,
) -> int:
    """Write records in `fmt` to the file `path` safely (see the module's docstring); the count
    written. `left_out` counts what the format cannot hold (see `write`)."""
    target = check_target(path, force, protect)
    folder = target.parent
    try:
        handle_fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"{path} cannot be written: {exc.strerror or exc} ({folder}): choose another place") from exc
    try:
        if fmt == "parquet":
            os.close(handle_fd)
            n = write(records, fmt, tmp, kind=kind, left_out=left_out)
        else:
            with os.fdopen(handle_fd, "w", encoding="utf-8", newline="") as handle:
                n = write(records, fmt, handle, kind=kind, left_out=left_out)
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


def iter_event_records(conn: Connection, ids: Select, batch: int = BATCH) -> Iterator[dict]:
    """The fused event records (the timeline shape) of the ids `ids` selects, in its order, read
    `batch` at a time from a server-side cursor."""
    # a second connection reads the details, so the streaming cursor is never interrupted
    with conn.engine.connect() as details:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(ids)
        for partition in result.partitions(batch):
            yield from event_records(details, [r[0] for r in partition])


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
    yield from iter_event_records(conn, type_and_dates(query, type, since, until), batch)


def _typed(record, kind: str):
    """A record of `kind` from a typed record or its dict (the shape `Record` and the store return)."""
    cls = KINDS[kind]
    return record if isinstance(record, cls) else cls.from_dict(record)


def _text_cell(value):
    """A flat value as CSV text: lists as JSON arrays, dates as ISO, None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def write(records: Iterable, fmt: str, out: IO | str, kind: str = "events", left_out: Counter | None = None) -> int:
    """Write records of `kind` (events, quotes, actors; typed or as dicts) in `fmt` to a text stream
    (a path for parquet); the count written. PLOVER and POLECAT leave undated events out (both
    require a date): each is counted in `left_out["undated"]` when a Counter is given."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    if fmt in EVENT_ONLY_FORMATS and kind != "events":
        raise ValueError(f"{fmt} holds events only: export {kind} as csv, jsonl or parquet")
    typed = (_typed(r, kind) for r in records)
    if fmt == "parquet":
        return _write_parquet(typed, out, KINDS[kind])
    n = 0
    if fmt == "polecat":
        writer = csv.DictWriter(out, fieldnames=POLECAT_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for event in typed:
            row = polecat_row(event)
            if row is not None:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
                n += 1
            elif left_out is not None:
                left_out["undated"] += 1
        return n
    if fmt == "plover":
        for event in typed:
            row = plover_record(event)
            if row is not None:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
            elif left_out is not None:
                left_out["undated"] += 1
        return n
    columns = list(KINDS[kind].FLAT_TYPES)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for record in typed:
            writer.writerow({k: _text_cell(v) for k, v in record.flat().items()})
            n += 1
        return n
    for record in typed:
        out.write(json.dumps({k: _json_value(v) for k, v in record.flat().items()}, ensure_ascii=False) + "\n")
        n += 1
    return n


def arrow_schema(cls):
    """The Arrow schema of a kind's flat rows (`FLAT_TYPES`)."""
    import pyarrow as pa

    types = {
        "string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
        "date": pa.date32(), "list": pa.list_(pa.string()), "json": pa.string(),
    }  # fmt: skip
    return pa.schema([(column, types[name]) for column, name in cls.FLAT_TYPES.items()])


def _write_parquet(records: Iterator, path, cls) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependency("parquet export needs pyarrow: pip install 'communique[parquet]'") from None
    if isinstance(path, io.IOBase) or not isinstance(path, str | Path):
        raise ValueError("parquet export needs a file path (--out FILE)")
    schema = arrow_schema(cls)
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict] = []
        for record in records:
            batch.append(record.flat())
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n
