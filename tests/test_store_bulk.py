"""Bulk load (`Store.bulk_ingest`): a batch per transaction, COPY on PostgreSQL, and the same store
as one transaction per item; a bad item still costs only itself (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from communique.store import Store
from fusion_fixtures import KARIUKI, MARSH, NORWAY_GOV, OTIENO, SOUZA, call_reports, later_call, report
from store_dump import dump

pytest_plugins = ["store_db"]


def corpus() -> list:
    """The three reports of one call, a later call, and a spread of others with quotes."""
    items = call_reports() + [later_call()]
    people = [MARSH, OTIENO, NORWAY_GOV, SOUZA, KARIUKI]
    for i in range(12):
        actor, recipient = people[i % 5], people[(i * 2 + 1) % 5]
        day = date(2024, 3, 1) + timedelta(days=i % 6)
        text = f'Item {i}: {actor["name"]} met {recipient["name"]}. "We spoke about trade {i % 3}," {actor["name"]} said.'
        items.append(
            report(text, f"Wire {i % 4}", (day + timedelta(days=1)).isoformat(), actor,
                   recipient if recipient is not actor else None, day.isoformat(),
                   ["day", "week", "publication"][i % 3], type=["MEET", "CONSULT"][i % 2],
                   quote=(f"We spoke about trade {i % 3},", actor))
        )
    return items




def reference_dump(path, write, expected_added: int) -> dict:
    """Every row of a fresh SQLite store that `write(store)` filled (checking how many it added)."""
    reference = Store(f"sqlite:///{path}")
    reference.migrate()
    try:
        assert write(reference).added == expected_added
        return dump(reference.engine)
    finally:
        reference.close()


@pytest.mark.parametrize("copy", [True, False])
def test_bulk_load_stores_what_item_by_item_stores(store, tmp_path, copy):
    items = corpus()
    result = store.bulk_ingest(items, batch_size=7, copy=copy)
    assert result.errors == [] and result.added == len(items) and result.bulk_fallbacks == 0
    bulk = dump(store.engine)
    expected = reference_dump(tmp_path / "items.db", lambda reference: reference.ingest(items), len(items))
    assert bulk["events"] and bulk["quotes"]
    assert bulk == expected


def test_bulk_load_again_changes_nothing(store):
    items = corpus()
    store.bulk_ingest(items, batch_size=5)
    before = dump(store.engine)
    again = store.bulk_ingest(items, batch_size=5)
    assert again.added == 0 and again.unchanged == len(items)
    assert dump(store.engine) == before


def test_a_bad_item_in_a_bulk_batch_costs_only_itself(store):
    items = corpus()[:6]
    items.insert(2, {"article": {"text": 42}})  # not an extraction
    result = store.bulk_ingest(items, batch_size=50)
    assert result.added == 6 and len(result.errors) == 1 and result.bulk_fallbacks == 1
    assert store.count()["articles"] == 6


def test_batches_after_a_failed_one_store_what_item_by_item_stores(store, tmp_path):
    """The actors a load resolves are remembered from batch to batch, and forgotten with a batch that
    fails: the batches after it store what `ingest` stores."""
    items = corpus()
    with_bad = items[:2] + [{"article": {"text": 42}}] + items[2:]
    result = store.bulk_ingest(with_bad, batch_size=4)
    assert result.added == len(items) and len(result.errors) == 1 and result.bulk_fallbacks == 1
    reference = Store(f"sqlite:///{tmp_path / 'items.db'}")
    reference.migrate()
    assert reference.ingest(items).added == len(items)
    expected = dump(reference.engine)
    reference.close()
    assert dump(store.engine) == expected


def test_an_actor_completed_later_updates_the_dyads_of_earlier_events(store, tmp_path):
    """Marsh first appears without country or role; a later article gives both: her earlier event's
    dyads take them, as they do when the two articles are stored together in a bulk batch."""
    from sqlalchemy import select

    from communique.store.schema import event_dyads

    bare = dict(MARSH, country=None, role=None)
    first = report("Elena Marsh met Paulo Souza on Monday.", "A Wire", "2024-05-07", bare, SOUZA, "2024-05-06")
    later = report("Elena Marsh phoned Daniel Otieno in June.", "B Wire", "2024-06-12", MARSH, OTIENO, "2024-06-11")
    store.ingest([first, later])
    with store.engine.connect() as conn:
        pairs = {(r.country_a, r.country_b, r.level) for r in conn.execute(select(event_dyads))}
    assert ("BRA", "NOR", 1) in pairs  # the May meeting, now between two foreign ministers' countries
    reference = Store(f"sqlite:///{tmp_path / 'bulk.db'}")
    reference.migrate()
    reference.bulk_ingest([first, later])
    assert dump(reference.engine) == dump(store.engine)
    reference.close()


@pytest.mark.parametrize("writers", [2, 3])
def test_parallel_bulk_writers_store_what_one_writer_stores(store, tmp_path, writers):
    """Events partitioned by type over several connections (PostgreSQL; SQLite stays serial):
    the same fused events, reports, quote groups and actors as one writer, compared row by row."""
    items = corpus()
    result = store.bulk_ingest(items, batch_size=7, writers=writers)
    assert result.errors == [] and result.added == len(items) and result.bulk_fallbacks == 0
    parallel = dump(store.engine)
    expected = reference_dump(tmp_path / "one.db", lambda reference: reference.bulk_ingest(items, batch_size=7, writers=1),
                              len(items))
    assert {row[1] for row in parallel["events"]} >= {"MEET", "CONSULT"}  # several partitions were written
    assert len({row[1] for row in parallel["event_reports"]}) < len(parallel["event_reports"])  # some fused
    assert parallel == expected


def test_event_partitions_keep_every_type_in_one_part():
    from communique.store.bulk import event_partitions

    types = ["MEET"] * 5 + ["CONSULT"] * 3 + ["ACCUSE"] * 2 + ["AID"]
    events = [{"id": f"e{i}", "type": t} for i, t in enumerate(types)]
    reports = [{"id": f"e{i}", "type": t} for i, t in enumerate(types)]
    parts = event_partitions(events, reports, 3)
    assert len(parts) == 3
    owners = {}
    for index, (part_events, part_reports) in enumerate(parts):
        assert [e["id"] for e in part_events] == [r["id"] for r in part_reports]
        for event in part_events:
            assert owners.setdefault(event["type"], index) == index
    assert sorted(e["id"] for part in parts for e in part[0]) == sorted(e["id"] for e in events)
    assert [len(p[0]) for p in parts] == [5, 3, 3]  # largest type first, each to the smallest part
    assert len(event_partitions(events, reports, 8)) == 4  # never more parts than types
