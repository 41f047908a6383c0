"""The command line under hostile and unlucky use (issue 9): text printed as it is, one-line errors
with the right exit status, a safe export, the store's per-item errors, `events` without --dyad,
and `communique doctor`. Store cases run on SQLite and, with COMMUNIQUE_TEST_PG, on PostgreSQL."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from communique.cli import app
from communique.config import ConfigError, parse_size
from communique.store import Store

pytest_plugins = ["store_db"]

runner = CliRunner()

GOOD_A = "Kenya and Ethiopia signed a trade agreement in Nairobi on Monday, officials said.\n"
GOOD_B = "Peru recalled its ambassador from Mexico on Friday after a dispute over trade.\n"
HEADLINE = "Talks [/i] stall :100: [bold]again"
QUOTE_TEXT = 'Chile said "we reject [/x] the plan :thumbs_up:" on Thursday, the foreign minister of Chile said.'


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env)


def one_error_line(result) -> str:
    """The stderr of a failed command: exactly one line, `error: ...`, and no traceback."""
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def stored_counts(url: str) -> dict[str, int]:
    from communique.store import Store

    with Store.open(url) as store:
        return store.count()


@pytest.fixture
def hostile_batch(tmp_path) -> Path:
    """Two good text files, one of them under a name holding Rich markup, an empty file whose name
    holds markup and an emoji code, and a JSONL item whose headline and quote hold markup."""
    batch = tmp_path / "batch"
    (batch / "07b_[").mkdir(parents=True)
    (batch / "07a.txt").write_text(GOOD_A, encoding="utf-8")
    (batch / "07b_[" / "x].txt").write_text(GOOD_B, encoding="utf-8")  # the path reads 07b_[/x].txt
    (batch / "07c_[bold]:100:.txt").write_text("", encoding="utf-8")
    item = {"id": "m1", "headline": HEADLINE, "text": QUOTE_TEXT, "published": "2024-01-02"}
    (batch / "feed.jsonl").write_text(json.dumps(item) + "\n", encoding="utf-8")
    return batch


# ------------------------------------------------------------------ item 3: text is printed as it is


def test_markup_in_file_names_and_stored_text_is_printed_literally(hostile_batch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short relative paths: table cells do not wrap them
    db = "m.db"
    result = invoke("ingest", "batch", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert "3 added, 0 already stored, 1 rejected, 0 not stored" in result.stderr
    # the reason line keeps the name exactly: no markup eaten, no emoji for :100:
    assert "07c_[bold]:100:.txt: empty" in result.stderr
    assert stored_counts(db)["articles"] == 3

    listed = invoke("articles", "--db", db)
    assert listed.exit_code == 0, listed.output
    assert HEADLINE in listed.stdout and "batch/07b_[/x].txt" in listed.stdout

    shown = invoke("show", "m1", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert HEADLINE in shown.stderr + shown.stdout

    quotes = invoke("quotes", "--db", db)
    assert quotes.exit_code == 0, quotes.output
    assert "[/x]" in quotes.stdout and ":thumbs_up:" in quotes.stdout and "\U0001f44d" not in quotes.stdout

    found = invoke("search", "reject", "--db", db)
    assert found.exit_code == 0, found.output
    assert "[/x]" in found.stdout

    extracted = invoke("extract", "batch")
    assert extracted.exit_code == 0, extracted.output
    assert HEADLINE in extracted.stdout and "Traceback" not in extracted.output

    # item 9: events without --dyad, alone and with other filters
    events = invoke("events", "--db", db, "--json")
    assert events.exit_code == 0, events.output
    every = json.loads(events.stdout)["items"]
    assert every, "the batch holds at least one event"
    first_type = every[0]["type"]
    typed = invoke("events", "--db", db, "--type", first_type, "--json")
    assert typed.exit_code == 0, typed.output
    assert {e["type"] for e in json.loads(typed.stdout)["items"]} == {first_type}
    assert invoke("events", "--db", db).exit_code == 0


# ------------------------------------------------------------------ item 7: one-line errors


def test_db_naming_a_file_that_is_not_a_database(tmp_path):
    notadb = tmp_path / "notadb.txt"
    notadb.write_text("just some notes\n", encoding="utf-8")
    result = invoke("articles", "--db", str(notadb))
    assert result.exit_code == 2
    assert one_error_line(result) == f"error: --db {notadb} is not a SQLite database or PostgreSQL URL"
    assert notadb.read_text(encoding="utf-8") == "just some notes\n"  # untouched


def test_db_naming_a_directory(tmp_path):
    result = invoke("articles", "--db", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in one_error_line(result)


def test_db_in_an_unwritable_place(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    result = invoke("ingest", str(tmp_path), "--db", str(blocker / "sub" / "store.db"))
    assert result.exit_code == 1
    assert "cannot be created" in one_error_line(result)
    result = invoke("ingest", str(tmp_path), "--db", "/proc/communique-nowhere/store.db")
    assert result.exit_code == 1
    assert "choose a writable place" in one_error_line(result)
    result = invoke("articles", "--db", "/proc/communique-nowhere/store.db")  # reading creates nothing
    assert result.exit_code == 1
    assert "does not exist" in one_error_line(result)


READ_COMMANDS = [
    ["articles"], ["actors"], ["quotes"], ["events"], ["timeline", "CHN", "UKR"], ["last-contact", "CHN", "UKR"],
    ["event", "e1"], ["show", "a1"], ["check-claims"], ["search", "talks"], ["export", "--format", "jsonl"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_read_commands_never_create_a_database_or_its_folder(tmp_path, monkeypatch, command):
    """Issue 20 / 27: `articles --db /nonexistent/x.db` answered "articles (0)" and made the file."""
    target = tmp_path / "missing" / "x.db"
    result = invoke(*command, "--db", str(target))
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "does not exist" in line and str(target) in line and "communique ingest" in line
    assert not (tmp_path / "missing").exists()
    # the default database too (an empty user data folder)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("COMMUNIQUE_DB", raising=False)
    result = invoke(*command)
    assert result.exit_code == 1 and "the default database" in one_error_line(result)
    assert not (tmp_path / "data").exists()


def test_db_with_a_schema_newer_than_the_code(tmp_path):
    import sqlite3

    db = tmp_path / "future.db"
    Store.open(str(db)).close()
    assert invoke("articles", "--db", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    result = invoke("articles", "--db", str(db))
    assert result.exit_code == 1
    assert "newer than this communique" in one_error_line(result)


def test_postgresql_server_down():
    result = invoke("articles", "--db", "postgresql://nobody:secret@127.0.0.1:1/nothing")
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "cannot be reached" in line and "secret" not in line


def test_postgresql_database_that_does_not_exist():
    base = os.environ.get("COMMUNIQUE_TEST_PG")
    if not base:
        pytest.skip("COMMUNIQUE_TEST_PG not set: PostgreSQL tests skipped")
    url = base.rsplit("/", 1)[0] + "/communique_no_such_database_h9"
    result = invoke("articles", "--db", url)
    assert result.exit_code == 1
    assert "does not exist" in one_error_line(result)


def test_usage_errors_are_one_line_with_exit_2(tmp_path):
    result = invoke("extract", str(tmp_path), "--published", "last tuesday")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in one_error_line(result)
    result = invoke("export", "--format", "xml", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2
    one_error_line(result)


def test_unexpected_failure_is_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    from communique.store import Store

    def broken(self, *args, **kwargs):
        raise RuntimeError("the disk controller said no")

    db = str(tmp_path / "x.db")
    Store.open(db).close()
    monkeypatch.setattr(Store, "articles", broken)
    result = invoke("articles", "--db", db)
    assert result.exit_code == 1
    assert "RuntimeError: the disk controller said no" in one_error_line(result)
    result = invoke("--debug", "articles", "--db", db)
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)  # re-raised for the traceback


def test_the_installed_entry_point_prints_one_line_and_debug_a_traceback(tmp_path):
    notadb = tmp_path / "notadb.txt"
    notadb.write_text("not a database", encoding="utf-8")
    command = [sys.executable, "-c", "from communique.cli import main; main()"]
    plain = subprocess.run([*command, "articles", "--db", str(notadb)], capture_output=True, text=True, timeout=120, check=False)
    assert plain.returncode == 2
    assert plain.stderr.strip().splitlines() == [f"error: --db {notadb} is not a SQLite database or PostgreSQL URL"]
    debug = subprocess.run([*command, "--debug", "articles", "--db", str(notadb)], capture_output=True, text=True, timeout=120, check=False)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "StoreOpenError" in debug.stderr


# ------------------------------------------------------------------ sizes: one parser for env and option


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20MB", 20_000_000), ("20MiB", 20 * 1024**2), ("1.5G", 1_500_000_000), ("1.5GiB", int(1.5 * 1024**3)),
     ("512k", 512_000), ("4096", 4096), (" 2 kib ", 2048)],
)
def test_human_sizes(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "-5", "0", "20XB", "", "1e6", "MB"])
def test_sizes_that_are_garbage(text):
    with pytest.raises(ConfigError):
        parse_size(text, "COMMUNIQUE_MAX_BYTES")


def test_max_bytes_from_the_environment_and_the_option(tmp_path):
    small = tmp_path / "small.txt"
    small.write_text(GOOD_A, encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(GOOD_B * 30, encoding="utf-8")  # about 2.4 kB
    result = invoke("extract", str(small), "--json", env={"COMMUNIQUE_MAX_BYTES": "20MB"})
    assert result.exit_code == 0, result.output
    result = invoke("extract", str(small), str(big), "--json", env={"COMMUNIQUE_MAX_BYTES": "1KB"})
    assert result.exit_code == 0, result.output
    assert "big.txt" in result.stderr and len(result.stdout.strip().splitlines()) == 1
    result = invoke("extract", str(small), str(big), "--json", "--max-bytes", "1.5k")
    assert result.exit_code == 0 and "big.txt" in result.stderr
    result = invoke("extract", str(small), env={"COMMUNIQUE_MAX_BYTES": "lots"})
    assert result.exit_code == 2
    assert "COMMUNIQUE_MAX_BYTES='lots' is not a size" in one_error_line(result)
    result = invoke("extract", str(small), "--max-bytes", "zz")
    assert result.exit_code == 2
    assert "--max-bytes" in one_error_line(result)


# ------------------------------------------------------------------ item 8: the store's per-item errors


def test_ingest_reports_an_article_the_store_could_not_write(store_url, tmp_path, monkeypatch):
    from communique.store import Store

    real = Store._ingest_item

    def failing_on_peru(conn, item, resolver):
        if "peru" in str(getattr(getattr(item, "article", None), "source", "")):
            raise ValueError("simulated constraint failure")
        return real(conn, item, resolver)

    monkeypatch.setattr(Store, "_ingest_item", staticmethod(failing_on_peru))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kenya.txt").write_text(GOOD_A, encoding="utf-8")
    (corpus / "peru.txt").write_text(GOOD_B, encoding="utf-8")
    result = invoke("ingest", str(corpus), "--db", store_url)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith("not stored ") and "peru.txt" in line and "simulated constraint failure" in line for line in lines)
    assert "1 added, 0 already stored, 0 rejected, 1 not stored" in result.stderr
    monkeypatch.undo()
    assert stored_counts(store_url)["articles"] == 1
    again = invoke("ingest", str(corpus), "--db", store_url)  # the retry the message suggests
    assert again.exit_code == 0, again.output
    assert "1 added, 1 already stored, 0 rejected, 0 not stored" in again.stderr
    assert stored_counts(store_url)["articles"] == 2


# ------------------------------------------------------------------ item 4: export


@pytest.fixture
def sqlite_store_with_events(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kenya.txt").write_text(GOOD_A, encoding="utf-8")
    (corpus / "peru.txt").write_text(GOOD_B, encoding="utf-8")
    db = tmp_path / "store.db"
    assert invoke("ingest", str(corpus), "--db", str(db)).exit_code == 0
    return db


def _intact(db: Path, articles: int = 2) -> None:
    assert db.stat().st_size > 0
    assert stored_counts(str(db))["articles"] == articles


def test_export_refuses_to_write_onto_the_store(sqlite_store_with_events, tmp_path):
    db = sqlite_store_with_events
    for out, extra in ((db, []), (db, ["--force"]), (tmp_path / "store.db-wal", ["--force"])):
        result = invoke("export", "--db", str(db), "--out", str(out), *extra)
        assert result.exit_code == 2
        assert "is the database being exported" in one_error_line(result)
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(db)
    result = invoke("export", "--db", str(db), "--out", str(link), "--force")
    assert result.exit_code == 2 and "database being exported" in one_error_line(result)
    hard = tmp_path / "hard.jsonl"
    os.link(db, hard)
    result = invoke("export", "--db", str(db), "--out", str(hard), "--force")
    assert result.exit_code == 2 and "database being exported" in one_error_line(result)
    _intact(db)


def test_export_needs_force_to_replace_a_file_or_a_symlink(sqlite_store_with_events, tmp_path):
    db = sqlite_store_with_events
    out = tmp_path / "events.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    result = invoke("export", "--db", str(db), "--out", str(out))
    assert result.exit_code == 2 and "--force" in one_error_line(result)
    assert out.read_text(encoding="utf-8") == "precious\n"
    result = invoke("export", "--db", str(db), "--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert exported and all("type" in e for e in exported)

    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(elsewhere)
    result = invoke("export", "--db", str(db), "--out", str(link))
    assert result.exit_code == 2 and "--force" in one_error_line(result)
    result = invoke("export", "--db", str(db), "--out", str(link), "--force")
    assert result.exit_code == 0, result.output
    assert not link.is_symlink() and len(link.read_text(encoding="utf-8").splitlines()) == len(exported)
    assert elsewhere.read_text(encoding="utf-8") == "keep me\n"  # the link was replaced, not written through
    assert not list(tmp_path.glob(".*.part"))


def test_export_to_a_directory_or_a_device(sqlite_store_with_events, tmp_path):
    db = sqlite_store_with_events
    result = invoke("export", "--db", str(db), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in one_error_line(result)
    if Path("/dev/full").exists():
        result = invoke("export", "--db", str(db), "--out", "/dev/full", "--force")
        assert result.exit_code == 2 and "not a regular file" in one_error_line(result)
    _intact(db)


def test_export_on_a_full_disk_leaves_nothing(sqlite_store_with_events, tmp_path, monkeypatch):
    from communique.query import export as export_module

    real_write = export_module.write

    def fills_the_disk(records, fmt, out, **options):
        out.write('{"partial": ')
        out.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export_module, "write", fills_the_disk)
    target_dir = tmp_path / "exports"
    target_dir.mkdir()
    out = target_dir / "events.jsonl"
    result = invoke("export", "--db", str(sqlite_store_with_events), "--out", str(out))
    assert result.exit_code == 1
    assert "no space left on the device" in one_error_line(result)
    assert list(target_dir.iterdir()) == []  # neither the target nor a temporary file

    out.write_text("the previous export\n", encoding="utf-8")
    result = invoke("export", "--db", str(sqlite_store_with_events), "--out", str(out), "--force")
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "the previous export\n"  # the old file survives a failed replace
    assert [p.name for p in target_dir.iterdir()] == ["events.jsonl"]
    monkeypatch.setattr(export_module, "write", real_write)
    _intact(sqlite_store_with_events)


def test_export_safety_on_each_backend(store, tmp_path):
    """The file-side guards hold whatever the store is (PostgreSQL has no file to protect)."""
    from communique.query import Record
    from communique.query.export import ExportError, store_files, write_file

    out = tmp_path / "events.csv"
    with Record(store) as record:
        assert write_file(record.events(), "csv", out, protect=store_files(store)) == 0
        with pytest.raises(ExportError, match="--force"):
            write_file(record.events(), "csv", out, protect=store_files(store))
        with pytest.raises(ExportError, match="directory"):
            write_file(record.events(), "csv", tmp_path)
    if store.engine.url.get_backend_name() == "sqlite":
        assert store_files(store)[0] == Path(store.engine.url.database)
    else:
        assert store_files(store) == []


# ------------------------------------------------------------------ doctor


def test_doctor_on_a_healthy_store(store_url):
    Store.open(store_url).close()  # creates the schema
    assert invoke("articles", "--db", store_url).exit_code == 0
    result = invoke("doctor", "--db", store_url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for name in ("spaCy model", "event model", "store", "schema", "integrity"):
        assert any(line.startswith("ok") and f"{name}:" in line for line in lines), (name, lines)


def test_doctor_reports_what_to_fix(tmp_path):
    notadb = tmp_path / "notadb.txt"
    notadb.write_text("hello", encoding="utf-8")
    result = invoke("doctor", "--db", str(notadb))
    assert result.exit_code == 1
    assert any(line.startswith("FAIL") and "store:" in line and "not a SQLite database" in line for line in result.stdout.splitlines())

    result = invoke("doctor", "--db", "postgresql://nobody@127.0.0.1:1/nothing")
    assert result.exit_code == 1 and "cannot be reached" in result.stdout

    from communique.nlp import load_nlp

    load_nlp.cache_clear()
    result = invoke("doctor", "--db", str(tmp_path / "fresh.db"), env={"COMMUNIQUE_SPACY_MODEL": "no_such_model_xx"})
    assert result.exit_code == 1
    assert any(line.startswith("FAIL") and "no_such_model_xx" in line and "pip install" in line for line in result.stdout.splitlines())
    assert not (tmp_path / "fresh.db").exists()  # doctor does not create a store


def test_doctor_finds_a_damaged_sqlite_file(sqlite_store_with_events):
    import sqlite3

    db = sqlite_store_with_events
    with sqlite3.connect(db) as conn:  # move everything from the WAL into the main file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) > 3 * page
    for offset in range(page, len(data) - 16, 97):  # scribble over every page but the header page
        data[offset : offset + 8] = b"\xde\xad\xbe\xef" * 2
    db.write_bytes(bytes(data))
    result = invoke("doctor", "--db", str(db))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert any(line.startswith("FAIL") for line in result.stdout.splitlines()), result.stdout


# ------------------------------------------------------------------ any text prints as itself

_printable = st.text(
    alphabet=st.one_of(st.sampled_from("[]/:\\@#=!*_ ~`"), st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(name=_printable)
def test_any_name_is_printed_exactly_in_lines_and_tables(name):
    from communique.cli.app import console, error, notice, stdout
    from communique.cli.core import print_rows

    with console.capture() as captured:
        notice("rejected", f"{name}: empty file")
        error(f"cannot read {name}")
    assert captured.get() == f"rejected {name}: empty file\nerror: cannot read {name}\n"
    with stdout.capture() as captured:
        print_rows([{"headline": name}], ["headline"], as_json=False, title=name)
    table = captured.get()
    assert name.strip() in table.splitlines()[0]  # the title line holds the text as it is


def test_a_full_page_says_that_more_follow(tmp_path):
    """A table that shows one page of a longer answer says so, and how to see the next page."""
    from fusion_fixtures import call_reports

    db = str(tmp_path / "pages.db")
    with Store.open(db) as store:
        store.ingest(call_reports())
    page = invoke("quotes", "--limit", "1", "--db", db)
    assert page.exit_code == 0
    assert "note: 1 quotes shown, a page; the next page: --offset 1" in page.stderr
    everything = invoke("quotes", "--db", db)
    assert "note:" not in everything.stderr
    hits = invoke("search", "fishing", "--limit", "1", "--db", db)
    assert hits.exit_code == 0 and "the best 1 hits shown" in hits.stderr


def test_terminal_control_characters_from_the_data_are_printed_escaped(tmp_path):
    from typer.testing import CliRunner

    from communique.cli import app

    article = {"id": "esc", "headline": "Talks \x1b]0;pwned\x07\x1b[31mRED\x9b2J", "publisher": "W\x1b[2Jire",
               "published": "2024-01-02", "text": "The foreign minister of Norway met her Kenyan counterpart in Oslo "
               "on Monday to discuss fishing rights and a trade deal."}
    source = tmp_path / "e\x1b[31mvil.jsonl"
    source.write_text(json.dumps(article) + "\n" + json.dumps({"id": "bad\x1b[5m", "text": ""}) + "\n", encoding="utf-8")
    db = str(tmp_path / "esc.db")
    runner = CliRunner()
    outputs = [runner.invoke(app, ["ingest", str(source), "--db", db, "--workers", "1"]).output]
    outputs += [runner.invoke(app, [*command, "--db", db]).output for command in (["articles"], ["show", "esc"])]
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output, output
    assert "\\x1b[31mvil.jsonl" in outputs[0] and "\\x1b]0;pwned\\x07" in outputs[1]


def test_a_full_disk_stops_the_batch_with_one_line_and_the_count(tmp_path, monkeypatch, capsys):
    import sqlite3

    import typer
    from sqlalchemy.exc import OperationalError

    from communique.cli.core import _finish_ingest
    from communique.store import Store, core
    from store_fixtures import numbered

    store = Store.open(str(tmp_path / "full.db"), create=True)
    real, writes, read = core.write_extraction, [], []

    def filling(conn, item, resolver):
        writes.append(item)
        if len(writes) > 4:
            raise OperationalError("INSERT INTO articles (id, source) VALUES (?, ?)", {},
                                   sqlite3.OperationalError("database or disk is full"))
        return real(conn, item, resolver)

    def items():
        for item in numbered(12):
            read.append(item)
            yield item

    monkeypatch.setattr(core, "write_extraction", filling)
    report = store.ingest(items(), batch_size=5)
    assert (report.added, report.errors, report.unwritten) == (4, [], 1)
    assert len(read) == 5 and len(writes) == 5  # no more input read, no item tried after the full disk
    capsys.readouterr()
    with pytest.raises(typer.Exit) as stopped:
        _finish_ingest(report)
    assert stopped.value.exit_code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "not stored" in line and "added" not in line]
    assert len(lines) == 1 and "disk is full: 1 item(s) read were not stored" in lines[0]
    assert "INSERT" not in err and str(tmp_path) not in err and "4 added" in err and "1 not stored" in err
    store.close()
