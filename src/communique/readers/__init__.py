"""Readers: files, directories, globs and stdin in; cleaned English `Article`s (or `Rejection`s) out.

Formats are told apart by extension and by content: plain text (`.txt`, `.text`, no extension),
HTML (`.html`, `.htm`), JSONL (`.jsonl`, `.ndjson`), Parquet files of article rows (`.parquet`, the
columns of a JSONL line) and WARC/ARC archives (`.warc`, `.warc.gz`, `.arc`, `.arc.gz`). Each
reader yields raw articles with whatever metadata the input carries; here they are cleaned
(`communique.cleaning.clean`), dated (metadata, else a date line at the top of the page, else the
`published` argument, else None: never today) and checked to be English.

Bad items never stop a batch: each becomes one `Rejection(source, reason)` and the rest go on.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import BinaryIO

from communique.cleaning import clean
from communique.config import Settings
from communique.models import Article, Rejection
from communique.readers.html import read_html
from communique.readers.jsonl import Prefixed, bounded_lines, read_jsonl
from communique.readers.language import detect_language
from communique.readers.parquet import MAGIC as PARQUET_MAGIC
from communique.readers.parquet import read_parquet
from communique.readers.paths import expand_paths
from communique.readers.text import printable_name, read_text, repair_unencodable
from communique.readers.warc import read_warc

__all__ = ["load_articles", "load_jsonl", "detect_format", "expand_paths", "finish_article", "read_document"]

TEXT, HTML, JSONL, WARC, JSON_ARRAY, PARQUET = "text", "html", "jsonl", "warc", "json-array", "parquet"

_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.txt")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_TEXT_SUFFIXES = (".txt", ".text")
_PARQUET_SUFFIXES = (".parquet", ".parq")
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|article|div|p|section|main)\b",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 65536


# ---------------------------------------------------------------- format detection


def _strip_bom(head: bytes) -> bytes:
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def _is_gzipped_warc(head: bytes) -> bool:
    try:
        inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return False
    return inner.startswith((b"WARC/", b"filedesc://"))


def sniff(head: bytes) -> str | None:
    """The format the first bytes of an input show, or None when they show nothing special."""
    if head.startswith((b"WARC/", b"filedesc://")):
        return WARC
    if head.startswith(b"\x1f\x8b"):
        return WARC if _is_gzipped_warc(head) else None
    if head.startswith(PARQUET_MAGIC):
        return PARQUET
    body = _strip_bom(head)
    if _HTML_START.match(body[:4096]):
        return HTML
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        first_line, newline, _ = stripped.partition(b"\n")
        if not newline and len(head) >= _SNIFF_BYTES and re.match(rb'\{\s*"', first_line):
            return JSONL  # a first object longer than the bytes sniffed: the JSONL reader checks it
        try:
            if isinstance(json.loads(first_line), dict):
                return JSONL
        except (ValueError, RecursionError):
            pass
    if stripped.startswith(b"[") and stripped.rstrip().endswith((b"]", b"}")):
        try:
            if isinstance(json.loads(stripped), list):
                return JSON_ARRAY
        except (ValueError, RecursionError):
            pass
    return None


def detect_format(name: str, head: bytes) -> str:
    """The reader for an input, from its name and first bytes.

    Archive and JSONL extensions are trusted (their readers reject content that does not fit); an
    HTML extension is trusted; a text or unknown extension defers to what the content shows.
    """
    lower = name.lower()
    if lower.endswith(_WARC_SUFFIXES):
        return WARC
    if lower.endswith(_JSONL_SUFFIXES):
        return JSONL
    if lower.endswith(_PARQUET_SUFFIXES):
        return PARQUET
    if lower.endswith(_HTML_SUFFIXES):
        return HTML
    sniffed = sniff(head)
    if lower.endswith(_TEXT_SUFFIXES):
        # A .txt file that is really an HTML page or an archive is read as what it is; a text that
        # happens to open with "{" stays text.
        return sniffed if sniffed in (HTML, WARC) else TEXT
    return sniffed or TEXT


# ---------------------------------------------------------------- reading one input


def _too_large(size: int, limit: int) -> str:
    return f"file too large ({size} bytes > limit {limit})"


def _read_whole(fmt: str, data: bytes, source: str) -> Iterator[Article | Rejection]:
    if fmt == HTML:
        yield read_html(data, source)
    elif fmt == JSON_ARRAY:
        yield Rejection(source, "a JSON array is not supported: give one JSON object per line (JSONL)")
    else:
        yield read_text(data, source)


def read_document(data: bytes, source: str, url: str | None = None) -> Article | Rejection:
    """The raw article of one text or HTML document held in memory (`communique.extract`), told apart
    by content exactly as a file of unknown extension is."""
    if not data.strip():
        return Rejection(source, "empty input")
    fmt = detect_format("", data[:_SNIFF_BYTES])
    if fmt == HTML:
        return read_html(data, source, url=url)
    if fmt in (WARC, JSONL, JSON_ARRAY, PARQUET):
        return Rejection(source, f"a {fmt} document holds many articles: give one text or HTML page")
    item = read_text(data, source)
    if isinstance(item, Article) and url:
        item.url = url
    return item


def read_file(path: str, settings: Settings) -> Iterator[Article | Rejection]:
    """The raw (uncleaned) articles of one file."""
    try:
        if not os.path.isfile(path):
            broken = os.path.islink(path) and not os.path.exists(path)
            yield Rejection(path, "a broken link (its target cannot be reached)" if broken else "not a regular file")
            return
        size = os.stat(path).st_size
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            fmt = detect_format(path, head)
            handle.seek(0)
            if fmt == WARC:
                if sniff(head) != WARC:
                    yield Rejection(path, "not a WARC archive (no WARC record at the start)")
                    return
                yield from read_warc(handle, path, settings.max_bytes)
                return
            if fmt == JSONL:
                yield from read_jsonl(bounded_lines(handle, settings.max_bytes), path, settings.max_bytes)
                return
            if fmt == PARQUET:
                yield from read_parquet(path, settings.max_bytes)
                return
            if size > settings.max_bytes:
                yield Rejection(path, _too_large(size, settings.max_bytes))
                return
            data = handle.read(settings.max_bytes + 1)
    except PermissionError:
        yield Rejection(path, "cannot read (permission denied)")
        return
    except OSError as exc:
        yield Rejection(path, f"cannot read ({exc.strerror or type(exc).__name__})")
        return
    if len(data) > settings.max_bytes:  # the file grew since stat
        yield Rejection(path, _too_large(len(data), settings.max_bytes))
        return
    if not data.strip():
        yield Rejection(path, "empty file")
        return
    yield from _read_whole(fmt, data, path)


def read_stdin(settings: Settings, stream: BinaryIO | None = None) -> Iterator[Article | Rejection]:
    """The raw articles of standard input, its format sniffed from the content."""
    source = "-"
    if stream is None:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only stdin (as some test runners give)
            stream = io.BytesIO((sys.stdin.read() if sys.stdin else "").encode("utf-8"))
    head = stream.read(_SNIFF_BYTES) or b""
    fmt = detect_format("", head)
    if fmt == WARC:
        with tempfile.SpooledTemporaryFile(max_size=settings.max_bytes) as spool:
            spool.write(head)
            while chunk := stream.read(1 << 20):
                spool.write(chunk)
            spool.seek(0)
            yield from read_warc(spool, source, settings.max_bytes)
        return
    if fmt == JSONL:
        # line by line, as from a file: a line over the limit is skipped unread, however long
        yield from read_jsonl(bounded_lines(Prefixed(head, stream), settings.max_bytes), source, settings.max_bytes)
        return
    if fmt == PARQUET:
        yield Rejection(source, "Parquet cannot be read from standard input: give the file")
        return
    data = head + (stream.read(settings.max_bytes + 1 - len(head)) if len(head) <= settings.max_bytes else b"")
    if len(data) > settings.max_bytes:
        yield Rejection(source, f"input too large (over the limit of {settings.max_bytes} bytes)")
        return
    if not data.strip():
        yield Rejection(source, "empty input")
        return
    yield from _read_whole(fmt, data, source)


# ---------------------------------------------------------------- finishing


_REPAIRED_FIELDS = ("text", "headline", "byline", "publisher", "url", "external_id")


def repair_article(article: Article) -> Article:
    """Replace what cannot be encoded (lone surrogates, NUL) in the article's text and metadata with
    U+FFFD, and note the repair on the article. Every reader's output passes through here once."""
    repaired = 0
    for name in _REPAIRED_FIELDS:
        value = getattr(article, name)
        if isinstance(value, str):
            fixed, count = repair_unencodable(value)
            if count:
                setattr(article, name, fixed)
                repaired += count
    if repaired:
        plural = "s" if repaired > 1 else ""
        article.notes.append(
            f"replaced {repaired} character{plural} that cannot be encoded (lone surrogate or NUL) with U+FFFD"
        )
    return article


def finish_article(item: Article | Rejection, published: date | None = None) -> Article | Rejection:
    """Repair, clean and date an article and check that it is English."""
    if isinstance(item, Rejection):
        return item
    article = clean(repair_article(item))
    if article.published is None:
        article.published = published
    declared = (article.language or "").lower()
    if declared and not declared.startswith("en"):
        return Rejection(article.source, f"not English (declared: {article.language})")
    language = detect_language(article.body or article.text)
    if language is None:
        return Rejection(article.source, "no text to analyse (no letters)")
    if language != "en":
        return Rejection(article.source, f"not English (detected: {language})")
    article.language = "en"
    return article


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message[:200]}" if message else type(exc).__name__


def _guarded(items: Iterable[Article | Rejection], source: str) -> Iterator[Article | Rejection]:
    """Pass items through; an unexpected error ends this input with one Rejection, not the batch."""
    try:
        yield from items
    except Exception as exc:  # noqa: BLE001 - malformed input yields fewer results, never an exception
        yield Rejection(source, f"could not read ({_one_line(exc)})")


def _printable(item: Article | Rejection) -> Article | Rejection:
    """The item with its source (and reason) fit to print and store: a file name's bytes that are not
    UTF-8 shown as \\xNN."""
    if isinstance(item, Rejection):
        source, reason = printable_name(item.source), printable_name(item.reason)
        return item if (source, reason) == (item.source, item.reason) else Rejection(source, reason)
    item.source = printable_name(item.source)
    return item


def load_articles(
    paths: Sequence[str], settings: Settings | None = None, published: date | None = None
) -> Iterator[Article | Rejection]:
    """Cleaned English articles from files, directories, globs and "-" (stdin), in order, with one
    Rejection per input item that cannot be used. Raises nothing for bad data."""
    settings = settings or Settings()
    for path in expand_paths(paths):
        if isinstance(path, Rejection):
            yield _printable(path)
            continue
        raw = read_stdin(settings) if path == "-" else read_file(path, settings)
        for item in _guarded(raw, path):
            try:
                yield _printable(finish_article(item, published))
            except Exception as exc:  # noqa: BLE001
                source = item.source if isinstance(item, Article) else path
                yield _printable(Rejection(source, f"could not process ({_one_line(exc)})"))


def load_jsonl(
    lines: Iterable[bytes], name: str, settings: Settings | None = None, published: date | None = None
) -> Iterator[Article | Rejection]:
    """Cleaned English articles from JSONL lines held in memory (a POST body), exactly as the lines of
    a `.jsonl` file are read; sources are "NAME:LINE"."""
    settings = settings or Settings()
    for item in _guarded(read_jsonl(lines, name, settings.max_bytes), name):
        try:
            yield _printable(finish_article(item, published))
        except Exception as exc:  # noqa: BLE001
            yield _printable(Rejection(getattr(item, "source", name), f"could not process ({_one_line(exc)})"))
