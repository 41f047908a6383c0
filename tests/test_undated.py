"""Undated input is kept and shown, on SQLite and PostgreSQL (issue 20, item 2).

An article with no publication date, whose text gives none either, yields events with no date.
They used to vanish: timelines, last-contact and both dated exports left them out without a word,
and ingesting the same article again with `--published` said "already stored". Now:

- the timeline ends with them (date null, precision "unknown"); a date filter leaves them out and
  says how many; last-contact answers with an undated contact when there is no dated one, and says
  "not before" when undated ones may be later; PLOVER and POLECAT leave them out and say how many;
- ingesting the article again with a date fills the date in, re-dates and re-fuses its events, says
  what changed, and leaves the store exactly as if the article had come with its date.

The articles are written for these tests.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.query import Record
from communique.store import Store
from store_dump import dump

pytest_plugins = ["store_db"]

# Hand-made extractions (tests/fusion_fixtures.py): the store's behaviour, not the models', is tested.
# "Coast Courier" and "Fjord Daily" were ingested without a date, then again with one.
WORDS = "We want a fair deal for coastal towns,"
DATED_CALL = (
    "Elena Marsh spoke by phone with Daniel Otieno on Tuesday about fishing rights. "
    f'"{WORDS}" Otieno said afterwards.'
)
UNDATED_CALL = (
    "Daniel Otieno and Elena Marsh held a telephone call on Tuesday, the Kenyan foreign ministry said. "
    f'"{WORDS}" Otieno told reporters.'
)
OLD_QUOTE = f'Daniel Otieno met Elena Marsh in Oslo on Thursday. "{WORDS}" Otieno said then.'
# for the one test through the whole pipeline (`communique ingest`)
MOSCOW_UNDATED = (
    "Indian Foreign Minister Subrahmanyam Jaishankar met Russian Foreign Minister Sergei Lavrov in Moscow "
    "on Monday. Lavrov accused Western governments of prolonging the war, and Jaishankar said India "
    "supported talks.\n"
)
BRAZIL = "Paulo Souza accused Elena Marsh of blocking the talks on Tuesday, Brazilian officials said."


def _extractions() -> dict:
    from fusion_fixtures import MARSH, OTIENO, SOUZA, report

    def undated_and_dated(text, publisher, actor, recipient, day, **kw):
        return (
            report(text, publisher, None, actor, recipient, None, "unknown", **kw),
            report(text, publisher, "2024-03-06", actor, recipient, day, "day", **kw),
        )

    call = undated_and_dated(UNDATED_CALL, "Coast Courier", OTIENO, MARSH, "2024-03-05", quote=(WORDS, OTIENO))
    brazil = undated_and_dated(BRAZIL, "Fjord Daily", SOUZA, MARSH, "2024-03-05", type="ACCUSE", mode=None)
    return {
        "dated call": report(DATED_CALL, "Harbour Gazette", "2024-03-06", MARSH, OTIENO, "2024-03-05", "day",
                             quote=(WORDS, OTIENO)),
        "old quote": report(OLD_QUOTE, "Old Times", "2020-01-10", OTIENO, MARSH, "2020-01-09", "day",
                            quote=(WORDS, OTIENO), mode="meeting"),
        "call": call[0], "call dated": call[1], "brazil": brazil[0], "brazil dated": brazil[1],
    }  # fmt: skip


@pytest.fixture
def extractions() -> dict:
    return _extractions()


runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def notes(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("note:")]


def quote_groups(store: Store) -> dict[str, str]:
    from sqlalchemy import select

    from communique.store.schema import quotes

    with store.engine.connect() as conn:
        return dict(conn.execute(select(quotes.c.id, quotes.c.group_id)).all())


def _empty(store: Store, tmp_path, name: str) -> Store:
    """Another empty store on the same backend (PostgreSQL: the session database, emptied)."""
    if store.engine.url.get_backend_name() == "sqlite":
        other = Store(f"sqlite:///{tmp_path / name}")
        other.migrate()
        return other
    from communique.store.schema import metadata
    from store_db import _pg_execute

    tables = ", ".join(f'"{t}"' for t in metadata.tables)
    _pg_execute(store.url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return store


def test_undated_events_are_in_every_answer_or_counted_out(store, extractions):
    store.ingest([extractions["dated call"], extractions["call"], extractions["brazil"]])
    db = store.url
    with Record(store) as record:
        everything = record.events()
        undated = [e for e in everything if e.date is None]
        assert len(everything) == 3 and len(undated) == 2
        assert all(e.date_precision == "unknown" for e in undated)
        # the timeline ends with the undated ones
        line = record.timeline("NOR", "KEN")
        assert [e.date is None for e in line] == [False, True]
        assert [e.id for e in record.timeline("NOR", "KEN", since=date(2000, 1, 1))] == [line[0].id]
        assert record.undated_count("NOR", "KEN") == 1 and record.undated_count("BRA", "NOR") == 1
        # paging back one event at a time meets each once, the undated (newest) first
        pages, before = [], None
        while True:
            page = record.timeline("NOR", "KEN", limit=1, before=before)
            pages += [e.id for e in page]
            if page.next is None:
                break
            before = page.next
        assert pages == [line[1].id, line[0].id]
        assert [e.id for e in record.timeline("NOR", "KEN", limit=1, offset=1)] == [line[0].id]
        # last contact: the dated one, "not before" its date; an undated one when that is all there is
        assert str(record.last_contact("NOR", "KEN").date) == "2024-03-05"
        assert record.last_contact("NOR", "KEN", before=date(2024, 1, 1)).date is None
        brazil = record.last_contact("BRA", "NOR", type="ACCUSE")
        assert brazil is not None and brazil.date is None

    # the command line says what it leaves out, and why
    result = cli("timeline", "NOR", "KEN", "--since", "2000-01-01", "--db", db)
    assert result.exit_code == 0
    assert any("1 undated event left out" in n and "--since" in n for n in notes(result)), result.stderr
    result = cli("timeline", "NOR", "KEN", "--db", db, "--json")
    assert [e["date"] for e in json.loads(result.stdout)["items"]] == ["2024-03-05", None]
    assert notes(result) == []
    result = cli("last-contact", "NOR", "KEN", "--db", db)
    assert result.exit_code == 0 and "not before 2024-03-05" in " ".join(notes(result)), result.stderr
    result = cli("last-contact", "NOR", "KEN", "--before", "2024-01-01", "--db", db, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["date"] is None
    assert "no dated contact" in " ".join(notes(result))
    result = cli("events", "--since", "2000-01-01", "--db", db, "--json")
    assert len(json.loads(result.stdout)["items"]) == 1
    assert any("2 undated events left out" in n for n in notes(result)), result.stderr
    result = cli("events", "--db", db, "--json")
    assert [e["date"] for e in json.loads(result.stdout)["items"]] == ["2024-03-05", None, None]

    # exports: jsonl keeps every event; PLOVER and POLECAT count out the undated ones
    result = cli("export", "--format", "jsonl", "--db", db)
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == 3 and sum(r["date"] is None for r in rows) == 2 and notes(result) == []
    for fmt in ("plover", "polecat"):
        result = cli("export", "--format", fmt, "--db", db)
        assert result.exit_code == 0 and "1 events written" in result.stderr
        assert any("2 undated events left out" in n and "requires a date" in n for n in notes(result)), fmt


def test_the_pages_and_the_api_show_undated_events(store, extractions):
    from fastapi.testclient import TestClient

    from communique.serve import create_app

    store.ingest([extractions["dated call"], extractions["call"]])
    with TestClient(create_app(store)) as client:
        page = client.get("/timeline/NOR/KEN").text
        assert "date unknown" in page and 'id="undated-listed"' in page and "1 undated event is listed" in page
        api = client.get("/api/timeline/NOR/KEN", params={"since": "2000-01-01"}).json()
        assert len(api["items"]) == 1 and api["undated_left_out"] == 1
        assert client.get("/api/timeline/NOR/KEN").json()["undated_left_out"] == 0
        page = client.get("/timeline/NOR/KEN", params={"before": "2030-01-01"}).text
        assert 'id="undated-left-out"' in page
        listed = client.get("/api/events", params={"since": "2000-01-01"}).json()
        assert len(listed["items"]) == 1 and listed["undated_left_out"] == 1
        assert client.get("/api/events").json()["undated_left_out"] == 0
        contact = client.get("/api/last-contact/NOR/KEN").json()
        assert contact["last_contact"]["date"] == "2024-03-05" and contact["undated_contacts"] == 1


@pytest.mark.parametrize("bulk", [False, True], ids=["ingest", "bulk"])
def test_ingesting_again_with_a_date_fills_it_in_as_if_it_had_come_with_it(store, extractions, tmp_path, bulk):
    write = store.bulk_ingest if bulk else store.ingest
    first = write([extractions[k] for k in ("old quote", "dated call", "call", "brazil")])
    assert first.added == 4
    with Record(store) as record:
        assert [e.report_count for e in record.timeline("NOR", "KEN", type="CONSULT")] == [1, 1, 1]  # 2020, 2024, undated
    assert len(set(quote_groups(store).values())) == 1  # an undated quote joins quotes of any date

    again = write([extractions["call dated"], extractions["brazil dated"]])
    assert (again.added, again.unchanged, len(again.dated)) == (0, 2, 2), again
    assert all("publication date 2024-03-06 filled in" in line for line in again.dated)
    assert any("CONSULT undated -> 2024-03-05 (day)" in line for line in again.dated), again.dated
    with Record(store) as record:
        assert record.undated_count("NOR", "KEN") == 0 and record.undated_count("BRA", "NOR") == 0
        calls = record.timeline("NOR", "KEN", type="CONSULT", since=date(2024, 1, 1))
        assert [(str(e.date), e.report_count) for e in calls] == [("2024-03-05", 2)]  # fused with the dated call
    assert len(set(quote_groups(store).values())) == 2  # the 2020 quote is no longer in the 2024 group
    third = write([extractions["call dated"]])  # nothing left to fill
    assert (third.unchanged, third.dated) == (1, [])
    redated = dump(store.engine)

    fresh = _empty(store, tmp_path, "fresh.db")
    try:
        write = fresh.bulk_ingest if bulk else fresh.ingest
        write([extractions[k] for k in ("old quote", "dated call", "call dated", "brazil dated")])
        assert dump(fresh.engine) == redated
    finally:
        if fresh is not store:
            fresh.close()


def test_the_command_line_says_what_the_date_changed(tmp_path):
    """End to end through `communique ingest`: the `dated` line and the count in the summary."""
    source = tmp_path / "moscow.txt"
    source.write_text("Ministers meet in Moscow\n\n" + MOSCOW_UNDATED, encoding="utf-8")
    db = str(tmp_path / "u.db")
    assert cli("ingest", str(source), "--db", db, "--workers", "1").exit_code == 0
    result = cli("ingest", str(source), "--db", db, "--workers", "1", "--published", "2022-04-05")
    assert result.exit_code == 0, result.output
    assert "dated " in result.stderr and "publication date 2022-04-05 filled in" in result.stderr
    assert "0 added, 1 already stored (1 of them given the date they lacked)" in result.stderr
    events = json.loads(cli("events", "--db", db, "--json").stdout)["items"]
    assert events and all(e["date"] for e in events)
