"""Measure ways of combining the attribution rules with the tagger on a PolNeAR folder (exact F1).

    python bench/attribution_combine.py ../shared/data/polnear/dev [--model DIR] [--cache DIR]

The spaCy parses and the rules' output are cached (pickle + DocBin) so that several tagger
checkpoints and combinations can be compared quickly; each line printed is one combination.
"""

from __future__ import annotations

import argparse
import copy
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

from communique.attribution import find_attributions
from communique.attribution.tagger import COMBINE, combine, load_tagger, tag
from communique.eval.polnear import Attribution, pieces_of, load_corpus, score


def found_to_attributions(found, text: str) -> list[Attribution]:
    roots: dict[int, Attribution] = {}
    contents: dict[int, list] = {}
    for f in found:
        if f.continues is None:
            roots[id(f)] = Attribution(source=pieces_of(text, [f.source]) if f.source else None,
                                       cue=pieces_of(text, [f.cue]) if f.cue else None)
            contents[id(f)] = []
    for f in found:
        key = id(f.continues) if f.continues is not None else id(f)
        if key in contents:
            contents[key].append(f.content)
    out = []
    for key, item in roots.items():
        item.content = pieces_of(text, contents[key]) or None
        for role in ("source", "cue", "content"):
            if getattr(item, role) == ():
                setattr(item, role, None)
        out.append(item)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/attr_combine_cache"))
    args = ap.parse_args()
    docs = load_corpus(args.folder)
    from spacy.tokens import DocBin

    from communique.pipeline import Pipeline

    nlp = Pipeline().nlp
    args.cache.mkdir(parents=True, exist_ok=True)
    bin_path, rules_path = args.cache / "docs.spacy", args.cache / "rules.pkl"
    if bin_path.is_file() and rules_path.is_file():
        parsed = list(DocBin().from_disk(bin_path).get_docs(nlp.vocab))
        rules = pickle.loads(rules_path.read_bytes())
    else:
        t = time.time()
        parsed = list(nlp.pipe((d.text for d in docs), batch_size=8))
        rules = [find_attributions(doc) for doc in parsed]
        DocBin(docs=parsed, store_user_data=False).to_disk(bin_path)
        rules_path.write_bytes(pickle.dumps(rules))
        print(f"parsed in {time.time() - t:.0f}s", file=sys.stderr)
    tagger = load_tagger(str(args.model) if args.model else None)
    tagged = [tag(d.text, tagger) for d in docs]

    def run(name, fn):
        preds = {d.name: found_to_attributions(fn(doc, copy.deepcopy(found), tg), d.text)
                 for d, doc, found, tg in zip(docs, parsed, rules, tagged)}
        r = score(docs, preds)
        ex, ov = r["exact"], r["overlap"]
        print(f"{name:40s} exact " + " ".join(f"{ex[k]['f1']:5.1f}" for k in ("source", "cue", "content"))
              + "  overlap " + " ".join(f"{ov[k]['f1']:5.1f}" for k in ("source", "cue", "content")), flush=True)

    run("rules", lambda doc, f, tg: f)
    run("tagger only", lambda doc, f, tg: combine(doc, [], tg))
    for flags in (
        {},
        {"content_boundaries": False},
        {"content_boundaries": False, "add_tagged": False},
        {"content_boundaries": False, "add_tagged": False, "cue_boundaries": True},
        {"cue_boundaries": True},
        {"source_boundaries": False},
        {"add_tagged": False},
        {"drop_unsupported": True},
        {"drop_unsupported": True, "cue_boundaries": True},
    ):
        how = replace(COMBINE, **flags)
        run("combine " + ",".join(f"{k}={v}" for k, v in flags.items()), lambda doc, f, tg, how=how: combine(doc, f, tg, how))


if __name__ == "__main__":
    main()
