"""A news site on 127.0.0.1 for the watch tests and bench/watch_bench.py: feeds, sitemaps,
robots.txt and article pages written here, with ways to misbehave (slow, broken, 429, redirects).

Every request is logged (time, path, headers) and the site counts the requests in flight, so tests
measure what the watcher did from the server's side. The articles are short diplomatic news stories
made up from the tables below: every story's text is different.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

MINISTERS = [
    ("France", "French", "Paris", "Claire Delmont"),
    ("Germany", "German", "Berlin", "Annika Vogt"),
    ("Japan", "Japanese", "Tokyo", "Kenji Arakawa"),
    ("Brazil", "Brazilian", "Brasilia", "Rafael Monteiro"),
    ("India", "Indian", "New Delhi", "Priya Raman"),
    ("Kenya", "Kenyan", "Nairobi", "Daniel Otieno"),
    ("Canada", "Canadian", "Ottawa", "Megan Fraser"),
    ("Indonesia", "Indonesian", "Jakarta", "Sari Wibowo"),
    ("Mexico", "Mexican", "Mexico City", "Lucia Herrera"),
    ("Norway", "Norwegian", "Oslo", "Erik Solberg"),
]
# Ministers' names are made up per story from these (400 people): a record where ten people said
# everything would make every quote's grouping compare it with a tenth of all quotes.
FIRST_NAMES = ["Claire", "Annika", "Kenji", "Rafael", "Priya", "Daniel", "Megan", "Sari", "Lucia", "Erik",
               "Tomas", "Amara", "Yusuf", "Ingrid", "Mateo", "Leila", "Oskar", "Nadia", "Hiro", "Beatriz"]
LAST_NAMES = ["Delmont", "Vogt", "Arakawa", "Monteiro", "Raman", "Otieno", "Fraser", "Wibowo", "Herrera", "Solberg",
              "Kowalski", "Mensah", "Demir", "Lindqvist", "Castillo", "Haddad", "Berg", "Petrova", "Tanaka", "Sousa"]
TOPICS = ["fishing rights", "grain exports", "a border crossing", "climate finance", "port fees",
          "student visas", "a rail link", "vaccine supplies", "river water", "tariffs on steel"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def story(n: int, revision: int = 0) -> tuple[str, list[str]]:
    """The headline and paragraphs of story `n` (a later `revision` adds a paragraph)."""
    a = MINISTERS[n % len(MINISTERS)]
    b = MINISTERS[(n // len(MINISTERS) + n + 1) % len(MINISTERS)]
    if b == a:
        b = MINISTERS[(n + 3) % len(MINISTERS)]
    a = (*a[:3], f"{FIRST_NAMES[(n // 7) % 20]} {LAST_NAMES[(n // 140 + n) % 20]}")
    b = (*b[:3], f"{FIRST_NAMES[(n // 3 + 11) % 20]} {LAST_NAMES[(n // 60 + 7) % 20]}")
    topic, other = TOPICS[n % len(TOPICS)], TOPICS[(n * 7 + 3) % len(TOPICS)]
    month = MONTHS[n % 12]
    years = 2 + n % 17
    headline = f"{a[0]} and {b[0]} talk about {topic} (report {n})"
    paragraphs = [
        f"{a[0]}'s foreign minister {a[3]} met her {b[1]} counterpart {b[3]} in {a[2]} on Tuesday to "
        f"discuss {topic}, officials from both governments said in report number {n}.",
        f'"We agreed that our teams will keep working on {topic} until there is a deal," {a[3]} told '
        f"reporters after the meeting, which lasted {years + 1} hours.",
        f"{b[3]} said {b[0]} would send a delegation to {a[2]} in {month} to discuss {other}. It was the "
        f"first visit by a {b[1]} foreign minister to {a[0]} in {years} years.",
        f"Diplomats from both countries said the talks were friendly but that differences over {other} remained.",
    ]
    if revision:
        paragraphs.append(
            f"In a statement released later, {a[0]}'s government said the two ministers had also agreed to "
            f"open a joint office for {other}, a step announced for the {revision + 1}th time this year."
        )
    return headline, paragraphs


def article_page(n: int, revision: int = 0, canonical: str | None = None, published: date | None = None) -> bytes:
    headline, paragraphs = story(n, revision)
    day = (published or date(2026, 11, 2)).isoformat()
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(headline)}</title>{link}"
        f'<meta property="article:published_time" content="{day}T09:00:00Z"></head><body>'
        f"<nav><a href=/>Home</a> <a href=/world>World</a></nav><article><h1>{escape(headline)}</h1>"
        f"<p class=byline>By a staff writer</p>{body}</article><footer>All rights reserved.</footer></body></html>"
    ).encode("utf-8")


def rss(items: list[tuple[str, str, datetime]], title: str = "World news") -> bytes:
    """An RSS 2.0 feed of (link, title, updated)."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for link, t, when in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link>{entries}</channel></rss>").encode("utf-8")


def atom(items: list[tuple[str, str, datetime]], title: str = "World news") -> bytes:
    entries = "".join(
        f'<entry><title>{escape(t)}</title><link rel="alternate" href="{escape(link)}"/><id>{escape(link)}</id>'
        f"<updated>{when.isoformat()}</updated></entry>"
        for link, t, when in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:x</id><updated>2026-11-02T00:00:00Z</updated>{entries}</feed>"
            ).encode("utf-8")


def sitemap(items: list[tuple[str, date]], news: bool = False) -> bytes:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    urls = ""
    for link, day in items:
        extra = (f"<news:news><news:publication><news:name>Site</news:name><news:language>en</news:language>"
                 f"</news:publication><news:publication_date>{day.isoformat()}</news:publication_date>"
                 f"<news:title>t</news:title></news:news>") if news else f"<lastmod>{day.isoformat()}</lastmod>"
        urls += f"<url><loc>{escape(link)}</loc>{extra}</url>"
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>'
            f"{urls}</urlset>").encode("utf-8")


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: bool = True  # answer If-None-Match with 304
    delay: float = 0.0  # seconds before answering


@dataclass
class Hit:
    at: float  # time.monotonic()
    path: str
    headers: dict
    status: int = 0


class Site:
    """One host (127.0.0.1 and a port of its own) serving `pages` by path (query included);
    `handlers` (path -> function(Site, path, headers) -> Page) answer what must change per request."""

    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.handlers: dict = {}
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                site._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a client that keeps its connection open must not hold up close()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def put(self, path: str, body: bytes, **options) -> str:
        self.pages[path] = Page(body, **options)
        return self.url + path

    def requests_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def article_paths_fetched(self, prefix: str = "/news/") -> list[str]:
        with self._lock:
            return [h.path for h in self.hits if h.path.startswith(prefix) and h.status == 200]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        headers = {k.lower(): v for k, v in handler.headers.items()}
        hit = Hit(time.monotonic(), path, headers)
        with self._lock:
            self.hits.append(hit)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            route = self.handlers.get(path) or self.handlers.get(path.split("?", 1)[0])
            page = route(self, path, headers) if route else (self.pages.get(path) or self.pages.get(path.split("?", 1)[0]))
            if page is None:
                page = Page(b"not here", "text/plain", 404)
            if page.delay:
                time.sleep(page.delay)
            tag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
            status = page.status
            if page.etag and status == 200 and headers.get("if-none-match") == tag:
                status = 304
            hit.status = status
            body = b"" if status == 304 else page.body
            handler.send_response(status)
            if page.etag and page.status == 200:
                handler.send_header("ETag", tag)
            handler.send_header("Content-Type", page.content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in page.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.in_flight -= 1


def recent(minutes_ago: int = 0) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
