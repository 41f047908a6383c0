"""Shared pieces of the attribution rules: the `Found` record, token-range helpers and punctuation sets.

Everything here works in Doc (body) character offsets and token indices.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

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
    continues: Found | None = None  # the attribution this quotation continues
    scope: set[int] = field(default_factory=set)  # tokens of the cue's clause outside content and source


class Claimed:
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


# ---------------------------------------------------------------- small helpers


def span_chars(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Char range of tokens [lo, hi] (inclusive)."""
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _is_edge_punct(tok: Token) -> bool:
    return tok.is_space or tok.text in PUNCT_EDGE or (tok.is_punct and tok.text not in QUOTE_CHARS)


def trim_span(doc: Doc, lo: int, hi: int, keep_closing_quote: bool = True) -> tuple[int, int] | None:
    """Shrink token range [lo, hi] past edge punctuation; a closing quote mark at the end is kept."""
    while lo <= hi and (_is_edge_punct(doc[lo]) or (doc[lo].text in QUOTE_CHARS and not opens_quote(doc[lo]))):
        lo += 1
    while lo <= hi and (_is_edge_punct(doc[hi]) or (doc[hi].text in QUOTE_CHARS and (opens_quote(doc[hi]) or not keep_closing_quote))):
        hi -= 1
    return (lo, hi) if lo <= hi else None


def opens_quote(tok: Token) -> bool:
    if tok.text in ("\u201c", "\u201e", "\u00ab", "\u2018"):
        return True
    if tok.text in ("\u201d", "\u00bb", "\u2019"):
        return False
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return bool(nxt is not None and not tok.whitespace_ and not nxt.is_space)


def subtree_range(tok: Token, exclude: set[int] | None = None) -> tuple[int, int]:
    idx = [t.i for t in tok.subtree if not exclude or t.i not in exclude]
    return (min(idx), max(idx)) if idx else (tok.i, tok.i)


def sent_range(tok: Token) -> tuple[int, int]:
    s = tok.sent
    return s.start, s.end - 1
