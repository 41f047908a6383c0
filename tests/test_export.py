"""Exports of the fused record, each format read back (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from communique.query import Record
from communique.query.export import FLAT_COLUMNS, MissingDependency
from fusion_fixtures import KARIUKI, MARSH, SOLBERG, SOUZA, call_reports, later_call, report

pytest_plugins = ["store_db"]


@pytest.fixture
def record(store):
    extra = [
        report("Ivar Lunde met Ruth Kariuki in Nairobi on 20 February.", "Summit News", "2024-02-21",
               SOLBERG, KARIUKI, "2024-02-20", mode="meet"),
        report("Paulo Souza accused Elena Marsh of stalling on Friday.", "Rio Wire", "2024-03-02",
               SOUZA, MARSH, "2024-03-01", type="ACCUSE", mode=None),
    ]
    store.ingest(call_reports() + [later_call()] + extra)
    with Record(store) as r:
        yield r


def test_jsonl_round_trip(record):
    out = io.StringIO()
    assert record.export("jsonl", out) == 4
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["date"] for e in lines] == ["2024-02-20", "2024-03-01", "2024-03-05", "2024-03-12"]
    assert lines == json.loads(json.dumps(list(record.events()), default=str))
    assert lines[2]["report_count"] == 3


def test_csv_round_trip(record):
    out = io.StringIO()
    assert record.export("csv", out, type="CONSULT") == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == FLAT_COLUMNS
    call = rows[1]
    assert (call["type"], call["date"], call["report_count"]) == ("CONSULT", "2024-03-05", "3")
    assert set(call["publishers"].split("; ")) == {"Harbour Gazette", "Coast Courier", "Fjord Daily"}
    assert {call["actor_countries"], call["recipient_countries"]} == {"NOR", "KEN"}
    assert json.loads(call["conflicts"])[0]["field"] == "date"


def test_plover_records(record):
    out = io.StringIO()
    record.export("plover", out, country="BRA")
    [accuse] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert accuse["event_type"] == "ACCUSE" and accuse["event_date"] == "2024-03-01"
    assert (accuse["actor"], accuse["actor_country"], accuse["actor_sector"]) == ("Paulo Souza", "BRA", "GOV")
    assert (accuse["recipient"], accuse["recipient_country"], accuse["recipient_sector"]) == (
        "Elena Marsh", "NOR", "GOV",
    )
    assert accuse["publishers"] == ["Rio Wire"] and accuse["source_sentences"]


def test_filters_by_date(record):
    out = io.StringIO()
    assert record.export("jsonl", out, since=date(2024, 3, 2), until=date(2024, 3, 10)) == 1


def test_parquet_round_trip_or_a_clear_error(record, tmp_path):
    path = tmp_path / "events.parquet"
    try:
        import pyarrow.parquet as pq
    except ImportError:
        with pytest.raises(MissingDependency, match=r"communique\[parquet\]"):
            record.export("parquet", str(path))
        pytest.skip("pyarrow is not installed: parquet round trip not tested (the error message was)")
    assert record.export("parquet", str(path)) == 4
    table = pq.read_table(path).to_pylist()
    assert [r["date"] for r in table] == ["2024-02-20", "2024-03-01", "2024-03-05", "2024-03-12"]


def test_export_command_writes_a_file(record, store, tmp_path):
    from communique.cli import app

    target = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--out", str(target), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 4
    result = CliRunner().invoke(app, ["export", "--format", "plover", "--type", "ACCUSE", "--db", store.url])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["event_type"] == "ACCUSE"
    assert CliRunner().invoke(app, ["export", "--format", "xml", "--db", store.url]).exit_code != 0


def test_export_of_an_empty_store(store):
    with Record(store) as record:
        out = io.StringIO()
        assert record.export("csv", out) == 0
        assert out.getvalue().strip() == ",".join(FLAT_COLUMNS)
