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
from communique.readers.dates import parse_date
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
    article.published = parse_date(obj.get("published")) or article.published
    return article


def read_jsonl(lines: Iterable[bytes], name: str, max_bytes: int) -> Iterator[Article | Rejection]:
    """Articles from JSONL lines (bytes, as read); a line over `max_bytes` is rejected by itself."""
    noted = False  # one note about fields not read, for the whole file
    for number, raw in enumerate(lines, start=1):
        source = f"{name}:{number}"
        if len(raw) > max_bytes:
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
