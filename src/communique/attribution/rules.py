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
The cue span follows PolNeAR: auxiliaries, negation and adverbs before the verb, "to", a particle or
frame preposition, "in a statement", and a colon right after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from communique.attribution.lexicon import Lexicon
from communique.attribution.quotemarks import Quoted, find_quoted

PUNCT_EDGE = set(",;:.!?-\u2014\u2013()[]") | {"--"}
QUOTE_CHARS = set("\"'\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb`")
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
CLAUSE_DEPS = {"ccomp"}
XCOMP_CUES = {"ask", "urge", "tell", "warn", "promise", "pledge", "vow", "threaten", "demand", "propose",
              "agree", "expect", "hope", "advise", "remind", "plead"}


@dataclass(frozen=True)
class FrameMatch:
    """A cue verb's content in one of its frames: token range [lo, hi] and the cue's last token."""

    lo: int
    hi: int
    cue_end: int


@dataclass
class Found:
    """One attribution in Doc terms."""

    cue: tuple[int, int]  # Doc char range
    content: tuple[int, int]
    kind: str
    source: tuple[int, int] | None = None  # Doc char range of the full source phrase
    source_head: int | None = None  # token index of the source's head word
    cue_token: int | None = None  # token index of the cue word
    via: list[tuple[int, int]] = field(default_factory=list)  # Doc char ranges of relays, innermost first
    via_heads: list[int] = field(default_factory=list)
    channel: str | None = None
    date_tokens: list[int] = field(default_factory=list)  # token indices of a DATE entity near the cue
    continues: "Found | None" = None  # the attribution this quotation continues
    scope: set[int] = field(default_factory=set)  # tokens of the cue's clause outside content and source


# ---------------------------------------------------------------- small helpers


def _span_chars(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Char range of tokens [lo, hi] (inclusive)."""
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _is_edge_punct(tok: Token) -> bool:
    return tok.is_space or tok.text in PUNCT_EDGE or (tok.is_punct and tok.text not in QUOTE_CHARS)


def _trim(doc: Doc, lo: int, hi: int, keep_closing_quote: bool = True) -> tuple[int, int] | None:
    """Shrink token range [lo, hi] past edge punctuation; a closing quote mark at the end is kept."""
    while lo <= hi and (_is_edge_punct(doc[lo]) or (doc[lo].text in QUOTE_CHARS and not _opens(doc[lo]))):
        lo += 1
    while lo <= hi and (_is_edge_punct(doc[hi]) or (doc[hi].text in QUOTE_CHARS and (_opens(doc[hi]) or not keep_closing_quote))):
        hi -= 1
    return (lo, hi) if lo <= hi else None


def _opens(tok: Token) -> bool:
    if tok.text in ("\u201c", "\u201e", "\u00ab", "\u2018"):
        return True
    if tok.text in ("\u201d", "\u00bb", "\u2019"):
        return False
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return bool(nxt is not None and not tok.whitespace_ and not nxt.is_space)


def _subtree_range(tok: Token, exclude: set[int] | None = None) -> tuple[int, int]:
    idx = [t.i for t in tok.subtree if not exclude or t.i not in exclude]
    return (min(idx), max(idx)) if idx else (tok.i, tok.i)


def _sent_range(tok: Token) -> tuple[int, int]:
    s = tok.sent
    return s.start, s.end - 1


# ---------------------------------------------------------------- the rules


_DASH_BYLINE = re.compile(r"[ \t]*\n?[ \t]*([\u2014\u2013]|--)[ \t]*([A-Z][^\n]{0,80}?)[ \t]*(?=\n|$)")


class _Claimed:
    """Character ranges already taken by an attribution. `overlaps` looks only at the ranges that
    start late enough to reach the one asked about, so checking each quotation stays cheap however
    many attributions a long article has."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()):
        self._ranges = sorted(ranges)
        self._longest = max((end - start for start, end in self._ranges), default=0)

    def add(self, start: int, end: int) -> None:
        insort(self._ranges, (start, end))
        self._longest = max(self._longest, end - start)

    def overlaps(self, start: int, end: int) -> bool:
        ranges = self._ranges
        for k in range(bisect_left(ranges, (start - self._longest,)), len(ranges)):
            c_lo, c_hi = ranges[k]
            if c_lo >= end:
                return False
            if start < c_hi:
                return True
        return False


class Rules:
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

    # -- quotations

    def quoted_near(self, start: int, end: int) -> list[Quoted]:
        """In text order, the quotations that start before `end` and may reach past `start`: every one
        that overlaps [start, end) or holds it is among them."""
        lo = bisect_left(self._quoted_starts, start - self._longest_quoted)
        hi = bisect_left(self._quoted_starts, end)
        return self.quoted[lo:hi]

    def quote_at(self, start: int, end: int) -> Quoted | None:
        """The quoted stretch overlapping the char range most."""
        best, best_overlap = None, 0
        for q in self.quoted_near(start, end):
            overlap = min(q.end, end) - max(q.start, start)
            if overlap > best_overlap:
                best, best_overlap = q, overlap
        return best

    def inside_long_quote(self, tok: Token) -> bool:
        for q in self.quoted_near(tok.idx, tok.idx + 1):
            if q.start < tok.idx < q.end and q.words(self.text) >= 4:
                return True
        return False

    def paragraph_of(self, char: int) -> int:
        lo, hi = 0, len(self.paragraph_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paragraph_starts[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo

    # -- according to

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
                lo, hi = _subtree_range(obj)
                trimmed = _trim(doc, lo, hi)
                if trimmed is None:
                    continue
                found[tok.i] = (tok.i, len(phrase), trimmed[0], trimmed[1], obj.i)
                break
        return found

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
            return FrameMatch(*_subtree_range(ccomp), cue_end=tok.i)
        if "object_complement" in frames and obj is not None and (oprd is not None or xcomp is not None):
            end = _subtree_range(oprd if oprd is not None else xcomp)[1]
            return FrameMatch(_subtree_range(obj)[0], end, cue_end=tok.i)
        if "object_complement" in frames and ccomp is None and obj is None and xcomp is not None:
            # "called it shameful" parsed as a small clause
            subj = [c for c in xcomp.children if c.dep_ == "nsubj"]
            if subj:
                return FrameMatch(*_subtree_range(xcomp), cue_end=tok.i)
        if "object_infinitive" in frames and obj is not None and xcomp is not None and xcomp.i > obj.i:
            return FrameMatch(_subtree_range(obj)[0], self._extend_over_arguments(tok, _subtree_range(xcomp)[1]), cue_end=tok.i)
        if "infinitive" in frames and xcomp is not None and obj is None and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in xcomp.children
        ):
            return FrameMatch(*_subtree_range(xcomp), cue_end=tok.i)
        if "object" in frames and obj is not None:
            lo, hi = _subtree_range(obj)
            # "described the deal as a disaster": the role given to the object goes with it
            return FrameMatch(lo, self._extend_over_arguments(tok, hi), cue_end=tok.i)
        for c in kids:
            if c.dep_ in ("prep", "prt") and f"prep:{c.lower_}" in frames:
                objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if not objs or c.i != self._next_word(tok):
                    continue
                lo, hi = _subtree_range(objs[0])
                return FrameMatch(lo, self._extend_over_arguments(tok, _subtree_range(c)[1]), cue_end=c.i)
        return None

    def _extend_over_arguments(self, tok: Token, hi: int) -> int:
        """Past the object, the verb's other arguments right after it belong to the content too:
        "accused him of lying", "criticized Sanders for taking the data", "called on leaders to act"."""
        kids = sorted((c for c in tok.children if c.i > hi), key=lambda c: c.i)
        for child in kids:
            lo_c, hi_c = _subtree_range(child)
            if lo_c != hi + 1 or child.dep_ not in self.lex.content_argument_deps:
                break
            hi = hi_c
        return hi

    @staticmethod
    def _has_subject(tok: Token) -> bool:
        return any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in tok.children)

    def _next_word(self, tok: Token) -> int:
        """The token after the verb, past its adverbs ("called repeatedly for")."""
        i = tok.i + 1
        while i < len(self.doc) and self.doc[i].dep_ == "advmod" and self.doc[i].head.i == tok.i:
            i += 1
        return i

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
        return _span_chars(self.doc, lo, hi)

    def cue_left_edge(self, tok: Token) -> int:
        """The first token of the cue: the verb with the auxiliaries, negation and manner adverbs right
        before it ("has also said", "did not mention"), PolNeAR's cue span."""
        doc = self.doc
        lo = tok.i
        while lo > 0:
            prev = doc[lo - 1]
            if prev.head.i != tok.i or prev.i < tok.sent.start:
                break
            if prev.dep_ in ("aux", "auxpass", "neg"):
                lo -= 1
            elif prev.dep_ == "advmod" and prev.tag_ == "RB" and prev.lower_ not in self.lex.cue_adverbs_excluded:
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
        return None

    def source_range(self, subj: Token, exclude: set[int]) -> tuple[int, int] | None:
        if subj.dep_ not in SUBJECT_DEPS and subj.dep_ not in ("pobj", "dobj", "appos", "conj"):
            # an antecedent of a relative clause or participle: its own phrase without the clause
            exclude = exclude | {t.i for c in subj.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
        # "Trump on Tuesday", "Cruz, when asked about it,", "Even the organizer": not part of the name
        exclude = exclude | {t.i for c in subj.children if self._not_of_source(c) for t in c.subtree}
        lo, hi = _subtree_range(subj, exclude)
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
        trimmed = _trim(self.doc, lo, hi, keep_closing_quote=False)
        if not trimmed:
            return None
        start, end = _span_chars(self.doc, *trimmed)
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
            return _trim(doc, frame.lo, frame.hi)
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
            return _trim(doc, frame.lo, frame.hi)
        if not comps and lemma in XCOMP_CUES:
            comps = [c for c in tok.children if c.dep_ == "xcomp"]
        if not comps and lemma in self.lex.np_cue_lemmas:
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            if objs:
                lo, hi = _subtree_range(objs[0])
                return _trim(doc, lo, self._extend_over_arguments(tok, hi))
        if not comps and self.frame(tok) is not None:
            frame = self.frame(tok)
            self._frame_content.add(tok.i)
            return _trim(doc, frame.lo, frame.hi)
        if comps:
            # a clause on either side: take the one nearest the verb; an object of "tell" is not content
            comp = min(comps, key=lambda c: abs(c.i - tok.i))
            exclude = {t.i for a in self._according_within(comp) if self._according_attaches(a, comp)
                       for t in doc[a : self.according[a][3] + 1]}
            lo, hi = _subtree_range(comp, exclude)
            if comp.i > tok.i:
                # a "that" or "whether" before the clause belongs to the content
                for child in comp.children:
                    if child.dep_ == "mark" and child.i < lo:
                        lo = child.i
                # "said that A, but B": a clause coordinated to the cue verb after its content goes with it
                for child in tok.children:
                    if child.dep_ == "conj" and child.i > hi and not self.is_cue(child) and any(
                        g.dep_ in ("nsubj", "nsubjpass", "expl") for g in child.children
                    ):
                        hi = max(hi, _subtree_range(child, exclude)[1])
            return _trim(doc, lo, hi)
        as_clause = tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children)
        if (tok.dep_ == "parataxis" or as_clause) and tok.head is not tok:
            own = {t.i for t in tok.subtree}
            head = tok.head
            while as_clause and head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
                head = head.head  # "The bridge, as the mayor said, will reopen": the clause of "bridge"
            lo, hi = _subtree_range(head, own)
            s_lo, s_hi = _sent_range(tok)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
            if hi < tok.i:
                return _trim(doc, lo, hi)
            if lo > tok.i:
                if as_clause:
                    # "As the mayor said last week, the bridge ...": what precedes the comma goes with the cue
                    subj = min((c.i for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), default=head.i)
                    comma = next((i for i in range(lo, min(subj, head.i)) if doc[i].text == ","), None)
                    if comma is not None:
                        lo = comma + 1
                return _trim(doc, lo, hi)
            # the parenthetical sits in the middle: the part before it, and the rest as a second piece
            if min(own) <= lo:
                return None
            rest = _trim(doc, max(own) + 1, hi)
            if rest is not None:
                self._second_piece[tok.i] = rest
            return _trim(doc, lo, min(own) - 1)
        return None

    def _according_within(self, tok: Token) -> list[int]:
        """The "according to" phrases that start inside the token's subtree's range (only these can
        attach to it), found by bisection rather than by testing every phrase of the article."""
        starts = self._according_starts
        return starts[bisect_left(starts, tok.left_edge.i) : bisect_right(starts, tok.right_edge.i)]

    def _according_attaches(self, first: int, comp: Token) -> bool:
        return any(t.i == first for t in comp.subtree)

    def adjacent_quote(self, tok: Token, clause: tuple[int, int] | None = None) -> Quoted | None:
        """A quotation next to the cue: before it with only the source between ("“...,” Wang said"), or
        after it with only a short lead-in between ("he said: “...”", "told reporters, “...”")."""
        text = self.text
        cue_start, cue_end = tok.idx, tok.idx + len(tok.text)
        # the last quotation (in text order) that ends before the cue, and the first that starts after it
        q_before = None
        for k in range(bisect_right(self._quoted_starts, cue_start) - 1, -1, -1):
            if self.quoted[k].end <= cue_start:
                q_before = self.quoted[k]
                break
        first_after = bisect_left(self._quoted_starts, cue_end)
        q_after = self.quoted[first_after] if first_after < len(self.quoted) else None
        if q_before is not None:
            gap = text[q_before.end : cue_start]
            if "\n" in gap.strip(" \t") or re.search(r"[.!?]\s", gap) or len(gap.split()) > 25:
                q_before = None
        if q_after is not None:
            gap = text[cue_end : q_after.start]
            stripped = gap.rstrip()
            between = self.doc[bisect_left(self.token_starts, cue_end) : bisect_left(self.token_starts, q_after.start)]
            if any(t.pos_ in ("VERB", "AUX") or t.dep_ in ("nsubj", "nsubjpass") for t in between):
                q_after = None
            elif (
                re.search(r"[.!?](\s|$)", stripped) or len(gap.split()) > 12
                or not (stripped.endswith((",", ":", "\u2014")) or not stripped)
                or ("\n" in gap and not stripped.endswith(":"))
            ):
                q_after = None
        if q_after is not None and (q_before is None or text[cue_end : q_after.start].rstrip().endswith(":")):
            return q_after
        return q_before or q_after

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
        lo, hi = _subtree_range(tok, exclude)
        s_lo, s_hi = _sent_range(tok)
        lo, hi = max(lo, s_lo), min(hi, s_hi)
        if content and content[0] <= tok.i <= content[1]:
            return (tok.i, tok.i)
        if content and content[0] > tok.i:
            hi = min(hi, content[0] - 1)
        if content and content[1] < tok.i:
            lo = max(lo, content[1] + 1)
        trimmed = _trim(self.doc, lo, hi)
        return trimmed or (tok.i, tok.i)

    def snap_to_quotes(self, content: tuple[int, int]) -> tuple[tuple[int, int], str]:
        """Widen a content char range to whole quotations and name its kind: direct, mixed or indirect."""
        start, end = content
        text = self.text
        touching = [q for q in self.quoted_near(start, end) if q.start < end and q.end > start]
        if not touching:
            return (start, end), "indirect"
        q_start = min(q.start for q in touching)
        q_end = max(q.end for q in touching)
        outside = text[start:q_start] + text[q_end:end] if start < q_start or q_end < end else ""
        if not outside.strip(" ,.;:!?\u2014\u2013-\n\t\"'"):
            return (q_start, q_end), "direct"
        # part of the quotation lies outside the clause: take it whole
        return (min(start, q_start), max(end, q_end)), "mixed"

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
                content = _span_chars(doc, *content_toks)
                content, kind = self.snap_to_quotes(content)
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
                    item.via.append(_span_chars(doc, o_lo, o_hi))
                    item.via_heads.append(o_head)
                    claimed_according.add(first)
                    if first in content_tok_set:
                        item.content = self._cut_tail(item.content, doc[first].idx)
            found.append(item)
            second = self._second_piece.get(tok.i)
            if second is not None and kind != "direct":
                rest, rest_kind = self.snap_to_quotes(_span_chars(doc, *second))
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
        lo, hi = _subtree_range(comp)
        if comp.dep_ == "prep" and comp.i == self._next_word(tok):
            objs = [g for g in comp.children if g.dep_ in ("pobj", "pcomp")]
            if not objs:
                return None
            cue_hi = comp.i
            lo, hi = _subtree_range(objs[0])
        content = _trim(doc, lo, hi)
        if content is None:
            return None
        s_lo, s_hi = _subtree_range(subj)
        subject = _trim(doc, s_lo, min(s_hi, tok.i - 1))
        cue = (doc[self.cue_left_edge(tok)].idx, doc[cue_hi].idx + len(doc[cue_hi].text))
        if subject is not None and subject[1] >= self.cue_left_edge(tok):
            subject = _trim(doc, subject[0], self.cue_left_edge(tok) - 1)
        main_content, kind = self.snap_to_quotes(_span_chars(doc, *content))
        main = Found(cue=cue, content=main_content, kind=kind, cue_token=tok.i,
                     scope=set(range(self.cue_left_edge(tok), cue_hi + 1)))
        items = [main]
        if subject is not None and not ("passive_complement" in frames and passive):
            items.append(Found(cue=cue, content=_span_chars(doc, *subject), kind=kind, cue_token=tok.i,
                               continues=main, scope=main.scope))
        return items

    def _scope(self, tok: Token, content: set[int], subj: Token | None) -> set[int]:
        s_lo, s_hi = _sent_range(tok)
        source = {t.i for t in subj.subtree} if subj is not None else set()
        return {t.i for t in tok.subtree if s_lo <= t.i <= s_hi and t.i not in content and t.i not in source} | {tok.i}

    def _at_tail(self, first: int, last: int, content: tuple[int, int]) -> bool:
        after = self.text[self.doc[last].idx + len(self.doc[last].text) : content[1]]
        return not after.strip(" ,.;:!?\u201d\"'\u2019")

    def _cut_tail(self, content: tuple[int, int], cut: int) -> tuple[int, int]:
        end = cut
        while end > content[0] and (self.text[end - 1].isspace() or self.text[end - 1] in ",;\u2014\u2013-"):
            end -= 1
        return (content[0], end) if end > content[0] else content

    def _according_quote(self, first: int, n: int, o_lo: int, o_hi: int, o_head: int) -> Found | None:
        doc = self.doc
        head = doc[first].head
        pp = set(range(first, o_hi + 1))
        s_lo, s_hi = _sent_range(doc[first])
        if head.i in pp or head.i == first:
            lo, hi = s_lo, s_hi
        else:
            root = head
            while root.dep_ not in ("ROOT",) and root.head is not root and root.head.i not in pp and root.dep_ in ("conj", "aux"):
                root = root.head
            lo, hi = _subtree_range(root, pp)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
        # the content is the clause without the phrase: take the longer side if the phrase sits inside
        if lo < first <= hi:
            before, after = (lo, first - 1), (o_hi + 1, hi)
            lo, hi = before if before[1] - before[0] >= 2 else after
        trimmed = _trim(doc, lo, hi)
        if trimmed is None or trimmed[1] - trimmed[0] < 2:
            return None
        content, kind = self.snap_to_quotes(_span_chars(doc, *trimmed))
        return Found(
            cue=_span_chars(doc, first, first + n - 1), content=content, kind=kind,
            source=_span_chars(doc, o_lo, o_hi), source_head=o_head, cue_token=first,
            scope=set(range(first, o_hi + 1)),
        )

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

    def _colon_quotes(self, found: list[Found]) -> list[Found]:
        """A quotation introduced by a colon after a name: 'doesn't surprise pollster Jane Roe: “...”'."""
        doc, text = self.doc, self.text
        out = []
        claimed = _Claimed(f.content for f in found)
        for q in self.quoted:
            if q.words(text) < 3 or claimed.overlaps(q.start, q.end):
                continue
            colon = q.start - 1  # the last character before the quotation that is not white space
            while colon >= 0 and text[colon].isspace():
                colon -= 1
            if colon < 0 or text[colon] != ":":
                continue
            at = bisect_left(self.token_starts, colon)
            colon_tok = doc[at] if at < len(doc) and self.token_starts[at] == colon else None
            if colon_tok is None or colon_tok.i == 0:
                continue
            prev = doc[colon_tok.i - 1]
            subj = None
            if prev.pos_ == "PROPN":
                subj = prev
                while subj.dep_ in ("compound", "flat") and subj.head.i > subj.i and subj.head.i < colon_tok.i:
                    subj = subj.head
            else:
                root = colon_tok.sent.root
                subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None or self._in_quote(subj.idx):
                continue
            # the tokens from the colon on; the source lies in one sentence, so its sentence's are enough
            source = self.source_range(subj, set(range(at, max(at, colon_tok.sent.end))))
            if source is None:
                continue
            out.append(Found(cue=(colon, colon + 1), content=(q.start, q.end), kind="direct", source=source,
                             source_head=subj.i, cue_token=colon_tok.i, scope={colon_tok.i}))
            claimed.add(q.start, q.end)
        return out

    def _dash_bylines(self, found: list[Found]) -> list[Found]:
        """A quotation signed with a dash and a name: “...” —Jane Roe, a nurse."""
        doc, text = self.doc, self.text
        out = []
        claimed = _Claimed(f.content for f in found)
        for q in self.quoted:
            if claimed.overlaps(q.start, q.end):
                continue
            m = _DASH_BYLINE.match(text, q.end)  # matched in place: a slice of the rest would cost its length
            if m is None:
                continue
            dash = (m.start(1), m.end(1))
            name = (m.start(2), m.end(2))
            toks = list(doc[bisect_left(self.token_starts, name[0]) : bisect_left(self.token_starts, name[1])])
            if not toks:
                continue
            head = next((t for t in toks if t.head.i == t.i or not (name[0] <= t.head.idx < name[1])), toks[0])
            # the name proper: up to the first comma ("—Jane Roe, a nurse")
            src_end = name[1]
            comma = text.find(",", name[0], name[1])
            if comma > 0:
                src_end = comma
                inside = [t for t in toks if t.idx < comma]
                if inside:
                    head = inside[-1]
            out.append(Found(cue=dash, content=(q.start, q.end), kind="direct", source=(name[0], src_end),
                             source_head=head.i, cue_token=None, scope={t.i for t in toks}))
        return out

    def _headline(self) -> Found | None:
        """A headline of the form 'Name: claim' as the first line of the text."""
        doc, text = self.doc, self.text
        first = text.split("\n", 1)[0]
        m = re.match(r"^\s*((?:[A-Z][\w.\u2019'&-]*\s+){0,5}[A-Z][\w.\u2019'&-]*):\s+(\S.*?)\s*$", first)
        if m is None or "." in m.group(1).rstrip(".").replace("Dr.", "").replace("Sen.", "").replace("Gov.", "").replace("Rep.", ""):
            return None
        c_start, c_end = m.span(2)
        if text[c_end - 1] == "." and c_end - 2 >= c_start and text[c_end - 2] not in QUOTE_CHARS:
            c_end -= 1
        s_start, s_end = m.span(1)
        head = next((t for t in doc if t.idx <= s_end - 1 < t.idx + len(t.text)), None)
        colon = m.end(1)
        return Found(cue=(colon, colon + 1), content=(c_start, c_end), kind="indirect", source=(s_start, s_end),
                     source_head=head.i if head is not None else None, cue_token=None, scope=set())

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

    def _continuations(self, found: list[Found]) -> list[Found]:
        """Quotations no cue claimed that continue the attributed quotation before them."""
        if not found:
            return []
        text = self.text
        claimed = _Claimed((f.content[0], f.content[1]) for f in found)
        extents = []
        for f in found:
            ends = [f.content[1], f.cue[1]] + ([f.source[1]] if f.source else []) + [v[1] for v in f.via]
            ends += [self.doc[i].idx + len(self.doc[i].text) for i in f.scope if not self._in_quote(self.doc[i].idx)]
            extents.append((min(f.content[0], f.cue[0]), max(ends)))
        out: list[Found] = []
        chain: list[tuple[Found, int, int]] = [(f, e[1], i) for i, (f, e) in enumerate(zip(found, extents))]
        # a paragraph-long quotation that runs on into an attributed one belongs to it
        starts = {f.content[0]: f for f in found if f.kind == "direct"}
        for k in range(len(self.quoted) - 1, -1, -1):  # backwards, so a chain of run-on paragraphs links up
            q = self.quoted[k]
            if not q.runs_on or claimed.overlaps(q.start, q.end):
                continue
            if not self._opens_paragraph(q.start):
                continue  # it follows an attributed quotation in its own paragraph: that one it continues
            nxt = self.quoted[k + 1] if k + 1 < len(self.quoted) else None
            target = starts.get(nxt.start) if nxt is not None else None
            if target is None or self.paragraph_of(nxt.start) - self.paragraph_of(q.start) != 1:
                continue
            root = target.continues or target
            out.append(Found(
                cue=root.cue, content=(q.start, q.end), kind="direct", source=root.source,
                source_head=root.source_head, cue_token=root.cue_token, via=list(root.via),
                via_heads=list(root.via_heads), channel=root.channel, date_tokens=list(root.date_tokens),
                continues=root, scope=root.scope,
            ))
            starts[q.start] = out[-1]
            claimed.add(q.start, q.end)
        # (end, place in chain), sorted: the latest-ending attribution before a point, by bisection
        chain_ends = sorted((end, k) for k, (_, end, _) in enumerate(chain))
        for q in self.quoted:
            if claimed.overlaps(q.start, q.end):
                continue
            if q.words(text) < 3:
                continue
            # the nearest attribution ending before this quotation (the first in the chain on a tie)
            last = bisect_right(chain_ends, (q.start, len(chain))) - 1
            if last < 0:
                continue
            latest = chain_ends[last][0]
            parent, parent_end, parent_index = chain[chain_ends[bisect_left(chain_ends, (latest, -1))][1]]
            if parent.kind not in ("direct", "mixed") and not self._opens_paragraph(q.start):
                continue
            gap = text[parent_end : q.start]
            p_gap = self.paragraph_of(q.start) - self.paragraph_of(max(parent_end - 1, 0))
            if p_gap == 0:
                # same paragraph: only the end of the parent's sentence may lie between
                if gap.count(".") + gap.count("!") + gap.count("?") > 1 or len(gap.strip()) > 3:
                    continue
            elif p_gap == 1:
                # next paragraph: the parent's paragraph must end with it, and this one open with the quote
                if gap.strip(" \n\t.,!?") or not self._opens_paragraph(q.start):
                    continue
            else:
                continue
            root = parent.continues or parent
            item = Found(
                cue=root.cue, content=(q.start, q.end), kind="direct", source=root.source,
                source_head=root.source_head, cue_token=root.cue_token, via=list(root.via),
                via_heads=list(root.via_heads), channel=root.channel, date_tokens=list(root.date_tokens),
                continues=root, scope=root.scope,
            )
            out.append(item)
            insort(chain_ends, (q.end, len(chain)))
            chain.append((item, q.end, parent_index))
            claimed.add(q.start, q.end)
        return out

    def _in_quote(self, char: int) -> bool:
        return any(q.start <= char < q.end for q in self.quoted_near(char, char + 1))

    def _opens_paragraph(self, char: int) -> bool:
        p = self.paragraph_starts[self.paragraph_of(char)]
        return not self.text[p:char].strip()
