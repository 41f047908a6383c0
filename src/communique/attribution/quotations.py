"""Rules on quotation marks: the quotation next to a cue, whole quotations as content, colon
introductions, dash bylines, a "Name: claim" headline, and quotations that continue an attributed
one (in its paragraph, or running over paragraphs).

A mixin of `communique.attribution.rules.Rules`: it reads the Rules state (doc, text, lex, quoted,
paragraph_starts, according) and calls its other methods.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from communique.attribution.base import QUOTE_CHARS, Found
from communique.attribution.quotemarks import Quoted


class QuotationRules:
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
            elif re.search(r"[.!?][\"\u201d\u00bb']*$", text[q_before.start : q_before.end]) and len(gap.split()) > 4:
                q_before = None  # a quotation that ended its sentence; this cue belongs to the next one
        if q_after is not None:
            gap = text[cue_end : q_after.start]
            stripped = gap.rstrip()
            between = [t for t in self.doc if cue_end <= t.idx < q_after.start]
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

    def _stop_after_quotation(self, lo: int, hi: int) -> int:
        """'said "We lost," and the flag flew low': a clause that opens with a closed quotation and goes
        on past it with a coordinated clause of the narrator's ends with the quotation."""
        doc = self.doc
        start = doc[lo].idx
        end = doc[hi].idx + len(doc[hi].text)
        for q in self.quoted:
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
        return any(start - 2 <= q.start <= start and q.closed and q.end <= end + 3 for q in self.quoted)

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

    def paragraph_of(self, char: int) -> int:
        lo, hi = 0, len(self.paragraph_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paragraph_starts[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo
