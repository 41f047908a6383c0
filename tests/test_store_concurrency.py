"""Concurrent writers: nothing lost, no deadlock, fusion still right; and safe opening of a new SQLite file.

Four writers, each with its own engine, store the forty articles of tests/concurrency_corpus.py at
once: every writer reports the same ten calls between the same five ministers, at the same moment,
so actor upserts and event fusion collide. The default run uses threads (the database waits release
the GIL, so they race as processes do); the real case, four processes (and four `communique ingest`
runs), is marked slow because starting Python four times costs far more than the writes.
bench/concurrent_ingest_bench.py repeats the process version twenty times. PostgreSQL runs when
COMMUNIQUE_TEST_PG is set (see tests/store_db.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from communique.store import Store
from communique.store.schema import actors, quotes
from communique.store.schema import events as events_table
from concurrency_corpus import MINISTERS, WRITERS, expected_actor_count, extractions, texts

pytest_plugins = ["store_db"]  # the `store` fixture, on each backend

CLI = "import sys; from communique.cli import main; sys.exit(main())"  # the `communique` command
TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"

# One writer process: builds its articles, says it is ready, waits for the go file, then ingests.
WRITER = """
import json, sys, time
from pathlib import Path
sys.path[:0] = [sys.argv[4], sys.argv[5]]
from communique.store import Store
from concurrency_corpus import extractions
mine = extractions()[int(sys.argv[2])]
store = Store(sys.argv[1])
print("ready", flush=True)
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.002)
report = store.ingest(mine, batch_size=int(sys.argv[6]))
print(json.dumps({"added": report.added, "unchanged": report.unchanged, "errors": report.errors,
                  "retries": report.retries}), flush=True)
"""


def run_writer_threads(url: str, batch_size: int = 50) -> list[dict]:
    """One thread and one Store (engine) per writer, released together; their reports."""
    work = extractions()
    stores = [Store(url) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    reports: list[dict | None] = [None] * WRITERS

    def write(i: int) -> None:
        start.wait()
        report = stores[i].ingest(work[i], batch_size=batch_size)
        reports[i] = {"added": report.added, "unchanged": report.unchanged, "errors": report.errors}

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        for store in stores:
            store.close()
    assert None not in reports, "a writer failed (its traceback is printed above)"
    return reports


def run_writer_processes(url: str, tmp_path: Path, batch_size: int = 50, round_: int = 0) -> list[dict]:
    """Start one process per writer, release them together, and return their reports."""
    go = tmp_path / f"go{round_}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(i), str(go), str(SRC), str(TESTS), str(batch_size)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WRITERS)
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def assert_everything_stored_once(store: Store) -> None:
    per_writer = len(MINISTERS) * (len(MINISTERS) - 1) // 2
    total = per_writer * WRITERS
    counts = store.count()
    assert counts["articles"] == total
    assert counts["actors"] == expected_actor_count()  # no minister or government stored twice
    assert counts["event_reports"] == total
    assert counts["events"] == per_writer  # each call fused into one event ...
    events = store.events()
    for event in events:  # ... with its four reports, one from each outlet
        assert len({r["article_id"] for r in event["reports"]}) == WRITERS, event
        assert len({r["publisher"] for r in event["reports"]}) == WRITERS
        assert event["date_precision"] == "day"  # the day three outlets gave, not one outlet's week
    pairs = {frozenset(p["name"] for p in e["actors"] + e["recipients"]) for e in events}
    assert len(pairs) == per_writer  # every pair of ministers once
    with store.engine.connect() as conn:
        fused = conn.execute(select(events_table.c.report_count, events_table.c.conflicts)).all()
        groups = Counter(conn.execute(select(quotes.c.group_id)).scalars())
        ministers = conn.execute(
            select(actors.c.name, actors.c.kb_id, actors.c.role, func.count()).group_by(
                actors.c.name, actors.c.kb_id, actors.c.role
            ).where(actors.c.kind == "person")
        ).all()
    assert fused == [(WRITERS, None)] * per_writer  # counts refreshed with every report; no conflicts
    assert sorted(groups.values()) == [WRITERS] * per_writer  # each call's quote: one group of four
    # every minister once, completed with the KB id and role that only some outlets gave
    assert sorted(ministers) == sorted((m.name, m.kb_id, "foreign minister", 1) for m in MINISTERS)


def test_four_writers_store_everything_once(store):
    reports = run_writer_threads(store.url, batch_size=3)
    assert [r["errors"] for r in reports] == [[]] * WRITERS
    assert sum(r["added"] for r in reports) == 40
    assert_everything_stored_once(store)


def test_writers_rerun_over_each_others_articles(store):
    """Two rounds: the second finds every article stored (by whichever writer) and changes nothing."""
    run_writer_threads(store.url)
    before = store.count()
    again = run_writer_threads(store.url)
    assert [(r["added"], r["unchanged"], r["errors"]) for r in again] == [(0, 10, [])] * WRITERS
    assert store.count() == before


def test_writers_of_huge_articles_take_turns(store, monkeypatch):
    """An item that would need too many fine locks takes the global one exclusively instead."""
    from communique.store import locks

    monkeypatch.setattr(locks, "MAX_FINE_LOCKS", 0)  # every item is "huge"
    reports = run_writer_threads(store.url)
    assert [r["errors"] for r in reports] == [[]] * WRITERS
    assert_everything_stored_once(store)


def test_sqlite_item_retried_when_the_file_stays_locked_past_the_busy_timeout(tmp_path, monkeypatch):
    from communique.store import engine
    from store_fixtures import numbered

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.db"
    with Store(f"sqlite:///{path}") as store:
        store.migrate()
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another program writing for a second
        release = threading.Timer(1.0, lambda: other.execute("COMMIT"))
        release.start()
        try:
            report = store.ingest(numbered(2))
        finally:
            release.join()
            other.close()
        assert (report.added, report.errors) == (2, [])
        assert report.retries >= 1
        assert store.count()["articles"] == 2


@pytest.mark.slow
def test_four_writer_processes_store_everything_once(store, tmp_path):
    reports = run_writer_processes(store.url, tmp_path, batch_size=3)
    assert [r["errors"] for r in reports] == [[]] * WRITERS
    assert sum(r["added"] for r in reports) == 40
    assert_everything_stored_once(store)


@pytest.mark.slow
def test_four_cli_ingests_at_once(store, tmp_path):
    """The real case: four `communique ingest DIR` processes (spaCy and all) on one database."""
    dirs = []
    for i, articles in enumerate(texts()):
        folder = tmp_path / f"writer{i}"
        folder.mkdir()
        for name, text in articles:
            (folder / name).write_text(text, encoding="utf-8")
        dirs.append(folder)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    url = store.url.replace("postgresql+psycopg://", "postgresql://")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLI, "ingest", str(d), "--db", url, "--published", "2024-03-20"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for d in dirs
    ]
    outputs = [p.communicate(timeout=900) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in out + err
    assert store.count()["articles"] == 40


# ---------------------------------------------------------------- opening a brand-new SQLite file


def test_a_new_sqlite_file_held_by_another_opener_is_waited_for(tmp_path):
    """A second process holding the new file's lock (as while it switches the file to WAL) makes
    `PRAGMA journal_mode=WAL` fail at once, whatever the busy timeout: the store waits instead."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other_program (x)")  # a write in rollback-journal mode
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        with Store(f"sqlite:///{path}") as store:
            store.migrate()
            assert time.monotonic() - started >= 0.9  # it did wait for the holder
            assert store.revision() == store.head()
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        release.join()
        holder.close()


OPENER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from communique.store import Store
print("ready", flush=True)
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
store = Store.open(sys.argv[1])
print(store.revision(), store.count()["articles"], flush=True)
"""


def test_processes_opening_one_new_sqlite_file_at_once_all_succeed(tmp_path):
    path, go = tmp_path / "fresh.db", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(path), str(go), str(SRC)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()  # both of them open and migrate the file that does not exist yet
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    with Store(f"sqlite:///{path}") as store:
        assert [out.strip() for out, _ in results] == [f"{store.head()} 0"] * len(procs)

