"""Which attributions the record keeps as quotes, and how running quotations are joined.

The rules find what PolNeAR annotates, including stances ("supported the bill"), intentions
("seeks to retake control") and judgements no one is named for ("is reported to"). A quote in the
record is a statement: a named source reported saying, writing or claiming something. This module
says which attributions report one (`reports_statement`), drops a quote that only repeats one its
own speaker already made (`drop_nested_repeats`), and joins a quotation that runs over several
paragraphs into one quote (`join_running_quotes`). The word lists are data (statements.yaml).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from communique.datafile import load_yaml
from communique.attribution.lexicon import DATA_DIR, Lexicon
from communique.attribution.rules import Found
from communique.models import Quote
from communique.nlp import AnnotatedDoc

_WORD = re.compile(r"\w+")
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb`"


@dataclass(frozen=True)
class StatementWords:
    stance_cues: frozenset[str]
    np_statement_cues: frozenset[str]
    utterance_cues: frozenset[str]
    scare_quote_max_words: int
    negating_preps: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_statement_words() -> StatementWords:
    raw = load_yaml((DATA_DIR / "statements.yaml").read_text(encoding="utf-8")) or {}

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key) or [])

    return StatementWords(words("stance_cues"), words("np_statement_cues"), words("utterance_cues"),
                          int(raw.get("scare_quote_max_words", 3)), words("negating_preps"))


def reports_statement(doc: Doc, lex: Lexicon, item: Found, words: StatementWords | None = None, *,
                      text: str | None = None, token_starts: list[int] | None = None) -> bool:
    """True when an attribution reports something said: a source, speech in the content, a cue of saying.
    A caller checking many attributions of one Doc passes its text and its tokens' starts (`Doc.text`
    rebuilds the whole text, and finding tokens without the starts scans the Doc, on every call)."""
    words = words or load_statement_words()
    if item.source is None:
        return False  # "is reported to", "appears to": no one is quoted
    content = (doc.text if text is None else text)[item.content[0] : item.content[1]]
    inner = content.strip(_QUOTE_MARKS + " \n\t")
    n_words = len(_WORD.findall(inner))
    if n_words < 2:
        return False  # "which", a one-word scare quote
    if item.cue_token is not None:
        cue = doc[item.cue_token]
        if cue.dep_ == "pcomp" and cue.head.lower_ in words.negating_preps:
            return False  # "without naming Russia": a statement not made
    lemma = _cue_lemma(doc, lex, item)
    if item.kind == "direct":
        if n_words <= words.scare_quote_max_words and not re.search(r"[.!?]", inner) and lemma not in words.utterance_cues:
            return False  # 'protesting "British exit"', 'known as the "breadbasket"'
        return True
    if lemma is None:
        return True  # "according to", a colon, a dash byline: the source is named for this content
    if lemma in words.stance_cues and item.kind == "indirect":
        return False
    scare = item.kind == "mixed" and _longest_quotation_words(content) <= words.scare_quote_max_words
    if (item.kind == "indirect" or scare) and lemma not in words.np_statement_cues and not _has_verb(doc, item.content, token_starts):
        # "posted a message on Facebook", "emphasized the requirement", "announced a coalition",
        # 'recalled the "chaos" of the night' (a scare quote inside a noun phrase)
        return False
    return True


def _longest_quotation_words(content: str) -> int:
    """Words in the longest quoted stretch of a mixed content."""
    pieces = re.findall(r"[\"\u201c\u201e\u00ab]([^\"\u201d\u00bb]*)[\"\u201d\u00bb]?", content)
    return max((len(_WORD.findall(p)) for p in pieces), default=0)


def _cue_lemma(doc: Doc, lex: Lexicon, item: Found) -> str | None:
    if item.cue_token is None:
        return None
    tok = doc[item.cue_token]
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    return lex.lemma_fixes.get(tok.lower_) or tok.lemma_.lower()


def _has_verb(doc: Doc, span: tuple[int, int], token_starts: list[int] | None = None) -> bool:
    """The content is a clause: its head word (the one whose own head lies outside it) is a verb."""
    if token_starts is None:
        token_starts = [t.idx for t in doc]
    toks = list(doc[bisect_left(token_starts, span[0]) : bisect_left(token_starts, span[1])])
    inside = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
    return any(t.pos_ in ("VERB", "AUX") for t in roots)


def drop_nested_repeats(quotes: list[Quote]) -> list[Quote]:
    """A quote whose cue sits inside another quote of the same speaker repeats part of it
    ("Lorenzana said he had ordered 'heightened alert'": the inner "ordered" is Lorenzana's own
    statement again, not a second quote)."""
    # per speaker, contents sorted by start with the two furthest ends (of different quotes) among each
    # prefix: whether another quote of the speaker holds a cue is a bisection, not a scan of every quote
    by_speaker: dict[str, list[Quote]] = {}
    for o in quotes:
        if o.speaker is not None and o.content_span is not None:
            by_speaker.setdefault(o.speaker, []).append(o)
    reach: dict[str, tuple[list[int], list[tuple[int, int, int]]]] = {}
    for speaker, held in by_speaker.items():
        held.sort(key=lambda o: o.content_span[0])
        starts, tops = [], []
        end1, id1, end2 = -1, 0, -1  # the furthest end, its quote, and the furthest of any other quote
        for o in held:
            end = o.content_span[1]
            if end > end1:
                if id(o) != id1:
                    end2 = end1
                end1, id1 = end, id(o)
            elif end > end2 and id(o) != id1:
                end2 = end
            starts.append(o.content_span[0])
            tops.append((end1, id1, end2))
        reach[speaker] = (starts, tops)
    out = []
    for q in quotes:
        cue = q.cue_span
        nested = False
        if cue is not None and q.speaker is not None and q.speaker in reach:
            starts, tops = reach[q.speaker]
            k = bisect_right(starts, cue[0]) - 1  # the quotes of the speaker starting at or before the cue
            if k >= 0:
                end1, id1, end2 = tops[k]
                nested = (end2 if id1 == id(q) else end1) >= cue[1]
        if not nested:
            out.append(q)
    return out


def join_running_quotes(annotated: AnnotatedDoc, quotes: list[Quote]) -> list[Quote]:
    """A quotation that runs over several paragraphs (each opening with a mark, only the last one
    closed) is one quote: a continuation whose paragraph runs on into its parent's, or that picks up
    right where its parent's paragraph ended, is joined to it (the parent keeps its id)."""
    text = annotated.article.text
    out = list(quotes)
    while True:
        # each quote's parent by id (the first quote with that id, as a scan in order would find),
        # rebuilt after each join: a scan per quote made long articles cost time quadratic in quotes
        first_with_id: dict[str, Quote] = {}
        for p in out:
            first_with_id.setdefault(p.id, p)
        for q in out:
            parent_id = getattr(q, "continues", None)
            parent = first_with_id.get(parent_id) if parent_id else None
            if parent is None:
                continue
            first, second = (q, parent) if q.content_span[0] < parent.content_span[0] else (parent, q)
            if not _runs_on(text, first, second):
                continue
            span = (first.content_span[0], second.content_span[1])
            joined = parent.model_copy(update={"content_span": span, "text": text[span[0] : span[1]]})
            out = [joined if p is parent else p for p in out if p is not q]
            # quotes that continued the one folded in now continue the joined quote
            out = [p.model_copy(update={"continues": joined.id}) if getattr(p, "continues", None) == q.id else p
                   for p in out]
            break
        else:
            return out


def _runs_on(text: str, first: Quote, second: Quote) -> bool:
    """The first quotation is left open at its paragraph's end and the second opens the next one."""
    if first.content_span is None or second.content_span is None or second.content_span[0] < first.content_span[1]:
        return False
    end = first.content_span[1]
    if text[end - 1 : end] in "\u201d\u00bb\"" and text[end - 2 : end - 1] in ".,!?":
        return False  # the first quotation was closed: a new one follows
    gap = text[end : second.content_span[0]]
    return "\n" in gap and not gap.strip(" \t\n\u201c\u201e\u00ab\"'")
