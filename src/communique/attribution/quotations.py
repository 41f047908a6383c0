"""Rules on quotation marks: the quotation next to a cue, whole quotations as content, colon
introductions, dash bylines, a "Name: claim" headline, and quotations that continue an attributed
one (in its paragraph, or running over paragraphs).

A mixin of `communique.attribution.rules.Rules`: it reads the Rules state (doc, text, lex, quoted,
paragraph_starts, according) and calls its other methods.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort

from spacy.tokens import Token

from communique.attribution.base import QUOTE_CHARS, Claimed, Found
from communique.attribution.quotemarks import Quoted

_DASH_BYLINE = re.compile(r"[ \t]*\n?[ \t]*([\u2014\u2013]|--)[ \t]*([A-Z][^\n]{0,80}?)[ \t]*(?=\n|$)")


class QuotationRules:
    def quoted_near(self, start: int, end: int) -> list[Quoted]:
        """In text order, the quotations that start before `end` and may reach past `start`: every one
        that overlaps [start, end) or holds it is among them."""
        lo = bisect_left(self._quoted_starts, start - self._longest_quoted)
        hi = bisect_left(self._quoted_starts, end)
        return self.quoted[lo:hi]

    def inside_long_quote(self, tok: Token) -> bool:
        for q in self.quoted_near(tok.idx, tok.idx + 1):
            if q.start < tok.idx < q.end and q.words(self.text) >= 4:
                return True
        return False

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
            elif re.search(r"[.!?][\"\u201d\u00bb']*$", text[q_before.start : q_before.end]) and len(gap.split()) > 4:
                q_before = None  # a quotation that ended its sentence; this cue belongs to the next one
        if q_after is not None:
            gap = text[cue_end : q_after.start]
            stripped = gap.rstrip()
            between = self.doc[bisect_left(self.token_starts, cue_end) : bisect_left(self.token_starts, q_after.start)]
            if any(t.pos_ in ("VERB", "AUX") or t.dep_ in ("nsubj", "nsubjpass") for t in between) or (
                re.search(r"[.!?](\s|$)", stripped) or len(gap.split()) > 12
                or not (stripped.endswith((",", ":", "\u2014")) or not stripped)
                or ("\n" in gap and not stripped.endswith(":"))
            ):
                q_after = None
        if q_after is not None and (q_before is None or text[cue_end : q_after.start].rstrip().endswith(":")):
            return q_after
        return q_before or q_after

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

    def _stop_after_quotation(self, lo: int, hi: int) -> int:
        """'said "We lost," and the flag flew low': a clause that opens with a closed quotation and goes
        on past it with a coordinated clause of the narrator's ends with the quotation."""
        doc = self.doc
        start = doc[lo].idx
        end = doc[hi].idx + len(doc[hi].text)
        for q in self.quoted_near(start - 2, start + 1):  # in text order: those starting near `start` among them
            if not (start - 2 <= q.start <= start and q.closed and q.end < end):
                continue
            rest = [t for t in doc[lo : hi + 1] if t.idx >= q.end]
            words = [t for t in rest if not t.is_punct]
            if words and words[0].dep_ == "cc" and any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in rest):
                return max(t.i for t in doc[lo : hi + 1] if t.idx < q.end)
        return hi

    def _closed_quote_ends_at(self, lo: int, hi: int) -> bool:
        """The quotation opening at token lo closes by token hi (the clause is a whole quotation)."""
        start = self.doc[lo].idx
        end = self.doc[hi].idx + len(self.doc[hi].text)
        return any(start - 2 <= q.start <= start and q.closed and q.end <= end + 3
                   for q in self.quoted_near(start - 2, start + 1))

    def _colon_quotes(self, found: list[Found]) -> list[Found]:
        """A quotation introduced by a colon after a name: 'doesn't surprise pollster Jane Roe: “...”'."""
        doc, text = self.doc, self.text
        out = []
        claimed = Claimed(f.content for f in found)
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
        claimed = Claimed(f.content for f in found)
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

    def _continuations(self, found: list[Found]) -> list[Found]:
        """Quotations no cue claimed that continue the attributed quotation before them."""
        if not found:
            return []
        text = self.text
        claimed = Claimed((f.content[0], f.content[1]) for f in found)
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

    def paragraph_of(self, char: int) -> int:
        lo, hi = 0, len(self.paragraph_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paragraph_starts[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo
