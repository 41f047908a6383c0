"""Find quoted stretches in raw text: curly or straight marks, odd counts, paragraph-spanning quotes.

News copy quotes with “curly” marks, "straight" marks, or two apostrophes ('') in some archives.
A quotation that runs over several paragraphs opens every paragraph with a mark and closes only
the last one, so an unclosed quote at a paragraph's end is cut there and flagged `runs_on`. Short
quoted names between two capitalised words (Joaquín “El Chapo” Guzmán) are nicknames, not quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = {"\u201c", "\u201e", "\u201f", "\u00ab"}
CLOSERS = {"\u201d", "\u00bb"}
STRAIGHT = {'"', "''", "``"}
_MARK = re.compile(r"''|``|[\"\u201c\u201d\u201e\u201f\u00ab\u00bb]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Quoted:
    """A quoted stretch [start, end) of the text, marks included (an unclosed one stops at its paragraph end)."""

    start: int
    end: int
    closed: bool  # ended by a closing mark
    runs_on: bool  # unclosed at a paragraph end: the quotation continues in the next paragraph
    nickname: bool = False

    @property
    def inner(self) -> tuple[int, int]:
        return (self.start + 1, self.end - (1 if self.closed else 0))

    def words(self, text: str) -> int:
        return len(_WORD.findall(text[self.start : self.end]))


def _is_opener(text: str, pos: int, mark: str) -> bool | None:
    """True when a mark at pos opens a quote, False when it closes one, None when it cannot tell."""
    if mark in OPENERS:
        return True
    if mark in CLOSERS:
        return False
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + len(mark)] if pos + len(mark) < len(text) else " "
    space_before = before.isspace() or before in "([{\u2014\u2013-/:"
    space_after = after.isspace() or after in ".,;:!?)]}\u2014\u2013"
    if space_before and not space_after:
        return True
    if space_after and not space_before:
        return False
    return None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"\n", text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def find_quoted(text: str) -> list[Quoted]:
    """Every quoted stretch of the text, in order. Never raises; odd marks yield fewer stretches."""
    found: list[Quoted] = []
    paragraphs = _paragraphs(text)
    for k, (p_start, p_end) in enumerate(paragraphs):
        open_at: int | None = None
        for m in _MARK.finditer(text, p_start, p_end):
            mark = m.group()
            role = _is_opener(text, m.start(), mark)
            if open_at is None:
                if role is False:
                    continue  # a stray closing mark: nothing to close
                open_at = m.start()
                continue
            if role is True and mark in OPENERS:
                # A second opener before any closer: the first quote was never closed. Keep the
                # first as a run-on only if it reaches here with real text, then start afresh.
                open_at = m.start()
                continue
            if role is True and mark in STRAIGHT and text[open_at] in OPENERS:
                # A straight mark that looks like an opener inside a curly quote: an inner quote.
                continue
            found.append(_make(text, open_at, m.end(), closed=True))
            open_at = None
        if open_at is not None:
            end = _rstrip_end(text, open_at, p_end)
            if end - open_at > 1:
                nxt = ""
                if k + 1 < len(paragraphs):
                    # the next paragraph's first two characters past white space, found in place (a
                    # slice of the rest of the text per unclosed quotation would cost its length)
                    at = paragraphs[k + 1][0]
                    while at < len(text) and text[at].isspace():
                        at += 1
                    nxt = text[at : at + 2]
                runs_on = bool(nxt) and (nxt[0] in OPENERS or nxt[0] == '"' or nxt == "''")
                found.append(Quoted(open_at, end, closed=False, runs_on=runs_on))
    return found


def _make(text: str, start: int, end: int, closed: bool) -> Quoted:
    return Quoted(start, end, closed, False, nickname=closed and _looks_like_nickname(text, start, end))


def _looks_like_nickname(text: str, start: int, end: int) -> bool:
    """A short capitalised quote between two capitalised words: Joaquín “El Chapo” Guzmán."""
    inner = text[start + 1 : end - 1].strip()
    words = inner.split()
    if not words or len(words) > 3 or not all(w[:1].isupper() for w in words):
        return False
    if any(ch in inner for ch in ".,;:!?"):
        return False
    # the first letters of the words either side, found in place (slicing the text around every
    # quotation would cost time quadratic in the article's length)
    last = start - 1
    while last >= 0 and text[last].isspace():
        last -= 1
    word_start = last
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    nxt = end
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    return last >= 0 and nxt < len(text) and text[word_start].isupper() and text[nxt].isupper()
