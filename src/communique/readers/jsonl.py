"""JSONL input: one article per line.

Each line is an object with `id`, `text` or `html`, and optionally `url`, `publisher`, `headline`
(or `title`), `byline` and `published` (YYYY-MM-DD or an ISO date-time). A bad line becomes a
Rejection naming "path:LINE" and the other lines go on. Fields of any other name are not read: the
first line that has one gets a note saying so, once per file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from communique.models import Article, Rejection
from communique.dates import iso_date
from communique.readers.html import read_html

_OPTIONAL_STRINGS = ("url", "publisher", "headline", "title", "byline", "published", "language")
FIELDS = ("id", "text", "html", *_OPTIONAL_STRINGS)


def line_article(obj: object, source: str) -> Article | Rejection:
    if not isinstance(obj, dict):
        return Rejection(source, "not a JSON object")
    raw_id = obj.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return Rejection(source, "'id' must be a string or a number")
    for key in _OPTIONAL_STRINGS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return Rejection(source, f"'{key}' must be a string")
    text, html = obj.get("text"), obj.get("html")
    if text is not None and not isinstance(text, str):
        return Rejection(source, "'text' must be a string")
    if html is not None and not isinstance(html, str):
        return Rejection(source, "'html' must be a string")
    if text is None and html is None:
        return Rejection(source, "neither 'text' nor 'html'")
    if text is not None:
        if not text.strip():
            return Rejection(source, "empty text")
        article = Article(text=text, source=source)
    else:
        got = read_html(html, source, url=obj.get("url"))
        if isinstance(got, Rejection):
            return got
        article = got
    article.external_id = str(raw_id) if raw_id is not None else None
    # The line's own fields are metadata and win over what was read from its HTML.
    article.url = obj.get("url") or article.url
    article.publisher = obj.get("publisher") or article.publisher
    article.headline = obj.get("headline") or obj.get("title") or article.headline
    article.byline = obj.get("byline") or article.byline
    article.published = iso_date(obj.get("published")) or article.published
    return article


class LineTooLong:
    """Stands for a line longer than the limit, which was skipped without being held: its size."""

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size


SKIP_CHUNK = 1 << 20  # bytes read at a time while skipping the rest of a line over the limit


def bounded_lines(stream, max_bytes: int) -> Iterator[bytes | LineTooLong]:
    """The lines of a binary stream (each with its newline), never holding more than `max_bytes` + 1
    bytes of one: a longer line is read past in chunks and given as its `LineTooLong` size."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while more := stream.readline(SKIP_CHUNK):
            size += len(more)
            if more.endswith(b"\n"):
                break
        yield LineTooLong(size)


class Prefixed:
    """A stream whose first bytes were already read (`head`): readline() gives them back first."""

    def __init__(self, head: bytes, stream):
        import io

        self.head, self.stream = io.BytesIO(head), stream

    def readline(self, size: int = -1) -> bytes:
        part = self.head.readline(size)
        if part.endswith(b"\n") or (size >= 0 and len(part) >= size):
            return part
        return part + self.stream.readline(size - len(part) if size >= 0 else -1)


def read_jsonl(lines: Iterable[bytes], name: str, max_bytes: int) -> Iterator[Article | Rejection]:
    """Articles from JSONL lines (bytes, as read); a line over `max_bytes` is rejected by itself."""
    noted = False  # one note about fields not read, for the whole file
    for number, raw in enumerate(lines, start=1):
        source = f"{name}:{number}"
        if isinstance(raw, LineTooLong) or len(raw) > max_bytes:
            yield Rejection(source, f"line too large ({len(raw)} bytes > limit {max_bytes})")
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield Rejection(source, "not UTF-8")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Rejection(source, f"invalid JSON ({getattr(exc, 'msg', 'too deeply nested')})")
            continue
        item = line_article(obj, source)
        if not noted and isinstance(item, Article) and isinstance(obj, dict):
            unknown = sorted(str(key) for key in obj if key not in FIELDS)
            if unknown:
                noted = True
                item.notes.append(
                    f"field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} not read (a line may have "
                    f"{', '.join(FIELDS)}); not noted again for this file"
                )
        yield item
