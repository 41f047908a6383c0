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
"""

from __future__ import annotations

import re
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


class Rules:
    def __init__(self, doc: Doc, lex: Lexicon):
        self.doc = doc
        self.lex = lex
        self.text = doc.text
        self.quoted: list[Quoted] = [q for q in find_quoted(self.text) if not q.nickname]
        # where each paragraph (a non-blank line) begins
        self.paragraph_starts = [0] + [m.start() for m in re.finditer(r"(?<=\n)[^\S\n]*\S", self.text)]
        # first token of "according to X" -> (first, phrase length, X's first token, X's last token, X's head)
        self.according: dict[int, tuple[int, int, int, int, int]] = self._according_phrases()

    # -- quotations

    def quote_at(self, start: int, end: int) -> Quoted | None:
        """The quoted stretch overlapping the char range most."""
        best, best_overlap = None, 0
        for q in self.quoted:
            overlap = min(q.end, end) - max(q.start, start)
            if overlap > best_overlap:
                best, best_overlap = q, overlap
        return best

    def inside_long_quote(self, tok: Token) -> bool:
        for q in self.quoted:
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

    def is_cue(self, tok: Token) -> bool:
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "compound"):
            return False
        lemma = tok.lemma_.lower()
        if lemma in self.lex.cue_lemmas:
            return True
        for child in tok.children:
            if child.dep_ in ("prt", "acomp", "advmod", "oprd") and (lemma, child.lower_) in self.lex.phrasal_cues:
                return True
        return False

    def cue_range(self, tok: Token) -> tuple[int, int]:
        lo = hi = tok.i
        for child in tok.children:
            if child.dep_ == "prt" and child.i == hi + 1:
                hi = child.i
            if (tok.lemma_.lower(), child.lower_) in self.lex.phrasal_cues and child.i > hi:
                hi = child.i
        return _span_chars(self.doc, lo, hi)

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
        if tok.dep_ == "relcl" and head is not tok:
            return head
        if tok.dep_ == "acl" and head is not tok and head.pos_ in ("NOUN", "PROPN"):
            return head
        return None

    def source_range(self, subj: Token, exclude: set[int]) -> tuple[int, int] | None:
        if subj.dep_ not in SUBJECT_DEPS and subj.dep_ not in ("pobj", "dobj", "appos", "conj"):
            # an antecedent of a relative clause or participle: its own phrase without the clause
            exclude = exclude | {t.i for c in subj.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
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

    def clause_content(self, tok: Token) -> tuple[int, int] | None:
        """Token range of a cue verb's content clause, or None."""
        doc = self.doc
        comps = [c for c in tok.children if c.dep_ in CLAUSE_DEPS]
        if not comps:
            marked = self.marked_clause(tok)
            comps = [marked] if marked is not None else []
        if not comps and tok.lemma_.lower() in XCOMP_CUES:
            comps = [c for c in tok.children if c.dep_ == "xcomp"]
        if not comps and tok.lemma_.lower() in self.lex.np_cue_lemmas:
            comps = [c for c in tok.children if c.dep_ == "dobj"]
        if comps:
            # a clause on either side: take the one nearest the verb; an object of "tell" is not content
            comp = min(comps, key=lambda c: abs(c.i - tok.i))
            exclude = {t.i for a in self.according if self._according_attaches(a, comp) for t in doc[a : self.according[a][3] + 1]}
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
        if tok.dep_ == "parataxis" and tok.head is not tok:
            own = {t.i for t in tok.subtree}
            lo, hi = _subtree_range(tok.head, own)
            s_lo, s_hi = _sent_range(tok)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
            if hi < tok.i:
                return _trim(doc, lo, hi)
            if lo > tok.i:
                return _trim(doc, lo, hi)
            # the parenthetical sits in the middle: take the part before it
            return _trim(doc, lo, min(own) - 1) if min(own) > lo else None
        return None

    def _according_attaches(self, first: int, comp: Token) -> bool:
        return any(t.i == first for t in comp.subtree)

    def adjacent_quote(self, tok: Token, clause: tuple[int, int] | None = None) -> Quoted | None:
        """A quotation next to the cue: before it with only the source between ("“...,” Wang said"), or
        after it with only a short lead-in between ("he said: “...”", "told reporters, “...”")."""
        text = self.text
        cue_start, cue_end = tok.idx, tok.idx + len(tok.text)
        before = [q for q in self.quoted if q.end <= cue_start]
        after = [q for q in self.quoted if q.start >= cue_end]
        q_before = before[-1] if before else None
        q_after = after[0] if after else None
        if q_before is not None:
            gap = text[q_before.end : cue_start]
            if "\n" in gap.strip(" \t") or re.search(r"[.!?]\s", gap) or len(gap.split()) > 25:
                q_before = None
        if q_after is not None:
            gap = text[cue_end : q_after.start]
            stripped = gap.rstrip()
            between = [t for t in self.doc if cue_end <= t.idx < q_after.start]
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
        touching = [q for q in self.quoted if q.start < end and q.end > start]
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
            content_tok_set = {t.i for t in doc if content[0] <= t.idx < content[1]}
            if tok.i in content_tok_set:
                continue
            if tok.lemma_.lower() in self.lex.clause_only_lemmas and kind != "direct":
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
            for first, (_, n, o_lo, o_hi, o_head) in self.according.items():
                if first < tok.i and first in scope:
                    continue  # "According to X, Y said ...": X is a source of its own; nesting gives the relay
                if first in scope or (first in content_tok_set and self._at_tail(first, o_hi, content)):
                    item.via.append(_span_chars(doc, o_lo, o_hi))
                    item.via_heads.append(o_head)
                    claimed_according.add(first)
                    if first in content_tok_set:
                        item.content = self._cut_tail(item.content, doc[first].idx)
            found.append(item)
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
        found.sort(key=lambda f: f.content[0])
        self._nest(found)
        found.extend(self._continuations(found))
        found.sort(key=lambda f: (f.content[0], f.continues is not None))
        return found

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
        for inner in found:
            if inner.cue_token is None:
                continue
            at = self.doc[inner.cue_token].idx
            outers = [o for o in found if o is not inner and o.kind != "direct" and o.content[0] <= at < o.content[1]
                      and o.source_head is not None]
            outers.sort(key=lambda o: o.content[1] - o.content[0])  # the innermost first
            for outer in outers:
                if outer.source_head not in inner.via_heads and outer.source_head != inner.source_head:
                    inner.via.append(outer.source)
                    inner.via_heads.append(outer.source_head)

    def _colon_quotes(self, found: list[Found]) -> list[Found]:
        """A quotation introduced by a colon after a name: 'doesn't surprise pollster Jane Roe: “...”'."""
        doc, text = self.doc, self.text
        out = []
        claimed = [f.content for f in found]
        for q in self.quoted:
            if q.words(text) < 3 or any(c0 < q.end and q.start < c1 for c0, c1 in claimed):
                continue
            lead = text[: q.start].rstrip()
            if not lead.endswith(":"):
                continue
            colon = len(lead) - 1
            colon_tok = next((t for t in doc if t.idx == colon), None)
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
            source = self.source_range(subj, {colon_tok.i} | {t.i for t in doc if t.idx >= colon})
            if source is None:
                continue
            out.append(Found(cue=(colon, colon + 1), content=(q.start, q.end), kind="direct", source=source,
                             source_head=subj.i, cue_token=colon_tok.i, scope={colon_tok.i}))
            claimed.append((q.start, q.end))
        return out

    def _dash_bylines(self, found: list[Found]) -> list[Found]:
        """A quotation signed with a dash and a name: “...” —Jane Roe, a nurse."""
        doc, text = self.doc, self.text
        out = []
        claimed = [f.content for f in found]
        for q in self.quoted:
            if any(c0 < q.end and q.start < c1 for c0, c1 in claimed):
                continue
            m = re.match(r"[ \t]*\n?[ \t]*([\u2014\u2013]|--)[ \t]*([A-Z][^\n]{0,80}?)[ \t]*(?=\n|$)", text[q.end :])
            if m is None:
                continue
            dash = (q.end + m.start(1), q.end + m.end(1))
            name = (q.end + m.start(2), q.end + m.end(2))
            toks = [t for t in doc if name[0] <= t.idx < name[1]]
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
        for f in found:
            if f.cue in seen:
                continue
            seen[f.cue] = f
            out.append(f)
        return out

    def _continuations(self, found: list[Found]) -> list[Found]:
        """Quotations no cue claimed that continue the attributed quotation before them."""
        if not found:
            return []
        text = self.text
        claimed = [(f.content[0], f.content[1]) for f in found]
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
            if not q.runs_on or any(c_lo < q.end and q.start < c_hi for c_lo, c_hi in claimed):
                continue
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
            claimed.append((q.start, q.end))
        for q in self.quoted:
            if any(c_lo < q.end and q.start < c_hi for c_lo, c_hi in claimed):
                continue
            if q.words(text) < 3:
                continue
            # the nearest attribution ending before this quotation
            prev = [(f, end, i) for f, end, i in chain if end <= q.start]
            if not prev:
                continue
            parent, parent_end, parent_index = max(prev, key=lambda x: x[1])
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
            chain.append((item, q.end, parent_index))
            claimed.append((q.start, q.end))
        return out

    def _in_quote(self, char: int) -> bool:
        return any(q.start <= char < q.end for q in self.quoted)

    def _opens_paragraph(self, char: int) -> bool:
        p = self.paragraph_starts[self.paragraph_of(char)]
        return not self.text[p:char].strip()
