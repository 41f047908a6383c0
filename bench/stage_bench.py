"""Where communique's time goes: each analysis stage against bare spaCy on the same texts, in one
process (one core).

    python bench/stage_bench.py CORPUS [--limit 30] [--json]

Reads the articles first (not timed), warms the pipeline on one article, then runs spaCy (as
`communique.nlp.annotate` does), actors, quotes and events article by article, timing each stage,
and prints each stage's seconds and its ratio to bare spaCy (`nlp.pipe` of the same model over the
same bodies, run after the stages). It also counts the sentences the event classifier scored.
`extract_bench.py` is the end-to-end measure; this says which stage to make cheaper.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.config import Settings
    from communique.events import extract_events, sentence_scores
    from communique.models import Rejection
    from communique.nlp import annotate
    from communique.pipeline import Pipeline
    from communique.readers import load_articles

    settings = Settings()
    articles = [a for a in load_articles([args.corpus], settings) if not isinstance(a, Rejection)][: args.limit]
    pipeline = Pipeline(settings)
    list(pipeline.run_stages(articles[:1]))

    scored = [0]
    classify = sentence_scores.classify_sentences

    def counting(classifier, sents):
        scored[0] += len(sents)
        return classify(classifier, sents)

    sentence_scores.classify_sentences = counting
    seconds: dict[str, float] = defaultdict(float)
    sentences = 0
    docs = annotate(articles, pipeline.nlp)
    while True:
        t0 = time.perf_counter()
        annotated = next(docs, None)
        t1 = time.perf_counter()
        if annotated is None:
            break
        seconds["spacy"] += t1 - t0
        actors = resolve_actors(annotated, pipeline.kb)
        t2 = time.perf_counter()
        quotes = extract_quotes(annotated, actors)
        t3 = time.perf_counter()
        extract_events(annotated, actors, quotes)
        t4 = time.perf_counter()
        seconds["actors"] += t2 - t1
        seconds["quotes"] += t3 - t2
        seconds["events"] += t4 - t3
        sentences += sum(1 for _ in annotated.doc.sents)
    sentence_scores.classify_sentences = classify

    texts = [a.body or a.text for a in articles]
    t0 = time.perf_counter()
    for _ in pipeline.nlp.pipe(texts, batch_size=16):
        pass
    bare = time.perf_counter() - t0
    total = sum(seconds.values())
    result = {
        "articles": len(articles), "bare_spacy_s": round(bare, 2), "communique_s": round(total, 2),
        "rate_ratio": round(bare / total, 3), "stages_s": {k: round(v, 2) for k, v in seconds.items()},
        "stages_over_bare": {k: round(v / bare, 2) for k, v in seconds.items()},
        "sentences": sentences, "sentences_scored": scored[0],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{len(articles)} articles: bare spaCy {bare:.2f} s, communique {total:.2f} s (rate ratio {bare / total:.2f})")
    for stage, value in seconds.items():
        print(f"  {stage:8s} {value:6.2f} s  {value / bare:5.2f}x bare spaCy")
    print(f"  event classifier: {scored[0]} of {sentences} sentences scored")


if __name__ == "__main__":
    main()
