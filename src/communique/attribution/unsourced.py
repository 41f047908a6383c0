"""Judgements no one is named for ("X appears to ...", "X is expected to ...", "X is seen as ..."):
no source, and a content in two pieces, the subject and the complement.

A mixin of `communique.attribution.rules.Rules`: it reads the Rules state (doc, text, lex, quoted,
paragraph_starts, according) and calls its other methods.
"""

from __future__ import annotations

from spacy.tokens import Token

from communique.attribution.base import Found, span_chars, subtree_range, trim_span


class UnsourcedRules:
    def _unsourced(self, found: list[Found]) -> list[Found]:
        """Judgements with no one named: "X seems to ...", "X is expected to ...", "X is seen as ...".
        The content is the subject and the complement, in two pieces (the second continues the first)."""
        doc = self.doc
        out: list[Found] = []
        cues = {f.cue_token for f in found}
        for tok in doc:
            frames = self.lex.frames.get(self.lemma(tok)) if tok.pos_ == "VERB" else None
            if not frames or tok.i in cues or self.inside_long_quote(tok):
                continue
            try:
                item = self._unsourced_at(tok, frames)
            except Exception:  # an odd parse costs this one, nothing else
                item = None
            if item is not None:
                out.extend(item)
        return out

    def _unsourced_at(self, tok: Token, frames: frozenset[str]) -> list[Found] | None:
        doc = self.doc
        passive = any(c.dep_ == "auxpass" for c in tok.children)
        if any(c.dep_ == "agent" for c in tok.children):
            return None
        if passive and not {"passive", "passive_complement"} & frames or not passive and "raising" not in frames:
            return None
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i), None)
        if subj is None or subj.lower_ in ("there",):
            return None
        comp = next((c for c in tok.children if c.i > tok.i and (
            c.dep_ in ("xcomp", "acomp", "oprd", "ccomp")
            or c.dep_ == "prep" and c.lower_ in self.lex.unsourced_preps
        )), None)
        if comp is None:
            return None
        cue_hi = tok.i
        lo, hi = subtree_range(comp)
        if comp.dep_ == "prep" and comp.i == self._next_word(tok):
            objs = [g for g in comp.children if g.dep_ in ("pobj", "pcomp")]
            if not objs:
                return None
            cue_hi = comp.i
            lo, hi = subtree_range(objs[0])
        content = trim_span(doc, lo, hi)
        if content is None:
            return None
        s_lo, s_hi = subtree_range(subj)
        subject = trim_span(doc, s_lo, min(s_hi, tok.i - 1))
        cue = (doc[self.cue_left_edge(tok)].idx, doc[cue_hi].idx + len(doc[cue_hi].text))
        if subject is not None and subject[1] >= self.cue_left_edge(tok):
            subject = trim_span(doc, subject[0], self.cue_left_edge(tok) - 1)
        main_content, kind = self.snap_to_quotes(span_chars(doc, *content))
        main = Found(cue=cue, content=main_content, kind=kind, cue_token=tok.i,
                     scope=set(range(self.cue_left_edge(tok), cue_hi + 1)))
        items = [main]
        if subject is not None and not ("passive_complement" in frames and passive):
            items.append(Found(cue=cue, content=span_chars(doc, *subject), kind=kind, cue_token=tok.i,
                               continues=main, scope=main.scope))
        return items
