"""`communique ingest PATHS --ray ADDRESS|local`: the pipeline on a Ray cluster (the `ray` extra).

Stages (Ray Data, order preserved, so the store is the one `--workers` gives):
1. the driver expands PATHS into files (`readers.expand_paths`: each real file once);
2. a read stage reads each file into articles (a JSONL, Parquet or WARC file holds many), each with its
   sequence number (file, item);
3. an actor pool analyses batches of articles: each actor loads the pipeline once. On a small
   machine the read stage must not be starved of CPU by the actors (two 1-CPU actors on two CPUs
   deadlocked Ray Data once), so an actor asks for ACTOR_CPUS of a CPU and the pool holds at most
   as many actors as the cluster has CPUs, less one left to reading;
4. the results go either to the store, written in bulk batches by the driver (one writer), or to
   Parquet shards in `--out DIR` that `communique load DIR --db URL` brings into any store.

Nothing is stored twice: an article's id is the hash of its text and the store keeps the first
copy, so a job re-run after a worker or the driver died adds only what is missing, and a task Ray
retries after an actor died writes nothing twice. Shards in DIR may hold an article twice after a
re-run into the same DIR; `load` stores it once.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from collections.abc import Iterator

from communique.config import Settings
from communique.models import Article, Extraction, Rejection

ACTOR_CPUS = 0.5
BATCH_ARTICLES = 4
SHARD_COLUMNS = ("seq", "kind", "source", "reason", "json")
ROWS_PER_FILE = 1_000_000_000  # seq = file index * this + item: room for a large Parquet or JSONL file


class RayMissing(RuntimeError):
    """Ray is not installed (the `ray` extra)."""


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayMissing("Ray is not installed: pip install 'communique[ray]'") from exc
    return ray


def connect(address: str):
    """Join the cluster at `address`, or start a local one for "local"."""
    import logging

    ray = _ray()
    for name in ("ray", "ray.data"):  # progress lines on stderr would drown ours
        logging.getLogger(name).setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    if not ray.is_initialized():
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address == "local":
            # the local workers import what the driver imports (an uninstalled checkout, tests)
            path = os.pathsep.join(p for p in sys.path if p)
            ray.init(runtime_env={"env_vars": {"PYTHONPATH": path}}, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    return ray


def _read_file(row: dict) -> list[dict]:
    """One input file's articles (or rejections), each with its sequence number."""
    from datetime import date

    from communique.readers import load_articles

    settings = pickle.loads(row["settings"])
    published = date.fromisoformat(row["published"]) if row["published"] else None
    out = []
    for i, item in enumerate(load_articles([row["path"]], settings, published)):
        out.append({"seq": row["index"] * ROWS_PER_FILE + i, "item": pickle.dumps(item)})
    return out


class Analyser:
    """A Ray actor: the pipeline, loaded once, over batches of articles."""

    def __init__(self, settings_bytes: bytes, task=None):
        self.task = task
        if task is None:
            from communique.pipeline import Pipeline

            self.pipeline = Pipeline(pickle.loads(settings_bytes))

    def __call__(self, batch: dict) -> dict:
        items = [pickle.loads(b) for b in batch["item"]]
        if self.task is not None:
            results = self.task(items)
        else:
            analysed = iter(self.pipeline.process([i for i in items if isinstance(i, Article)]))
            results = [next(analysed) if isinstance(i, Article) else i for i in items]
        rows = {c: [] for c in SHARD_COLUMNS}
        for seq, result in zip(batch["seq"], results):
            rows["seq"].append(int(seq))
            if isinstance(result, Extraction):
                rows["kind"].append("extraction")
                rows["source"].append(result.article.source or "")
                rows["reason"].append("")
                rows["json"].append(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
            else:
                rows["kind"].append("rejection")
                rows["source"].append(str(result.source))
                rows["reason"].append(str(result.reason))
                rows["json"].append("")
        return rows


def _pool_size(ray, workers: int | None) -> int:
    """`workers`, else one actor per CPU of the cluster but one (left to reading)."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return max(1, workers or cpus - 1)


def dataset(paths: list[str], settings: Settings, published, workers: int | None = None, task=None):
    """The Ray Dataset of analysed rows (SHARD_COLUMNS), in input order, and the rejections the
    driver made while expanding the paths."""
    from communique.readers.paths import expand_paths

    ray = _ray()
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    files, early = [], []
    for found in expand_paths(paths):
        (early if isinstance(found, Rejection) else files).append(found)
    settings_bytes = pickle.dumps(settings)
    rows = [
        {"index": i, "path": str(path), "settings": settings_bytes, "published": published.isoformat() if published else ""}
        for i, path in enumerate(files)
    ]
    if not rows:
        return None, early
    ds = ray.data.from_items(rows).flat_map(_read_file)
    ds = ds.map_batches(
        Analyser,
        fn_constructor_args=(settings_bytes, task),
        batch_size=BATCH_ARTICLES,
        concurrency=_pool_size(ray, workers),
        num_cpus=ACTOR_CPUS,
    )
    return ds, early


def results(ds) -> Iterator[Extraction | Rejection]:
    """The dataset's rows as Extractions and Rejections, in order."""
    for row in ds.iter_rows():
        yield _item(row)


def _item(row: dict) -> Extraction | Rejection:
    if row["kind"] == "extraction":
        return Extraction.model_validate(json.loads(row["json"]))
    return Rejection(row["source"], row["reason"])


def write_shards(ds, early: list[Rejection], out: str) -> None:
    """Parquet shards of the analysed rows in `out` (the driver's own rejections in one more)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(out, exist_ok=True)
    if ds is not None:
        ds.write_parquet(out)
    if early:
        table = pa.table({
            "seq": [-1 - i for i in range(len(early))], "kind": ["rejection"] * len(early),
            "source": [str(r.source) for r in early], "reason": [str(r.reason) for r in early],
            "json": [""] * len(early),
        })
        pq.write_table(table, os.path.join(out, "rejections-driver.parquet"))


def shard_paths(directory: str) -> list[str]:
    """The Parquet shards under `directory` (those a pyarrow dataset finds), in a deterministic
    order: by the first sequence number each holds, then by path. A job's shards hold runs of
    consecutive rows, so this is the order the job read its input in."""
    import pyarrow.dataset as pads

    return sorted(pads.dataset(directory, format="parquet").files, key=lambda path: (_first_seq(path), path))


def _first_seq(path: str) -> int:
    """The smallest `seq` of a shard: from the row-group statistics, else from the column itself."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    shard = pq.ParquetFile(path)
    metadata = shard.metadata
    column = shard.schema_arrow.get_field_index("seq")
    if column < 0:
        raise ValueError(f"{path}: no seq column (not a shard of `ingest --ray --out`)")
    minima = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max:
            minima = None
            break
        minima.append(stats.min)
    if minima is None:
        minima = [pc.min(shard.read(columns=["seq"]).column("seq")).as_py()]
    minima = [m for m in minima if m is not None]
    return min(minima) if minima else sys.maxsize


def read_shard(path: str):
    """One shard's rows (SHARD_COLUMNS), in sequence order, as an Arrow table."""
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=list(SHARD_COLUMNS)).sort_by("seq")


def read_shards(directory: str, on_bad_row=None) -> Iterator[Extraction | Rejection]:
    """The rows of every Parquet shard under `directory`, shard by shard (`shard_paths`), each
    shard's rows in sequence order: memory holds one shard at a time, whatever the corpus size.
    The store does not depend on the order items arrive in (fusion is order-free), and for one
    job's shards this is the job's input order anyway. A row that is not a valid item (broken
    JSON, a field of the wrong kind) becomes a Rejection naming its shard and seq, is passed to
    `on_bad_row`, and the rows after it go on."""
    for path in shard_paths(directory):
        for batch in read_shard(path).to_batches(max_chunksize=500):
            for row in batch.to_pylist():
                try:
                    item = _item(row)
                except (ValueError, TypeError, KeyError, AttributeError) as exc:  # pydantic's errors are ValueErrors
                    why = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
                    item = Rejection(f"{path}:seq {row.get('seq')}", f"bad shard row ({why})")
                    if on_bad_row is not None:
                        on_bad_row(item)
                yield item
