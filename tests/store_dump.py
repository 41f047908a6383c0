"""Every stored row of a store, for comparing two stores built different ways."""

from __future__ import annotations

from sqlalchemy import select

from communique.store.schema import metadata

SKIPPED = ("ingested_at", "at")  # when a row was written


def dump(engine) -> dict[str, list[tuple]]:
    """Rows per table as sorted tuples of strings, without times of writing or autoincrement ids."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [
                c for c in table.columns
                if c.name not in SKIPPED and not (c.primary_key and c.autoincrement is True)
            ]
            out[table.name] = sorted(tuple(str(v) for v in row) for row in conn.execute(select(*columns)))
    return out
