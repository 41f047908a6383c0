"""Cutting a long text into pieces spaCy can parse one at a time.

Cuts fall after a paragraph break where there is one in the second half of the allowed length,
else after a line break, else after the end of a sentence, else at white space, and only as a last
resort inside a word. Each cut takes the white space after it along, so every piece but the first
starts with a word, as the text after a paragraph break does when the whole text is parsed at once.
"""

from __future__ import annotations

import re

# Bodies up to this length are parsed whole (news articles are far shorter); longer ones are cut.
# spaCy's own limit is a million characters, and parsing memory grows with the length parsed at once.
PIECE_CHARS = 50_000

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s")


def _cut(text: str, lo: int, hi: int) -> int:
    """Where to end a piece that may end anywhere in (lo, hi]: just after a break, or hi."""
    for separator in ("\n\n", "\n", "\r"):
        at = text.rfind(separator, lo, hi)
        if at >= 0:
            return at + len(separator)
    last = None
    for m in _SENTENCE_END.finditer(text, lo, hi):
        last = m.end()
    if last is not None:
        return last
    for at in range(hi - 1, lo - 1, -1):
        if text[at].isspace():
            return at + 1
    return hi


def split_pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """[start, end) ranges that cover `text` in order, each at most `limit` characters long."""
    if len(text) <= limit:
        return [(0, len(text))]
    limit = max(1, limit)
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        hi = start + limit
        end = _cut(text, start + limit // 2, hi)
        # the white space after the cut goes with this piece (up to the limit)
        while end < hi and text[end].isspace():
            end += 1
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces
