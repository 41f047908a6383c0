"""Full-text search over quote texts and event evidence.

SQLite: the FTS5 table `search_fts` (Porter stemming) that revision 0002 created and its triggers
keep; PostgreSQL: `to_tsvector('english', ...)` against the GIN expression indexes of revision
0002. Where neither is available (a SQLite built without FTS5) every word must occur as a substring.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, and_, func, inspect, literal, select, text, union_all

from communique.dates import record_date
from communique.store.schema import SEARCH_TABLE, actors, articles, event_reports, quotes

TS_CONFIG = "english"
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(query: str) -> list[str]:
    return _WORD.findall(query or "")[:32]


def has_fts(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite" and SEARCH_TABLE in inspect(conn).get_table_names()


def search(conn: Connection, query: str, limit: int = 50) -> list[dict]:
    """Quotes and event reports whose text has every word of `query`, best first."""
    words = _words(query)
    if not words:
        return []
    limit = max(0, int(limit))
    if conn.dialect.name == "postgresql":
        hits = _pg(conn, " ".join(words), limit)
    elif has_fts(conn):
        hits = _fts5(conn, words, limit)
    else:
        hits = _like(conn, words, limit)
    return _describe(conn, hits)


def _fts5(conn: Connection, words: list[str], limit: int) -> list[tuple[str, str, float]]:
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words)  # every word, as a literal token
    rows = conn.execute(
        text(f"SELECT kind, ref, bm25({SEARCH_TABLE}) AS score FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :q "
             "ORDER BY score, ref LIMIT :n"),
        {"q": match, "n": limit},
    )
    return [(r.kind, r.ref, -float(r.score)) for r in rows]


def _pg(conn: Connection, query: str, limit: int) -> list[tuple[str, str, float]]:
    tsq = func.plainto_tsquery(TS_CONFIG, query)
    q_vec = func.to_tsvector(TS_CONFIG, quotes.c.text)
    e_vec = func.to_tsvector(TS_CONFIG, event_reports.c.evidence)
    both = union_all(
        select(literal("quote").label("kind"), quotes.c.id.label("ref"), func.ts_rank(q_vec, tsq).label("score")).where(
            q_vec.op("@@")(tsq)
        ),
        select(
            literal("event").label("kind"), event_reports.c.id.label("ref"), func.ts_rank(e_vec, tsq).label("score")
        ).where(e_vec.op("@@")(tsq)),
    ).subquery()
    rows = conn.execute(select(both).order_by(both.c.score.desc(), both.c.ref).limit(limit))
    return [(r.kind, r.ref, float(r.score)) for r in rows]


def _like(conn: Connection, words: list[str], limit: int) -> list[tuple[str, str, float]]:
    q = select(literal("quote").label("kind"), quotes.c.id.label("ref")).where(
        and_(*(quotes.c.text.icontains(w, autoescape=True) for w in words))
    )
    e = select(literal("event").label("kind"), event_reports.c.id.label("ref")).where(
        and_(*(event_reports.c.evidence.icontains(w, autoescape=True) for w in words))
    )
    both = union_all(q, e).subquery()
    return [(r.kind, r.ref, 0.0) for r in conn.execute(select(both).order_by(both.c.ref).limit(limit))]


def _describe(conn: Connection, hits: list[tuple[str, str, float]]) -> list[dict]:
    quote_ids = [ref for kind, ref, _ in hits if kind == "quote"]
    report_ids = [ref for kind, ref, _ in hits if kind == "event"]
    found: dict[tuple[str, str], dict] = {}
    if quote_ids:
        for r in conn.execute(
            select(quotes, articles.c.publisher, articles.c.published)
            .join(articles, articles.c.id == quotes.c.article_id)
            .where(quotes.c.id.in_(quote_ids))
        ):
            found[("quote", r.id)] = {
                "kind": "quote",
                "id": r.id,
                "group_id": r.group_id,
                "article_id": r.article_id,
                "publisher": r.publisher,
                "published": r.published.isoformat() if r.published else None,
                "text": r.text,
                "speaker": r.speaker_id,
                "speaker_text": r.speaker_text,
                "span": [r.content_start, r.content_end] if r.content_start is not None else None,
            }
    if report_ids:
        for r in conn.execute(
            select(event_reports, articles.c.publisher, articles.c.published)
            .join(articles, articles.c.id == event_reports.c.article_id)
            .where(event_reports.c.id.in_(report_ids))
        ):
            found[("event", r.id)] = {
                "kind": "event",
                "id": r.id,
                "event_id": r.event_id,
                "article_id": r.article_id,
                "publisher": r.publisher,
                "published": r.published.isoformat() if r.published else None,
                "text": r.evidence,
                "type": r.type,
                # the date as the record reads it, with its precision: a year-only date is no day
                **dict(zip(("date", "date_precision"), record_date(r.date, r.date_precision, r.published))),
                "span": [r.evidence_start, r.evidence_end] if r.evidence_start is not None else None,
                "actors": list(r.actors or []),
                "recipients": list(r.recipients or []),
            }
    _add_names(conn, found.values())
    out = []
    for kind, ref, score in hits:
        if (kind, ref) in found:
            out.append({**found[(kind, ref)], "score": round(score, 4)})
    return out


def _add_names(conn: Connection, hits) -> None:
    """Who said a quote (`speaker_name`) and who took part in a reported event (`actor_names`,
    `recipient_names`), by name: a hit is read without opening the article."""
    hits = list(hits)
    ids = {h["speaker"] for h in hits if h.get("speaker")}
    for h in hits:
        ids.update(ref for ref in (*h.get("actors", ()), *h.get("recipients", ())) if isinstance(ref, str))
    names: dict[str, str] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        names.update(conn.execute(select(actors.c.id, actors.c.name).where(actors.c.id.in_(ordered[i : i + 500]))).all())
    for h in hits:
        if h["kind"] == "quote":
            h["speaker_name"] = names.get(h.get("speaker") or "") or h.get("speaker_text")
        else:
            h["actor_names"] = [names.get(a, a) for a in h.pop("actors", ()) if isinstance(a, str)]
            h["recipient_names"] = [names.get(r, r) for r in h.pop("recipients", ()) if isinstance(r, str)]
