"""HTML input: the main text and metadata of a web page, by trafilatura (and htmldate for the date).

Nothing here touches the network: both libraries get the HTML string, never a URL to fetch.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from urllib.parse import urlparse

from communique.cleaning import publisher_for_domain
from communique.models import Article, Rejection
from communique.dates import iso_date
from communique.readers.text import NotText, decode

# trafilatura and htmldate log every odd page at WARNING/ERROR; a reader reports through Rejections.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """HTML bytes as text: the HTTP charset, else a <meta charset>, else the plain-text decoder."""
    for name in (charset, _meta_charset(data)):
        if not name:
            continue
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return decode(data)


def _meta_charset(data: bytes) -> str | None:
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _extract(html: str, url: str | None):
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
    )


def _baseline_text(html: str) -> str:
    """trafilatura's simpler whole-page text, for pages its main extractor gives up on."""
    try:
        import trafilatura

        return trafilatura.baseline(html)[1] or ""
    except Exception:  # noqa: BLE001
        return ""


def has_prose(text: str) -> bool:
    """Whether a page's text holds at least one sentence-like line, not just menu words."""
    for line in text.splitlines():
        stripped = line.strip()
        if len(stripped.split()) >= 4 or stripped.endswith((".", "!", "?", "”", '"')):
            return True
    return False


def _find_date(html: str) -> date | None:
    try:
        from htmldate import find_date

        found = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate on a broken page: no date
        return None
    return iso_date(found)


def read_html(
    data: bytes | str, source: str, url: str | None = None, charset: str | None = None
) -> Article | Rejection:
    """An article from an HTML page: `text` is trafilatura's main text of the page."""
    if isinstance(data, bytes):
        try:
            html = decode_html(data, charset)
        except NotText as exc:
            return Rejection(source, str(exc))
    else:
        html = data
    if not html.strip():
        return Rejection(source, "empty file")
    try:
        doc = _extract(html, url)
    except Exception:  # noqa: BLE001 - trafilatura on malformed markup: treat as no text
        doc = None
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        text = _baseline_text(html)
    if not has_prose(text):
        return Rejection(source, "no article text found in HTML")
    url = url or getattr(doc, "url", None) or None
    published = iso_date(getattr(doc, "date", None)) or _find_date(html)
    host = urlparse(url).hostname if url else getattr(doc, "hostname", None)
    publisher = publisher_for_domain(host) or (getattr(doc, "sitename", None) or None)
    return Article(
        text=text,
        source=source,
        url=url,
        publisher=publisher,
        headline=(getattr(doc, "title", None) or None),
        byline=(getattr(doc, "author", None) or None),
        published=published,
    )
