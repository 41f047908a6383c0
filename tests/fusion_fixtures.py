"""Made-up reports of diplomatic contacts for the fusion, query and export tests (no spaCy).

Every text here is invented for the tests. The people are fictional; the countries are real codes
(NOR, KEN, BRA) so that country look-ups behave as they do on real news.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from communique.models import Actor, ArticleOut, Event, Extraction, Quote, content_id
from communique.store import Store

MARSH = dict(name="Elena Marsh", country="NOR", sector="GOV", role="foreign minister", kind="person", kb_id="KB:marsh")
OTIENO = dict(name="Daniel Otieno", country="KEN", sector="GOV", role="foreign minister", kind="person", kb_id="KB:otieno")
KARIUKI = dict(name="Ruth Kariuki", country="KEN", sector="GOV", role="president", kind="person", kb_id="KB:kariuki")
SOLBERG = dict(name="Ivar Lunde", country="NOR", sector="GOV", role="prime minister", kind="person", kb_id="KB:lunde")
SOUZA = dict(name="Paulo Souza", country="BRA", sector="GOV", role="foreign minister", kind="person", kb_id="KB:souza")
NORWAY_GOV = dict(name="Norwegian government", country="NOR", sector="GOV", kind="government")
MINISTRY = dict(name="Kenyan foreign ministry", country="KEN", sector="GOV", kind="government")


def article(text: str, publisher: str, published: str, source: str | None = None) -> ArticleOut:
    return ArticleOut(
        id=content_id(text),
        publisher=publisher,
        headline=text.split(".")[0][:60],
        published=published,
        language="en",
        text=text,
        body=text,
        source=source or publisher.lower().replace(" ", "-") + ".txt",
    )


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.find(needle)
    assert start >= 0, f"{needle!r} not in {text!r}"
    return (start, start + len(needle))


def report(
    text: str,
    publisher: str,
    published: str,
    actor: dict,
    recipient: dict | None,
    date: str | None,
    precision: str = "day",
    type: str = "CONSULT",
    mode: str | None = "phone",
    status: str = "occurred",
    evidence: str | None = None,
    quote: tuple[str, dict] | None = None,
    refers_to_past: bool = False,
    extra_events: list[Event] | None = None,
) -> Extraction:
    """One article reporting one event between `actor` and `recipient` (dicts of Actor fields)."""
    people = [actor] + ([recipient] if recipient else [])
    actors = []
    for i, who in enumerate(people):
        actors.append(Actor(id=f"a{i}", mentions=[_span(text, who["name"])] if who["name"] in text else [], **who))
    evidence = evidence or text.split(". ")[0]
    events = [
        Event(
            id="e1",
            type=type,
            mode=mode,
            status=status,
            actors=["a0"],
            recipients=["a1"] if recipient else [],
            date=date,
            date_precision=precision,
            evidence=evidence,
            evidence_span=_span(text, evidence),
            refers_to_past=refers_to_past,
        )
    ] + list(extra_events or [])
    quotes = []
    if quote:
        words, speaker = quote
        local = "a0" if speaker is actor else "a1"
        quotes.append(
            Quote(id="q1", kind="direct", text=words, speaker=local, speaker_text=speaker["name"],
                  cue="said", content_span=_span(text, words))
        )
    return Extraction(article=article(text, publisher, published), actors=actors, quotes=quotes, events=events)


def call_reports() -> list[Extraction]:
    """Three outlets on one phone call between the Norwegian and Kenyan foreign ministers on
    Tuesday 5 March 2024: one gives the day, one the week, one only its publication date."""
    return [
        report(
            "Elena Marsh spoke by phone with Daniel Otieno on Tuesday about fishing rights. "
            '"We want a fair deal for coastal towns," Otieno said afterwards.',
            "Harbour Gazette", "2024-03-06", MARSH, OTIENO, "2024-03-05", "day",
            quote=('We want a fair deal for coastal towns,', OTIENO),
        ),
        report(
            "Kenya's Daniel Otieno and Norway's Elena Marsh held a call this week on fisheries. "
            '"We want a fair deal for coastal towns!" Otieno told journalists.',
            "Coast Courier", "2024-03-08", OTIENO, MARSH, "2024-03-04", "week",
            quote=('We want a fair deal for coastal towns!', OTIENO),
        ),
        report(
            "The foreign ministers Elena Marsh and Daniel Otieno discussed fishing quotas by telephone.",
            "Fjord Daily", "2024-03-07", MARSH, OTIENO, "2024-03-07", "publication",
        ),
    ]


def later_call() -> Extraction:
    """The same two ministers a week later: a different call."""
    return report(
        "Elena Marsh and Daniel Otieno spoke again by telephone on Tuesday, a week after their first call.",
        "Harbour Gazette", "2024-03-13", MARSH, OTIENO, "2024-03-12", "day",
    )


def migrated_template(folder: Path) -> Path:
    """A migrated empty SQLite file in `folder`, to copy for each store (migrating is the slow part)."""
    path = folder / "template.db"
    with Store(f"sqlite:///{path}") as store:
        store.migrate()
    return path


def fresh_store(template: Path, folder: Path, name: str) -> Store:
    """A store on a new copy of the migrated template."""
    path = folder / name
    if path.exists():
        path.unlink()
    shutil.copy(template, path)
    return Store(f"sqlite:///{path}")
