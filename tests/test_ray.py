"""`ingest --ray local`: the same store as `--workers 1`, Parquet shards that `load` stores once, and
a job that survives a dying actor (needs the ray extra; skipped without it)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.cli.core import demo_corpus
from communique.store import Store
from store_dump import dump

ray = pytest.importorskip("ray")

runner = CliRunner()


@pytest.fixture(scope="module")
def local_ray():
    from communique.parallel.ray_job import connect

    connect("local")
    yield
    ray.shutdown()


def _dump(db: str) -> dict:
    with Store.open(db) as store:
        return dump(store.engine)


@pytest.fixture(scope="module")
def one_worker_store(tmp_path_factory, pipeline) -> dict:
    db = str(tmp_path_factory.mktemp("one") / "one.db")
    result = runner.invoke(app, ["ingest", str(demo_corpus()), "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    return _dump(db)


def test_ray_local_stores_what_one_worker_stores(local_ray, one_worker_store, tmp_path):
    db = str(tmp_path / "ray.db")
    result = runner.invoke(app, ["ingest", str(demo_corpus()), "--db", db, "--ray", "local"])
    assert result.exit_code == 0, result.output
    assert one_worker_store["events"] and _dump(db) == one_worker_store


def test_shards_load_into_the_same_store_once(local_ray, one_worker_store, tmp_path):
    shards, db = str(tmp_path / "shards"), str(tmp_path / "loaded.db")
    written = runner.invoke(app, ["ingest", str(demo_corpus()), "--ray", "local", "--out", shards])
    assert written.exit_code == 0, written.output
    first = runner.invoke(app, ["load", shards, "--db", db])
    again = runner.invoke(app, ["load", shards, "--db", db])
    assert first.exit_code == 0 and again.exit_code == 0, (first.output, again.output)
    stored = len(one_worker_store["articles"])
    assert stored and f"0 added, {stored} already stored" in again.output, (stored, again.output)
    assert _dump(db) == one_worker_store


def test_a_dying_actor_is_replaced_and_nothing_is_lost_or_doubled(local_ray, tmp_path):
    from communique.config import Settings
    from communique.parallel.ray_job import dataset, results
    from pool_tasks import DieOnce

    folder = tmp_path / "texts"
    folder.mkdir()
    for i, text in enumerate(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]):
        (folder / f"{i}.txt").write_text(text + "\n")
    ds, _ = dataset([str(folder)], Settings(), None, workers=1, task=DieOnce(str(tmp_path / "died"), "charlie"))
    out = list(results(ds))
    assert (tmp_path / "died").exists()  # the actor did die
    assert [r.reason for r in out] == [f"echo {t}" for t in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]]


def test_parquet_rows_go_through_ray_as_through_one_worker(local_ray, pipeline, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [p.read_text(encoding="utf-8") for p in sorted(demo_corpus().glob("*.txt"))]
    path = tmp_path / "feed.parquet"
    pq.write_table(
        pa.table({"id": [f"demo-{i}" for i in range(len(texts))], "text": texts, "published": ["2024-03-01"] * len(texts)}),
        path,
        row_group_size=2,
    )
    dumps = []
    for run in (["--workers", "1"], ["--ray", "local"]):
        db = str(tmp_path / f"{run[0].strip('-')}.db")
        result = runner.invoke(app, ["ingest", str(path), "--db", db, *run])
        assert result.exit_code == 0, result.output
        dumps.append(_dump(db))
    assert len(dumps[0]["articles"]) == len(texts) and dumps[0]["events"]
    assert dumps[1] == dumps[0]
