"""Placing a report costs the same whatever the store's size: the write path's look-ups read by
index ranges bounded by key and date (`fusion.keys`, the (speaker_id, published) index of quotes),
and a store from before those indexes is filled in when it is upgraded in place."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, inspect, text

from communique.models import Actor, ArticleOut, Event, Extraction, Quote, content_id
from store_dump import dump

pytest_plugins = ["store_db"]

PROBE_DAY = date(2020, 6, 10)
PRESIDENT = dict(name="President of Xaland", country="XAA", sector="GOV", role="president", kind="person",
                 kb_id="KB:xa-president")  # fmt: skip
MINISTER = dict(name="Foreign Minister of Xbland", country="XBB", sector="GOV", role="foreign minister",
                kind="person", kb_id="KB:xb-minister")  # fmt: skip


def contact(i: int, day: date, precision: str = "day", words: str | None = None) -> Extraction:
    """One article: the same president meets the same minister (and an unresolved delegation) on
    `day` and says something; published the next day."""
    body = f"Article {i}: the President of Xaland met the Foreign Minister of Xbland on {day.isoformat()}."
    actors = [Actor(id=f"a{j}", mentions=[(0, 4)], **who) for j, who in enumerate((PRESIDENT, MINISTER))]
    events = [
        Event(id="e1", type="CONSULT", actors=["a0"], recipients=["a1"], date=day.isoformat(),
              date_precision=precision, evidence=body),
        Event(id="e2", type="AGREE", actors=["a0"], recipients=["the Zland delegation"], date=day.isoformat(),
              date_precision=precision, evidence=body),
    ]  # fmt: skip
    quote = Quote(id="q1", kind="direct", text=words or f"We discussed matter {i % 7} today", speaker="a0",
                  speaker_text=PRESIDENT["name"], cue="said")  # fmt: skip
    article = ArticleOut(id=content_id(body), publisher=f"Outlet {i % 5}", headline=body[:40],
                         published=(day + timedelta(days=1)).isoformat(), language="en", text=body, body=body,
                         source=f"synthetic/{i}.txt")  # fmt: skip
    return Extraction(article=article, actors=actors, quotes=[quote], events=events)


def near_probe(start: int) -> list[Extraction]:
    """Twenty contacts in the weeks around PROBE_DAY: what a new report there can meet."""
    return [contact(start + k, PROBE_DAY + timedelta(days=3 * k - 30)) for k in range(20)]


def history(start: int, n: int) -> list[Extraction]:
    """`n` contacts of the same people over the years before, each month one with a month date."""
    first = PROBE_DAY - timedelta(days=5 * 365)
    return [
        contact(start + k, first + timedelta(days=4 * k), precision="month" if k % 30 == 0 else "day")
        for k in range(n)
    ]


def probe() -> Extraction:
    return contact(10_000, PROBE_DAY, words="We discussed matter 3 today")


def statements_placing(store, extraction: Extraction) -> list[tuple[str, object]]:
    """The SQL statements (and parameters) that storing one extraction issues."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        report = store.ingest([extraction])
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert report.added == 1 and not report.errors
    return seen


def test_placing_a_report_issues_as_many_statements_in_a_larger_store(store):
    """The same new article, placed where a small store and a store with years more of the same
    people's history hold the same neighbourhood, costs the same statements; it fuses alike."""
    store.bulk_ingest(near_probe(0))
    small = statements_placing(store, probe())
    small_event = _event_of_probe(store)

    with store.engine.begin() as conn:  # the same store again, emptied, then grown
        for name in ("quotes", "event_reports", "fusion_keys", "event_dyads", "event_participants", "events",
                     "actor_mentions", "article_actors", "articles"):  # fmt: skip
            conn.execute(text(f"DELETE FROM {name}"))
    store.bulk_ingest(near_probe(0) + history(100, 400))
    assert store.count()["events"] > 10 * small_event[1]
    large = statements_placing(store, probe())

    assert len(large) == len(small)
    assert _shapes(large) == _shapes(small)  # the same statements; their IN lists may be longer
    assert _event_of_probe(store) == small_event


def _shapes(statements: list[tuple[str, object]]) -> list[str]:
    return [re.sub(r"IN \((?:[?]|%\(\w+\)s(?:::\w+)?)(?:, (?:[?]|%\(\w+\)s(?:::\w+)?))*\)", "IN (...)", s)
            for s, _ in statements]


def _event_of_probe(store) -> tuple[str, int]:
    """The fused CONSULT event the probe's report joined, and how many reports it has."""
    with store.engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT e.id, e.report_count FROM events e JOIN event_reports r ON r.event_id = e.id "
            "WHERE r.evidence LIKE 'Article 10000:%' AND e.type = 'CONSULT'")).one())  # fmt: skip


# A look-up that cannot grow with the store: a key of one row (an id, an identity key), the rows of
# one article or one fused event, or an index range bounded by a date.
BOUNDED_SEARCH = re.compile(r"\((id|key|event_id|article_id)=\?\)|\b(published|date_start)[<>=]")


def test_the_write_path_reads_by_index_ranges_not_scans(tmp_path):
    """Every SELECT storing an article issues is, in SQLite's plans, an index search bounded by a
    row's key or a date range: none scans a table, and none reads a speaker's or a participant's
    whole history (an index on the speaker or the participant alone)."""
    from communique.store import Store

    with Store(f"sqlite:///{tmp_path / 'plans.db'}") as store:
        store.migrate()
        store.bulk_ingest(near_probe(0) + history(100, 200))
        statements = statements_placing(store, probe())
        selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) >= 5
        with store.engine.connect() as conn:
            raw = conn.connection.driver_connection
            lines = {row[3] for s, p in selects for row in raw.execute("EXPLAIN QUERY PLAN " + s, p).fetchall()}
    reads = [line for line in lines if line.startswith(("SCAN", "SEARCH"))]
    assert [line for line in reads if not BOUNDED_SEARCH.search(line)] == []
    assert any("ix_fusion_keys_lookup" in line and "date_start>" in line for line in reads)
    assert any("ix_quotes_speaker_id_published" in line and "published>" in line for line in reads)


def test_a_store_upgraded_in_place_gets_the_keys_the_write_path_writes(store):
    """Revision 0006 on a store written before it: the keys and quote dates it fills in are the
    ones ingesting would have written, and a new article then fuses as it would have."""
    from alembic import command

    store.bulk_ingest(near_probe(0) + history(100, 60))
    written = dump(store.engine)
    assert written["fusion_keys"] and any("name:the Zland delegation" in row for row in written["fusion_keys"])
    assert any("True" in row for row in written["fusion_keys"])  # month-dated events: long windows
    config = store.alembic_config()
    command.downgrade(config, "0005")
    with store.engine.connect() as conn:
        assert "published" not in {c["name"] for c in inspect(conn).get_columns("quotes")}
    command.upgrade(config, "head")
    assert dump(store.engine) == written

    statements_placing(store, probe())
    assert _event_of_probe(store)[1] > 1
