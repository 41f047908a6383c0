"""Quote grouping: the same words by the same speaker, reported within QUOTE_WINDOW_DAYS, share a
group. Two quotes are the same words when their normalised texts are equal, a rapidfuzz ratio is at
least QUOTE_MIN_RATIO, or one is a long fragment of the other."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz
from sqlalchemy import Connection, func, or_, select

from communique.store.schema import articles, quotes

QUOTE_MIN_RATIO = 90.0
QUOTE_FRAGMENT_WORDS = 6  # a quote this long that another contains (partial ratio >= 97) is the same quote
QUOTE_WINDOW_DAYS = 30


def quote_lock_name(speaker_id: str | None, speaker_text: str | None) -> str | None:
    """The lock a writer holds while grouping quotes of this speaker: `group_quote` only looks at
    quotes with the same speaker id, or the same speaker text when unresolved. None: not grouped."""
    if speaker_id:
        return "quote:" + speaker_id
    if (speaker_text or "").strip():
        return "quote-text:" + speaker_text.strip().lower()
    return None


def normalise_quote(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", value).split())


def quote_similarity(a: str, b: str) -> float:
    """How far two quote texts are the same words: 100 for equal normal forms."""
    na, nb = normalise_quote(a), normalise_quote(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    score = fuzz.ratio(na, nb)
    shorter = min(na, nb, key=len)
    if len(shorter.split()) >= QUOTE_FRAGMENT_WORDS and fuzz.partial_ratio(na, nb) >= 97:
        score = max(score, fuzz.partial_ratio(na, nb))
    return float(score)


@dataclass
class QuoteKey:
    speaker_id: str | None
    speaker_text: str | None
    text: str
    published: date | None


def group_quote(conn: Connection, quote: QuoteKey, pending: list[tuple[str, QuoteKey, str]]) -> tuple[str | None, str]:
    """The group a new quote joins: (group id, reason), or (None, reason) to start its own.

    `pending` holds this article's quotes placed before it: (id, key, group id)."""
    if not quote.speaker_id and not (quote.speaker_text or "").strip():
        return None, "first report (no speaker: not fused)"
    if not normalise_quote(quote.text):
        return None, "first report (no text)"
    candidates: list[tuple[str, str, str]] = []  # (group id, text, speaker name)
    query = select(quotes.c.id, quotes.c.text, quotes.c.speaker_text).join(articles, articles.c.id == quotes.c.article_id)
    if quote.speaker_id:
        query = query.where(quotes.c.speaker_id == quote.speaker_id)
    else:
        query = query.where(
            quotes.c.speaker_id.is_(None), func.lower(quotes.c.speaker_text) == quote.speaker_text.strip().lower()
        )
    query = query.where(quotes.c.group_id == quotes.c.id)
    if quote.published:
        window = timedelta(days=QUOTE_WINDOW_DAYS)
        query = query.where(
            or_(
                articles.c.published.is_(None),
                articles.c.published.between(quote.published - window, quote.published + window),
            )
        )
    candidates += [(r.id, r.text, r.speaker_text or "") for r in conn.execute(query)]
    for quote_id, key, group in pending:
        same_speaker = (
            key.speaker_id == quote.speaker_id
            if quote.speaker_id
            else (not key.speaker_id and (key.speaker_text or "").strip().lower() == quote.speaker_text.strip().lower())
        )
        if same_speaker and group == quote_id:
            candidates.append((quote_id, key.text, key.speaker_text or ""))
    best = None
    for group_id, other_text, _ in candidates:
        score = quote_similarity(quote.text, other_text)
        if score >= QUOTE_MIN_RATIO and (best is None or (-score, group_id) < (-best[0], best[1])):
            best = (score, group_id)
    if best is None:
        return None, "first report"
    who = quote.speaker_id or quote.speaker_text
    return best[1], f"same speaker {who}; text {best[0]:.0f}% similar to quote {best[1]}"
