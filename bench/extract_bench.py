"""Throughput of `communique extract` against bare spaCy on the same texts, in the same run.

    python bench/extract_bench.py CORPUS [--repeat 3] [--limit N] [--workers 1 2] [--json]

CORPUS is anything `communique extract` reads (a directory of .txt files such as
../shared/data/polnear/dev/text, a JSONL file, a WARC archive). Each measurement runs in a fresh
subprocess so that its peak RSS is its own; the two modes alternate `--repeat` times and the best
time of each is kept, because the machines are shared and noisy. Model loading is timed apart.

The bare-spaCy mode runs `nlp.pipe` of the same model over the same article bodies that communique
feeds to spaCy, so the ratio is the cost of everything communique adds: reading, cleaning, actors,
attribution, events and JSON serialisation.

`--workers` takes one or more process counts; for each, bare spaCy runs with `n_process=N` and
communique with `communique.parallel.WorkerPool` of N workers, both on the same cores. For N > 1 the
workers are started (and load the pipeline) before the clock starts, as `nlp.pipe` forks an already
loaded model; peak RSS is then that of each worker process (VmHWM), the largest reported.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def _bodies(corpus: str, limit: int | None):
    from communique.config import Settings
    from communique.models import Rejection
    from communique.readers import load_articles

    articles = [a for a in load_articles([corpus], Settings()) if not isinstance(a, Rejection)]
    return articles[:limit] if limit else articles


def _peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in MiB."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_pool(corpus: str, limit: int | None, workers: int) -> dict:
    """communique on a pool of `workers` processes, started before the clock."""
    from communique.config import Settings
    from communique.models import Extraction
    from communique.parallel.pool import WorkerPool

    t0 = time.perf_counter()
    with WorkerPool(Settings(), workers) as pool:
        pool.warm()
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        articles = _bodies(corpus, limit)
        n_docs, words = 0, 0
        for extraction in pool.batches(articles):
            if isinstance(extraction, Extraction):
                json.dumps(extraction.to_json_dict(), ensure_ascii=False)
                n_docs += 1
                words += len(extraction.article.body.split())
        elapsed = time.perf_counter() - t0
        per_worker = [_peak_rss_mib(pid) for pid in pool.pids()]
    return {
        "mode": "communique", "workers": workers, "articles": n_docs, "words": words, "seconds": elapsed,
        "load_seconds": load_s, "peak_rss_mib": max(per_worker), "peak_rss_mib_per_worker": per_worker,
        "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(mode: str, corpus: str, limit: int | None, workers: int = 1) -> dict:
    """One measurement in this process; printed as JSON by the child."""
    from communique.config import Settings
    from communique.nlp import load_nlp

    if mode == "communique" and workers > 1:
        return measure_pool(corpus, limit, workers)
    settings = Settings()
    t0 = time.perf_counter()
    if mode == "spacy":
        nlp = load_nlp(settings.spacy_model)
    else:
        from communique.pipeline import Pipeline

        pipeline = Pipeline(settings)
    load_s = time.perf_counter() - t0

    if mode == "spacy":
        texts = [a.body or a.text for a in _bodies(corpus, limit)]  # reading is not timed for spaCy
        t0 = time.perf_counter()
        n_docs = sum(1 for _ in nlp.pipe(texts, batch_size=16, n_process=workers))
        elapsed = time.perf_counter() - t0
        words = sum(len(t.split()) for t in texts)
        if workers > 1:  # the largest peak of the worker processes nlp.pipe started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            return {"mode": mode, "workers": workers, "articles": n_docs, "words": words, "seconds": elapsed,
                    "load_seconds": load_s, "peak_rss_mib": peak}
    else:
        t0 = time.perf_counter()
        articles = _bodies(corpus, limit)  # reading and cleaning are part of extract
        n_docs, words, out_bytes = 0, 0, 0
        for extraction in pipeline.extract(articles):
            out_bytes += len(json.dumps(extraction.to_json_dict(), ensure_ascii=False))
            n_docs += 1
            words += len(extraction.article.body.split())
        elapsed = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "workers": workers, "articles": n_docs, "words": words, "seconds": elapsed,
            "load_seconds": load_s, "peak_rss_mib": peak_kib / 1024}


def run_child(mode: str, corpus: str, limit: int | None, workers: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, corpus, "--workers", str(workers)]
    cmd += ["--limit", str(limit)] if limit else []
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="process counts to measure")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child_workers = args.workers[0]
        print(json.dumps(measure(args.child, args.corpus, args.limit, child_workers)))
        return

    summaries = []
    for workers in args.workers:
        best: dict[str, dict] = {}
        for _ in range(args.repeat):
            for mode in ("spacy", "communique"):
                result = run_child(mode, args.corpus, args.limit, workers)
                if mode not in best or result["seconds"] < best[mode]["seconds"]:
                    best[mode] = result
        rows = {}
        for mode, r in best.items():
            rows[mode] = dict(r, articles_per_s=r["articles"] / r["seconds"], words_per_s=r["words"] / r["seconds"])
        summaries.append({
            "corpus": args.corpus,
            "repeat": args.repeat,
            "workers": workers,
            "spacy": rows["spacy"],
            "communique": rows["communique"],
            "time_ratio": rows["communique"]["seconds"] / rows["spacy"]["seconds"],
            "rate_ratio": rows["spacy"]["seconds"] / rows["communique"]["seconds"],
        })
    if args.json:
        print(json.dumps(summaries if len(summaries) > 1 else summaries[0], indent=2))
        return
    for summary in summaries:
        rows = summary
        print(
            f"corpus {args.corpus}: {rows['communique']['articles']} articles, {rows['communique']['words']} words; "
            f"{summary['workers']} worker(s); best of {args.repeat}"
        )
        for mode in ("spacy", "communique"):
            r = rows[mode]
            print(
                f"  {mode:<11} {r['articles_per_s']:8.2f} articles/s {r['words_per_s']:10.0f} words/s "
                f"{r['seconds']:7.2f} s  (load {r['load_seconds']:.2f} s)  peak RSS {r['peak_rss_mib']:.0f} MiB"
            )
        print(f"  ratio communique / bare spaCy time: {summary['time_ratio']:.2f}x "
              f"(rate ratio communique / spaCy {summary['rate_ratio']:.2f})")


if __name__ == "__main__":
    main()
