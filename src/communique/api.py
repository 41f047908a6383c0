"""The one-call Python API: `communique.extract(...)`, `communique.ingest(...)` and `communique.open(...)`.

    import communique
    result = communique.extract(open("article.html").read(), published="2022-04-05")
    result.events[0].type              # a typed Extraction, as `communique extract --json` prints it
    with communique.open("news.db") as record:
        record.timeline("CHN", "UKR").to_dataframe()

`extract` reads its input exactly as `communique extract` reads a file: the same HTML-or-text
decision, the same cleaning, date and language check (`readers.read_document`, `pipeline.prepare`).
"""

from __future__ import annotations

from datetime import date
from threading import Lock

from communique.config import Settings
from communique.models import Extraction
from communique.pipeline import NotAnalysed, Pipeline

_pipelines: dict[tuple, Pipeline] = {}
_lock = Lock()


def pipeline(settings: Settings | None = None) -> Pipeline:
    """The pipeline for these settings, loaded once per process (spaCy and the models take seconds)."""
    settings = settings or Settings()
    key = (settings.spacy_model, tuple(settings.kb_paths))
    with _lock:
        if key not in _pipelines:
            _pipelines[key] = Pipeline(settings)
        return _pipelines[key]


def _published(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"published={value!r} is not a date in YYYY-MM-DD form") from None


def _document_bytes(value, source: str, limit: int) -> bytes:
    """The document as UTF-8 bytes, checked as the command line checks a file: at most `limit` bytes."""
    if isinstance(value, str):
        if len(value) > limit:  # every character is at least one byte: refuse before encoding
            raise NotAnalysed(source, f"text too large ({len(value)} characters > limit {limit} bytes)")
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise NotAnalysed(
                source, f"the text holds a lone surrogate (U+{ord(value[exc.start]):04X} at character {exc.start}): "
                "it is not valid Unicode; decode the input with errors='replace'"
            ) from None
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
    else:
        raise TypeError(f"extract() takes the article as str or bytes, not {type(value).__name__}")
    if len(data) > limit:
        raise NotAnalysed(source, f"text too large ({len(data)} bytes > limit {limit})")
    return data


def extract(
    text_or_html: str | bytes,
    published: date | str | None = None,
    url: str | None = None,
    *,
    settings: Settings | None = None,
) -> Extraction:
    """Actors, quotes and events of one article given as plain text or an HTML page.

    `published` (a date or YYYY-MM-DD) is used when the page's own metadata has no date; `url` is
    kept on the article (and helps HTML extraction name the outlet). Raises `NotAnalysed` (a
    ValueError) with a one-line `reason` for an input the command line would reject: empty, not
    English, an HTML page with no article text, a text over the size limit (`Settings.max_bytes`, as
    the command line's), a str holding a lone surrogate. A value that is not text raises TypeError. Events are dated as the record dates them: an event
    the text does not date takes the publication date at precision "publication"."""
    from communique.readers import read_document

    day = _published(published)
    source = url or "<text>"
    settings = settings or Settings()
    data = _document_bytes(text_or_html, source, settings.max_bytes)
    article = read_document(data, source, url=url)
    if not hasattr(article, "text"):  # a Rejection
        raise NotAnalysed(article.source, article.reason)
    return next(pipeline(settings).extract([article], published=day)).with_record_dates()


def open(db: str | None = None, create: bool = False):  # noqa: A001  (communique.open, like sqlite3.connect: the package's verb)
    """A `Record` over a store: a SQLite path, a postgresql:// URL, or None for COMMUNIQUE_DB / the
    default file. Use it as a context manager, or call `close()`.

    A database that does not exist, or holds no communique record, raises `StoreOpenError` (a
    RuntimeError naming it) and nothing is created, unless `create=True` (an empty record)."""
    import os

    from communique.query import Record

    if db is not None and not isinstance(db, str):
        if not isinstance(db, os.PathLike):
            raise TypeError(f"open() takes a SQLite path or a postgresql:// URL as str, not {type(db).__name__}")
        db = os.fspath(db)
    return Record(db, create=create)


def ingest(
    paths_or_articles, db: str | None = None, *, published: date | str | None = None,
    settings: Settings | None = None, workers: int = 1, bulk: bool = False,
):
    """Read, analyse and store articles, as `communique ingest` does; an `IngestSummary` (stored,
    skipped, errors, one line per item) comes back.

    `paths_or_articles` is one path or article dict, or a list of them: files, directories, globs,
    or dicts in the JSONL article format (`{"text": ..., "published": ...}`, sourced "python:N").
    An item that cannot be read or analysed is one "rejected" line and the rest goes on. `db` is a
    SQLite path or postgresql:// URL (None: COMMUNIQUE_DB or the default file), created if needed."""
    import os

    from communique.intake import analyse, store_results
    from communique.store import Store

    if isinstance(paths_or_articles, str | os.PathLike | dict):
        paths_or_articles = [paths_or_articles]
    if db is not None and isinstance(db, os.PathLike):
        db = os.fspath(db)
    settings = settings or Settings()
    store = Store.open(db, create=True)
    try:
        return store_results(store, analyse(paths_or_articles, settings, _published(published), workers), bulk)
    finally:
        store.close()


__all__ = ["NotAnalysed", "extract", "ingest", "open", "pipeline"]
