"""Attribution rules on the dependency parse: cue, source and content of each attribution.

Works in Doc (body) character offsets and token indices; `communique.attribution` turns the result
into `Quote` records with `article.text` spans and actor ids.

The rules, in order:
1. A cue verb from the lexicon (say, tell, add, tweet, ...) whose content is a clause (ccomp, or the
   clause it hangs off as a parenthetical: "X, he said") or a quotation right before or after it.
   Its source is the subject, inherited through conjunctions, participles ("..., adding") and
   relative clauses.
2. "according to X" gives X as the source of the clause it modifies, or as an intermediary (`via`)
   when that clause is itself a reported statement ("Wang said ..., according to Xinhua").
3. A content that is a quotation, give or take punctuation, is `direct`; one that holds a quoted
   fragment is `mixed`; else `indirect`.
4. A quotation no cue claimed, right after an attributed one (same paragraph, or the next paragraph
   of a running quote), continues it: same speaker, intermediaries, channel and date.
5. Verbs that report only in certain argument frames (data/attribution/frames.yaml): "called for X",
   "called X Y", "urged X to ...", "declined to ...", "described X as Y"; the content is the frame's
   argument with the verb's other arguments after it ("criticized X for Y").
6. Judgements no one is named for ("X appears to ...", "X is expected to ...", "X is seen as ..."):
   no source, and a content in two pieces, the subject and the complement.
7. "As X said, ..." and a cue in mid-sentence ("The plan, he said, is ..."): the clause around the
   cue, the part after the cue as a second piece.
The rules live in mixins by concern: `quotations` (rules 1, 3, 4 and 7's quotation handling, colon
and dash quotes, headlines), `according` (rule 2), `frames` (rule 5), `unsourced` (rule 6); `base`
holds the `Found` record and the token-range helpers.
The cue span follows PolNeAR: auxiliaries, negation and adverbs before the verb, "to", a particle or
frame preposition, "in a statement", and a colon right after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Token

from communique.attribution.according import AccordingTo
from communique.attribution.base import (  # noqa: F401  (Found is part of this module's interface)
    CLAUSE_DEPS,
    PUNCT_EDGE,
    QUOTE_CHARS,
    SUBJECT_DEPS,
    XCOMP_CUES,
    Found,
    FrameMatch,
    opens_quote,
    sent_range,
    span_chars,
    subtree_range,
    trim_span,
)
from communique.attribution.frames import FrameRules
from communique.attribution.lexicon import Lexicon
from communique.attribution.quotations import QuotationRules
from communique.attribution.quotemarks import Quoted, find_quoted
from communique.attribution.unsourced import UnsourcedRules


class Rules(QuotationRules, AccordingTo, FrameRules, UnsourcedRules):
    def __init__(self, doc: Doc, lex: Lexicon):
        self.doc = doc
        self.token_starts = [t.idx for t in doc]  # for finding the tokens of a character range
        self.lex = lex
        self.text = doc.text
        self.quoted: list[Quoted] = sorted((q for q in find_quoted(self.text) if not q.nickname), key=lambda q: q.start)
        # find_quoted gives quotations in text order: a bisection over their starts finds the few near a
        # place without scanning them all (which made long articles cost time quadratic in length)
        self._quoted_starts = [q.start for q in self.quoted]
        self._longest_quoted = max((q.end - q.start for q in self.quoted), default=0)
        # where each paragraph (a non-blank line) begins
        self.paragraph_starts = [0] + [m.start() for m in re.finditer(r"(?<=\n)[^\S\n]*\S", self.text)]
        # first token of "according to X" -> (first, phrase length, X's first token, X's last token, X's head)
        self.according: dict[int, tuple[int, int, int, int, int]] = self._according_phrases()
        self._according_starts = sorted(self.according)
        self._frames: dict[int, FrameMatch | None] = {}
        self._frame_content: set[int] = set()  # cue tokens whose content came from a frame
        self._second_piece: dict[int, tuple[int, int]] = {}  # cue token -> content after a mid-clause cue

    # -- cue verbs

    def lemma(self, tok: Token) -> str:
        low = tok.lower_
        return self.lex.lemma_fixes.get(low) or tok.lemma_.lower()

    def is_cue(self, tok: Token) -> bool:
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "compound"):
            return False
        lemma = self.lemma(tok)
        if lemma in self.lex.cue_lemmas:
            return True
        for child in tok.children:
            if child.dep_ in ("prt", "acomp", "advmod", "oprd") and (lemma, child.lower_) in self.lex.phrasal_cues:
                return True
        return self.frame(tok) is not None

    @staticmethod
    def _has_subject(tok: Token) -> bool:
        return any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in tok.children)

    def cue_range(self, tok: Token) -> tuple[int, int]:
        lo = self.cue_left_edge(tok)
        hi = tok.i
        frame = self._frames.get(tok.i)
        if frame is not None and tok.i in self._frame_content:
            hi = max(hi, frame.cue_end)
        # "said in a statement": the channel phrase right after the verb is part of PolNeAR's cue
        for child in tok.children:
            if child.dep_ == "prep" and child.i == hi + 1 and child.lower_ in self.lex.cue_channel_phrases:
                objs = [g for g in child.children if g.dep_ == "pobj"]
                if objs and objs[0].lemma_.lower() in self.lex.cue_channel_phrases[child.lower_]:
                    hi = objs[0].i
        # "he said: ..." - a colon right after the cue belongs to it (PolNeAR marks it in nine cases of ten)
        if hi + 1 < len(self.doc) and self.doc[hi + 1].text == ":":
            hi += 1
        for child in tok.children:
            if child.dep_ == "prt" and child.i == hi + 1:
                hi = child.i
            if (self.lemma(tok), child.lower_) in self.lex.phrasal_cues and child.i > hi:
                hi = child.i
        return span_chars(self.doc, lo, hi)

    def cue_left_edge(self, tok: Token) -> int:
        """The first token of the cue: the verb with the auxiliaries, negation and manner adverbs right
        before it ("has also said", "did not mention"), PolNeAR's cue span."""
        doc = self.doc
        lo = tok.i
        while lo > 0:
            prev = doc[lo - 1]
            if prev.head.i != tok.i or prev.i < tok.sent.start:
                break
            if prev.dep_ in ("aux", "auxpass", "neg") or prev.dep_ == "advmod" and prev.tag_ == "RB" and prev.lower_ not in self.lex.cue_adverbs_excluded:
                lo -= 1
            else:
                break
        return lo

    def subject_of(self, tok: Token, depth: int = 0) -> Token | None:
        """The subject of a cue verb, inherited through conjunctions, participles and relative clauses."""
        if depth > 6:
            return None
        for child in tok.children:
            if child.dep_ in ("nsubj", "csubj") and child.lower_ != "there":
                return child
        for child in tok.children:
            if child.dep_ == "agent":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        return grand
        if tok.tag_ == "VBN" and tok.lemma_.lower() in self.lex.question_cues:
            # "Asked whether ..., the spokeswoman said", "was asked if ...": the question is the words
            # of whoever asked it (an agent, handled above), never of the one asked
            return None
        # "X quoted Wang as saying ..." -> Wang
        head = tok.head
        if tok.dep_ in ("pcomp", "pobj") and head.dep_ == "prep" and head.head.lemma_.lower() in self.lex.relay_verbs:
            for child in head.head.children:
                if child.dep_ == "dobj":
                    return child
        if tok.dep_ in ("conj", "xcomp", "advcl") and head is not tok and head.pos_ in ("VERB", "AUX"):
            return self.subject_of(head, depth + 1)
        # "After citing the poll, Beck said ...", "dismissed it by pointing out ...": the main verb's subject
        if tok.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX") and head.head.i != head.i:
            return self.subject_of(head.head, depth + 1)
        if tok.dep_ == "relcl" and head is not tok:
            return head
        if tok.dep_ == "acl" and head is not tok and head.pos_ in ("NOUN", "PROPN"):
            return head
        if depth == 0:
            return self._name_before(tok)
        return None

    def _name_before(self, tok: Token) -> Token | None:
        """A cue with no subject in the parse right after a name set off by commas ("Speaking to AFP,
        the president of the league, Jane Roe, said"): that name."""
        i = tok.i - 1
        if i >= 0 and self.doc[i].text == ",":
            i -= 1
        if i < tok.sent.start or i < 0:
            return None
        prev = self.doc[i]
        if prev.pos_ == "PROPN" and prev.ent_type_ in ("PERSON", "ORG") and not self._in_quote(prev.idx):
            return prev
        return None

    def source_range(self, subj: Token, exclude: set[int]) -> tuple[int, int] | None:
        if subj.dep_ not in SUBJECT_DEPS and subj.dep_ not in ("pobj", "dobj", "appos", "conj"):
            # an antecedent of a relative clause or participle: its own phrase without the clause
            exclude = exclude | {t.i for c in subj.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
        # "Trump on Tuesday", "Cruz, when asked about it,", "Even the organizer": not part of the name
        exclude = exclude | {t.i for c in subj.children if self._not_of_source(c) for t in c.subtree}
        lo, hi = subtree_range(subj, exclude)
        # keep the source contiguous around its head
        while lo < subj.i and any(i in exclude for i in range(lo, subj.i)):
            lo += 1
        while hi > subj.i and any(i in exclude for i in range(subj.i + 1, hi + 1)):
            hi -= 1
        # a dateline, timestamp or headline before the name is not part of it
        for i in range(subj.i - 1, lo - 1, -1):
            t = self.doc[i]
            if "\n" in t.text or t.text in ("\u2014", "--", ":", ")") or "\n" in t.whitespace_:
                lo = i + 1
                break
        trimmed = trim_span(self.doc, lo, hi, keep_closing_quote=False)
        if not trimmed:
            return None
        start, end = span_chars(self.doc, *trimmed)
        # "Jane Roe, a farmer, said": with an apposition, the closing comma goes with the source
        if ", " in self.text[start:end] and self.text[end : end + 1] == ",":
            end += 1
        return start, end

    def _not_of_source(self, child: Token) -> bool:
        if child.dep_ == "advcl":
            return True
        if child.dep_ == "prep" and any(t.ent_type_ in ("DATE", "TIME") for t in child.subtree):
            return True
        return False

    def clause_content(self, tok: Token) -> tuple[int, int] | None:
        """Token range of a cue verb's content clause, or None."""
        doc = self.doc
        lemma = self.lemma(tok)
        if not self.lex.is_clause_cue(lemma):
            frame = self.frame(tok)
            if frame is None:
                return None
            self._frame_content.add(tok.i)
            return trim_span(doc, frame.lo, frame.hi)
        # a clause with no subject of its own, past the verb's object ("asked Putin to wait until the
        # Games were over" parsed with "were over" hanging off "asked") is a misparse, not the content
        comps = [c for c in tok.children if c.dep_ in CLAUSE_DEPS and (
            c.i < tok.i or self._has_subject(c) or self._in_quote(c.idx)
            or not any(d.dep_ in ("dobj", "xcomp") and d.i < c.i for d in tok.children))]
        if not comps:
            marked = self.marked_clause(tok)
            comps = [marked] if marked is not None else []
        if not comps and self.frame(tok) is not None and "object_infinitive" in self.lex.frames.get(lemma, ()):
            frame = self.frame(tok)
            self._frame_content.add(tok.i)
            return trim_span(doc, frame.lo, frame.hi)
        if not comps and lemma in XCOMP_CUES:
            comps = [c for c in tok.children if c.dep_ == "xcomp"]
        if not comps and lemma in self.lex.np_cue_lemmas:
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            if objs:
                lo, hi = subtree_range(objs[0])
                return trim_span(doc, lo, self._extend_over_arguments(tok, hi))
        if not comps and self.frame(tok) is not None:
            frame = self.frame(tok)
            self._frame_content.add(tok.i)
            return trim_span(doc, frame.lo, frame.hi)
        if comps:
            # a clause on either side: take the one nearest the verb; an object of "tell" is not content
            comp = min(comps, key=lambda c: abs(c.i - tok.i))
            exclude = {t.i for a in self._according_within(comp) if self._according_attaches(a, comp)
                       for t in doc[a : self.according[a][3] + 1]}
            # "said people changed their minds and several said ...": a coordinated clause with a cue
            # and a subject of its own is another attribution, not part of this content
            for t in comp.subtree:
                if t.dep_ == "conj" and t.i > comp.i and t.head.i == comp.i and self.is_cue(t) and self._has_subject(t):
                    exclude |= {g.i for g in t.subtree}
                    exclude |= {g.i for g in comp.children if g.dep_ in ("cc", "punct") and g.i < t.i and g.i > comp.i
                                and all(x.i < g.i for x in comp.children if x.dep_ not in ("cc", "punct", "conj") and x.i > comp.i) }
            lo, hi = subtree_range(comp, exclude)
            if comp.i > tok.i:
                # a "that" or "whether" before the clause belongs to the content
                for child in comp.children:
                    if child.dep_ == "mark" and child.i < lo:
                        lo = child.i
                # "said that A, but B": a clause coordinated to the cue verb after its content goes with it,
                # unless the content is a closed quotation ('said "We lost," and the flag flew low')
                hi = self._stop_after_quotation(lo, hi)
                quotation = self._closed_quote_ends_at(lo, hi)
                for child in tok.children:
                    if quotation:
                        break
                    if child.dep_ == "conj" and child.i > hi and not self.is_cue(child) and any(
                        g.dep_ in ("nsubj", "nsubjpass", "expl") for g in child.children
                    ):
                        hi = max(hi, subtree_range(child, exclude)[1])
            return trim_span(doc, lo, hi)
        as_clause = tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children)
        if (tok.dep_ == "parataxis" or as_clause) and tok.head.i != tok.i:
            own = {t.i for t in tok.subtree}
            head = tok.head
            while as_clause and head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
                head = head.head  # "The bridge, as the mayor said, will reopen": the clause of "bridge"
            lo, hi = subtree_range(head, own)
            s_lo, s_hi = sent_range(tok)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
            if hi < tok.i:
                return trim_span(doc, lo, hi)
            if lo > tok.i:
                if as_clause:
                    # "As the mayor said last week, the bridge ...": what precedes the comma goes with the cue
                    subj = min((c.i for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), default=head.i)
                    comma = next((i for i in range(lo, min(subj, head.i)) if doc[i].text == ","), None)
                    if comma is not None:
                        lo = comma + 1
                return trim_span(doc, lo, hi)
            # the parenthetical sits in the middle: the part before it, and the rest as a second piece
            if min(own) <= lo:
                return None
            rest = trim_span(doc, max(own) + 1, hi)
            if rest is not None:
                self._second_piece[tok.i] = rest
            return trim_span(doc, lo, min(own) - 1)
        return None

    def marked_clause(self, tok: Token) -> Token | None:
        """A "that"-clause the parser hung off a noun near the cue ("said at a briefing that ...")."""
        stack = [(c, 0) for c in tok.children if c.dep_ in ("prep", "npadvmod", "dobj")]
        while stack:
            node, depth = stack.pop()
            if depth > 3:
                continue
            for child in node.children:
                if child.dep_ in ("relcl", "acl", "ccomp") and any(
                    g.dep_ == "mark" and g.lower_ in ("that", "whether") for g in child.children
                ) and any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in child.children):
                    return child
                if child.dep_ in ("pobj", "prep", "compound"):
                    stack.append((child, depth + 1))
        return None

    def cue_clause(self, tok: Token, content: tuple[int, int] | None) -> tuple[int, int]:
        """The cue's own clause: its subtree within its sentence, minus the content."""
        exclude = set(range(content[0], content[1] + 1)) if content else set()
        lo, hi = subtree_range(tok, exclude)
        s_lo, s_hi = sent_range(tok)
        lo, hi = max(lo, s_lo), min(hi, s_hi)
        if content and content[0] <= tok.i <= content[1]:
            return (tok.i, tok.i)
        if content and content[0] > tok.i:
            hi = min(hi, content[0] - 1)
        if content and content[1] < tok.i:
            lo = max(lo, content[1] + 1)
        trimmed = trim_span(self.doc, lo, hi)
        return trimmed or (tok.i, tok.i)

    # -- the main pass

    def run(self) -> list[Found]:
        doc = self.doc
        found: list[Found] = []
        claimed_according: set[int] = set()
        for tok in doc:
            if not self.is_cue(tok) or self.inside_long_quote(tok):
                continue
            content_toks = self.clause_content(tok)
            quote: Quoted | None = None
            kind = "indirect"
            if content_toks is not None and content_toks[1] < tok.i and not self._in_quote(doc[content_toks[0]].idx):
                # "Asked about X, he said, “...”": the quotation after the cue is the content
                after = self.adjacent_quote(tok, self.cue_clause(tok, content_toks))
                if after is not None and after.start > tok.idx:
                    content_toks = None
            if content_toks is not None:
                content = span_chars(doc, *content_toks)
                content, kind = self.snap_to_quotes(content)
                if kind != "indirect" and self.paragraph_of(content[0]) != self.paragraph_of(content[1] - 1):
                    # a parse that joined quotations of two paragraphs: the quotation beside the cue only
                    quote = self.adjacent_quote(tok, self.cue_clause(tok, None))
                    if quote is not None:
                        content, kind = (quote.start, quote.end), "direct"
            else:
                clause = self.cue_clause(tok, None)
                quote = self.adjacent_quote(tok, clause)
                if quote is None:
                    continue
                content, kind = (quote.start, quote.end), "direct"
            content_tok_set = set(
                range(bisect_left(self.token_starts, content[0]), bisect_left(self.token_starts, content[1]))
            )
            if tok.i in content_tok_set:
                continue
            paragraph = self.paragraph_of(tok.idx)
            if kind == "indirect" and paragraph not in (self.paragraph_of(content[0]), self.paragraph_of(content[1] - 1)):
                continue  # a parse that ran over a paragraph break
            if self.lemma(tok) in self.lex.clause_only_lemmas and kind != "direct":
                first_word = doc[min(content_tok_set)] if content_tok_set else None
                if first_word is None or first_word.tag_ in ("WDT", "WP", "WP$", "WRB") or first_word.lower_ in ("if", "whether", "to"):
                    continue
            if any(c.dep_ == "auxpass" for c in tok.children) and not any(c.dep_ == "agent" for c in tok.children):
                continue  # "is expected to", "was asked to": no one is reported saying anything
            subj = self.subject_of(tok)
            source = None
            if subj is not None and subj.i not in content_tok_set and not self._in_quote(subj.idx):
                quoted_toks = {t.i for t in subj.subtree if self._in_quote(t.idx)}
                source = self.source_range(subj, content_tok_set | quoted_toks | {tok.i})
            item = Found(
                cue=self.cue_range(tok), content=content, kind=kind, source=source,
                source_head=subj.i if subj is not None and source else None, cue_token=tok.i,
            )
            scope = self._scope(tok, content_tok_set, subj)
            item.scope = scope
            # "according to X" in the cue's clause, or at the tail of its content: an intermediary
            # only phrases that start in the scope or the content can count (in text order, as in `according`)
            reach = [*(min(x) for x in (scope, content_tok_set) if x), *(max(x) for x in (scope, content_tok_set) if x)]
            starts = self._according_starts
            near = starts[bisect_left(starts, min(reach)) : bisect_right(starts, max(reach))] if reach else []
            for first in near:
                _, n, o_lo, o_hi, o_head = self.according[first]
                if first < tok.i and first in scope:
                    continue  # "According to X, Y said ...": X is a source of its own; nesting gives the relay
                if first in scope or (first in content_tok_set and self._at_tail(first, o_hi, content)):
                    item.via.append(span_chars(doc, o_lo, o_hi))
                    item.via_heads.append(o_head)
                    claimed_according.add(first)
                    if first in content_tok_set:
                        item.content = self._cut_tail(item.content, doc[first].idx)
            found.append(item)
            second = self._second_piece.get(tok.i)
            if second is not None and kind != "direct":
                rest, rest_kind = self.snap_to_quotes(span_chars(doc, *second))
                if rest[0] >= item.content[1]:
                    found.append(Found(
                        cue=item.cue, content=rest, kind=rest_kind, source=item.source, source_head=item.source_head,
                        cue_token=tok.i, via=list(item.via), via_heads=list(item.via_heads), continues=item, scope=scope,
                    ))
        for first, (_, n, o_lo, o_hi, o_head) in self.according.items():
            if first in claimed_according:
                continue
            item = self._according_quote(first, n, o_lo, o_hi, o_head)
            if item is not None:
                found.append(item)
        found.sort(key=lambda f: f.content[0])
        found = self._dedupe(found)
        found.extend(self._colon_quotes(found))
        found.extend(self._dash_bylines(found))
        headline = self._headline()
        if headline is not None and not any(f.cue == headline.cue for f in found):
            found.append(headline)
        found.extend(self._unsourced(found))
        found.sort(key=lambda f: f.content[0])
        self._nest(found)
        found.extend(self._continuations(found))
        found.sort(key=lambda f: (f.content[0], f.continues is not None))
        return found

    def _scope(self, tok: Token, content: set[int], subj: Token | None) -> set[int]:
        s_lo, s_hi = sent_range(tok)
        source = {t.i for t in subj.subtree} if subj is not None else set()
        return {t.i for t in tok.subtree if s_lo <= t.i <= s_hi and t.i not in content and t.i not in source} | {tok.i}

    def _nest(self, found: list[Found]) -> None:
        """A statement reported inside another's paraphrase was relayed by that other's source:
        'Xinhua reported that Wang said ...' gives Wang's quote the relay Xinhua."""
        # the statements whose content can hold a place: a bisection over content starts, not a scan
        by_start = sorted((f.content[0], k) for k, f in enumerate(found))
        starts = [s for s, _ in by_start]
        longest = max((f.content[1] - f.content[0] for f in found), default=0)
        for inner in found:
            if inner.cue_token is None:
                continue
            at = self.doc[inner.cue_token].idx
            near = sorted(k for _, k in by_start[bisect_left(starts, at - longest) : bisect_right(starts, at)])
            outers = [o for o in (found[k] for k in near) if o is not inner and o.kind != "direct"
                      and o.content[0] <= at < o.content[1] and o.source_head is not None]
            outers.sort(key=lambda o: o.content[1] - o.content[0])  # the innermost first
            for outer in outers:
                if outer.source_head not in inner.via_heads and outer.source_head != inner.source_head:
                    inner.via.append(outer.source)
                    inner.via_heads.append(outer.source_head)

    def _dedupe(self, found: list[Found]) -> list[Found]:
        """One attribution per (cue, content); a cue's duplicate with a worse content is dropped."""
        seen: dict[tuple[int, int], Found] = {}
        out = []
        kept: set[int] = set()
        for f in found:
            if f.continues is not None:  # a second piece of the content: kept with its attribution
                if id(f.continues) in kept:
                    out.append(f)
                continue
            if f.cue in seen:
                continue
            seen[f.cue] = f
            kept.add(id(f))
            out.append(f)
        return out
