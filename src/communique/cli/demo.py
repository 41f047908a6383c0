"""`communique demo`: ingest the bundled demo articles and list what was found.

Its own module because it uses both the ingest commands (`cli.core`) and the lists (`cli.lists`),
which themselves import `cli.core`: kept in `cli.core`, it closed an import circle."""

from __future__ import annotations

from typing import Optional

from communique.cli.app import DbOption, app
from communique.cli.core import demo_corpus, ingest_paths, print_report
from communique.cli.lists import actors, events, quotes


@app.command()
def demo(db: Optional[str] = DbOption) -> None:
    """Ingest the bundled demo articles (written by the communique team) and print what was found."""
    from communique.config import Settings

    corpus = demo_corpus()
    _store, report = ingest_paths([str(corpus)], db, None, Settings())
    print_report(report, prefix=f"demo corpus {corpus}: ")
    actors(country=None, name=None, db=db, as_json=False)
    quotes(speaker=None, country=None, via=None, search=None, limit=100, offset=0, db=db, as_json=False)
    events(actor=None, country=None, dyad=None, event_type=None, since=None, until=None, limit=None, offset=0,
           db=db, as_json=False)
