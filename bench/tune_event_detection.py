"""Tune the event detector's thresholds (`communique.events.detect`) on a real-news gold file.

    python bench/tune_event_detection.py GOLD.jsonl SCORER.py [--none 0.3,0.5,0.7] [--type 0.7,0.8,0.9]

The articles are read and parsed once; for each (NONE threshold, type confidence) pair the actor,
quote and event stages run again and the shared scorer (`score_realnews.py --pred`) judges the output.
Prints one JSON line per pair: the thresholds and the scorer's event figures. Use the development set
only.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("scorer")
    ap.add_argument("--none", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    ap.add_argument("--type", default="0.7,0.8,0.9,1.01")
    args = ap.parse_args()

    from communique.config import Settings
    from communique.events import detect
    from communique.models import Rejection
    from communique.nlp import annotate
    from communique.pipeline import Pipeline
    from communique.readers import load_articles

    with open(args.gold, encoding="utf-8") as fh:
        gold = [json.loads(x) for x in fh if x.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for a in gold:
            fh.write(json.dumps({"id": a["id"], "text": a["text"], "published": a.get("published")}) + "\n")
        source = fh.name
    articles = [a for a in load_articles([source], Settings()) if not isinstance(a, Rejection)]
    pipeline = Pipeline()
    annotated = list(annotate(articles, pipeline.nlp))
    shipped = detect.thresholds()
    for none in [float(x) for x in args.none.split(",")]:
        for conf in [float(x) for x in args.type.split(",")]:
            tuned = replace(shipped, none_threshold=none, type_confidence=conf)
            detect.thresholds = lambda tuned=tuned: tuned
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
                for doc in annotated:
                    out.write(json.dumps(pipeline.analyse(doc).to_json_dict(), ensure_ascii=False) + "\n")
            run = subprocess.run(
                [sys.executable, args.scorer, args.gold, "--json", "--pred", out.name], check=False, capture_output=True, text=True
            )
            Path(out.name).unlink()
            res = json.loads("\n".join(run.stdout.strip().splitlines()[:-1]))
            keep = ("ev_pred", "events_typed_prf", "events_full_prf", "event_date_acc")
            print(json.dumps({"none_threshold": none, "type_confidence": conf, **{k: res[k] for k in keep}}), flush=True)


if __name__ == "__main__":
    main()
