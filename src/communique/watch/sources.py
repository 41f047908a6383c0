"""What a followed address lists: RSS and Atom feeds (feedparser), sitemaps and news sitemaps
(lxml), or a home page whose feeds are found from its `<link rel="alternate">` tags.

Nothing here touches the network: `read_listing` gets the bytes `Fetcher` brought back.
"""

from __future__ import annotations

import calendar
import gzip
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from communique.dates import iso_date
from communique.watch.urls import is_web_url

log = logging.getLogger(__name__)

FEED, SITEMAP, PAGE = "feed", "sitemap", "page"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
              "application/xml", "text/xml")
_ROOT = re.compile(rb"<(?!\?|!)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
GZIP_MAX_BYTES = 50 * 1024 * 1024  # a sitemap is at most 50 MB uncompressed (sitemaps.org)


@dataclass
class Listed:
    """One article address a listing gave, with the dates it gave for it."""

    url: str
    published: date | None = None
    modified: str | None = None  # as given (feed `updated`, sitemap `lastmod`): a change means an update


@dataclass
class Listing:
    kind: str | None
    items: list[Listed] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # feeds found on a page, sitemaps of an index
    error: str | None = None


def read_source_file(path: str) -> list[str]:
    """The addresses in a file, one a line; blank lines and `#` comments are skipped."""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _root_name(content: bytes) -> str | None:
    """The local name of the first element of an XML document."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    for match in _ROOT.finditer(head):
        name = match.group(2).decode("ascii", "ignore").lower()
        if name not in ("xml", "doctype"):
            return name
    return None


def read_listing(content: bytes, url: str, content_type: str = "", recent_days: float = 3.0) -> Listing:
    """The articles (or further sources) a feed, sitemap or home page lists."""
    if content[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as handle:
                content = handle.read(GZIP_MAX_BYTES + 1)
        except (OSError, EOFError):
            return Listing(None, error="not a readable gzip file")
        if len(content) > GZIP_MAX_BYTES:
            return Listing(None, error="a gzipped sitemap over 50 MB uncompressed")
    if not content.strip():
        return Listing(None, error="empty")
    if _HTML.match(content[:4096]) or content_type in ("text/html", "application/xhtml+xml"):
        return _read_page(content, url)
    root = _root_name(content)
    if root in ("urlset", "sitemapindex"):
        return _read_sitemap(content, url, recent_days)
    if root in ("rss", "feed", "rdf", "channel") or content.lstrip()[:1] == b"{":
        return _read_feed(content, url)
    return Listing(None, error="neither a feed, a sitemap nor an HTML page")


# ---------------------------------------------------------------- feeds


def _entry_date(entry) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC).date()
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_link(entry, base: str) -> str | None:
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link and is_web_url(str(entry.get("id") or "")):
        link = entry["id"]  # Atom entries whose id is their address
    if not link:
        return None
    absolute = urljoin(base, str(link).strip())
    return absolute if is_web_url(absolute) else None


def _read_feed(content: bytes, url: str) -> Listing:
    import feedparser

    # a stream, never a string: feedparser would take a string for a URL or a file name
    parsed = feedparser.parse(
        io.BytesIO(content), response_headers={"content-location": url, "content-type": "application/xml"}
    )
    if parsed.get("bozo") and not parsed.entries and not parsed.get("version"):  # an empty feed is no error
        reason = type(parsed.get("bozo_exception")).__name__
        return Listing(FEED, error=f"not a readable feed ({reason})")
    items = []
    for entry in parsed.entries:
        link = _entry_link(entry, url)
        if link:
            # `in keys()`: asking for "updated" directly gives "published" when there is none
            updated = entry["updated"] if "updated" in entry.keys() else None
            items.append(Listed(link, _entry_date(entry), updated or None))
    return Listing(FEED, items)


# ---------------------------------------------------------------- sitemaps


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _read_sitemap(content: bytes, url: str, recent_days: float) -> Listing:
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        return Listing(SITEMAP, error=f"not a readable sitemap ({' '.join(str(exc).split())[:120]})")
    if root is None:
        return Listing(SITEMAP, error="not a readable sitemap")
    oldest = (datetime.now(UTC) - timedelta(days=recent_days)).date()
    listing = Listing(SITEMAP)
    index = _local(root.tag) == "sitemapindex"
    for node in root:
        fields: dict[str, str] = {}
        for child in node.iter():
            name = _local(child.tag)
            if name in ("loc", "lastmod", "publication_date") and child.text and name not in fields:
                fields[name] = child.text.strip()
        loc = urljoin(url, fields.get("loc", ""))
        if not fields.get("loc") or not is_web_url(loc):
            continue
        published = iso_date(fields.get("publication_date"))
        modified = fields.get("lastmod")
        day = published or iso_date(modified)
        if day is not None and day < oldest:
            continue  # the archive: a watch follows what is new
        if index:
            listing.sources.append(loc)
        else:
            listing.items.append(Listed(loc, published, modified))
    return listing


# ---------------------------------------------------------------- home pages


def _read_page(content: bytes, url: str) -> Listing:
    from lxml import html as lxml_html

    try:
        document = lxml_html.fromstring(content[:2_000_000])
    except (ValueError, TypeError) as exc:  # lxml on an empty or odd document
        return Listing(PAGE, error=f"not a readable page ({type(exc).__name__})")
    base = url
    for element in document.iter("base"):
        if element.get("href"):
            base = urljoin(url, element.get("href"))
            break
    feeds: list[str] = []
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base, href)
            if is_web_url(absolute) and absolute not in feeds:
                feeds.append(absolute)
    return Listing(PAGE, sources=feeds, error=None if feeds else "no feed linked from the page")
