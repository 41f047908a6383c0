"""POST /api/articles: articles sent over HTTP go through the command line's ingest path.

The body is one JSON article object or JSONL (one object per line, the `communique ingest` JSONL
format). It is read, cleaned and checked exactly as a `.jsonl` file given to `communique ingest`
(`communique.readers.load_articles`), analysed by the same pipeline and stored by `Store.ingest`.
Everything is checked and analysed before anything is written: a bad line, an article the readers
reject (empty, not English) or one the pipeline cannot analyse refuses the whole request, so a
request is stored whole or not at all (each article is then its own transaction, as in the CLI).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from communique.config import Settings
from communique.models import Extraction, Rejection


class BadArticles(ValueError):
    """The request cannot be ingested; `reasons` are one line each (shown with a 422)."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    already_stored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def jsonl_lines(body: bytes) -> list[bytes]:
    """The request body as JSONL lines: one JSON object (pretty-printed or not) becomes one line."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadArticles([f"the body is not UTF-8 (byte {exc.start})"]) from None
    if not text.strip():
        raise BadArticles(["the body is empty: send one JSON article object, or JSONL (one object per line)"])
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):
        whole = None
    else:
        if isinstance(whole, list):
            raise BadArticles(["a JSON array is not accepted: send one JSON object, or JSONL (one object per line)"])
        if not isinstance(whole, dict):
            raise BadArticles(["the body is JSON but not an object: send an object with 'text' or 'html'"])
        return [json.dumps(whole, ensure_ascii=False).encode("utf-8")]
    lines = [line for line in text.splitlines() if line.strip()]
    reasons = []
    for number, line in enumerate(lines, start=1):
        try:
            json.loads(line)
        except (ValueError, RecursionError) as exc:
            reasons.append(f"line {number}: invalid JSON ({getattr(exc, 'msg', 'too deeply nested')})")
    if reasons:
        raise BadArticles(reasons)
    return [line.encode("utf-8") for line in lines]


class Ingester:
    """Reads, analyses and stores posted articles. The pipeline (spaCy and the event model) is loaded
    on the first request and shared; requests are analysed one at a time."""

    def __init__(self, reader, settings: Settings | None = None, pipeline_factory: Callable | None = None):
        self.reader = reader
        self.settings = settings or Settings()
        self._factory = pipeline_factory
        self._pipeline = None
        self._lock = threading.Lock()

    def _get_pipeline(self):
        if self._pipeline is None:
            if self._factory is not None:
                self._pipeline = self._factory()
            else:
                from communique.pipeline import Pipeline

                self._pipeline = Pipeline(self.settings)
        return self._pipeline

    def ingest(self, body: bytes) -> IngestResult:
        lines = jsonl_lines(body)
        from communique.readers import load_articles

        with self._lock, tempfile.TemporaryDirectory(prefix="communique-post-") as folder:
            path = os.path.join(folder, "request.jsonl")
            with open(path, "wb") as handle:
                handle.write(b"\n".join(lines) + b"\n")
            items = list(load_articles([path], self.settings))
            rejected = [_reason(item, folder) for item in items if isinstance(item, Rejection)]
            if rejected:
                raise BadArticles(rejected)
            extractions = []
            for item in self._get_pipeline().process(items):
                if isinstance(item, Rejection):
                    rejected.append(_reason(item, folder))
                else:
                    extractions.append(item)
            if rejected:
                raise BadArticles(rejected)
            return self._store(extractions)

    def _store(self, extractions: list[Extraction]) -> IngestResult:
        from communique.store.ingest import ADDED, UNCHANGED, stored_article_id

        result = IngestResult()

        def record(item, outcome) -> None:
            ident = stored_article_id(item) if isinstance(item, Extraction) else None
            if outcome == ADDED:
                result.added.append(ident or "")
            elif outcome == UNCHANGED:
                result.already_stored.append(ident or "")

        report = self.reader.ingest(extractions, on_item=record)
        result.errors = list(report.errors)
        return result


def _reason(item: Rejection, folder: str) -> str:
    """'line N: reason' for a rejection of the temporary file's line N."""
    source = str(item.source)
    prefix = os.path.join(folder, "request.jsonl")
    if source.startswith(prefix):
        source = "line " + source[len(prefix) :].lstrip(":") if source != prefix else "the body"
    return f"{source}: {item.reason}"
