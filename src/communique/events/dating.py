"""An event's date from the date expressions of its own clause, resolved by `communique.dates`."""

from __future__ import annotations

from spacy.tokens import Span

from communique.dates import find_date_expressions, narrative_year, resolve_date
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate


# A date inside one of these clauses dates that clause's verb, or its antecedent when that is a
# trigger; otherwise it belongs to no event of the sentence.
_PRIVATE_CLAUSES = frozenset({"relcl", "acl"})


def date_spans(ctx: ArticleContext, sent: Span) -> list[Span]:
    """The sentence's date expressions: NER DATE/TIME entities plus the patterns spaCy misses."""
    doc = ctx.doc
    spans: list[Span] = [e for e in ctx.ents_starting_in(sent.start, sent.end) if e.label_ in ("DATE", "TIME")]
    offset = sent.start_char
    for start, end, _ in find_date_expressions(sent.text):
        s = doc.char_span(offset + start, offset + end, alignment_mode="expand")
        if s is not None and not any(s.start < x.end and x.start < s.end for x in spans):
            spans.append(s)
    return spans


def _owner(span: Span, by_token: dict[int, Candidate]) -> tuple[Candidate | None, str, bool]:
    """(the candidate the date hangs from, its preposition, whether it is private to another clause)."""
    node, prep, steps = span.root, "", 0
    while steps < 12:
        steps += 1
        if node.dep_ == "pobj" and node.head.pos_ in ("ADP", "SCONJ"):
            prep = prep or node.head.lower_
        if node.i in by_token and node is not span.root:
            return by_token[node.i], prep, False
        if node.pos_ in ("VERB", "AUX") and node.dep_ in _PRIVATE_CLAUSES:
            # "a bombing that happened on June 27" dates the bombing; "the proclamation, which was
            # made on Monday" dates no event of the sentence
            antecedent = by_token.get(node.head.i)
            return antecedent, prep, antecedent is None
        if node.head.i == node.i:
            break
        node = node.head
    return None, prep, False


def _same_event(a: Candidate, b: Candidate) -> bool:
    """Two triggers of one type where one is an argument of the other ("a bombing killed five",
    "killed in a bombing"): one event told twice, so one date."""
    if a.type != b.type or a is b:
        return False
    for x, y in ((a.token, b.token), (b.token, a.token)):
        node = y
        for _ in range(3):  # up through a preposition and a conjoined verb: "killed and injured in a bombing"
            if node.head.i == node.i:
                break
            node = node.head
            if node.i == x.i:
                return True
            if node.pos_ != "ADP" and node.dep_ != "conj":
                break
    return False


def attach_dates(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[tuple[Candidate, str, Span]]:
    """Give each candidate the date of its own clause; return (candidate, preposition, span) for the
    dates attached, so "first ... since DATE" can be recognised.

    A date hanging from a trigger dates that trigger (and a trigger of the same event it governs or
    hangs from); a date on the sentence's main clause dates every trigger still undated; a date
    inside a relative clause of a non-trigger dates nothing. An undated trigger keeps no date."""
    doc = ctx.doc
    # a suppressed trigger ("signed a decree", no agreement) owns no date: its clause's date is the
    # main clause's, for the events the sentence does hold
    by_token = {c.token.i: c for c in cands if not c.suppressed}
    attached: list[tuple[Candidate, str, Span]] = []
    owned: list[tuple[Candidate, str, Span, str, str]] = []
    loose: list[tuple[str, Span, str, str]] = []
    for span in date_spans(ctx, sent):
        iso, precision = resolve_date(span.text, ctx.published, narrative_year(doc, span.start_char))
        if iso is None:
            continue
        owner, prep, private = _owner(span, by_token)
        if prep == "" and span.start > sent.start and doc[span.start - 1].lower_ in ("since", "on", "in", "until"):
            prep = doc[span.start - 1].lower_
        if owner is not None:
            owned.append((owner, prep, span, iso, precision))
        elif not private:
            loose.append((prep, span, iso, precision))

    def give(cand: Candidate, prep: str, span: Span, iso: str, precision: str) -> None:
        if cand.date is None:
            cand.date, cand.date_precision = iso, precision
            cand.date_token_span = (span.start, span.end)
            cand.date_source = "clause"
            attached.append((cand, prep, span))

    for cand, prep, span, iso, precision in owned:
        give(cand, prep, span, iso, precision)
    for cand, prep, span, iso, precision in owned:
        for other in cands:
            if other.date is None and not other.refers_to_past and _same_event(cand, other):
                give(other, prep, span, iso, precision)
    for prep, span, iso, precision in loose:
        for cand in cands:
            if not cand.refers_to_past:
                give(cand, prep, span, iso, precision)
    return attached


def first_since(cand: Candidate, sent: Span) -> bool:
    """Whether the trigger is "the first X since ..." / "for the first time since ..."."""
    for t in sent:
        if t.lower_ == "first" and (t.head == cand.token or cand.token in t.ancestors or t.head in cand.token.subtree or t.i < cand.token.i):
            return True
    return False



# How many sentences back an undated event looks for the narrative's date ("On Monday, police raided
# the office. They arrested two men."): chosen by cross-validation on realnews-train (learn/tune.py).
NARRATIVE_LOOKBACK = 6
# the precisions a narrative date may have: a year named two sentences back ("in 2014") is background
NARRATIVE_PRECISIONS = frozenset({"day", "week", "month", "year"})


class SentenceDates:
    """The dates an article's sentences name, for events whose own clause names none: the first date
    of the event's sentence, else the narrative's date (the first date of the nearest sentence before
    it, at most NARRATIVE_LOOKBACK back), else the publication date as a "publication" precision (a
    date the event was reported by, never a day it happened). `Candidate.date_source` says which."""

    def __init__(self, ctx: ArticleContext, sents: list[Span], lookback: int | None = None):
        self.ctx, self.sents = ctx, sents
        self.lookback = NARRATIVE_LOOKBACK if lookback is None else lookback
        self._cache: dict[int, tuple[str, str] | None] = {}

    def of(self, i: int) -> tuple[str, str] | None:
        """(ISO date, precision) of the first date expression of sentence i that resolves, or None."""
        if i not in self._cache:
            found = None
            for span in sorted(date_spans(self.ctx, self.sents[i]), key=lambda s: s.start):
                iso, precision = resolve_date(span.text, self.ctx.published, narrative_year(self.ctx.doc, span.start_char))
                if iso is not None and precision not in ("publication", "unknown"):
                    found = (iso, precision)
                    break
            self._cache[i] = found
        return self._cache[i]

    def fill(self, cand: Candidate, i: int) -> None:
        """Date an undated candidate of sentence i from its sentence, the narrative or the publication."""
        own = self.of(i)
        if own is not None:
            cand.date, cand.date_precision, cand.date_source = own[0], own[1], "sentence"
            return
        for j in range(i - 1, max(-1, i - 1 - self.lookback), -1):
            found = self.of(j)
            if found is not None and found[1] in NARRATIVE_PRECISIONS:
                cand.date, cand.date_precision, cand.date_source = found[0], found[1], "narrative"
                return
        if self.ctx.published is not None:
            cand.date, cand.date_precision, cand.date_source = self.ctx.published.isoformat(), "publication", "publication"
