"""The flat SQL views (revision 0004) on both backends, and Datasette serving them."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import inspect, text

from communique.query import Record
from fusion_fixtures import KARIUKI, MARSH, SOLBERG, SOUZA, call_reports, later_call, report

pytest_plugins = ["store_db"]


@pytest.fixture
def filled(store):
    store.ingest(call_reports() + [later_call()] + [
        report("Ivar Lunde met Ruth Kariuki in Nairobi on 20 February.", "Summit News", "2024-02-21",
               SOLBERG, KARIUKI, "2024-02-20", mode="meet"),
        report("Paulo Souza accused Elena Marsh of stalling on Friday.", "Rio Wire", "2024-03-02",
               SOUZA, MARSH, "2024-03-01", type="ACCUSE", mode=None),
    ])  # fmt: skip
    return store


def _rows(store, sql: str) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql))]


def test_the_views_exist_after_migrating_and_go_with_a_downgrade(store):
    from alembic import command

    assert {"events_flat", "quotes_flat", "dyad_month"} <= set(inspect(store.engine).get_view_names())
    command.downgrade(store.alembic_config(), "0003")
    assert not {"events_flat", "quotes_flat", "dyad_month"} & set(inspect(store.engine).get_view_names())
    store.migrate()
    assert "events_flat" in inspect(store.engine).get_view_names()


def test_events_flat_has_one_row_per_fused_event_as_the_record_has_it(filled):
    rows = _rows(filled, "SELECT * FROM events_flat ORDER BY date, event_id")
    with Record(filled) as record:
        events = list(record.events())
    assert [r["event_id"] for r in rows] == [e.id for e in events]
    for row, event in zip(rows, events, strict=True):
        assert (row["type"], row["quad_code"], row["report_count"]) == (event.type, event.quad_code, event.report_count)
        assert str(row["date"]) == event.date.isoformat()
        assert row["actors"].split("; ") == [p.name for p in event.side("actor")]
        assert row["recipient_countries"].split("; ") == [p.country for p in event.side("recipient")]
        assert set(row["publishers"].split("; ")) == {r.publisher for r in event.reports}
        assert row["evidence"] in {r.evidence for r in event.reports}
    accuse = next(r for r in rows if r["type"] == "ACCUSE")
    assert (accuse["actors"], accuse["actor_countries"], accuse["quad_code"]) == ("Paulo Souza", "BRA", 3)


def test_quotes_flat_and_dyad_month(filled):
    quotes = _rows(filled, "SELECT * FROM quotes_flat ORDER BY quote_id")
    with Record(filled) as record:
        expected = sorted(record.quotes(limit=None), key=lambda q: q.id)
    assert [q["quote_id"] for q in quotes] == [q.id for q in expected]
    assert [q["speaker_name"] for q in quotes] == [q.speaker_name or q.speaker_text for q in expected]
    assert all(q["publisher"] and q["published"] for q in quotes)
    assert [json.loads(q["via"]) if isinstance(q["via"], str) else q["via"] for q in quotes] == [q.via for q in expected]

    months = _rows(filled, "SELECT * FROM dyad_month WHERE country_a = 'NOR' AND country_b = 'KEN' ORDER BY month, type")
    assert [(m["type"], m["month"], m["events"]) for m in months] == [("CONSULT", "2024-02", 1), ("CONSULT", "2024-03", 2)]
    both_ways = _rows(filled, "SELECT events FROM dyad_month WHERE country_a = 'KEN' AND country_b = 'NOR'")
    assert sum(r["events"] for r in both_ways) == 3
    [accusation] = _rows(filled, "SELECT * FROM dyad_month WHERE country_a = 'BRA' AND country_b = 'NOR'")
    assert (accusation["type"], accusation["month"], accusation["events"]) == ("ACCUSE", "2024-03", 1)


def test_datasette_serves_events_flat(filled, backend):
    if backend != "sqlite":
        pytest.skip("Datasette reads SQLite files")
    from datasette import app as datasette_app  # a test extra: must run, never skip
    path = filled.engine.url.database

    async def query():
        ds = datasette_app.Datasette([path])
        db = ds.get_database()
        tables = await db.view_names()
        rows = await db.execute("SELECT type, quad_code, actors FROM events_flat ORDER BY date, event_id")
        response = await ds.client.get(f"/{db.name}/events_flat.json?_shape=array&type=ACCUSE")
        return tables, [dict(r) for r in rows.rows], response

    views, rows, response = asyncio.run(query())
    assert {"events_flat", "quotes_flat", "dyad_month"} <= set(views)
    assert [r["type"] for r in rows] == ["CONSULT", "ACCUSE", "CONSULT", "CONSULT"]
    assert response.status_code == 200
    assert [(r["type"], r["actors"]) for r in response.json()] == [("ACCUSE", "Paulo Souza")]
