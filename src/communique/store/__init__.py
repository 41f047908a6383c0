"""The store: a SQLite or PostgreSQL database of articles, actors, quotes and (fused) events.

`Store(url)` opens it, `migrate()` brings the schema up to date (Alembic, run programmatically),
`ingest()` adds extractions idempotently, and the query methods read it back as plain dicts.
"""

from communique.store.core import IngestReport, Store
from communique.store.errors import StoreOpenError

__all__ = ["IngestReport", "Store", "StoreOpenError"]
