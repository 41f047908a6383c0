"""The Python API over the fused record.

    from communique.query import Record
    with Record("sqlite:///news.db") as record:
        record.timeline("CHN", "UKR", type="CONSULT")
        record.last_contact("CHN", "UKR", before=date(2022, 4, 4), level="minister")
        record.check_claims()
        record.search("peace talks")
        to_dataframe(record.timeline("CHN"))   # needs pandas, which communique does not install

Every method returns plain dicts (JSON-ready); `to_dataframe` turns a list of them into a pandas
DataFrame when pandas is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Self

from communique.query import claims as _claims
from communique.query import export as _export
from communique.query import record as _record
from communique.query import search as _search
from communique.store import Store


def to_dataframe(rows: list[dict]):
    """A pandas DataFrame of query results (pandas is optional: `pip install pandas`)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas, which communique does not install: pip install pandas") from None
    return pd.DataFrame(list(rows))


class Record:
    """Queries over a communique store (a `Store`, or a database URL / path that opens one)."""

    def __init__(self, store: Store | str | None = None):
        self._owned = not isinstance(store, Store)
        self.store = store if isinstance(store, Store) else Store.open(store)

    def close(self) -> None:
        if self._owned:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self):
        return self.store.engine.connect()

    def timeline(
        self,
        a: str,
        b: str | None = None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        offset: int = 0,
        before: date | str | None = None,
    ) -> list[dict]:
        """Fused events between `a` and `b` (country codes or actor names), or of `a`, in date order;
        `limit` keeps the latest N, `offset` / `before` (a date or an event id) page back in time."""
        with self._read() as conn:
            return _record.timeline(
                conn, a, b, type=type, since=since, until=until, limit=limit, offset=offset, before=before
            )

    def last_contact(
        self, a: str, b: str, before: date | None = None, level: str = "any", type: str = "CONSULT"
    ) -> dict | None:
        """The last CONSULT between two sides strictly before `before` (level: any, minister, leader)."""
        with self._read() as conn:
            return _record.last_contact(conn, a, b, before=before, level=level, type=type)

    def event(self, ident: str) -> dict | None:
        """One fused event with its reports, their merge reasons and the conflicts between them."""
        with self._read() as conn:
            return _record.event_detail(conn, ident)

    def check_claims(self, article: str | None = None) -> list[dict]:
        """Claims of novelty ("first ... since DATE") checked against the record."""
        with self._read() as conn:
            article_id = None
            if article:
                from communique.store.queries import article_ids

                ids = article_ids(conn, article)
                if len(ids) != 1:
                    return []
                article_id = ids[0]
            return _claims.check_claims(conn, article_id)

    def search(self, text: str, limit: int = 50) -> list[dict]:
        """Quotes and event evidence containing every word of `text`, best first."""
        with self._read() as conn:
            return _search.search(conn, text, limit=limit)

    def events(
        self,
        country: str | None = None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[dict]:
        """All fused events (or those matching the filters), streamed in date order."""
        with self._read() as conn:
            yield from _export.iter_events(conn, country=country, type=type, since=since, until=until)

    def export(
        self,
        fmt: str,
        out: IO | str,
        country: str | None = None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> int:
        """Write the (filtered) fused events in `fmt` (csv, jsonl, parquet, plover); the count written."""
        return _export.write(self.events(country=country, type=type, since=since, until=until), fmt, out)


__all__ = ["Record", "to_dataframe"]
