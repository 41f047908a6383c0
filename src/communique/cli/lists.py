"""Listing commands over the store: actors, quotes, events. They answer through `Record`, so the
command line and the Python API take the same arguments and give the same records."""

from __future__ import annotations

from typing import Optional

import typer

from communique.cli.app import DbOption, JsonOption, app, left_out
from communique.cli.core import open_store, parse_date, print_rows
from communique.cli.record import PloverType, type_value
from communique.dates import date_label


def _record(db: Optional[str]):
    from communique.query import Record

    return Record(open_store(db))


def _who(participants) -> str:
    return ", ".join(p.name + (f" ({p.country})" if p.country else "") for p in participants)


def _participants(event) -> str:
    recipients = _who(event.side("recipient"))
    return _who(event.side("actor")) + (f" -> {recipients}" if recipients else "")


def _rows(found, as_json: bool, extra=None) -> list[dict]:
    """JSON dicts of the records; for a table, with `extra(record)`'s display columns added."""
    return [{**r.to_dict(), **(extra(r) if extra and not as_json else {})} for r in found]


@app.command()
def actors(
    country: Optional[str] = typer.Option(None, "--country", help="Only actors of this ISO3 (or organisation) code."),
    name: Optional[str] = typer.Option(None, "--name", help="Only actors whose name contains this."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored actors with their mention counts."""
    with _record(db) as record:
        found = record.actors(country=country.upper() if country else None, name=name)
    columns = ["id", "name", "country", "sector", "role", "mention_count", "article_count"]
    print_rows(_rows(found, as_json), columns, as_json, "actors")


@app.command()
def quotes(
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker name contains this."),
    country: Optional[str] = typer.Option(None, "--country", help="Speaker's country (ISO3)."),
    via: Optional[str] = typer.Option(None, "--via", help="An intermediary's name contains this."),
    search: Optional[str] = typer.Option(None, "--search", help="The quoted text contains this."),
    limit: int = typer.Option(100, "--limit", min=0),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many (the next page: the `next` of --json)."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored quotes with speaker, intermediaries and channel."""
    with _record(db) as record:
        found = record.quotes(
            speaker=speaker, country=country.upper() if country else None, via=via, search=search,
            limit=limit, offset=offset,
        )  # fmt: skip
    rows = _rows(found, as_json, lambda q: {"via_text": ", ".join(q.via_names)})
    columns = ["speaker_name", "speaker_country", "kind", "cue", "via_text", "channel", "date", "text"]
    print_rows(rows, columns, as_json, "quotes", found.next)


@app.command()
def events(
    actor: Optional[str] = typer.Option(None, "--actor", help="A participant's name contains this."),
    country: Optional[str] = typer.Option(None, "--country", help="A participant's country (ISO3)."),
    dyad: Optional[tuple[str, str]] = typer.Option(None, "--dyad", help="Two participants: names or ISO3 codes."),
    event_type: Optional[PloverType] = typer.Option(None, "--type", case_sensitive=False, help="A PLOVER event type, e.g. CONSULT."),
    since: Optional[str] = typer.Option(None, "--since", help="Earliest event date, YYYY-MM-DD."),
    until: Optional[str] = typer.Option(None, "--until", help="Latest event date, YYYY-MM-DD."),
    limit: Optional[int] = typer.Option(None, "--limit", min=0),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many (the next page: the `next` of --json)."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored events in date order."""
    from communique.store.filters import EventFilter

    where = EventFilter(
        actor=actor, country=country.upper() if country else None, dyad=dyad, type=type_value(event_type),
        since=parse_date(since, "--since"), until=parse_date(until, "--until"),
    )  # fmt: skip
    with _record(db) as record:
        found = record.events(where, limit=limit, offset=offset)
        undated = record.undated_count(where=where) if where.dated_only else 0
    left_out(undated, "undated event", "--since and --until keep dated events only (without them undated events come last)")
    rows = _rows(found, as_json, lambda e: {"participants": _participants(e), "date_label": date_label(e.date, e.date_precision)})
    columns = ["date_label", "type", "mode", "status", "participants", "report_count", "id"]
    print_rows(rows, columns, as_json, "events", found.next)
