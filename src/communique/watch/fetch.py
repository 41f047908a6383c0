"""Fetching politely: robots.txt, a pace and a concurrency limit per host, conditional requests,
Retry-After, timeouts, size limits and redirects followed within limits.

One `Fetcher` serves a watcher for its whole life (robots.txt and the hosts' pace are remembered
across rounds). Its `get` is called from many threads: each host has a `HostGate` that lets at most
`host_concurrency` requests to it run at once and starts them at least `host_interval` apart (or the
robots.txt Crawl-delay, when longer). A 429 or 503 closes the host's gate until its Retry-After has
passed: requests to it in the meantime are not sent, and come back as deferred.

Redirects are followed here, not by httpx, so that every hop is checked against its own host's
robots.txt and paced by its own host's gate.
"""

from __future__ import annotations

import email.utils
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from communique.config import WatchSettings
from communique.watch.urls import host_of

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt; so do we
MAX_CRAWL_DELAY_S = 60.0  # a longer Crawl-delay is read as this (a page a minute is still polite)
REDIRECTS = (301, 302, 303, 307, 308)
SLOW_DOWN = (429, 503)


@dataclass
class Fetched:
    """What one `get` came to. `status` is 0 when no HTTP answer came (network error, refused by
    robots.txt, deferred by a host's Retry-After, too large)."""

    url: str  # the last URL requested (after redirects)
    status: int = 0
    content: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    charset: str | None = None
    error: str | None = None
    retry_at: float | None = None  # time.time() before which this host should not be asked again
    refused_by_robots: bool = False
    deferred: bool = False  # not sent: the host's Retry-After has not passed
    seconds: float = 0.0  # wall time of the request(s)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def permanent_failure(self) -> bool:
        """Asking again will not help: refused by robots.txt, gone, not found, forbidden, too large."""
        return self.refused_by_robots or self.status in (400, 401, 403, 404, 410, 451) or (
            self.error or ""
        ).startswith("too large")


class HostGate:
    """At most `concurrency` requests to one host at once, started at least `interval` seconds apart."""

    def __init__(self, interval: float, concurrency: int):
        self.interval = interval
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0  # time.monotonic() of the earliest next start
        self.closed_until = 0.0  # time.time(): closed by a Retry-After

    @contextmanager
    def turn(self):
        with self._slots:
            # The start is taken when it happens, not booked ahead: a thread that wakes late (a busy
            # process) must not let the next request follow it closer than the interval.
            while True:
                with self._lock:
                    now = time.monotonic()
                    if now >= self._next_start:
                        self._next_start = now + self.interval
                        break
                    pause = self._next_start - now
                time.sleep(pause)
            yield

    def close_for(self, seconds: float) -> float:
        with self._lock:
            self.closed_until = max(self.closed_until, time.time() + seconds)
            return self.closed_until


@dataclass
class _Robots:
    parser: object | None  # protego.Protego, or None: everything allowed
    refuse_all: bool  # robots.txt could not be read (5xx, network): nothing is fetched for now
    until: float  # time.monotonic() when it is read again
    sitemaps: list[str] = field(default_factory=list)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = next((p.split("=", 1)[1].strip("\"' ") for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset or None


class Fetcher:
    """GET with every politeness rule of `WatchSettings`; safe to call from many threads."""

    def __init__(self, settings: WatchSettings | None = None, transport: httpx.BaseTransport | None = None):
        self.settings = settings or WatchSettings()
        s = self.settings
        self.user_agent = s.user_agent()
        self.client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(s.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=s.fetch_threads * 2, max_keepalive_connections=s.fetch_threads),
            transport=transport,
        )
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, _Robots] = {}
        self._lock = threading.Lock()
        self._robots_locks: dict[str, threading.Lock] = {}
        self.requests: dict[str, int] = {}  # requests sent per host (robots.txt included)

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------ hosts

    def gate(self, host: str) -> HostGate:
        with self._lock:
            if host not in self._gates:
                self._gates[host] = HostGate(self.settings.host_interval, self.settings.host_concurrency)
            return self._gates[host]

    def robots(self, host: str) -> _Robots:
        """The host's robots.txt, read once per `robots_ttl` (one reader at a time per host)."""
        with self._lock:
            lock = self._robots_locks.setdefault(host, threading.Lock())
        with lock:
            known = self._robots.get(host)
            if known is not None and known.until > time.monotonic():
                return known
            self._robots[host] = rules = self._read_robots(host)
            delay = rules.parser.crawl_delay(self.settings.robots_token) if rules.parser is not None else None
            if delay:
                gate = self.gate(host)
                gate.interval = max(self.settings.host_interval, min(float(delay), MAX_CRAWL_DELAY_S))
            return rules

    def _read_robots(self, host: str) -> _Robots:
        from protego import Protego

        s = self.settings
        gate = self.gate(host)
        try:
            with gate.turn():
                self._count(host)
                response = self.client.get(host + "/robots.txt", follow_redirects=True, timeout=s.timeout)
        except httpx.HTTPError as exc:
            # RFC 9309: an unreachable robots.txt means the whole site is off limits for now
            log.info("robots.txt of %s unreachable (%s): not fetching from it for now", host, type(exc).__name__)
            return _Robots(None, True, time.monotonic() + min(s.backoff_first, s.robots_ttl))
        if response.status_code >= 500 or response.status_code in SLOW_DOWN:
            return _Robots(None, True, time.monotonic() + min(s.backoff_first, s.robots_ttl))
        if response.status_code >= 400:  # no robots.txt: everything allowed
            return _Robots(None, False, time.monotonic() + s.robots_ttl)
        text = response.content[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
        parser = Protego.parse(text)
        return _Robots(parser, False, time.monotonic() + s.robots_ttl, list(parser.sitemaps))

    def allowed(self, url: str) -> bool:
        rules = self.robots(host_of(url))
        if rules.refuse_all:
            return False
        return rules.parser is None or rules.parser.can_fetch(url, self.settings.robots_token)

    def _count(self, host: str) -> None:
        with self._lock:
            self.requests[host] = self.requests.get(host, 0) + 1

    # ------------------------------------------------------------ requests

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` (conditionally when validators are given), following redirects within limits."""
        started = time.monotonic()
        result = self._get(url, etag, last_modified)
        result.seconds = time.monotonic() - started
        return result

    def _get(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        s = self.settings
        for _ in range(s.max_redirects + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                return Fetched(url, error=f"not a web address ({urlsplit(url).scheme or 'no scheme'})")
            host = host_of(url)
            if not self.allowed(url):
                rules = self._robots.get(host)
                if rules is not None and rules.refuse_all:
                    return Fetched(url, error="robots.txt could not be read: not fetching for now",
                                   retry_at=time.time() + s.backoff_first)
                return Fetched(url, error="disallowed by robots.txt", refused_by_robots=True)
            gate = self.gate(host)
            if gate.closed_until > time.time():
                return Fetched(url, error="deferred: the host asked us to wait (Retry-After)",
                               retry_at=gate.closed_until, deferred=True)
            result = self._request(url, gate, host, etag, last_modified)
            if result.status in REDIRECTS and result.error is None:
                continue_to = result.content.decode("utf-8", "replace")
                url = urljoin(url, continue_to)
                continue
            return result
        return Fetched(url, error=f"more than {s.max_redirects} redirects")

    def _request(self, url: str, gate: HostGate, host: str, etag: str | None, last_modified: str | None) -> Fetched:
        s = self.settings
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with gate.turn():
                self._count(host)
                deadline = time.monotonic() + s.timeout
                with self.client.stream("GET", url, headers=headers) as response:
                    return self._read(url, response, gate, deadline)
        except httpx.TimeoutException:
            return Fetched(url, error=f"timed out after {s.timeout:g}s")
        except httpx.HTTPError as exc:
            return Fetched(url, error=f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")

    def _read(self, url: str, response: httpx.Response, gate: HostGate, deadline: float) -> Fetched:
        s = self.settings
        status = response.status_code
        if status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                return Fetched(url, status, error=f"redirect ({status}) without a Location")
            return Fetched(url, status, content=location.encode("utf-8"))  # _get follows it
        if status in SLOW_DOWN:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            wait = min(s.max_retry_after, wait if wait is not None else s.backoff_first)
            until = gate.close_for(wait)
            return Fetched(url, status, error=f"HTTP {status}: asked to wait {wait:.0f}s", retry_at=until)
        media_type, charset = _content_type(response.headers.get("content-type"))
        found = Fetched(
            url, status, etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
            content_type=media_type, charset=charset,
        )
        if status == 304:
            return found
        if not 200 <= status < 300:
            found.error = f"HTTP {status}"
            return found
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > s.max_page_bytes:
            found.error = f"too large ({declared} bytes > limit {s.max_page_bytes})"
            return found
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > s.max_page_bytes:
                found.error = f"too large (over the limit of {s.max_page_bytes} bytes)"
                return found
            if time.monotonic() > deadline:
                found.error = f"timed out after {s.timeout:g}s (the body came too slowly)"
                found.status = 0
                return found
            chunks.append(chunk)
        found.content = b"".join(chunks)
        return found


@dataclass
class Job:
    """One request to make: `key` is the caller's (a source or an address)."""

    key: object
    url: str
    etag: str | None = None
    last_modified: str | None = None


def fetch_all(fetcher: Fetcher, jobs: list[Job]) -> Iterator[tuple[Job, Fetched]]:
    """Every job's result, as they come in. Each host gets as many lanes (threads working through
    its jobs in turn) as its concurrency allows, so that a slow or paced host holds only its own
    lanes; lanes start host by host in turn, and `fetch_threads` lanes run at once."""
    by_host: dict[str, deque[Job]] = {}
    for job in jobs:
        by_host.setdefault(host_of(job.url), deque()).append(job)
    results: queue.Queue = queue.Queue()

    def lane(pending: deque[Job]) -> None:
        while True:
            try:
                job = pending.popleft()
            except IndexError:
                return
            try:
                results.put((job, fetcher.get(job.url, job.etag, job.last_modified)))
            except Exception as exc:  # noqa: BLE001  (a bug in one request must not lose the others)
                results.put((job, Fetched(job.url, error=f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")))

    concurrency = fetcher.settings.host_concurrency
    lanes = [
        pending
        for turn in range(concurrency)
        for pending in by_host.values()
        if turn < len(pending)
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(fetcher.settings.fetch_threads, len(lanes) or 1)),
                            thread_name_prefix="watch-fetch") as pool:
        for pending in lanes:
            pool.submit(lane, pending)
        for _ in range(len(jobs)):
            yield results.get()
