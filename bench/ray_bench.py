"""A local Ray job against `--workers N` on the same articles: the ratio of rates, and whether both
stores hold the same articles and fused events.

    python bench/ray_bench.py ../shared/data/polnear/dev/text --articles 1000 --workers 2

The corpus is the texts of the given folder, repeated (copied under new names) until it holds
--articles files; a repeated text is the same article, so the store keeps it once, but every copy is
read and analysed. Both get --workers N (Ray: N actors of half a CPU each). Each command runs as `communique ingest` in a subprocess into its own SQLite file;
the times include starting the workers (or the local Ray) and loading the pipeline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def build_corpus(source: Path, n: int, target: Path) -> int:
    texts = sorted(p for p in source.iterdir() if p.is_file() and p.suffix == ".txt")
    for i in range(n):
        shutil.copy(texts[i % len(texts)], target / f"{i:06d}_{texts[i % len(texts)].name}")
    return n


def run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(["communique", *args], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("texts")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from communique.store import Store
    from store_dump import dump

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        n = build_corpus(Path(args.texts), args.articles, corpus)
        pool_db, ray_db = Path(tmp) / "pool.db", Path(tmp) / "ray.db"
        pool_s = run(["ingest", str(corpus), "--db", str(pool_db), "--workers", str(args.workers)])
        ray_s = run(["ingest", str(corpus), "--db", str(ray_db), "--ray", "local", "--workers", str(args.workers)])
        with Store(f"sqlite:///{pool_db}") as a, Store(f"sqlite:///{ray_db}") as b:
            pool_rows, ray_rows = dump(a.engine), dump(b.engine)
    print(json.dumps({
        "articles_read": n, "articles_stored": len(pool_rows["articles"]), "events": len(pool_rows["events"]),
        "workers": args.workers, "workers_seconds": round(pool_s, 1), "ray_seconds": round(ray_s, 1),
        "workers_articles_per_s": round(n / pool_s, 2), "ray_articles_per_s": round(n / ray_s, 2),
        "ray_over_workers_rate": round(pool_s / ray_s, 3), "same_store": pool_rows == ray_rows,
    }))


if __name__ == "__main__":
    main()
