"""`communique load DIR`: Parquet shards (as `ingest --ray --out` writes them) are read shard by
shard, each in sequence order, and give the store that the items in the job's order give. The
shards are written here without Ray, in the layout a job leaves: runs of consecutive rows."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.models import Rejection
from communique.store import Store
from store_dump import dump
from store_fixtures import corpus, numbered

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from communique.parallel import ray_job  # noqa: E402

runner = CliRunner()


def _rows(items: list, first_seq: int) -> dict[str, list]:
    """Shard rows (ray_job.SHARD_COLUMNS) for `items`, numbered from `first_seq`."""
    rows = {c: [] for c in ray_job.SHARD_COLUMNS}
    for seq, item in enumerate(items, start=first_seq):
        rows["seq"].append(seq)
        if isinstance(item, Rejection):
            rows["kind"].append("rejection")
            rows["source"].append(item.source)
            rows["reason"].append(item.reason)
            rows["json"].append("")
        else:
            rows["kind"].append("extraction")
            rows["source"].append(item.article.source or "")
            rows["reason"].append("")
            rows["json"].append(json.dumps(item.model_dump(mode="json")))
    return rows


def _items() -> list:
    return corpus() + numbered(9) + [Rejection("broken.html", "no text")] + numbered(3, start=20)


def _write_job_shards(folder, items: list, sizes: list[int], names: list[str], seed: int = 0) -> None:
    """Consecutive runs of `items` in shards named `names` (not in their order), rows shuffled in
    each; every other shard without column statistics (the first seq is then read from the column)."""
    rng = random.Random(seed)
    folder.mkdir()
    start = 0
    for i, (size, name) in enumerate(zip(sizes, names, strict=True)):
        rows = _rows(items[start : start + size], start)
        order = list(range(size))
        rng.shuffle(order)
        table = pa.table({c: [rows[c][i] for i in order] for c in ray_job.SHARD_COLUMNS})
        pq.write_table(table, folder / name, row_group_size=2, write_statistics=i % 2 == 0)
        start += size
    assert start == len(items)


def test_shards_are_read_one_by_one_in_the_jobs_order(tmp_path, monkeypatch):
    items = _items()
    _write_job_shards(tmp_path / "shards", items, [4, 6, 3, 3], ["d.parquet", "b.parquet", "c.parquet", "a.parquet"])
    assert [p.rsplit("/", 1)[-1] for p in ray_job.shard_paths(str(tmp_path / "shards"))] == [
        "d.parquet", "b.parquet", "c.parquet", "a.parquet"
    ]
    read: list[str] = []
    real = ray_job.read_shard
    monkeypatch.setattr(ray_job, "read_shard", lambda path: read.append(path) or real(path))
    stream = ray_job.read_shards(str(tmp_path / "shards"))
    first = next(stream)
    assert first.article.id == items[0].article.id
    assert len(read) == 1  # one shard in memory, not the whole job
    rest = list(stream)
    assert len(read) == 4
    labels = [x.source if isinstance(x, Rejection) else x.article.id for x in [first, *rest]]
    assert labels == [x.source if isinstance(x, Rejection) else x.article.id for x in items]


@pytest.mark.parametrize("writers", [[], ["--writers", "3"]])  # SQLite: one writer whatever is asked
def test_loading_shards_gives_the_store_of_the_items_in_order(tmp_path, writers):
    items = _items()
    _write_job_shards(tmp_path / "shards", items, [5, 1, 10], ["z.parquet", "m.parquet", "a.parquet"], seed=3)
    reference = tmp_path / "reference.db"
    with Store.open(str(reference)) as store:
        report = store.ingest(items)  # one by one, in the job's order
        assert report.added == len(items) - 1 and report.rejected == 1
        expected = dump(store.engine)
    loaded = str(tmp_path / "loaded.db")
    result = runner.invoke(app, ["load", str(tmp_path / "shards"), "--db", loaded, *writers])
    assert result.exit_code == 0, result.output
    with Store.open(loaded) as store:
        got = dump(store.engine)
    assert expected["quotes"] and expected["events"]
    assert got == expected


def test_a_shard_without_sequence_numbers_is_one_clear_line(tmp_path):
    folder = tmp_path / "shards"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["not a shard"]}), folder / "x.parquet")
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "cannot read the shards" in result.output and "Traceback" not in result.output


def test_a_bad_shard_row_is_reported_and_the_rows_after_it_are_loaded(tmp_path):
    items = _items()
    folder = tmp_path / "shards"
    folder.mkdir()
    rows = _rows(items, 0)
    rows["json"][2] = "{broken"  # a row that cannot be read back
    rows["json"][5] = json.dumps({"article": {"id": 5}})  # one that is not an extraction
    pq.write_table(pa.table(rows), folder / "job.parquet")
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    bad = [line for line in result.output.splitlines() if "bad shard row" in line]
    assert len(bad) == 2 and "job.parquet:seq 2" in bad[0] and "job.parquet:seq 5" in bad[1]
    with Store.open(str(tmp_path / "s.db")) as store:
        assert store.count()["articles"] == len(items) - 1 - 2  # all but the rejection and the two bad rows
