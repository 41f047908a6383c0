""""according to X" and "as per X": the phrase, and the clause it gives X as the source of.

A mixin of `communique.attribution.rules.Rules`: it reads the Rules state (doc, text, lex, quoted,
paragraph_starts, according) and calls its other methods.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Token

from communique.attribution.base import Found, sent_range, span_chars, subtree_range, trim_span


class AccordingTo:
    def _according_phrases(self) -> dict[int, tuple[int, int, int, int, int]]:
        """'according to X' / 'per X': first token index -> (first token, last token of X)."""
        found = {}
        doc = self.doc
        for tok in doc:
            low = tok.lower_
            for phrase in self.lex.according_to:
                if low != phrase[0] or tok.i + len(phrase) > len(doc):
                    continue
                if tuple(t.lower_ for t in doc[tok.i : tok.i + len(phrase)]) != phrase:
                    continue
                last_word = doc[tok.i + len(phrase) - 1]
                objs = [c for c in last_word.children if c.dep_ in ("pobj", "dobj", "nsubj", "appos", "npadvmod", "conj")]
                if not objs:
                    nxt = tok.i + len(phrase)
                    if nxt < len(doc) and doc[nxt].pos_ in ("PROPN", "NOUN", "DET", "ADJ", "PRON", "NUM"):
                        objs = [doc[nxt].head if doc[nxt].head.i >= nxt else doc[nxt]]
                if not objs:
                    continue
                obj = objs[0]
                lo, hi = subtree_range(obj)
                trimmed = trim_span(doc, lo, hi)
                if trimmed is None:
                    continue
                found[tok.i] = (tok.i, len(phrase), trimmed[0], trimmed[1], obj.i)
                break
        return found

    def _according_within(self, tok: Token) -> list[int]:
        """The "according to" phrases that start inside the token's subtree's range (only these can
        attach to it), found by bisection rather than by testing every phrase of the article."""
        starts = self._according_starts
        return starts[bisect_left(starts, tok.left_edge.i) : bisect_right(starts, tok.right_edge.i)]

    def _according_attaches(self, first: int, comp: Token) -> bool:
        return any(t.i == first for t in comp.subtree)

    def _according_quote(self, first: int, n: int, o_lo: int, o_hi: int, o_head: int) -> Found | None:
        doc = self.doc
        head = doc[first].head
        pp = set(range(first, o_hi + 1))
        s_lo, s_hi = sent_range(doc[first])
        if head.i in pp or head.i == first:
            lo, hi = s_lo, s_hi
        else:
            root = head
            # "A was ill and according to X he died", "..., and according to X was called": the conjunct
            # after the phrase is X's clause alone
            own_clause = head.pos_ in ("VERB", "AUX") and head.dep_ == "conj" and head.i > first
            while not own_clause and root.dep_ not in ("ROOT",) and root.head.i != root.i and root.head.i not in pp and root.dep_ in ("conj", "aux"):
                root = root.head
            lo, hi = subtree_range(root, pp)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
        # the content is the clause without the phrase: take the longer side if the phrase sits inside
        if lo < first <= hi:
            before, after = (lo, first - 1), (o_hi + 1, hi)
            lo, hi = before if before[1] - before[0] >= 2 else after
        trimmed = trim_span(doc, lo, hi)
        if trimmed is None or trimmed[1] - trimmed[0] < 2:
            return None
        content, kind = self.snap_to_quotes(span_chars(doc, *trimmed))
        return Found(
            cue=span_chars(doc, first, first + n - 1), content=content, kind=kind,
            source=span_chars(doc, o_lo, o_hi), source_head=o_head, cue_token=first,
            scope=set(range(first, o_hi + 1)),
        )

    def _at_tail(self, first: int, last: int, content: tuple[int, int]) -> bool:
        after = self.text[self.doc[last].idx + len(self.doc[last].text) : content[1]]
        return not after.strip(" ,.;:!?\u201d\"'\u2019")

    def _cut_tail(self, content: tuple[int, int], cut: int) -> tuple[int, int]:
        end = cut
        while end > content[0] and (self.text[end - 1].isspace() or self.text[end - 1] in ",;\u2014\u2013-"):
            end -= 1
        return (content[0], end) if end > content[0] else content
