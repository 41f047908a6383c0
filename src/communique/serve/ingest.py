"""POST /api/articles: articles sent over HTTP go through the one ingest path (`communique.intake`).

The body is one JSON article object or JSONL (one object per line, the `communique ingest` JSONL
format). Its lines are read from the request bytes, cleaned and checked exactly as a `.jsonl` file
given to `communique ingest` (a stored article's source is "api:<request>:<line>", never a server
path), analysed by the server's pipeline and stored by `intake.store_results`, as the CLI stores.
Everything is checked and analysed before anything is written: a bad line, an article the readers
reject (empty, not English) or one the pipeline cannot analyse refuses the whole request, so a
request is stored whole or not at all (each article is then its own transaction, as in the CLI).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

from communique.config import Settings
from communique.models import Rejection


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


# the longest value of each metadata field a posted article may hold (the text's limit is the body's)
FIELD_LIMITS = {"id": 512, "url": 4096, "publisher": 512, "headline": 2048, "byline": 1024, "published": 64,
                "language": 32}
MAX_ARTICLES = 1000  # articles in one request
MAX_WAITING = 64  # requests waiting to be written before more are answered 503


def _field_problems(obj: dict) -> list[str]:
    out = []
    for key, limit in FIELD_LIMITS.items():
        value = obj.get(key)
        if isinstance(value, str) and len(value) > limit:
            out.append(f"'{key}' is longer than {limit} characters")
    return out


def jsonl_lines(body: bytes) -> list[bytes]:
    """The request body as JSONL lines: one JSON object (pretty-printed or not) becomes one line.
    Lines are split at newlines only: U+2028 and the like may stand inside a JSON string."""
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
        if problems := _field_problems(whole):
            raise BadArticles(problems)
        # ASCII: a lone surrogate (\ud800) stays an escape here and is replaced with U+FFFD by the
        # readers, as in a .jsonl file
        return [json.dumps(whole).encode("ascii")]
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > MAX_ARTICLES:
        raise BadArticles([f"more than {MAX_ARTICLES} articles in one request: send them in several"])
    reasons = []
    for number, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reasons.append(f"line {number}: invalid JSON ({getattr(exc, 'msg', 'too deeply nested')})")
            continue
        if isinstance(obj, dict):
            reasons += [f"line {number}: {problem}" for problem in _field_problems(obj)]
    if reasons:
        raise BadArticles(reasons)
    return [line.encode("utf-8") for line in lines]


def request_name() -> str:
    """The source name of one request's articles ("api:20261207T224001Z-3f9a1c"); each article's
    source adds its line ("…:2")."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"api:{stamp}-{secrets.token_hex(3)}"


class Ingester:
    """Reads, analyses and stores posted articles. The pipeline (spaCy and the event model) is loaded
    on the first request and shared; requests are analysed one at a time."""

    def __init__(self, reader, settings: Settings | None = None, pipeline_factory: Callable | None = None):
        self.reader = reader
        self.settings = settings or Settings()
        self._factory = pipeline_factory
        self._pipeline = None
        self._lock = threading.Lock()
        # posted articles are analysed and written here, one request at a time: a request waiting
        # for its turn holds no thread of the server's pool (readers keep answering)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="communique-post")
        self._waiting = 0  # requests submitted and not finished (changed on the event loop only)

    def queue_full(self) -> bool:
        return self._waiting >= MAX_WAITING

    async def submit(self, body: bytes) -> IngestResult:
        """`ingest(body)` on the writer thread, awaited without holding a thread of the pool."""
        self._waiting += 1
        try:
            return await asyncio.wrap_future(self._writer.submit(self.ingest, body))
        finally:
            self._waiting -= 1

    def _get_pipeline(self):
        if self._pipeline is None:
            if self._factory is not None:
                self._pipeline = self._factory()
            else:
                from communique.pipeline import Pipeline

                self._pipeline = Pipeline(self.settings)
        return self._pipeline

    def ingest(self, body: bytes) -> IngestResult:
        from communique.intake import analyse, read_inputs, store_results

        lines = jsonl_lines(body)
        name = request_name()
        with self._lock:
            # everything is read and checked before the pipeline is loaded or anything is written
            items = list(read_inputs(lines, self.settings, name=name))
            rejected = [_reason(item, name) for item in items if isinstance(item, Rejection)]
            if rejected:
                raise BadArticles(rejected)
            results = list(analyse(items, self.settings, pipeline=self._get_pipeline(), name=name))
            rejected = [_reason(item, name) for item in results if isinstance(item, Rejection)]
            if rejected:
                raise BadArticles(rejected)
            summary = store_results(self.reader, results)
        return IngestResult(added=summary.added_ids, already_stored=summary.unchanged_ids, errors=summary.errors)


def _reason(item: Rejection, name: str) -> str:
    """'line N: reason' for a rejection of the request's line N."""
    source = str(item.source)
    if source.startswith(name):
        source = "line " + source[len(name) :].lstrip(":") if source != name else "the body"
    return f"{source}: {item.reason}"
