"""Fusion does not depend on the order reports are stored in (hypothesis shuffles them), fused ids
name their reports, and one report can merge two events (SQLite; no spaCy)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communique.query.export import iter_events
from communique.store import Store
from fusion_fixtures import KARIUKI, MARSH, NORWAY_GOV, OTIENO, SOUZA, report, fresh_store, migrated_template

PEOPLE = [MARSH, OTIENO, NORWAY_GOV, SOUZA, KARIUKI]
PRECISIONS = ["day", "day", "week", "publication", "month"]
START = date(2024, 3, 1)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return migrated_template(tmp_path_factory.mktemp("order"))


_fresh = fresh_store


def fused(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return sorted(iter_events(conn), key=lambda e: e["id"])


spec = st.tuples(
    st.integers(0, len(PEOPLE) - 1),  # actor
    st.integers(-1, len(PEOPLE) - 1),  # recipient (-1: none)
    st.integers(0, 9),  # day offset
    st.sampled_from(PRECISIONS),
    st.sampled_from(["CONSULT", "MEET"]),
)


def _reports(specs) -> list:
    out = []
    for i, (who, whom, offset, precision, kind) in enumerate(specs):
        actor = PEOPLE[who]
        recipient = PEOPLE[whom] if whom >= 0 and whom != who else None
        day = START + timedelta(days=offset)
        text = f"Report {i}: {actor['name']} and {recipient['name'] if recipient else 'others'} talked."
        out.append(
            report(text, f"Wire {i}", (day + timedelta(days=1)).isoformat(), actor, recipient,
                   day.isoformat(), precision, type=kind)
        )
    return out


# Derandomized: the same 40 examples on every run. Random runs (3,000 examples of this strategy, and
# 2,500 of one actor's week / month / day reports) find no order that changes the fused events since
# a narrowed event's neighbours are regrouped too (test_a_narrowing_report_regroups_what_it_narrows).
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(spec, min_size=2, max_size=7), data=st.data())
def test_fused_events_do_not_depend_on_ingest_order(template, tmp_path, specs, data):
    items = _reports(specs)
    shuffled = data.draw(st.permutations(items))
    with _fresh(template, tmp_path, "a.db") as first, _fresh(template, tmp_path, "b.db") as second:
        assert first.ingest(items).errors == []
        assert second.ingest(shuffled).errors == []
        assert fused(first) == fused(second)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(spec, min_size=2, max_size=8), batch=st.integers(1, 8), data=st.data())
def test_bulk_batches_fuse_as_items_do(template, tmp_path, specs, batch, data):
    """Reports placed together in bulk batches give the fused events of one article at a time."""
    from store_dump import dump

    items = _reports(specs)
    with _fresh(template, tmp_path, "items.db") as one, _fresh(template, tmp_path, "bulk.db") as bulk:
        one.ingest(items)
        result = bulk.bulk_ingest(data.draw(st.permutations(items)), batch_size=batch)
        assert result.bulk_fallbacks == 0 and result.errors == []
        assert dump(bulk.engine) == dump(one.engine)


def test_a_narrowing_report_regroups_what_it_narrows(template, tmp_path):
    """Found by random runs: one actor's calls dated to a week, a week, a month, a week and a day. The
    day report narrows the event it joins without splitting it; a report outside the regrouped set
    must then be regrouped too, or the fused events depend on which of the two came first."""
    items = _reports([(0, -1, 0, "week", "CONSULT"), (0, -1, 0, "week", "CONSULT"), (0, -1, 0, "month", "CONSULT"),
                      (0, -1, 3, "week", "CONSULT"), (0, -1, 5, "day", "CONSULT")])
    with _fresh(template, tmp_path, "a.db") as first, _fresh(template, tmp_path, "b.db") as second:
        assert first.ingest(items).errors == []
        assert second.ingest([items[k] for k in (0, 1, 2, 4, 3)]).errors == []
        assert fused(first) == fused(second)


def test_the_event_id_is_its_smallest_report_id(template, tmp_path):
    items = _reports([(0, 1, 4, "day", "CONSULT"), (1, 0, 3, "week", "CONSULT"), (0, 1, 5, "publication", "CONSULT")])
    with _fresh(template, tmp_path, "ids.db") as store:
        store.ingest(items)
        [event] = fused(store)
    assert event["id"] == min(r["id"] for r in event["reports"])


def test_one_report_merges_two_events(template, tmp_path):
    """Marsh made a call; Otieno took a call; then a report of Marsh calling Otieno that day: the
    first two did not fuse (no participant in common), the third says they are one call."""
    marsh_only = report("Elena Marsh made a phone call on Tuesday.", "A Wire", "2024-03-06", MARSH, None, "2024-03-05")
    otieno_only = report("Daniel Otieno took a phone call on Tuesday.", "B Wire", "2024-03-06", OTIENO, None,
                         "2024-03-05")
    both = report("Elena Marsh phoned Daniel Otieno on Tuesday.", "C Wire", "2024-03-06", MARSH, OTIENO,
                  "2024-03-05")
    with _fresh(template, tmp_path, "merge.db") as store:
        store.ingest([marsh_only, otieno_only])
        assert len(fused(store)) == 2
        store.ingest([both])
        events = fused(store)
        counts = store.count()
    assert [e["report_count"] for e in events] == [3]
    assert counts["events"] == 1 and counts["event_reports"] == 3
    assert sorted(p["name"] for p in events[0]["participants"]) == ["Daniel Otieno", "Elena Marsh"]
