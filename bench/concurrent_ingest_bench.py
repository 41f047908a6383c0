"""Four concurrent writers into a fresh PostgreSQL database, repeated: is every article stored every time?

    python bench/concurrent_ingest_bench.py --pg postgresql://postgres@127.0.0.1:5432/postgres --runs 20
    python bench/concurrent_ingest_bench.py --pg ... --mode cli --runs 3     # four real `communique ingest`

The forty articles are tests/concurrency_corpus.py's: ten phone calls between five foreign ministers,
each reported by four outlets, outlet k's ten articles written by writer k (so all four writers meet
the same actors and the same events at the same moment).

Modes:
- `store` (default): the articles are analysed once by the real pipeline (`communique extract
  --json`, one process per writer folder), then each run starts four processes that open the store
  (`Store.open`, which migrates the new database concurrently) and `Store.ingest` those extractions.
  This keeps twenty runs affordable on a small machine: spaCy is not loaded eighty times.
- `corpus`: the same, with the hand-built extractions of tests/concurrency_corpus.py (no spaCy).
- `cli`: four `communique ingest DIR --db URL` processes per run, the full path of the bug report.

Each run creates a database, releases the writers together, then prints the stored articles,
what each writer reported (added / errors / whole-item retries), PostgreSQL's own deadlock count
for the database (pg_stat_database), and whether the fused result (events, reports per event,
actors, quote groups) is one that a single writer makes of the same extractions in some order
(fusion of real extractions can depend on the order reports arrive in). The database is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC, TESTS = ROOT / "src", ROOT / "tests"
sys.path[:0] = [str(SRC), str(TESTS)]

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from communique.store import Store
from communique.store.schema import event_reports, quotes
from concurrency_corpus import extractions, texts

CLI = "import sys; from communique.cli import main; sys.exit(main())"  # the `communique` command

WRITER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from communique.store import Store
items = [json.loads(line) for line in Path(sys.argv[2]).read_text(encoding="utf-8").splitlines() if line]
store = Store.open(sys.argv[1])
print("ready", flush=True)
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
report = store.ingest(items)
print(json.dumps({"added": report.added, "unchanged": report.unchanged, "errors": report.errors,
                  "retries": getattr(report, "retries", 0)}), flush=True)
"""


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def admin(base: str, statement: str) -> None:
    with psycopg.connect(libpq(base), autocommit=True) as conn:
        conn.execute(statement)


def deadlocks(base: str, name: str) -> int:
    with psycopg.connect(libpq(base), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()
    return int(row[0]) if row else -1


def write_folders(work: Path) -> list[Path]:
    folders = []
    for i, articles in enumerate(texts()):
        folder = work / f"writer{i}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in articles:
            (folder / name).write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders


def extract_with_pipeline(folders: list[Path], work: Path) -> list[Path]:
    """One `communique extract --json` per writer folder: the real pipeline's extractions."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = []
    for i, folder in enumerate(folders):
        target = work / f"writer{i}.jsonl"
        with target.open("w", encoding="utf-8") as handle:
            subprocess.run(
                [sys.executable, "-c", CLI, "extract", str(folder), "--json", "--published", "2024-03-20"],
                stdout=handle,
                check=True,
                env=env,
            )
        out.append(target)
    return out


def write_corpus(work: Path) -> list[Path]:
    out = []
    for i, items in enumerate(extractions()):
        target = work / f"writer{i}.jsonl"
        target.write_text("".join(json.dumps(e.to_json_dict(), ensure_ascii=False) + "\n" for e in items), "utf-8")
        out.append(target)
    return out


def fingerprint(url: str) -> dict:
    """What the fused record looks like, independent of ids: events and their report counts,
    actors, quote groups."""
    with Store(url) as store, store.engine.connect() as conn:
        counts = store.count()
        per_event = sorted(
            conn.execute(select(func.count()).select_from(event_reports).group_by(event_reports.c.event_id)).scalars()
        )
        groups = sorted(conn.execute(select(func.count()).select_from(quotes).group_by(quotes.c.group_id)).scalars())
    return {
        "articles": counts["articles"],
        "actors": counts["actors"],
        "events": counts["events"],
        "reports_per_event": per_event,
        "quote_groups": groups,
    }


SERIAL_ORDERS = 12


def serial_fingerprints(inputs: list[Path], work: Path) -> list[dict]:
    """The fused records one writer makes of the same extractions in several orders (writer by
    writer, round robin, random), on SQLite files: fusion on real extractions may depend on the
    order reports arrive in (reports that are not pairwise compatible), so a concurrent run is
    right when it matches one of them."""
    per_writer = [[json.loads(line) for line in p.read_text("utf-8").splitlines() if line] for p in inputs]
    orders = [[x for items in per_writer for x in items]]
    orders.append([items[j] for j in range(max(map(len, per_writer))) for items in per_writer if j < len(items)])
    rng = random.Random(0)
    while len(orders) < SERIAL_ORDERS:
        shuffled = list(orders[0])
        rng.shuffle(shuffled)
        orders.append(shuffled)
    found: list[dict] = []
    for k, order in enumerate(orders):
        url = f"sqlite:///{work / f'serial{k}.db'}"
        with Store(url) as store:
            store.migrate()
            store.ingest(order)
        print_ = fingerprint(url)
        if print_ not in found:
            found.append(print_)
    return found


def run_store_writers(url: str, inputs: list[Path], go: Path) -> list[dict]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(path), str(go), str(SRC)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in inputs
    ]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(proc.stderr.read())
        go.touch()
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                lines = [line for line in err.splitlines() if "Error" in line] or err.splitlines()[-1:] or ["?"]
                reports.append({"added": 0, "errors": lines[-1:], "retries": 0, "exit": proc.returncode})
            else:
                reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def run_cli_writers(url: str, folders: list[Path]) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    plain = libpq(url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLI, "ingest", str(f), "--db", plain, "--published", "2024-03-20"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in folders
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        said = [line for line in (out + err).splitlines() if " added" in line]  # the CLI's summary line
        reports.append({"exit": proc.returncode, "summary": said[-1:] or [""],
                        "errors": [line for line in err.splitlines() if "Error" in line or "Traceback" in line]})
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get("COMMUNIQUE_TEST_PG"), help="server URL (CREATE DATABASE allowed)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--mode", choices=["store", "corpus", "cli"], default="store")
    args = parser.parse_args()
    if not args.pg:
        parser.error("--pg (or COMMUNIQUE_TEST_PG) is required")
    from communique.config import db_url

    base = db_url(args.pg)
    work = Path(tempfile.mkdtemp(prefix="concurrent_ingest_"))
    folders = write_folders(work)
    started = time.perf_counter()
    inputs = []
    if args.mode == "store":
        inputs = extract_with_pipeline(folders, work)
        print(f"pipeline extraction of {sum(len(t) for t in texts())} articles: {time.perf_counter() - started:.1f} s")
    elif args.mode == "corpus":
        inputs = write_corpus(work)

    def fresh() -> tuple[str, str]:
        name = f"communique_concurrent_{uuid.uuid4().hex[:10]}"
        admin(base, f'CREATE DATABASE "{name}"')
        return name, make_url(base).set(database=name).render_as_string(hide_password=False)

    serial = serial_fingerprints(inputs, work) if inputs else []
    if serial:
        print(f"one writer, {SERIAL_ORDERS} orders: {len(serial)} different fused records (events: "
              f"{sorted({f['events'] for f in serial})})")

    complete = 0
    for run in range(1, args.runs + 1):
        name, url = fresh()
        try:
            t0 = time.perf_counter()
            if args.mode == "cli":
                reports = run_cli_writers(url, folders)
            else:
                reports = run_store_writers(url, inputs, work / f"go{run}")
            seconds = time.perf_counter() - t0
            time.sleep(0.6)  # let the writers' statistics reach pg_stat_database
            found = fingerprint(url)
            dead = deadlocks(base, name)
        finally:
            admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        complete += found["articles"] == 40
        errors = sum(len(r["errors"]) for r in reports)
        line = f"run {run:2d}: stored {found['articles']}/40, writer errors {errors}, pg deadlocks {dead}"
        if args.mode == "cli":
            line += f", exits {[r['exit'] for r in reports]}, summaries {[r['summary'][0] for r in reports]}, {found}"
        else:
            line += f", added {[r['added'] for r in reports]}, retries {[r.get('retries', 0) for r in reports]}"
            same = found in serial
            line += f", fused record {'as one writer makes it' if same else f'like NO one-writer order: {found}'}"
        print(line + f", {seconds:.1f} s", flush=True)
        for report in reports:
            for error in report["errors"][:3]:
                print(f"    {error}")
    print(f"{complete}/{args.runs} runs stored all 40 articles")
    return 0 if complete == args.runs else 1


if __name__ == "__main__":
    raise SystemExit(main())
