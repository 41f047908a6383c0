"""`communique watch`: follow feeds, sitemaps and home pages, and store what is new (communique.watch)."""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from communique.cli.app import DbOption, JsonOption, MaxBytesOption, app, console, fail, notice, stdout

ERROR_LINES_PER_ROUND = 5  # the rest are counted; `communique watch --status` lists every source's last error


def _duration(value: Optional[str], option: str) -> Optional[float]:
    from communique.config import ConfigError, parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value, option)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc).split("=", 1)[1], param_hint=option) from None


def _addresses(values: list[str]) -> list[str]:
    """Web addresses from the arguments: each an address, or a file of addresses (one a line).
    Anything else gets one line, and the rest go on."""
    from communique.watch.sources import read_source_file
    from communique.watch.urls import is_web_url

    found: list[str] = []
    for value in values:
        if is_web_url(value):
            found.append(value.strip())
            continue
        path = Path(value)
        if not path.is_file():
            notice("skipped", f"{value}: neither a web address (http:// or https://) nor a file of addresses")
            continue
        try:
            lines = read_source_file(str(path))
        except OSError as exc:
            notice("skipped", f"{value}: cannot read ({exc.strerror or type(exc).__name__})")
            continue
        for number, line in enumerate(lines, start=1):
            if is_web_url(line):
                found.append(line)
            else:
                notice("skipped", f"{value}: entry {number} ({line[:80]!r}) is not a web address")
    return list(dict.fromkeys(found))


def _when(value: Optional[datetime]) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _print_status(state, as_json: bool) -> None:
    rows = state.status()
    if as_json:
        sys.stdout.write(json.dumps({"items": rows, "next": None}, default=str, indent=2) + "\n")
        return
    table = Table(title=f"watched sources ({len(rows)})", title_justify="left")
    for column in ("source", "kind", "last success", "last error", "backlog", "stored", "rejected", "failed", "held by"):
        table.add_column(column)
    for r in rows:
        error = f"{_when(r['last_error_at'])} {r['last_error'] or ''}".strip() if r["failures"] else ""
        table.add_row(r["url"][:80], r["kind"] or "", _when(r["last_success"]), error[:90], str(r["backlog"]),
                      str(r["stored"]), str(r["rejected"]), str(r["failed"]), r["held_by"] or "")
    stdout.print(table)


def _print_round(report) -> None:
    console.print(report.line(), soft_wrap=True)
    for line in report.error_lines[:ERROR_LINES_PER_ROUND]:
        notice("  failed", line, "red")
    if len(report.error_lines) > ERROR_LINES_PER_ROUND:
        more = len(report.error_lines) - ERROR_LINES_PER_ROUND
        notice("  failed", f"... and {more} more (see communique watch --status)", "red")


def _stop_on_sigterm() -> None:
    """SIGTERM ends the watch as Ctrl-C does: the round in hand stops, leases run out or are reclaimed."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test runner): leave it
        pass


@app.command()
def watch(
    sources: Optional[list[str]] = typer.Argument(
        None, help="Feed, sitemap or home-page addresses, or files listing them (one a line). "
                   "Added to those the store already follows; none: follow those.",
    ),
    every: Optional[str] = typer.Option(
        None, "--every", metavar="DURATION", help="Start a round this often, e.g. 15m, 1h (default: COMMUNIQUE_WATCH_EVERY or 15m).",
    ),
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
    run_for: Optional[str] = typer.Option(None, "--for", metavar="DURATION", help="Stop after this long, e.g. 8h (default: never)."),
    status: bool = typer.Option(False, "--status", help="Print each source's last success, last error and backlog, and exit."),
    db: Optional[str] = DbOption,
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes analysing articles (kept between rounds)."),
    bulk: bool = typer.Option(False, "--bulk", help="Store each round's articles in batches (COPY on PostgreSQL)."),
    name: Optional[str] = typer.Option(
        None, "--name", metavar="NAME", help="This watcher's name in the store's leases (default: host:pid:random). "
                             "Restarting with the same name takes its leases back at once.",
    ),
    max_bytes: Optional[int] = MaxBytesOption,
    as_json: bool = JsonOption,
) -> None:
    """Follow news feeds, sitemaps and home pages: each round fetches what is new and stores it.

    Politely: robots.txt is obeyed, each host is asked at most COMMUNIQUE_WATCH_HOST_CONCURRENCY
    requests at once and COMMUNIQUE_WATCH_HOST_INTERVAL apart, unchanged feeds cost a 304, and a
    host that answers 429 or 503 is left alone until its Retry-After has passed. What was read is
    kept in the store: a watch that is stopped (or killed) starts again where it was, and two
    watchers on one PostgreSQL store share the sources."""
    from communique.cli.core import open_store, reader_settings
    from communique.config import WatchSettings
    from communique.watch import Watcher
    from communique.watch.state import WatchState

    every_s = _duration(every, "--every")
    duration = _duration(run_for, "--for")
    watch_settings = WatchSettings(**({"every": every_s} if every_s is not None else {}))
    store = open_store(db, create=not status)  # watching stores articles; --status only reads
    if status:
        _print_status(WatchState(store), as_json)
        return
    addresses = _addresses(sources or [])
    if sources and not addresses:
        fail("none of the sources given is a web address or a file of them", code=2)
    watcher = Watcher(store, reader_settings(max_bytes), watch_settings, workers=workers, bulk=bulk, owner=name)
    try:
        if addresses:
            watcher.add(addresses)
        if not WatchState(store).totals()["sources"]:
            fail("no source to follow: give feed, sitemap or home-page addresses (or a file of them)", code=2)
        if not watch_settings.contact:
            notice("note:", "no contact URL set (COMMUNIQUE_WATCH_CONTACT): sites see the user agent "
                            f"{watch_settings.user_agent()!r}")
        _stop_on_sigterm()
        reports = watcher.run(once=once, duration=duration, on_round=_print_round)
    finally:
        watcher.close()
        store.close()
    if once and reports and reports[-1].sources == 0 and reports[-1].errors:
        fail("no source could be read", code=1)
