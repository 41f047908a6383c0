"""Each actor's country, chosen by a learned model among what the text and the knowledge base offer.

The rules of `resolve.py` and `context.py` each propose a country (the knowledge base's, the words
after a mention, a title, the article's own country); on news nobody here had read, the article's
own country too often won over what the text says of the actor itself ("Sen. Lindsey Graham" got
Syria in a story about Syrian refugees). Here every proposal is a candidate, with the evidence for it:

* the rules' choice and where it came from (knowledge base, text after the mention, title, context);
* the knowledge base's country for a known person or organisation;
* a country or nationality word in a mention or just before it ("Israeli Prime Minister ...",
  "Turkish President ...");
* how much of the article and of the actor's own sentences name that country (places, nationality
  words, actors with that country), and whether the opening sentences do;

plus "no country", whose features say what kind of actor it is. A `ChoiceModel` (`communique/choice.py`)
trained on realnews-train's actors (`communique train actors`) takes the most likely candidate; the
reason goes to `Actor.notes` when it changes the rules' choice. Without the model the rules stand.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from functools import lru_cache

from communique.actors.context import is_international, nearby_country, place_country
from communique.actors.kb import KnowledgeBase, is_org_code
from communique.choice import ChoiceModel, load_model_file

log = logging.getLogger(__name__)

MODEL_PATH = ("models", "actors", "country.json")
NONE = "-"  # the "no country" candidate
LEAD_SENTENCES = 2
MODIFIER_WINDOW = 4  # tokens before a mention searched for a nationality word
_PLACE_LABELS = frozenset({"GPE", "LOC", "NORP", "FAC"})
# sectors of the knowledge base's organisations that belong to one country's politics
_NATIONAL_SECTORS = frozenset({"GOV", "LEG", "JUD", "MIL", "COP", "SPY", "OPP"})


def _source(actor) -> str:
    """Where the rules' country came from, read from the actor's notes."""
    if actor.kb_id and not actor.notes:
        return "kb"
    for note in actor.notes:
        low = note.lower()
        if "article's context" in low or "main country" in low:
            return "context"
        if "text after" in low:
            return "after"
        if "title" in low:
            return "title"
        if "text gives" in low:
            return "text"
    return "kb" if actor.kb_id else "other"


class _Article:
    """Country evidence of one article, computed once."""

    def __init__(self, doc, kb: KnowledgeBase, table):
        self.doc, self.kb = doc, kb
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.sent_starts = [s.start_char for s in sents]
        lead_end = sents[LEAD_SENTENCES].start_char if len(sents) > LEAD_SENTENCES else len(doc.text) + 1
        self.total: Counter[str] = Counter()
        self.lead: Counter[str] = Counter()
        self.by_sentence: dict[int, Counter[str]] = {}
        for ent in doc.ents:
            if ent.label_ in _PLACE_LABELS:
                self._add(place_country(kb, ent.text), ent.start_char, lead_end)
        for start, _end, actor in table.mentions():
            national = actor.kind == "organisation" and actor.kb_id and actor.sector in _NATIONAL_SECTORS
            if actor.country and (actor.kind in ("person", "government", "location") or national):
                self._add(actor.country, start, lead_end)

    def sentence(self, char: int) -> int:
        from bisect import bisect_right

        return max(0, bisect_right(self.sent_starts, char) - 1)

    def _add(self, code: str | None, char: int, lead_end: int) -> None:
        if not code:
            return
        self.total[code] += 1
        if char < lead_end:
            self.lead[code] += 1
        self.by_sentence.setdefault(self.sentence(char), Counter())[code] += 1


def _modifiers(doc, kb: KnowledgeBase, start: int, end: int) -> tuple[Counter[str], Counter[str]]:
    """Countries named by nationality or country words inside a mention or just before it: (all of
    them, those that modify the mention itself). A word modifies the mention when it is inside it or
    the parse hangs it on the mention directly or through a title ("American" in "the American
    senator Tom Harlan", "U.S." in "U.S. Senator ..."), not when it only stands near it ("Syrian
    refugees met Harlan")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    near: Counter[str] = Counter()
    direct: Counter[str] = Counter()
    if span is None:
        return near, direct
    inside = range(span.start, span.end)
    for tok in doc[max(span.sent.start if doc.has_annotation("SENT_START") else 0, span.start - MODIFIER_WINDOW) : span.end]:
        if tok.text[:1].isupper() and tok.pos_ in ("ADJ", "PROPN", "NOUN"):
            code = kb.country_of(tok.text)
            if code:
                near[code] += 1
                if tok.i in inside or tok.head.i in inside or (
                        tok.head.dep_ in ("compound", "appos", "amod") and tok.head.head.i in inside):
                    direct[code] += 1
    return near, direct


def candidates(actor, mentions: list[tuple[int, int]], art: _Article) -> dict[str, dict[str, float]]:
    """{country code or NONE: features} for one actor."""
    kb, doc = art.kb, art.doc
    kind = actor.kind or "other"
    cands: dict[str, dict[str, float]] = {}

    def feat(code: str, name: str, value: float = 1.0) -> None:
        cands.setdefault(code, {})[name] = cands.get(code, {}).get(name, 0.0) + value

    if actor.country:
        feat(actor.country, f"rules={_source(actor)}")
        feat(actor.country, f"{kind}|rules={_source(actor)}")
    if actor.kb_id:
        known = kb.people.get(actor.kb_id) or kb.organisations.get(actor.kb_id)
        code = getattr(known, "country", None)
        if code:
            feat(code, "kb")
    modifiers: Counter[str] = Counter()
    direct: Counter[str] = Counter()
    sentences: Counter[str] = Counter()
    for start, end in mentions:
        near, own = _modifiers(doc, kb, start, end)
        modifiers += near
        direct += own
        sentences += art.by_sentence.get(art.sentence(start), Counter())
        near = nearby_country(doc, kb, start, end, kind in ("organisation", "government"))
        if near:
            feat(near[0], "after_mention")
    for code, n in modifiers.items():
        feat(code, "modifier", math.log1p(n))
        feat(code, f"{kind}|modifier")
    for code in direct:
        feat(code, "own_modifier")
        feat(code, f"{kind}|own_modifier")
    total = sum(art.total.values()) or 1
    for rank, (code, n) in enumerate(art.total.most_common(3), 1):
        feat(code, f"article_rank={rank}")
        feat(code, f"{kind}|article_rank={rank}")
        feat(code, "article_share", n / total)
    sent_total = sum(sentences.values()) or 1
    for code, n in sentences.most_common(3):
        feat(code, "sentence_share", n / sent_total)
        feat(code, f"{kind}|sentence")
    for code in list(cands):
        if art.lead.get(code):
            feat(code, "lead")
        if is_org_code(code):
            feat(code, "organisation_code")
    none = {"none": 1.0, f"none|kind={kind}": 1.0, f"none|sector={actor.sector or 'other'}": 1.0}
    if is_international(actor.name):
        none["none|international"] = 1.0
    if not actor.name[:1].isupper():
        none["none|lower_case"] = 1.0
    cands[NONE] = none
    return cands


# Places take the country they are in; described groups ("analysts", "Chinese officials", "police")
# take the one their words name or, for domestic groups, the article's (the rules of roles.py and
# descriptions.py): the model weighs the named people, organisations and governments.
_CHOSEN_KINDS = frozenset({"person", "organisation", "government", "outlet", "other"})


def table_candidates(table, doc, kb: KnowledgeBase) -> list[tuple[object, dict[str, dict[str, float]]]]:
    """Every named actor of the table with its candidates (see _CHOSEN_KINDS)."""
    art = _Article(doc, kb, table)
    ranges: dict[str, list[tuple[int, int]]] = {}
    for start, end, actor in table.mentions():
        ranges.setdefault(actor.id, []).append((start, end))
    return [(a, candidates(a, ranges.get(a.id, []), art)) for a in table.actors if a.kind in _CHOSEN_KINDS]


@lru_cache(maxsize=2)
def load_country_model(path: str | None = None) -> ChoiceModel | None:
    return load_model_file(path, MODEL_PATH, "actor country model")


def choose_countries(table, doc, kb: KnowledgeBase, model: ChoiceModel | None = None) -> None:
    """Give each actor the country the model finds most likely (a note says so when it changes)."""
    model = model if model is not None else load_country_model()
    if model is None:
        return
    for actor, cands in table_candidates(table, doc, kb):
        codes = list(cands)
        probs, _ = model.probabilities("country", [cands[c] for c in codes])
        best = max(range(len(codes)), key=lambda k: probs[k])
        code = None if codes[best] == NONE else codes[best]
        if code != actor.country:
            was = actor.country or "none"
            actor.country = code
            actor.notes.append(f"country chosen by the country model: {code or 'none'} "
                               f"(p={probs[best]:.2f}; the rules said {was})")
