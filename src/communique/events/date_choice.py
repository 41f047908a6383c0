"""An event's date, chosen by a learned model among the dates the text offers around it.

Every date expression is still read by the one resolver (`communique.dates`); what is learned is
which of them dates the event. The candidates of an event in sentence i, anchored on a trigger:

* each date expression of sentence i, with where it stands: the trigger's own clause (the rules'
  choice, `dating.attach_dates`), the preposition before it ("on", "since", "until", "in"), its
  precision, before or after the trigger, how far from it, inside a relative clause, before or
  after the publication day;
* the first date of each of the six sentences before it (the narrative's date: "On Monday police
  raided the office. They arrested two men."), with its distance;

and every candidate also carries the trigger's tense (past, present, future). A `ChoiceModel`
(`communique train events` fits it on realnews-train's dated events) takes the most likely; an event
with no date around it stays undated, and the record shows it by its publication day at precision
"publication" (`communique.dates.record_date`): the day it was reported, never a day it happened. `Candidate.date_source` says where the date came from. Without the model the rules' order stands (clause, sentence, narrative,
publication: `dating.SentenceDates`).
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span, Token

from communique.dates import narrative_year, resolve_date
from communique.events.dating import NARRATIVE_LOOKBACK, date_spans
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate

_PREPS = frozenset({"on", "in", "since", "until", "by", "from", "at", "during", "after", "before", "over", "through",
                    "last", "this", "next", "early", "late"})


def _tense(token: Token) -> str:
    verb = token
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head.i == verb.i:
            break
        verb = verb.head
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "shall", "'ll") for c in verb.children):
        return "future"
    if verb.tag_ in ("VBD", "VBN"):
        return "past"
    if verb.tag_ in ("VBZ", "VBP"):
        return "present"
    return "other"


def _span_features(ctx: ArticleContext, span: Span, anchor: Token, clause_span: tuple[int, int] | None) -> dict[str, float]:
    doc = ctx.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    f = {f"prep={before if before in _PREPS else 'other'}": 1.0}
    if clause_span is not None and (span.start, span.end) == clause_span:
        f["clause"] = 1.0
    distance = abs(span.root.i - anchor.i)
    f[f"token_distance={min(distance // 5, 4)}"] = 1.0
    f["after_anchor" if span.start > anchor.i else "before_anchor"] = 1.0
    node, steps = span.root, 0
    while node.head.i != node.i and steps < 10:
        if node.dep_ in ("relcl", "acl") and node.pos_ in ("VERB", "AUX"):
            f["in_relative_clause"] = 1.0
            break
        node, steps = node.head, steps + 1
    words = span.text.lower()
    for cue in ("yesterday", "today", "last week", "last month", "last year", "ago", "week"):
        if cue in words:
            f[f"says={cue}"] = 1.0
    return f


def candidates(ctx: ArticleContext, sents: list[Span], i: int, cand: Candidate) -> list[tuple[str, str, dict[str, float]]]:
    """(ISO date, precision, features) of each date that could date the candidate."""
    published = ctx.published
    tense = _tense(cand.token)
    out: dict[str, tuple[str, str, dict[str, float]]] = {}

    def add(iso: str, precision: str, feats: dict[str, float]) -> None:
        feats = {**feats, f"precision={precision}": 1.0, f"tense={tense}": 1.0}
        if published is not None:
            day = date.fromisoformat(iso)
            if day > published:
                feats["after_publication"] = 1.0
            elif (published - day).days > 31:
                feats["over_a_month_before"] = 1.0
        old = out.get(iso)
        if old is None:
            out[iso] = (iso, precision, feats)
        else:  # the same day offered twice: one candidate with both sets of evidence
            out[iso] = (iso, old[1], {**feats, **old[2]})

    clause = cand.date_token_span
    for span in date_spans(ctx, sents[i]):
        iso, precision = resolve_date(span.text, published, narrative_year(ctx.doc, span.start_char))
        if iso is None or precision in ("publication", "unknown"):
            continue
        add(iso, precision, {"own_sentence": 1.0, **_span_features(ctx, span, cand.token, clause)})
    for j in range(i - 1, max(-1, i - 1 - NARRATIVE_LOOKBACK), -1):
        for span in sorted(date_spans(ctx, sents[j]), key=lambda s: s.start)[:1]:
            iso, precision = resolve_date(span.text, published, narrative_year(ctx.doc, span.start_char))
            if iso is None or precision in ("publication", "unknown"):
                continue
            add(iso, precision, {f"narrative={min(i - j, 4)}": 1.0})
    return list(out.values())


def choose_date(model, ctx: ArticleContext, sents: list[Span], i: int, cand: Candidate) -> None:
    """Date the candidate with the model's most likely date (see the module docstring)."""
    found = candidates(ctx, sents, i, cand)
    if found:  # the text names dates around the event: the likeliest one dates it (see learn/dates.py)
        probs, _nobody = model.probabilities("date", [f for _, _, f in found])
        iso, precision, feats = found[max(range(len(found)), key=lambda k: probs[k])]
        source = "clause" if "clause" in feats else "sentence" if "own_sentence" in feats else "narrative"
        cand.date, cand.date_precision, cand.date_source = iso, precision, source
        return
    # no date around it: undated, as the rules leave it; the record (and `extract`) then show the
    # publication day at precision "publication" (`communique.dates.record_date`)
    cand.date, cand.date_precision, cand.date_source = None, "unknown", None
