"""Who said it: a learned choice of each quote's speaker among the article's actors.

The speaker resolver (`actors/speaker.py`) reads a quote's source phrase by rules: a name is its
actor, "he" the antecedent, "the governor" the last person with that title. On news nobody here had
read those rules left a bare description or a pronoun on the wrong person too often ("the New Jersey
governor" stayed a description although the article had named Chris Christie; "she" went to the
person the spokeswoman spoke about). Here the rules' answer is one candidate among:

* the actors named in the source phrase, in the quote's sentence and the three before it;
* the speakers of the two quotes before it (a speaker quoted again);
* the article's three most mentioned people;

and each gets features: whether the rules chose it, what the source phrase is (a name, a pronoun, a
description), whether the phrase's words name it or its title ("the governor" and "New Jersey Gov.
Chris Christie"), how far back and how often it was named, whether it spoke just before, and what
kind of actor it is. A `ChoiceModel` trained on realnews-train's quotes (`communique train speakers`)
picks the most likely; a quote keeps its source phrase as `speaker_text` either way.
"""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_right
from functools import lru_cache

from communique.choice import ChoiceModel, load_model_file

log = logging.getLogger(__name__)

MODEL_PATH = ("models", "speakers", "speakers.json")
LOOKBACK_SENTENCES = 3
TITLE_WINDOW = 6  # words before a mention read as its title
_ABBREVIATIONS = {"gov": "governor", "sen": "senator", "rep": "representative", "sec": "secretary",
                  "gen": "general", "pres": "president", "amb": "ambassador", "lt": "lieutenant", "col": "colonel",
                  "adm": "admiral", "supt": "superintendent", "atty": "attorney", "min": "minister"}
_PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them", "it", "we", "i", "who", "which", "that"})
_STOP = frozenset({"the", "a", "an", "of", "and", "in", "for", "to", "on", "his", "her", "its", "their", "s", "mr",
                   "ms", "mrs", "dr"})


def _words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", text or ""):
        low = w.lower().rstrip(".")
        low = _ABBREVIATIONS.get(low, low)
        if low not in _STOP and len(low) > 1:
            out.add(low)
    return out


class _ArticleIndex:
    """Positions the features read, computed once per article (text offsets)."""

    def __init__(self, annotated, actors, quotes):
        self.text = annotated.article.text
        sents = list(annotated.doc.sents) if annotated.doc.has_annotation("SENT_START") else [annotated.doc[:]]
        self.sent_spans = [annotated.span(s) for s in sents]
        self.sent_starts = [s for s, _ in self.sent_spans]
        self.actors = {a.id: a for a in actors.actors}
        self.mentions: list[tuple[int, int, str]] = sorted((s, e, a.id) for a in actors.actors for s, e in a.mentions)
        self.count = {a.id: len(a.mentions) for a in actors.actors}
        people = sorted((a for a in actors.actors if a.kind == "person"), key=lambda a: -len(a.mentions))
        self.top_people = [a.id for a in people[:3]]
        self.titles: dict[str, set[str]] = {}
        for s, _e, aid in self.mentions:
            before = self.text[max(0, s - 80) : s].split()[-TITLE_WINDOW:]
            self.titles.setdefault(aid, set()).update(_words(" ".join(before)))
        for a in actors.actors:
            if a.role:
                self.titles.setdefault(a.id, set()).update(_words(a.role))
        self.quotes = sorted(quotes, key=lambda q: _start(q) or 0)

    def sentence(self, char: int) -> int:
        return max(0, bisect_right(self.sent_starts, char) - 1)


def _start(quote) -> int | None:
    span = quote.content_span
    if not span:
        return None
    return min(s for s, _ in span) if isinstance(span[0], (list, tuple)) else span[0]


def _source_kind(quote) -> str:
    text = (quote.speaker_text or "").strip()
    if not text:
        return "none"
    first = text.split()[0].lower()
    if len(text.split()) == 1 and first in _PRONOUNS:
        return "pronoun"
    capitals = [w for w in text.split() if w[:1].isupper()]
    return "name" if capitals and first not in ("the", "a", "an") else "description"


def candidates(index: _ArticleIndex, quote, previous: list[str]) -> dict[str, dict[str, float]]:
    """{actor id: features} for one quote; `previous`: the speakers of the quotes before it, last first."""
    start = _start(quote)
    if start is None:
        return {}
    source = quote.source_span
    here = index.sentence(source[0] if source else start)
    first_sent = max(0, here - LOOKBACK_SENTENCES)
    window_start = index.sent_spans[first_sent][0]
    window_end = index.sent_spans[here][1]
    kind = _source_kind(quote)
    phrase = _words(quote.speaker_text or "")
    found: dict[str, dict[str, float]] = {}

    def add(aid: str, name: str, value: float = 1.0) -> None:
        if aid in index.actors:
            found.setdefault(aid, {})[name] = value

    for s, e, aid in index.mentions:
        if s >= window_end:
            break
        if e <= window_start:
            continue
        distance = here - index.sentence(s)
        if source and min(e, source[1]) > max(s, source[0]):
            add(aid, "in_source")
        elif distance >= 0:
            current = found.get(aid, {}).get("distance")
            add(aid, "distance", min(current, distance) if current is not None else distance)
    for rank, aid in enumerate(previous[:2]):
        add(aid, f"spoke_before={rank}")
    for aid in index.top_people:
        add(aid, "top_person")
    if quote.speaker:
        add(quote.speaker, "rule")
    out: dict[str, dict[str, float]] = {}
    for aid, base in found.items():
        actor = index.actors[aid]
        f = {f"{kind}|{k}" if k != "distance" else f"{kind}|distance={min(int(v), 3)}": 1.0 for k, v in base.items()}
        f["mentions"] = math.log1p(index.count.get(aid, 0))
        f[f"kind={actor.kind}"] = 1.0
        if actor.sector == "MED" or actor.kind == "outlet":
            f["outlet"] = 1.0
        names = _words(actor.name)
        if phrase & names:
            f[f"{kind}|name_in_phrase"] = 1.0
        titles = index.titles.get(aid, set()) - names
        if phrase & titles:
            f[f"{kind}|title_match"] = math.log1p(len(phrase & titles))
        if aid in index.top_people[:1]:
            f["most_mentioned"] = 1.0
        out[aid] = f
    return out


def quote_candidates(annotated, actors, quotes) -> list[tuple[object, dict[str, dict[str, float]]]]:
    """(quote, {actor id: features}) for each quote of an article, in text order."""
    index = _ArticleIndex(annotated, actors, quotes)
    previous: list[str] = []
    out = []
    for quote in index.quotes:
        out.append((quote, candidates(index, quote, previous)))
        if quote.speaker:
            previous.insert(0, quote.speaker)
    return out


@lru_cache(maxsize=2)
def load_speaker_model(path: str | None = None) -> ChoiceModel | None:
    return load_model_file(path, MODEL_PATH, "speaker model")


def choose_speakers(annotated, actors, quotes, model: ChoiceModel | None = None) -> list:
    """The quotes with the speaker the model finds most likely (continuations follow their parent)."""
    model = model if model is not None else load_speaker_model()
    if model is None or not quotes:
        return quotes
    chosen: dict[str, str] = {}
    for quote, cands in quote_candidates(annotated, actors, quotes):
        if not cands or getattr(quote, "continues", None):
            continue
        ids = list(cands)
        probs, nobody = model.probabilities("speaker", [cands[i] for i in ids])
        best = max(range(len(ids)), key=lambda k: probs[k])
        if ids[best] != quote.speaker and probs[best] > nobody:
            chosen[quote.id] = ids[best]
    if not chosen:
        return quotes
    out = []
    for q in quotes:
        parent = getattr(q, "continues", None)
        new = chosen.get(q.id) or (chosen.get(parent) if parent else None)
        out.append(q.model_copy(update={"speaker": new}) if new else q)
    return out
