"""Cost of the attribution stage against bare spaCy on the same texts.

    python bench/attribution_bench.py ../shared/data/polnear/dev/text [--limit N] [--repeat 2]

Times, over the same article bodies: spaCy's `nlp.pipe` (the bare-spaCy reference), the attribution
rules on the parsed Docs, the tagger on the texts, and their combination; prints each and its ratio
to spaCy. The best of `--repeat` runs is kept (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from communique.attribution import find_attributions
    from communique.attribution.tagger import combine, load_tagger, tag
    from communique.config import Settings
    from communique.nlp import load_nlp

    texts = [p.read_text(encoding="utf-8") for p in sorted(args.folder.glob("*.txt"))][: args.limit]
    nlp = load_nlp(Settings().spacy_model)
    tagger = load_tagger()
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    for _ in range(args.repeat):
        t = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=16))
        keep("spacy", time.perf_counter() - t)
        t = time.perf_counter()
        found = [find_attributions(d) for d in docs]
        keep("rules", time.perf_counter() - t)
        t = time.perf_counter()
        tagged = [tag(d.text, tagger) for d in docs]
        keep("tagger", time.perf_counter() - t)
        t = time.perf_counter()
        for d, f, tg in zip(docs, copy.deepcopy(found), tagged):
            combine(d, f, tg)
        keep("combine", time.perf_counter() - t)
    words = sum(len(t.split()) for t in texts)
    out = {"articles": len(texts), "words": words, "seconds": {k: round(v, 2) for k, v in best.items()},
           "ratio_to_spacy": {k: round(v / best["spacy"], 3) for k, v in best.items()}}
    out["ratio_to_spacy"]["attribution_total"] = round((best["rules"] + best["tagger"] + best["combine"]) / best["spacy"], 3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
