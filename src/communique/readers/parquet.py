"""Parquet input: one article per row, read a row group at a time (needs pyarrow, the `parquet` extra).

The columns are those of a JSONL line (`readers.jsonl`): `text` or `html`, and optionally `id`,
`url`, `publisher`, `headline`, `byline`, `published` (a string, a date or a timestamp) and
`language`; other columns are left alone. A bad row becomes a Rejection naming "path:ROW" (rows
counted from 1) and the other rows go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from communique.models import Article, Rejection
from communique.readers.jsonl import line_article

COLUMNS = ("id", "text", "html", "url", "publisher", "headline", "byline", "published", "language")
ROWS_PER_BATCH = 256
MAGIC = b"PAR1"


def _row_size(row: dict) -> int:
    return sum(len(row[k].encode("utf-8", "surrogatepass")) for k in ("text", "html") if isinstance(row.get(k), str))


def read_parquet(path: str, max_bytes: int) -> Iterator[Article | Rejection]:
    """Articles from the rows of a Parquet file; a row whose text is over `max_bytes` is rejected by itself."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield Rejection(path, "reading Parquet needs pyarrow: pip install 'communique[parquet]'")
        return
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
        yield Rejection(path, f"not a readable Parquet file ({' '.join(str(exc).split())[:160]})")
        return
    names = set(parquet.schema_arrow.names)
    if not names & {"text", "html"}:
        yield Rejection(path, "a Parquet file of articles needs a 'text' or an 'html' column")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=ROWS_PER_BATCH, columns=[c for c in COLUMNS if c in names]):
        for row in batch.to_pylist():
            number += 1
            source = f"{path}:{number}"
            size = _row_size(row)
            if size > max_bytes:
                yield Rejection(source, f"row too large ({size} bytes > limit {max_bytes})")
                continue
            if isinstance(row.get("published"), date):  # a date or timestamp column: as the JSONL string
                row["published"] = row["published"].isoformat()
            yield line_article(row, source)
