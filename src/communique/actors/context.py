"""Countries from the article's context, for actors the text names without one.

Two sources, tried in order, and the reason is written to `Actor.notes`:
1. the words around a mention: "Sharif Hotak, of the Maidan Wardak provincial council",
   "Patrick Crusius of Allen, Texas", "the Court of Session in Scotland", "the prime minister of
   the Slovak Republic";
2. the article's own country: the country its places, demonyms and known actors point to when one
   clearly dominates (a story set in Poland). It is given to named people and organisations and to
   national institutions ("Interior Minister X", "the National Police", "the government"), never
   to generic groups ("doctors") or to international bodies.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc

from communique.actors.kb import KnowledgeBase, fold, is_org_code

# a country is the article's own when it has at least this many pieces of evidence and this share
MIN_EVIDENCE = 3
MIN_SHARE = 0.4
# the opening sentences (where a story says where it is set) count this much more
LEAD_SENTENCES = 2
LEAD_WEIGHT = 2
# name words of bodies that belong to no one country
_INTERNATIONAL_WORDS = {"international", "world", "global", "united nations", "european", "islamic state",
                        "amnesty", "red cross", "red crescent", "organisation of", "organization of",
                        "nations", "council of europe", "asian", "african union", "arab league"}
# sectors of actors that are national by nature: the article's country fits them
_NATIONAL_SECTORS = {"GOV", "LEG", "JUD", "COP", "MIL", "OPP", "SPY", "REB"}


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """City names (GeoNames via the events place table) -> ISO alpha-3; ambiguous names dropped."""
    path = resources.files("communique").joinpath("data", "events", "places.csv")
    seen: dict[str, set[str]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("kind") == "city" and row.get("country"):
                    seen.setdefault(fold(row["name"]), set()).add(row["country"])
    except (OSError, FileNotFoundError):
        return {}
    return {name: next(iter(codes)) for name, codes in seen.items() if len(codes) == 1}


def place_country(kb: KnowledgeBase, text: str) -> str | None:
    """The country of a place name: a country, capital, region or city."""
    text = text.removesuffix("'s").removesuffix("\u2019s").strip()
    if text.lower().startswith("the "):
        text = text[4:]
    code = kb.country_of(text) or kb.place_country(text)
    if code:
        return code
    for hit in kb.alias_hits.get(text, []):
        if hit.type in {"country", "capital", "region"}:
            return hit.key
    return _cities().get(fold(text))


@dataclass(frozen=True)
class ArticleCountry:
    code: str | None
    evidence: int
    share: float

    @property
    def reason(self) -> str:
        return f"country from the article's context ({self.code}: {self.evidence} mentions, {self.share:.0%})"


def article_country(doc: Doc, kb: KnowledgeBase, actors) -> ArticleCountry:
    """The country an article is about, from its places, demonyms and actors with countries."""
    counts: Counter[str] = Counter()
    lead_end = len(doc)
    if doc.has_annotation("SENT_START"):
        sents = list(doc.sents)
        if len(sents) > LEAD_SENTENCES:
            lead_end = sents[LEAD_SENTENCES].start

    def add(code: str | None, token_index: int) -> None:
        if code and not is_org_code(code):
            counts[code] += LEAD_WEIGHT if token_index < lead_end else 1

    for ent in doc.ents:
        if ent.label_ in {"GPE", "LOC", "NORP", "FAC"}:
            add(place_country(kb, ent.text), ent.start)
    for start, _end, actor in actors.mentions():
        if actor.kind == "person" and actor.country:
            token = doc.char_span(start, start + 1, alignment_mode="expand")
            add(actor.country, token.start if token is not None else len(doc))
    total = sum(counts.values())
    if not total:
        return ArticleCountry(None, 0, 0.0)
    code, n = counts.most_common(1)[0]
    share = n / total
    if n < MIN_EVIDENCE or share < MIN_SHARE:
        return ArticleCountry(None, n, share)
    return ArticleCountry(code, n, share)


def is_international(name: str) -> bool:
    low = fold(name)
    return any(w in low for w in _INTERNATIONAL_WORDS)


def nearby_country(doc: Doc, kb: KnowledgeBase, start: int, end: int, organisation: bool) -> tuple[str, str] | None:
    """A country stated right after a mention: ", of X" / "of X" / "from X" / "for X" (and "in X" after an
    organisation: "the Court of Session in Scotland"). Returns (code, the words that gave it)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    preps = {"of", "from", "for"} | ({"in"} if organisation else set())
    i = span.end
    if i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or fold(doc[i].text) not in preps:
        return None
    sent_end = doc[i].sent.end if doc.has_annotation("SENT_START") else len(doc)
    window = doc[i + 1 : min(sent_end, i + 9)]
    # the longest place name in the window, scanning left to right
    for j in range(len(window)):
        for size in (4, 3, 2, 1):
            if j + size > len(window):
                continue
            piece = window[j : j + size]
            if not piece[0].text[:1].isupper() or any(t.text in {",", ";", "."} for t in piece):
                continue
            code = place_country(kb, piece.text)
            if code:
                return code, f"{doc[i].text} {piece.text}"
    return None


def national(actor, kb: KnowledgeBase) -> bool:
    """Whether an actor without a country is one the article's country fits: a named person, a named
    organisation, or a national institution or office holder; not a group of people or a body that
    belongs to no one country."""
    if is_international(actor.name):
        return False
    if actor.kind == "person":
        return actor.name[:1].isupper() or (actor.sector in _NATIONAL_SECTORS)
    if actor.kind in {"organisation", "government"}:
        if actor.sector in {"NGO", "IGO", "MED", "BUS", "EDU"}:
            return False
        return actor.name[:1].isupper() or actor.sector in _NATIONAL_SECTORS
    return False


def fill_countries(table, doc: Doc, kb: KnowledgeBase) -> None:
    """Give a country to the actors the text left without one, with the reason in their notes."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for start, end, actor in table.mentions():
        ranges.setdefault(actor.id, []).append((start, end))
    focus = None
    for actor in list(table.actors):
        if actor.country or actor.kb_id or actor.kind not in {"person", "organisation", "government", "group", "other"}:
            continue  # a knowledge-base entry without a country has none on purpose (Islamic State)
        organisation = actor.kind in {"organisation", "government"}
        found = None
        for start, end in ranges.get(actor.id, []):
            found = nearby_country(doc, kb, start, end, organisation)
            if found:
                break
        if found:
            actor.country = found[0]
            actor.notes.append(f"country from the text after its mention ({found[1]!r})")
            continue
        if not national(actor, kb):
            continue
        if focus is None:
            focus = article_country(doc, kb, table)
        if focus.code:
            actor.country = focus.code
            actor.notes.append(focus.reason)
