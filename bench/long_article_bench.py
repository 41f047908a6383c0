"""Time and peak memory of one long article through communique, beside bare spaCy on the same text.

    python bench/long_article_bench.py [--sizes 100000 400000 1000000] [--text real|varied|synthetic] [--json]

For each size an article is built by `long_text.py`: by default (`real`) from the distinct paragraphs
of real news articles (PolNeAR, in ../shared), or written varied paragraphs when ../shared is absent;
`synthetic` is the older text of six people that hides costs growing with the number of actors. Each
measurement runs in a fresh subprocess, so that its peak RSS (ru_maxrss) is its own; seconds are CPU
seconds of the process (all its threads: the ONNX models use several), wall seconds beside them:

* `communique`: reading is skipped; cleaning, spaCy (in paragraph-aligned pieces joined into one Doc),
  actors, attribution and events, and the JSON of the result are timed;
* `spacy`: the same model run with `nlp.pipe` over the same pieces of the same body, nothing else.

Model loading is not timed in either. The table gives seconds and peak MiB per size, the ratio of
communique to spaCy, and seconds per 100k characters, which stays flat when time grows linearly.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def article(kind: str, chars: int) -> tuple[str, str]:
    sys.path.insert(0, str(HERE))
    from long_text import long_article, real_article, varied_article

    if kind == "real":
        return real_article(chars)
    if kind == "varied":
        return varied_article(chars), "written varied paragraphs"
    return long_article(chars), "synthetic frames (six people)"


def measure(mode: str, chars: int, kind: str = "real") -> dict:
    """One measurement in this process; the child prints it as JSON."""

    from communique.cleaning import clean
    from communique.config import Settings
    from communique.models import Article
    from communique.nlp import PIECE_CHARS, load_nlp, split_pieces

    settings = Settings()
    text, origin = article(kind, chars)
    if mode == "spacy":
        nlp = load_nlp(settings.spacy_model)
        body = clean(Article(text=text, source="long")).body or text
        limit = min(nlp.max_length, PIECE_CHARS)
        pieces = [body[s:e] for s, e in split_pieces(body, limit)]
        t0, c0 = time.perf_counter(), time.process_time()
        tokens = sum(len(doc) for doc in nlp.pipe(pieces, batch_size=16))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        counts = {"tokens": tokens}
    else:
        from communique.pipeline import Pipeline

        pipeline = Pipeline(settings)
        list(pipeline.process([clean(Article(text="Warm-up: the minister spoke.", source="w"))]))
        t0, c0 = time.perf_counter(), time.process_time()
        (result,) = list(pipeline.process([clean(Article(text=text, source="long"))]))
        out = json.dumps(result.to_json_dict(), ensure_ascii=False)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        counts = {"actors": len(result.actors), "quotes": len(result.quotes), "events": len(result.events),
                  "json_bytes": len(out)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"mode": mode, "chars": len(text), "text": origin, "seconds": round(cpu, 2), "wall": round(elapsed, 2),
            "peak_mib": round(peak), **counts}


def run_child(mode: str, chars: int, kind: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(chars), kind], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} {chars} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 1_000_000])
    parser.add_argument("--text", choices=["real", "varied", "synthetic"], default="real")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "CHARS", "TEXT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.child[2])))
        return
    rows = []
    for chars in args.sizes:
        spacy_row = run_child("spacy", chars, args.text)
        ours = run_child("communique", chars, args.text)
        if not rows and not args.json:
            print(f"text: {ours['text']}; CPU seconds (wall in brackets)", flush=True)
        rows.append({"chars": ours["chars"], "communique": ours, "spacy": spacy_row})
        if not args.json:
            print(
                f"{ours['chars']:>9,} chars  communique {ours['seconds']:8.1f} s ({ours['wall']:.1f}) {ours['peak_mib']:6d} MiB"
                f"  ({ours['seconds'] / ours['chars'] * 1e5:5.1f} s/100k; {ours['actors']} actors,"
                f" {ours['quotes']} quotes, {ours['events']} events)"
                f"  | spaCy {spacy_row['seconds']:8.1f} s ({spacy_row['wall']:.1f}) {spacy_row['peak_mib']:6d} MiB"
                f"  ({spacy_row['seconds'] / spacy_row['chars'] * 1e5:5.1f} s/100k)"
                f"  | ratio time {ours['seconds'] / max(spacy_row['seconds'], 1e-9):4.2f}"
                f" memory {ours['peak_mib'] / max(spacy_row['peak_mib'], 1):4.2f}",
                flush=True,
            )
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
