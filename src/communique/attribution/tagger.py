"""The attribution tagger and its combination with the dependency rules.

The tagger is a spaCy NER model of PolNeAR's SOURCE, CUE and CONTENT spans shipped in
`communique/data/models/attribution/` (trained by `communique.attribution.training`; its provenance
is under the `communique` key of the model's meta.json). It runs on the article body with its own
tokenizer and CNN encoder, without torch.

`combine(doc, found)` merges its spans with the rules' attributions (`Found`, Doc terms); each
step is switched by a `Combination`:
* a rules content, source or cue that a tagged span of its role overlaps (by half of the shorter)
  may take the tagged boundaries;
* a tagged cue with a tagged content that no rule accounts for becomes an attribution of its own,
  with the tagged contents and source of its sentence;
* rules attributions the tagger saw nothing of may be dropped.
Which parts are taken from which side was measured on PolNeAR dev with each model and is named in
its meta.json (`combination_of`).

Set COMMUNIQUE_ATTRIBUTION_TAGGER=0 to run the rules alone, COMMUNIQUE_ATTRIBUTION_MODEL=DIR to run
another tagger model (one `communique train attribution` wrote).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Token

from communique.attribution.rules import Found

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "models" / "attribution"
QUOTE_MARKS = set("\"\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb")
EDGE = " \t\n,.;:!?-\u2014\u2013()"


@dataclass(frozen=True)
class Combination:
    """Which side gives each part of an attribution. A model says which combination measured best
    with it on PolNeAR dev (bench/attribution_combine.py tries them all) under `combination` in its
    meta.json; these defaults (the rules keep their boundaries, the tagger adds the attributions
    they missed) are for a model that says nothing."""

    content_boundaries: bool = False  # tagged content boundaries replace the rules' when they overlap
    source_boundaries: bool = False
    cue_boundaries: bool = False
    add_tagged: bool = True  # attributions the tagger found and no rule did
    drop_unsupported: bool = False  # drop rules attributions of which the tagger saw nothing


COMBINE = Combination()


@lru_cache(maxsize=4)
def combination_of(path: str) -> Combination:
    """The combination a tagger model's meta.json names (`communique.combination`), else COMBINE."""
    import json

    try:
        meta = json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))
        named = meta.get("communique", {}).get("combination") or {}
        return Combination(**{k: bool(v) for k, v in named.items() if k in Combination.__dataclass_fields__})
    except (OSError, ValueError):
        return COMBINE


@dataclass(frozen=True)
class Tagged:
    label: str  # SOURCE, CUE, CONTENT
    start: int  # Doc chars
    end: int


def default_model_path() -> Path:
    return MODEL_DIR


def _in_use() -> Path | None:
    """The tagger model to run, or None when COMMUNIQUE_ATTRIBUTION_TAGGER is off; one read of the
    settings, since the attribution stage asks once per article."""
    from communique.config import Settings

    settings = Settings()
    return (settings.attribution_model or MODEL_DIR) if settings.attribution_tagger else None


def model_path() -> Path:
    """The tagger model in use: COMMUNIQUE_ATTRIBUTION_MODEL, else the shipped one."""
    from communique.config import Settings

    return Settings().attribution_model or MODEL_DIR


def enabled() -> bool:
    """COMMUNIQUE_ATTRIBUTION_TAGGER: off (0/false/no/off) runs the rules alone."""
    return _in_use() is not None


@lru_cache(maxsize=2)
def load_tagger(path: str | None = None):
    """The tagger pipeline, or None when no model is shipped at the path (the rules then run alone)."""
    import spacy

    where = Path(path) if path else MODEL_DIR
    if not (where / "config.cfg").is_file():
        log.info("no attribution tagger at %s: rules only", where)
        return None
    return spacy.load(where)


def tag(text: str, nlp=None) -> list[Tagged]:
    """The tagged spans of a text, in order."""
    nlp = nlp if nlp is not None else load_tagger(str(model_path()))
    if nlp is None or not text.strip():
        return []
    doc = nlp(text)
    return [Tagged(e.label_, e.start_char, e.end_char) for e in doc.ents]


# ---------------------------------------------------------------- combination


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def kind_of(text: str) -> str:
    """direct when the content is one quotation (give or take edge punctuation), mixed when it holds
    a quoted part, else indirect."""
    core = text.strip(EDGE)
    if not core:
        return "indirect"
    marks = [i for i, ch in enumerate(core) if ch in QUOTE_MARKS]
    if marks and core[0] in QUOTE_MARKS and core[-1] in QUOTE_MARKS and len(marks) == 2:
        return "direct"
    if marks and core[0] in QUOTE_MARKS and len(marks) == 1:
        return "direct"  # a quotation that runs on past its paragraph
    return "mixed" if marks else "indirect"


def _head(doc: Doc, span: tuple[int, int]) -> Token | None:
    """The syntactic head of a char range of the Doc: the token whose head lies outside it."""
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    if sp is None or len(sp) == 0:
        return None
    return sp.root


class _TaggedIndex:
    """The tagged spans of each label, in text order, for finding those that overlap a range without
    scanning them all (the tagger's spans are entities: sorted and non-overlapping, so their ends are
    sorted too)."""

    def __init__(self, tagged: list[Tagged]):
        self.tagged = tagged
        self.by_label: dict[str, tuple[list[int], list[int]]] = {}
        for k, t in enumerate(tagged):
            ks, ends = self.by_label.setdefault(t.label, ([], []))
            ks.append(k)
            ends.append(t.end)
        starts = [t.start for t in tagged]
        # spans given by hand may come in any order: then every span is a candidate
        self.ordered = all(a <= b for a, b in zip(starts, starts[1:])) and all(
            ends == sorted(ends) for _, ends in self.by_label.values()
        )

    def overlapping(self, span: tuple[int, int], label: str) -> Iterator[int]:
        ks, ends = self.by_label.get(label, ((), ()))
        if not self.ordered:
            yield from ks
            return
        for j in range(bisect_right(ends, span[0]), len(ks)):
            k = ks[j]
            if self.tagged[k].start >= span[1]:
                break
            yield k


def _best(span: tuple[int, int], index: _TaggedIndex, label: str, used: set[int]) -> int | None:
    """The index of the tagged span of this label overlapping `span` most (at least half of the
    shorter of the two), not yet used."""
    best, best_overlap = None, 0
    for k in index.overlapping(span, label):
        if k in used:
            continue
        t = index.tagged[k]
        ov = _overlap(span, (t.start, t.end))
        shorter = min(span[1] - span[0], t.end - t.start)
        if ov > best_overlap and ov * 2 >= shorter:
            best, best_overlap = k, ov
    return best


def combine(doc: Doc, found: list[Found], tagged: list[Tagged], how: Combination = COMBINE) -> list[Found]:
    """The rules' attributions with the tagger's boundaries and additions (see the module doc)."""
    used: set[int] = set()
    out: list[Found] = []
    index = _TaggedIndex(tagged)
    text = doc.text  # Doc.text is rebuilt on every access
    for item in found:
        support = False
        if how.content_boundaries:
            k = _best(item.content, index, "CONTENT", used)
            if k is not None:
                used.add(k)
                support = True
                t = tagged[k]
                item.content = (t.start, t.end)
                item.kind = kind_of(text[t.start : t.end])
        if item.continues is None:
            k = _best(item.cue, index, "CUE", used)
            if k is not None:
                used.add(k)
                support = True
                if how.cue_boundaries:
                    item.cue = (tagged[k].start, tagged[k].end)
            if item.source is not None:
                k = _best(item.source, index, "SOURCE", used)
                if k is not None:
                    used.add(k)
                    if how.source_boundaries:
                        t = tagged[k]
                        head = _head(doc, (t.start, t.end))
                        item.source = (t.start, t.end)
                        if head is not None:
                            item.source_head = head.i
        if how.drop_unsupported and not support and item.continues is None:
            continue
        out.append(item)
    if how.drop_unsupported:
        kept = {id(f) for f in out}
        out = [f for f in out if f.continues is None or id(f.continues) in kept]
    if how.add_tagged:
        out.extend(_tagged_attributions(doc, tagged, used, [f.content for f in out]))
    return out


def _claimed_union(claimed: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The claimed ranges merged into sorted, disjoint ones (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(claimed):
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _overlaps_union(span: tuple[int, int], union: tuple[list[int], list[int]]) -> bool:
    starts, ends = union
    j = bisect_right(ends, span[0])
    return j < len(starts) and _overlap(span, (starts[j], ends[j])) > 0


def _tagged_attributions(doc: Doc, tagged: list[Tagged], used: set[int],
                         claimed: list[tuple[int, int]]) -> list[Found]:
    """Attributions from the tagged spans no rule accounted for: each unused cue with the unused
    contents and source of its sentence (a content in the next sentence when its own has none)."""
    text = doc.text
    starts = [s.start_char for s in doc.sents]

    def sent_of(char: int) -> int:
        return max(0, bisect_right(starts, char) - 1)

    free = [(k, t) for k, t in enumerate(tagged) if k not in used]
    cues = [(k, t) for k, t in free if t.label == "CUE"]
    if not cues:
        return []
    cues_in: dict[int, list[tuple[int, Tagged]]] = {}
    for ck, c in cues:
        cues_in.setdefault(sent_of(c.start), []).append((ck, c))
    union = _claimed_union(claimed)
    # each free content and source goes to the nearest free cue of its sentence
    owner: dict[int, int] = {}
    for k, t in free:
        if t.label == "CUE":
            continue
        if _overlaps_union((t.start, t.end), union):
            continue
        s_lo, s_hi = sent_of(t.start), sent_of(max(t.start, t.end - 1))
        near = [cue for s in range(s_lo, s_hi + 1) for cue in cues_in.get(s, ())]
        if not near and t.label == "CONTENT" and text[t.start] in QUOTE_MARKS:
            # "He said:" with the quotation in the next sentence or paragraph; only a quotation,
            # a clause after a paragraph break is not the content of a cue before it
            near = list(cues_in.get(s_lo - 1, ()))
        if t.label == "CONTENT" and text[t.start] not in QUOTE_MARKS:
            # a clause after a paragraph break is not the content of a cue before it
            near = [(ck, c) for ck, c in near if "\n" not in text[min(c.end, t.end) : max(c.start, t.start)]]
        if not near:
            continue
        ck, _ = min(near, key=lambda x: min(abs(x[1].start - t.end), abs(t.start - x[1].end)))
        owner[k] = ck
    owned: dict[int, list[Tagged]] = {}
    for k, ck in owner.items():
        owned.setdefault(ck, []).append(tagged[k])
    out: list[Found] = []
    for ck, cue in cues:
        mine = owned.get(ck, [])
        contents = sorted((t for t in mine if t.label == "CONTENT"), key=lambda t: t.start)
        if not contents:
            continue
        sources = [t for t in mine if t.label == "SOURCE"]
        source = min(sources, key=lambda s: abs(s.start - cue.start)) if sources else None
        cue_head = _head(doc, (cue.start, cue.end))
        src_head = _head(doc, (source.start, source.end)) if source is not None else None
        scope = set()
        if cue_head is not None:
            sent = cue_head.sent
            inside = [(c.start, c.end) for c in contents] + ([(source.start, source.end)] if source else [])
            scope = {t.i for t in sent if not any(a <= t.idx < b for a, b in inside)}
        first = contents[0]
        root = Found(
            cue=(cue.start, cue.end), content=(first.start, first.end),
            kind=kind_of(text[first.start : first.end]),
            source=(source.start, source.end) if source is not None else None,
            source_head=src_head.i if src_head is not None else None,
            cue_token=cue_head.i if cue_head is not None else None, scope=scope,
        )
        out.append(root)
        for piece in contents[1:]:
            out.append(Found(
                cue=root.cue, content=(piece.start, piece.end), kind=kind_of(text[piece.start : piece.end]),
                source=root.source, source_head=root.source_head, cue_token=root.cue_token,
                continues=root, scope=scope,
            ))
    return out


def refine(doc: Doc, found: list[Found]) -> list[Found]:
    """The integration point for the attribution stage: the rules' attributions combined with the
    tagger's spans, or unchanged when the tagger is off, not shipped or fails."""
    in_use = _in_use()
    if in_use is None:
        return found
    try:
        where = str(in_use)
        nlp = load_tagger(where)
        if nlp is None:
            return found
        return combine(doc, found, tag(doc.text, nlp), combination_of(where))
    except Exception:  # the tagger must cost its own improvement, never the rules' quotes
        log.debug("attribution tagger failed", exc_info=True)
        return found
