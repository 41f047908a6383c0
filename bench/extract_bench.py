"""Throughput of `communique extract` against bare spaCy on the same texts, in the same run.

    python bench/extract_bench.py CORPUS [--repeat 3] [--limit N] [--json]

CORPUS is anything `communique extract` reads (a directory of .txt files such as
../shared/data/polnear/dev/text, a JSONL file, a WARC archive). Each measurement runs in a fresh
subprocess so that its peak RSS is its own; the two modes alternate `--repeat` times and the best
time of each is kept, because the machines are shared and noisy. Model loading is timed apart.

The bare-spaCy mode runs `nlp.pipe` of the same model over the same article bodies that communique
feeds to spaCy, so the ratio is the cost of everything communique adds: reading, cleaning, actors,
attribution, events and JSON serialisation.
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


def measure(mode: str, corpus: str, limit: int | None) -> dict:
    """One measurement in this process; printed as JSON by the child."""
    from communique.config import Settings
    from communique.nlp import load_nlp

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
        n_docs = sum(1 for _ in nlp.pipe(texts, batch_size=16))
        elapsed = time.perf_counter() - t0
        words = sum(len(t.split()) for t in texts)
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
    return {"mode": mode, "articles": n_docs, "words": words, "seconds": elapsed, "load_seconds": load_s, "peak_rss_mib": peak_kib / 1024}


def run_child(mode: str, corpus: str, limit: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, corpus] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(args.child, args.corpus, args.limit)))
        return

    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for mode in ("spacy", "communique"):
            result = run_child(mode, args.corpus, args.limit)
            if mode not in best or result["seconds"] < best[mode]["seconds"]:
                best[mode] = result
    rows = {}
    for mode, r in best.items():
        rows[mode] = dict(r, articles_per_s=r["articles"] / r["seconds"], words_per_s=r["words"] / r["seconds"])
    summary = {
        "corpus": args.corpus,
        "repeat": args.repeat,
        "spacy": rows["spacy"],
        "communique": rows["communique"],
        "time_ratio": rows["communique"]["seconds"] / rows["spacy"]["seconds"],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"corpus {args.corpus}: {rows['communique']['articles']} articles, {rows['communique']['words']} words; best of {args.repeat}")
    for mode in ("spacy", "communique"):
        r = rows[mode]
        print(
            f"  {mode:<11} {r['articles_per_s']:8.2f} articles/s {r['words_per_s']:10.0f} words/s "
            f"{r['seconds']:7.2f} s  (load {r['load_seconds']:.2f} s)  peak RSS {r['peak_rss_mib']:.0f} MiB"
        )
    print(f"  ratio communique / bare spaCy time: {summary['time_ratio']:.2f}x")


if __name__ == "__main__":
    main()
