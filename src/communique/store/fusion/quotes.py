"""Quote grouping: the same words by the same speaker, reported within QUOTE_WINDOW_DAYS, share a
group. Two quotes are the same words when their normalised texts are equal, a rapidfuzz ratio is at
least QUOTE_MIN_RATIO, or one is a long fragment of the other. Groups are the connected sets of that
relation and are named by their smallest quote id, so they do not depend on the order quotes are
stored in (`place_quotes`)."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import Connection, Row, Text, bindparam, func, select, union_all, update

from communique.store.fusion.participants import chunks
from communique.store.schema import quotes

QUOTE_MIN_RATIO = 90.0
QUOTE_FRAGMENT_WORDS = 6  # a quote this long that another contains (partial ratio >= 97) is the same quote
QUOTE_WINDOW_DAYS = 30


def quote_lock_name(speaker_id: str | None, speaker_text: str | None) -> str | None:
    """The lock a writer holds while grouping quotes of this speaker: `place_quotes` only looks at
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


QuoteRow = Row  # id, speaker_id, speaker_text, text, published, group_id, group_reason


def _quote_select():
    return select(
        quotes.c.id,
        quotes.c.speaker_id,
        quotes.c.speaker_text,
        quotes.c.text,
        quotes.c.published,
        quotes.c.group_id,
        quotes.c.group_reason,
    )


def unfused_reason(speaker_id: str | None, speaker_text: str | None, text: str | None) -> str | None:
    """Why a quote cannot share a group (no speaker, no words), or None when it can."""
    if not speaker_id and not (speaker_text or "").strip():
        return "first report (no speaker: not fused)"
    if not normalise_quote(text or ""):
        return "first report (no text)"
    return None


def same_words(a: str, b: str) -> float:
    """`quote_similarity`, the same whichever quote comes first."""
    return quote_similarity(*sorted((a, b)))


@lru_cache(maxsize=4)
def _neighbour_query(resolved: bool, dated: bool):
    """The look-up of `_neighbours`, built once per kind of quote (building it costs more than running it)."""
    query = _quote_select().where(quotes.c.id != bindparam("id"))
    if resolved:
        query = query.where(quotes.c.speaker_id == bindparam("speaker"))
    else:  # unresolved speakers: the (speaker_id, published) index still bounds the read by date
        query = query.where(
            quotes.c.speaker_id.is_(None),
            func.lower(func.trim(quotes.c.speaker_text)) == func.lower(func.trim(bindparam("speaker", type_=Text))),
        )
    if not dated:
        return query
    # two index ranges, not an OR, which the planners may answer by reading the speaker's history
    return union_all(
        query.where(quotes.c.published.is_(None)),
        query.where(quotes.c.published.between(bindparam("first"), bindparam("last"))),
    )


def _neighbours(conn: Connection, quote: QuoteRow) -> list[tuple[float, str]]:
    """(score, id) of the quotes that share a group with `quote` by themselves: the same speaker (the
    same actor, or the same unresolved name), published within QUOTE_WINDOW_DAYS of it (or either
    date unknown), and the same words. A symmetric relation: a group is a connected set of it."""
    params = {"id": quote.id, "speaker": quote.speaker_id or quote.speaker_text}
    if quote.published:
        window = timedelta(days=QUOTE_WINDOW_DAYS)
        params |= {"first": quote.published - window, "last": quote.published + window}
    query = _neighbour_query(bool(quote.speaker_id), bool(quote.published))
    out = []
    for other in conn.execute(query, params):
        score = same_words(quote.text, other.text)
        if score >= QUOTE_MIN_RATIO:
            out.append((score, other.id))
    return out


def _reason(quote: QuoteRow, group_id: str, neighbours: list[tuple[float, str]]) -> str:
    if quote.id == group_id:
        return "first report"
    if not neighbours:  # a group an older release formed otherwise: its reason stands
        return quote.group_reason
    score, other = min(neighbours, key=lambda n: (-n[0], n[1]))
    who = quote.speaker_id or quote.speaker_text
    return f"same speaker {who}; text {score:.0f}% similar to quote {other}"


def place_quotes(conn: Connection, quote_ids: list[str]) -> None:
    """Group stored quotes, each written as a group of its own (group id = its id), with the quotes
    of the same words by the same speaker (`_neighbours`): a group is a connected set of such
    quotes and its id is the smallest id in it, so the groups and their ids depend on the set of
    quotes, not on the order they were stored in. A new quote may join two groups into one. Each
    quote's reason names the quote most like it in its group (the group's own id: "first report"),
    rewritten for the quotes whose neighbours or group changed."""
    new: list[QuoteRow] = []
    for chunk in chunks(sorted(set(quote_ids))):
        new += conn.execute(_quote_select().where(quotes.c.id.in_(chunk))).all()
    new = [q for q in new if unfused_reason(q.speaker_id, q.speaker_text, q.text) is None]
    if not new:
        return
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    neighbours = {q.id: _neighbours(conn, q) for q in new}
    endpoints = {other for found in neighbours.values() for _, other in found} - set(neighbours)
    for q in new:
        find(q.id)
        for _, other in neighbours[q.id]:
            union(q.id, other)
    nodes: dict[str, QuoteRow] = {q.id: q for q in new}
    for chunk in chunks(sorted(endpoints)):
        nodes.update((r.id, r) for r in conn.execute(_quote_select().where(quotes.c.id.in_(chunk))))
    # A group is named by its smallest id, its head: of a group a new quote reaches, only the head
    # can change its reason (it stops being the head); the other members change group at most,
    # which one UPDATE by group id does without reading them (a group may span years of quotes).
    old_groups = sorted({r.group_id for r in nodes.values()} - set(neighbours))
    for chunk in chunks(old_groups):
        for r in conn.execute(_quote_select().where(quotes.c.id.in_(chunk))):
            nodes.setdefault(r.id, r)
    for r in nodes.values():
        union(r.id, r.group_id)
    renamed = [{"b_old": g, "b_group": find(g)} for g in old_groups if find(g) != g]
    if renamed:
        conn.execute(
            update(quotes).where(quotes.c.group_id == bindparam("b_old")).values(group_id=bindparam("b_group")),
            renamed,
        )

    moves = []
    for r in nodes.values():
        group_id = find(r.id)
        head_changed = (r.id == r.group_id) != (r.id == group_id)
        if r.id in neighbours or r.id in endpoints or head_changed:
            found = neighbours.get(r.id)
            if found is None and r.id != group_id:
                found = _neighbours(conn, r)
            reason = _reason(r, group_id, found or [])
        else:
            reason = r.group_reason
        if group_id != r.group_id or reason != r.group_reason:
            moves.append({"b_id": r.id, "b_group": group_id, "b_reason": reason})
    if moves:
        conn.execute(
            update(quotes)
            .where(quotes.c.id == bindparam("b_id"))
            .values(group_id=bindparam("b_group"), group_reason=bindparam("b_reason")),
            moves,
        )
