"""An event's date from the date expressions of its own clause, resolved by `communique.dates`."""

from __future__ import annotations

from spacy.tokens import Span

from communique.dates import find_date_expressions, resolve_date
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate


def attach_dates(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[tuple[Candidate, str, Span]]:
    """Give each candidate the date expression that attaches to it; return (candidate, preposition,
    span) for the dates attached, so "first ... since DATE" can be recognised."""
    doc = ctx.doc
    spans: list[Span] = [e for e in doc.ents if e.label_ in ("DATE", "TIME") and sent.start <= e.start < sent.end]
    offset = sent.start_char
    for start, end, _ in find_date_expressions(sent.text):
        s = doc.char_span(offset + start, offset + end, alignment_mode="expand")
        if s is not None and not any(s.start < x.end and x.start < s.end for x in spans):
            spans.append(s)
    by_token = {c.token.i: c for c in cands}
    attached: list[tuple[Candidate, str, Span]] = []
    for span in spans:
        iso, precision = resolve_date(span.text, ctx.published)
        if iso is None:
            continue
        node, prep, steps = span.root, "", 0
        owner = None
        while steps < 12:
            steps += 1
            if node.dep_ == "pobj" and node.head.pos_ in ("ADP", "SCONJ"):
                prep = prep or node.head.lower_
            if node.i in by_token and node is not span.root:
                owner = by_token[node.i]
                break
            if node.head is node:
                break
            node = node.head
        if prep == "" and span.start > sent.start and doc[span.start - 1].lower_ in ("since", "on", "in", "until"):
            prep = doc[span.start - 1].lower_
        targets = [owner] if owner else [c for c in cands if c.date is None and not c.refers_to_past]
        for cand in targets:
            if cand.date is None:
                cand.date, cand.date_precision = iso, precision
                cand.date_token_span = (span.start, span.end)
                attached.append((cand, prep, span))
    return attached


def first_since(cand: Candidate, sent: Span) -> bool:
    """Whether the trigger is "the first X since ..." / "for the first time since ..."."""
    for t in sent:
        if t.lower_ == "first" and (t.head == cand.token or cand.token in t.ancestors or t.head in cand.token.subtree or t.i < cand.token.i):
            return True
    return False

