"""Commands over the fused record: timeline, last-contact, event, check-claims, search, export."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from enum import Enum
from typing import Optional

import typer
from rich.text import Text

from communique.cli.app import (
    DbOption,
    JsonOption,
    app,
    console,
    data_table,
    fail,
    left_out,
    notice,
    print_items,
    print_json,
    stdout,
)
from communique.dates import date_label
from communique.cli.core import open_store, parse_date
from communique.vocabulary import PAGE, QUAD_CODES


def _record(db: Optional[str]):
    from communique.query import Record

    return Record(open_store(db))


# the PLOVER event types, as a choice (any case) for every --type
PloverType = Enum("PloverType", {name: name for name in QUAD_CODES}, type=str)


def type_value(value) -> str | None:
    return value.value if value is not None else None


class Level(str, Enum):
    any = "any"
    minister = "minister"
    leader = "leader"


class ExportFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    plover = "plover"
    polecat = "polecat"


class ExportKind(str, Enum):
    events = "events"
    quotes = "quotes"
    actors = "actors"


def _who(event, side: str) -> str:
    return ", ".join(p.name + (f" ({p.country})" if p.country else "") for p in event.side(side))


def _events_table(title: str, found) -> None:
    table = data_table(title, ["date", "type", "mode", "actors", "recipients", "reports", "id"], len(found), wide=("actors",))
    for e in found:
        table.add_row(
            date_label(e.date, e.date_precision),
            e.type,
            e.mode or "",
            _who(e, "actor"),
            _who(e, "recipient"),
            str(e.report_count),
            e.id,
        )
    stdout.print(table)


def _cursor(value: Optional[str]):
    """--before: a date (YYYY-MM-DD) or an event id (the first event of the page just read)."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return value.strip()


@app.command()
def timeline(
    first: str = typer.Argument(..., help="A country code (CHN) or an actor name."),
    second: Optional[str] = typer.Argument(None, help="The other side of the dyad (optional)."),
    type: Optional[PloverType] = typer.Option(None, "--type", case_sensitive=False, help="PLOVER event type, e.g. CONSULT."),
    since: Optional[str] = typer.Option(None, "--since", help="Earliest event date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Latest event date (YYYY-MM-DD)."),
    limit: int = typer.Option(PAGE, "--limit", min=0, help="Events per page: the latest N (0: all)."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip the latest N events (the pages read)."),
    before: Optional[str] = typer.Option(
        None, "--before", help="Only events before this date (YYYY-MM-DD) or before this event id (the next page)."
    ),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The fused events between two countries or actors (or of one), in date order, a page at a time
    (the latest --limit; older pages with --before the first event's id, or --offset)."""
    cursor = _cursor(before)
    with _record(db) as record:
        found = record.timeline(
            first,
            second,
            type=type_value(type),
            since=parse_date(since, "--since"),
            until=parse_date(until, "--until"),
            limit=limit or None,
            offset=offset,
            before=cursor,
        )
        if since or until or isinstance(cursor, date):
            left_out(
                record.undated_count(first, second, type=type_value(type)), "undated event",
                "--since, --until and --before DATE keep dated events only (without them the timeline ends with the undated ones)",
            )  # fmt: skip
    older = found.next  # the first event's id when the page is full: there may be an older page
    if as_json:
        print_items(found, older)
        return
    _events_table(f"timeline {first}" + (f" / {second}" if second else ""), found)
    if older:
        console.print(f"older events: --before {older}")


@app.command("last-contact")
def last_contact(
    first: str = typer.Argument(..., help="A country code or an actor name."),
    second: str = typer.Argument(..., help="The other country code or actor name."),
    before: Optional[str] = typer.Option(None, "--before", help="Only contacts strictly before this date."),
    level: Level = typer.Option(Level.any, "--level", case_sensitive=False, help="Who took part: any, minister or leader."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The last CONSULT between two countries or actors before a date.

    Exit status 1 when the record holds no such contact (with --json too, which then prints null)."""
    with _record(db) as record:
        found = record.last_contact(first, second, before=parse_date(before, "--before"), level=level.value)
        undated = record.undated_count(first, second, type="CONSULT", level=level.value) if found is not None else 0
    if found is not None and found.date is not None and undated:
        notice("note:", f"{undated} undated contact{'s' if undated > 1 else ''} between {first} and {second} cannot be "
               f"placed in time (no publication date): the last contact was not before {found.date}")
    elif found is not None and found.date is None:
        others = f" (one of {undated})" if undated > 1 else ""
        notice("note:", f"no dated contact between {first} and {second}"
               + (f" before {before}" if before else "") + f"; this one is undated{others}: its article has no "
               "publication date and its text gives none, so when it happened is not known")
    if as_json:
        print_json(found)
    elif found is not None:
        _events_table(f"last contact {first} / {second}", [found])
    if found is None:
        console.print(f"no contact between {first} and {second} in the record", soft_wrap=True)
        raise typer.Exit(1)


@app.command()
def event(
    event_id: str = typer.Argument(..., help="A fused event id, a report id, or a unique prefix."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """One fused event with all its reports and why they were merged."""
    with _record(db) as record:
        found = record.event(event_id)
    if found is None:
        fail(f"no single fused event matches {event_id!r}", code=1)
    if as_json:
        print_json(found)
        return
    stdout.print(
        Text.assemble(
            (found.type, "bold"),
            f" {found.mode or ''}  {date_label(found.date, found.date_precision)}"
            f"  {found.report_count} report(s)  id {found.id}",
        )
    )
    stdout.print(f"  actors: {_who(found, 'actor')}   recipients: {_who(found, 'recipient')}")
    for conflict in found.conflicts:
        values = "; ".join(f"{v['value']} ({len(v['reports'])})" for v in conflict["values"])
        stdout.print(Text.assemble("  ", ("conflict", "yellow"), f" {conflict['field']}: {values}; kept {conflict['kept']}"))
    for r in found.reports:
        stdout.print(
            f"\n  {r.publisher or '?'} {r.published or 'no publication date'}  article {r.article_id}  "
            f"date {date_label(r.date, r.date_precision)}"
        )
        stdout.print(f"    {r.evidence}")
        stdout.print(f"    why: {r.merge_reason}")


@app.command("check-claims")
def check_claims(
    article_id: Optional[str] = typer.Argument(None, help="An article id (or prefix); default: every article."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Check claims like "the first ... since March 1" against the record."""
    with _record(db) as record:
        found = record.check_claims(article_id)
    if as_json:
        print_items(found)
        return
    table = data_table("claims", ["verdict", "countries", "claimed", "reference", "claim", "basis"], len(found), wide=("claim", "basis"))
    for c in found:
        table.add_row(
            c["verdict"],
            "-".join(c["countries"]),
            c["claimed_date"] or "",
            c["reference_date"] or "",
            c["claim"],
            c["basis"],
        )
    stdout.print(table)


@app.command()
def search(
    query: str = typer.Argument(..., help="Words that must all occur (stemmed on both backends)."),
    limit: int = typer.Option(50, "--limit", min=1, help="The best N hits."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Full-text search over quotes and event evidence."""
    with _record(db) as record:
        found = record.search(query, limit=limit)
    if as_json:
        print_items(found)
        return
    table = data_table(f"search {query!r}", ["kind", "who", "published", "publisher", "text", "id"], len(found), wide=("text",))
    for hit in found:
        if hit.kind == "quote":
            who = hit.speaker_name or ""
        else:
            recipients = ", ".join(hit.recipient_names)
            who = ", ".join(hit.actor_names) + (f" -> {recipients}" if recipients else "")
        table.add_row(hit.kind, who, str(hit.published or ""), hit.publisher or "", hit.text, hit.id)
    stdout.print(table)
    if limit and len(found) == limit:
        notice("note:", f"the best {limit} hits shown; more with a larger --limit, e.g. --limit {limit * 2}")


@app.command()
def export(
    format: ExportFormat = typer.Option(
        ExportFormat.jsonl, "--format", case_sensitive=False,
        help="csv, jsonl or parquet (events, quotes or actors; parquet needs pyarrow), "
        "plover (PLOVER JSON lines) or polecat (POLECAT-style TSV): events only.",
    ),
    kind: ExportKind = typer.Option(ExportKind.events, "--kind", case_sensitive=False, help="What to export."),
    out: Optional[str] = typer.Option(None, "--out", help="Output file (default: standard output; parquet needs a file)."),
    country: Optional[str] = typer.Option(None, "--country", help="Only events with a participant of this country (quotes: the speaker's; actors: theirs)."),
    type: Optional[PloverType] = typer.Option(None, "--type", case_sensitive=False, help="Only events of this PLOVER type."),
    since: Optional[str] = typer.Option(None, "--since", help="Earliest event date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Latest event date (YYYY-MM-DD)."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists (never the database being read)."),
    db: Optional[str] = DbOption,
) -> None:
    """Stream the fused events (all, or those matching the filters), the quotes or the actors to a
    file or standard output.

    --out is written to a temporary file beside it and renamed into place when complete; it must
    not be the database itself, and an existing file or symlink is replaced only with --force."""
    from communique.query.export import EVENT_ONLY_FORMATS, ExportError, store_files, write_file

    fmt, what = format.value, kind.value
    if fmt == "parquet" and not out:
        raise typer.BadParameter("parquet needs --out FILE", param_hint="--out")
    if fmt in EVENT_ONLY_FORMATS and what != "events":
        raise typer.BadParameter(f"{fmt} holds events only: export {what} as csv, jsonl or parquet", param_hint="--format")
    filters: dict = {"country": country.upper() if country else None}
    if what == "events":
        filters.update(type=type_value(type), since=parse_date(since, "--since"), until=parse_date(until, "--until"))
    elif type or since or until:
        raise typer.BadParameter(f"--type, --since and --until filter events, not {what}", param_hint="--kind")
    from communique.store.filters import EventFilter

    skipped: Counter = Counter()
    with _record(db) as record:
        rows = record.rows(what, **filters)
        if out:
            try:
                n = write_file(rows, fmt, out, force=force, protect=store_files(record.store), kind=what, left_out=skipped)
            except ExportError as exc:
                fail(f"--out {exc}", code=exc.exit_code)
        else:
            n = record.export(fmt, sys.stdout, kind=what, left_out=skipped, **filters)
        undated_by_dates = (
            record.undated_count(where=EventFilter(country=filters["country"], type=filters["type"]))
            if what == "events" and (filters.get("since") or filters.get("until")) else 0
        )  # fmt: skip
    console.print(f"{n} {what} written" + (f" to {out}" if out else ""), soft_wrap=True)
    left_out(skipped["undated"], "undated event", f"{fmt} requires a date (csv, jsonl and parquet keep them, date empty)")
    left_out(undated_by_dates, "undated event", "--since and --until keep dated events only")
