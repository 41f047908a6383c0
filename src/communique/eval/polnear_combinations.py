"""Which way of combining the attribution rules with a tagger model scores best on a PolNeAR folder.

The rules' attributions (`communique.attribution.find_attributions`) and the tagger's spans are
computed once per article; every `Combination` of the tagger's switches is then applied to them and
scored exactly as `communique eval polnear` scores (exact F1 of source, cue and content). The best
combination is the one with the highest sum of the three exact F1 figures among those that leave
the rules' own attributions as they are (`only_adds`); among equals, the one with the fewest
switches on. The best of all 32 is recorded beside it. `communique train attribution` records it in the
model's meta.json, and the attribution stage uses what the model names (`tagger.combination_of`).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, fields
from itertools import product
from pathlib import Path

from communique.attribution.tagger import Combination, combine, load_tagger, tag
from communique.eval.polnear import ROLES, Attribution, Document, load_corpus, pieces_of, score


@dataclass(frozen=True)
class Scored:
    combination: Combination
    exact: dict  # role -> {"precision", "recall", "f1"}
    overlap: dict

    @property
    def total(self) -> float:
        return sum(self.exact[r]["f1"] for r in ROLES)

    def row(self) -> dict:
        return {"combination": asdict(self.combination),
                "exact_f1": {r: self.exact[r]["f1"] for r in ROLES},
                "overlap_f1": {r: self.overlap[r]["f1"] for r in ROLES}}


def found_to_attributions(found, text: str) -> list[Attribution]:
    """The rules' `Found` list as PolNeAR attributions: continuing contents join their first one."""
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
        for role in ROLES:
            if getattr(item, role) == ():
                setattr(item, role, None)
        out.append(item)
    return out


class CombinationSearch:
    """The rules' output and the tagger's spans of one folder, ready to be combined many ways."""

    def __init__(self, docs: list[Document], parsed: list, rules: list, tagged: list):
        self.docs, self.parsed, self.rules, self.tagged = docs, parsed, rules, tagged

    @classmethod
    def prepare(cls, folder: Path, model_dir: Path, nlp=None) -> CombinationSearch:
        from communique.attribution import find_attributions

        if nlp is None:
            from communique.pipeline import Pipeline

            nlp = Pipeline().nlp
        docs = load_corpus(Path(folder))
        parsed = list(nlp.pipe((d.text for d in docs), batch_size=8))
        rules = [find_attributions(doc) for doc in parsed]
        tagger = load_tagger(str(model_dir))
        tagged = [tag(d.text, tagger) for d in docs] if tagger is not None else [[] for _ in docs]
        return cls(docs, parsed, rules, tagged)

    def score(self, how: Combination | None) -> Scored:
        """One combination's figures; None scores the rules alone."""
        predictions = {}
        for d, doc, found, tagged in zip(self.docs, self.parsed, self.rules, self.tagged):
            found = copy.deepcopy(found)
            combined = found if how is None else combine(doc, found, tagged, how)
            predictions[d.name] = found_to_attributions(combined, d.text)
        result = score(self.docs, predictions)
        return Scored(how or Combination(add_tagged=False), result["exact"], result["overlap"])

    def tagger_alone(self) -> dict:
        """The tagger's spans alone (no rules): {"exact": ..., "overlap": ...}."""
        predictions = {d.name: found_to_attributions(combine(doc, [], tagged), d.text)
                       for d, doc, tagged in zip(self.docs, self.parsed, self.tagged)}
        result = score(self.docs, predictions)
        return {"exact": result["exact"], "overlap": result["overlap"]}

    def every_combination(self) -> list[Scored]:
        names = [f.name for f in fields(Combination)]
        return [self.score(Combination(**dict(zip(names, values))))
                for values in product((False, True), repeat=len(names))]


def only_adds(how: Combination) -> bool:
    """The tagger adds attributions and leaves the rules' own as they are: no boundary is replaced
    and nothing the rules found is dropped. PolNeAR flattens nested attributions and keeps a
    source's apposition, so a tagger trained on it would otherwise cut a relay's inner quote
    ("Reuters reported that X said ...") and sign a quote "Amara Okafor, education minister"."""
    return not (how.content_boundaries or how.source_boundaries or how.cue_boundaries or how.drop_unsupported)


def best(scored: list[Scored], keep_rules: bool = True) -> Scored:
    """The highest sum of exact F1 (among the combinations that only add, with keep_rules); among
    equals, the fewest switches on."""
    candidates = [s for s in scored if only_adds(s.combination)] if keep_rules else scored
    return max(candidates, key=lambda s: (round(s.total, 1), -sum(asdict(s.combination).values())))
