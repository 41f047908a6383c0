"""Listing commands over the store: actors, quotes, events."""

from __future__ import annotations

from typing import Optional

import typer

from communique.cli.app import DbOption, JsonOption, app
from communique.cli.core import open_store, parse_date, print_rows


def _participants(event: dict) -> str:
    def names(side: str) -> str:
        return ", ".join(f"{p.get('name')}" + (f" ({p['country']})" if p.get("country") else "") for p in event.get(side) or [])

    recipients = names("recipients")
    return names("actors") + (f" -> {recipients}" if recipients else "")


@app.command()
def actors(
    country: Optional[str] = typer.Option(None, "--country", help="Only actors of this ISO3 (or organisation) code."),
    name: Optional[str] = typer.Option(None, "--name", help="Only actors whose name contains this."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored actors with their mention counts."""
    rows = open_store(db).actors(country=country.upper() if country else None, name=name)
    print_rows(rows, ["id", "name", "country", "sector", "role", "mention_count", "article_count"], as_json, "actors")


@app.command()
def quotes(
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker name contains this."),
    country: Optional[str] = typer.Option(None, "--country", help="Speaker's country (ISO3)."),
    via: Optional[str] = typer.Option(None, "--via", help="An intermediary's name contains this."),
    search: Optional[str] = typer.Option(None, "--search", help="The quoted text contains this."),
    limit: int = typer.Option(100, "--limit"),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored quotes with speaker, intermediaries and channel."""
    rows = open_store(db).quotes(
        speaker=speaker, country=country.upper() if country else None, via=via, search=search, limit=limit
    )
    for row in rows:
        row.setdefault("via_text", ", ".join(row.get("via_names") or []))
    print_rows(rows, ["speaker_name", "speaker_country", "kind", "cue", "via_text", "channel", "date", "text"], as_json, "quotes")


@app.command()
def events(
    actor: Optional[str] = typer.Option(None, "--actor", help="A participant's name contains this."),
    country: Optional[str] = typer.Option(None, "--country", help="A participant's country (ISO3)."),
    dyad: Optional[tuple[str, str]] = typer.Option(None, "--dyad", help="Two participants: names or ISO3 codes."),
    event_type: Optional[str] = typer.Option(None, "--type", help="A PLOVER event type, e.g. CONSULT."),
    since: Optional[str] = typer.Option(None, "--since", help="Earliest event date, YYYY-MM-DD."),
    until: Optional[str] = typer.Option(None, "--until", help="Latest event date, YYYY-MM-DD."),
    limit: Optional[int] = typer.Option(None, "--limit"),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored events in date order."""
    rows = open_store(db).events(
        actor=actor,
        country=country.upper() if country else None,
        dyad=dyad if dyad and all(dyad) else None,
        type=event_type.upper() if event_type else None,
        since=parse_date(since, "--since"),
        until=parse_date(until, "--until"),
        limit=limit,
    )
    for row in rows:
        row.setdefault("participants", _participants(row))
        row.setdefault("report_count", len(row.get("reports") or []))
    print_rows(rows, ["date", "date_precision", "type", "mode", "status", "participants", "report_count"], as_json, "events")
