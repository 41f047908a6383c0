"""Verbs that are cues only in certain argument frames (data/attribution/frames.yaml): "called for
X", "called X Y", "urged X to ...", "described X as Y".

A mixin of `communique.attribution.rules.Rules`: it reads the Rules state (doc, text, lex, quoted,
paragraph_starts, according) and calls its other methods.
"""

from __future__ import annotations

from spacy.tokens import Token

from communique.attribution.base import FrameMatch, subtree_range


class FrameRules:
    def frame(self, tok: Token) -> FrameMatch | None:
        """The content a verb takes in one of its lexicon frames ("called for X", "described X as Y")."""
        if tok.i in self._frames:
            return self._frames[tok.i]
        match = None
        frames = self.lex.frames.get(self.lemma(tok))
        if frames and tok.pos_ == "VERB" and tok.dep_ not in ("amod", "compound"):
            try:
                match = self._match_frame(tok, frames)
            except Exception:  # an odd parse costs this cue, nothing else
                match = None
        self._frames[tok.i] = match
        return match

    def _match_frame(self, tok: Token, frames: frozenset[str]) -> FrameMatch | None:
        kids = [c for c in tok.children if c.i > tok.i]
        by_dep: dict[str, Token] = {}
        for c in kids:
            by_dep.setdefault(c.dep_, c)
        passive = any(c.dep_ == "auxpass" for c in tok.children)
        if passive:
            return None
        obj, xcomp, oprd = by_dep.get("dobj"), by_dep.get("xcomp"), by_dep.get("oprd")
        ccomp = by_dep.get("ccomp")
        if "clause" in frames and ccomp is not None:
            return FrameMatch(*subtree_range(ccomp), cue_end=tok.i)
        if "object_complement" in frames and obj is not None and (oprd is not None or xcomp is not None):
            end = subtree_range(oprd if oprd is not None else xcomp)[1]
            return FrameMatch(subtree_range(obj)[0], end, cue_end=tok.i)
        if "object_complement" in frames and ccomp is None and obj is None and xcomp is not None:
            # "called it shameful" parsed as a small clause
            subj = [c for c in xcomp.children if c.dep_ == "nsubj"]
            if subj:
                return FrameMatch(*subtree_range(xcomp), cue_end=tok.i)
        if "object_infinitive" in frames and obj is not None and xcomp is not None and xcomp.i > obj.i:
            return FrameMatch(subtree_range(obj)[0], self._extend_over_arguments(tok, subtree_range(xcomp)[1]), cue_end=tok.i)
        if "infinitive" in frames and xcomp is not None and obj is None and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in xcomp.children
        ):
            return FrameMatch(*subtree_range(xcomp), cue_end=tok.i)
        if "object" in frames and obj is not None:
            lo, hi = subtree_range(obj)
            # "described the deal as a disaster": the role given to the object goes with it
            return FrameMatch(lo, self._extend_over_arguments(tok, hi), cue_end=tok.i)
        for c in kids:
            if c.dep_ in ("prep", "prt") and f"prep:{c.lower_}" in frames:
                objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if not objs or c.i != self._next_word(tok):
                    continue
                lo, hi = subtree_range(objs[0])
                return FrameMatch(lo, self._extend_over_arguments(tok, subtree_range(c)[1]), cue_end=c.i)
        return None

    def _extend_over_arguments(self, tok: Token, hi: int) -> int:
        """Past the object, the verb's other arguments right after it belong to the content too:
        "accused him of lying", "criticized Sanders for taking the data", "called on leaders to act"."""
        kids = sorted((c for c in tok.children if c.i > hi), key=lambda c: c.i)
        for child in kids:
            lo_c, hi_c = subtree_range(child)
            if lo_c != hi + 1 or child.dep_ not in self.lex.content_argument_deps:
                break
            if child.dep_ == "prep" and child.lower_ in self.lex.content_preps_excluded:
                break  # "warned of consequences without naming the sanctions": an aside, not the content
            hi = hi_c
        return hi

    def _next_word(self, tok: Token) -> int:
        """The token after the verb, past its adverbs ("called repeatedly for")."""
        i = tok.i + 1
        while i < len(self.doc) and self.doc[i].dep_ == "advmod" and self.doc[i].head.i == tok.i:
            i += 1
        return i
