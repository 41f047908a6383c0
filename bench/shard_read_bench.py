"""Peak memory of reading Parquet shards for `communique load`: shard by shard (`read_shards`) against
reading every shard into one table and sorting it (what `load` did before), in the same run.

    python bench/shard_read_bench.py --shards 8 --rows 3000 --dir /tmp/shard_bench

Writes `--shards` shards of `--rows` synthetic extractions each (bench/synth_store.py's), then reads
them both ways, each in a fresh subprocess, turning every row into an Extraction and dropping it (the
store is left out: it is the same for both). Prints the peak resident memory of each reader and
pyarrow's peak allocation, for the given size and for twice as many shards (flat means the
shard-by-shard peak does not grow with the number of shards).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def write_shards(folder: Path, shards: int, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from communique.parallel.ray_job import SHARD_COLUMNS
    from synth_store import synthetic_extractions

    folder.mkdir(parents=True, exist_ok=True)
    items = synthetic_extractions(shards * rows, countries=60, seed=0)
    for shard in range(shards):
        batch = [next(items) for _ in range(rows)]
        table = pa.table({
            "seq": [shard * rows + i for i in range(rows)],
            "kind": ["extraction"] * rows,
            "source": [x.article.source for x in batch],
            "reason": [""] * rows,
            "json": [json.dumps(x.model_dump(mode="json")) for x in batch],
        })
        assert table.column_names == list(SHARD_COLUMNS)
        pq.write_table(table, folder / f"shard-{shard:04d}.parquet")


def read(folder: str, how: str) -> None:
    """Run in a subprocess: read every row one way; print peaks as JSON."""
    import pyarrow as pa

    from communique.parallel import ray_job

    started = time.perf_counter()
    if how == "stream":
        rows = sum(1 for _ in ray_job.read_shards(folder))
    else:
        import pyarrow.dataset as pads

        table = pads.dataset(folder, format="parquet").to_table(columns=list(ray_job.SHARD_COLUMNS)).sort_by("seq")
        rows = 0
        for batch in table.to_batches(max_chunksize=500):
            for row in batch.to_pylist():
                ray_job._item(row)
                rows += 1
    print(json.dumps({
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "arrow_peak_mb": round(pa.default_memory_pool().max_memory() / 2**20, 1),
    }))


def measure(folder: Path) -> dict:
    out = {}
    for how in ("whole_table", "stream"):
        done = subprocess.run(
            [sys.executable, __file__, "--read", str(folder), "--how", how], capture_output=True, text=True, check=True
        )
        out[how] = json.loads(done.stdout)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--dir", default="/tmp/shard_bench")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    parser.add_argument("--how", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.read, args.how)
        return
    report = {}
    for shards in (args.shards, 2 * args.shards):
        folder = Path(args.dir) / f"{shards}x{args.rows}"
        if not folder.exists():
            write_shards(folder, shards, args.rows)
        report[f"{shards} shards x {args.rows} rows"] = measure(folder)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
