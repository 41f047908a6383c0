"""WARC / WARC.gz (and ARC) input: the HTML or plain-text pages of an archive's response records.

Request, metadata, revisit and non-page records (images, scripts) are skipped without a word. An
archive that breaks off part way yields the pages read before the damage, then one Rejection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import BinaryIO

from communique.models import Article, Rejection
from communique.readers.html import read_html
from communique.readers.text import read_text

# warcio logs oddities of each record; a reader reports through Rejections instead.
logging.getLogger("warcio").setLevel(logging.ERROR)

_PAGE_RECORDS = ("response", "resource")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _content_type(record) -> tuple[str, str | None]:
    """The payload's media type and charset, from the HTTP headers (or the WARC header)."""
    value = None
    if record.http_headers is not None:
        value = record.http_headers.get_header("Content-Type")
    if not value and record.rec_type == "resource":
        value = record.rec_headers.get_header("Content-Type")
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip("\"' ") or None
    return parts[0].lower(), charset


def _status_ok(record) -> bool:
    if record.http_headers is None:
        return True
    code = record.http_headers.get_statuscode()
    return not code or str(code).startswith("2")


class _Truncated(Exception):
    """The archive ends inside a record."""


def _records(stream: BinaryIO, name: str, max_bytes: int, counter: list[int]) -> Iterator[Article | Rejection]:
    """Pages of the archive; counter[0] counts the records read whole. Raises on damage."""
    from warcio.archiveiterator import ArchiveIterator

    archive = ArchiveIterator(stream, arc2warc=True)
    end = 0
    for record in archive:
        index = counter[0] + 1
        if record.length is None:
            raise _Truncated  # a record header cut off before its Content-Length
        wanted = record.rec_type in _PAGE_RECORDS and _status_ok(record)
        media_type, charset = _content_type(record) if wanted else ("", None)
        is_html = media_type in _HTML_TYPES
        wanted = wanted and (is_html or media_type == "text/plain")
        payload = record.content_stream().read(max_bytes + 1) if wanted else b""
        too_large = len(payload) > max_bytes
        archive.read_to_end(record)
        if getattr(record.raw_stream, "limit", 0):
            raise _Truncated  # the record is shorter than its Content-Length says
        end = archive.get_record_offset() + archive.get_record_length()
        counter[0] = index
        if not wanted:
            continue
        source = f"{name}#record-{index}"
        if too_large:
            yield Rejection(source, f"record too large (over {max_bytes} bytes)")
            continue
        url = record.rec_headers.get_header("WARC-Target-URI") or None
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        item = read_html(payload, source, url=url, charset=charset) if is_html else read_text(payload, source)
        if isinstance(item, Article):
            item.url = item.url or url
            item.external_id = record_id or None
        yield item
    # A record header cut off at the end of the file ends the iteration without an error.
    try:
        stream.seek(end)
        rest = stream.read(4096)
    except (OSError, ValueError):
        rest = b""
    if rest.strip(b" \r\n\t\x00"):
        raise _Truncated


def read_warc(stream: BinaryIO, name: str, max_bytes: int) -> Iterator[Article | Rejection]:
    """Articles from a WARC/ARC archive (plain or gzipped); `stream` must be seekable."""
    counter = [0]
    try:
        yield from _records(stream, name, max_bytes, counter)
    except Exception as exc:  # noqa: BLE001 - a damaged archive ends the file, not the batch
        if counter[0] == 0 and not isinstance(exc, _Truncated):
            yield Rejection(name, f"not a readable WARC archive ({type(exc).__name__})")
        else:
            yield Rejection(name, f"truncated WARC after {counter[0]} records")
