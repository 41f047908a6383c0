"""Reading the store: every function takes an open connection and returns plain dicts (JSON-ready:
dates as ISO strings, spans as [start, end] lists)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, distinct, func, or_, select
from sqlalchemy.orm import aliased

from communique.dates import record_date
from communique.store.filters import EventFilter, actors_named, event_id_query
from communique.store.schema import (
    DERIVED_TABLES,
    WATCH_TABLES,
    actor_mentions,
    actors,
    article_actors,
    articles,
    event_participants,
    event_reports,
    events,
    metadata,
    quotes,
    rejected,
)

CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        # SQLite keeps no time zone: stored times are UTC, so say so on both backends
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _span(start, end) -> list[int] | None:
    return None if start is None or end is None else [start, end]


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _actor_names(conn: Connection, ids: Iterable[str]) -> dict[str, dict]:
    """id -> {id, name, country} for the given ids that are actor ids."""
    out: dict[str, dict] = {}
    for chunk in _chunks(sorted({i for i in ids if i})):
        rows = conn.execute(
            select(actors.c.id, actors.c.name, actors.c.country).where(actors.c.id.in_(chunk))
        )
        out.update({r.id: {"id": r.id, "name": r.name, "country": r.country} for r in rows})
    return out


def _refs(refs: list, names: dict[str, dict]) -> list[dict]:
    """Actor references (global ids or unresolved names) as {id, name, country}."""
    return [names.get(ref) or {"id": None, "name": ref, "country": None} for ref in refs or []]


# ---------------------------------------------------------------- counts, articles, rejections


def count(conn: Connection) -> dict[str, int]:
    """Rows per table of the record (the state of `communique watch` and fusion's index are not
    part of it)."""
    return {
        name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in metadata.tables.items()
        if name not in WATCH_TABLES + DERIVED_TABLES
    }


def _article_summary_columns():
    def per_article(table):
        return select(func.count()).where(table.c.article_id == articles.c.id).scalar_subquery()

    return [
        articles.c.id,
        articles.c.external_id,
        articles.c.source,
        articles.c.url,
        articles.c.publisher,
        articles.c.headline,
        articles.c.byline,
        articles.c.published,
        articles.c.language,
        articles.c.ingested_at,
        select(func.count(distinct(article_actors.c.actor_id)))
        .where(article_actors.c.article_id == articles.c.id)
        .scalar_subquery()
        .label("actor_count"),
        per_article(quotes).label("quote_count"),
        per_article(event_reports).label("event_count"),
    ]


def list_articles(conn: Connection, limit: int = 50, offset: int = 0) -> list[dict]:
    query = (
        select(*_article_summary_columns())
        .order_by(articles.c.published.desc().nulls_last(), articles.c.ingested_at.desc(), articles.c.id)
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    return [{k: _iso(v) for k, v in row._mapping.items()} for row in conn.execute(query)]


def article_ids(conn: Connection, ident: str) -> list[str]:
    """Ids of the articles `ident` names: its id, its external id, or a prefix of its id."""
    ident = (ident or "").strip()
    if not ident:
        return []
    exact = (
        conn.execute(
            select(articles.c.id).where(or_(articles.c.id == ident, articles.c.external_id == ident)).limit(2)
        )
        .scalars()
        .all()
    )
    if exact:
        return list(exact)
    return list(
        conn.execute(
            select(articles.c.id)
            .where(articles.c.id.startswith(ident, autoescape=True))
            .order_by(articles.c.id)
            .limit(10)
        ).scalars()
    )


def get_article(conn: Connection, ident: str) -> dict | None:
    """The article `ident` names (see `article_ids`), in the shape of the extract contract, with
    global actor ids; None when no article, or more than one, matches."""
    ids = article_ids(conn, ident)
    if len(ids) != 1:
        return None
    article_id = ids[0]
    row = conn.execute(select(articles).where(articles.c.id == article_id)).one()
    article = {k: _iso(v) for k, v in row._mapping.items()}
    article["captions"] = list(article.get("captions") or [])
    return {
        "article": article,
        "actors": _article_actors(conn, article_id),
        "quotes": _article_quotes(conn, article_id),
        "events": _article_events(conn, article_id, row.published),
    }


def _article_actors(conn: Connection, article_id: str) -> list[dict]:
    rows = conn.execute(
        select(article_actors.c.actor_id, article_actors.c.name.label("local_name"), actors)
        .join(actors, actors.c.id == article_actors.c.actor_id)
        .where(article_actors.c.article_id == article_id)
        .order_by(article_actors.c.position)
    ).all()
    mentions: dict[str, list[list[int]]] = defaultdict(list)
    for m in conn.execute(
        select(actor_mentions.c.actor_id, actor_mentions.c.start, actor_mentions.c.end)
        .where(actor_mentions.c.article_id == article_id)
        .order_by(actor_mentions.c.start, actor_mentions.c.end)
    ):
        span = [m.start, m.end]
        if span not in mentions[m.actor_id]:
            mentions[m.actor_id].append(span)
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.get(r.id)
        if entry is None:
            entry = out[r.id] = {
                "id": r.id,
                "name": r.name,
                "country": r.country,
                "sector": r.sector,
                "role": r.role,
                "kind": r.kind,
                "kb_id": r.kb_id,
                "aliases": [],
                "mentions": mentions.get(r.id, []),
            }
        if r.local_name != r.name and r.local_name not in entry["aliases"]:
            entry["aliases"].append(r.local_name)  # what this article called the actor, when it differs
    return list(out.values())


def _quote_dict(r, names: dict[str, dict]) -> dict:
    speaker = names.get(r.speaker_id) if r.speaker_id else None
    return {
        "id": r.id,
        "article_id": r.article_id,
        "kind": r.kind,
        "text": r.text,
        "speaker": r.speaker_id,
        "speaker_name": speaker["name"] if speaker else None,
        "speaker_country": speaker["country"] if speaker else None,
        "speaker_text": r.speaker_text,
        "cue": r.cue,
        "via": list(r.via or []),
        "via_names": [ref["name"] for ref in _refs(r.via, names)],
        "channel": r.channel,
        "date": r.date,
        "content_span": _span(r.content_start, r.content_end),
        "source_span": _span(r.source_start, r.source_end),
        "cue_span": _span(r.cue_start, r.cue_end),
    }


def _names_for_quotes(conn, rows) -> dict[str, dict]:
    return _actor_names(conn, [r.speaker_id for r in rows] + [v for r in rows for v in (r.via or [])])


def _article_quotes(conn: Connection, article_id: str) -> list[dict]:
    rows = conn.execute(
        select(quotes).where(quotes.c.article_id == article_id).order_by(quotes.c.position)
    ).all()
    names = _names_for_quotes(conn, rows)
    return [_quote_dict(r, names) for r in rows]


def _article_events(conn: Connection, article_id: str, published=None) -> list[dict]:
    """The article's event reports in the extract contract's shape, dated as the record dates them
    (`dates.record_date`: what the text does not date, the publication date at "publication")."""
    rows = conn.execute(
        select(event_reports)
        .where(event_reports.c.article_id == article_id)
        .order_by(event_reports.c.position)
    ).all()
    return [
        {
            "id": r.event_id,
            "report_id": r.id,
            "type": r.type,
            "mode": r.mode,
            "context": r.context,
            "status": r.status,
            "actors": list(r.actors or []),
            "recipients": list(r.recipients or []),
            **dict(zip(("date", "date_precision"), record_date(r.date, r.date_precision, published))),
            "location": r.location,
            "location_span": _span(r.location_start, r.location_end),
            "evidence": r.evidence,
            "evidence_span": _span(r.evidence_start, r.evidence_end),
            "reported_by": list(r.reported_by or []),
            "refers_to_past": bool(r.refers_to_past),
        }
        for r in rows
    ]


def list_rejections(conn: Connection) -> list[dict]:
    rows = conn.execute(select(rejected).order_by(rejected.c.at, rejected.c.source, rejected.c.reason))
    return [{k: _iso(v) for k, v in row._mapping.items()} for row in rows]


# ---------------------------------------------------------------- actors, quotes, events


def list_actors(conn: Connection, country: str | None = None, name: str | None = None) -> list[dict]:
    mention_count = (
        select(func.count())
        .where(actor_mentions.c.actor_id == actors.c.id)
        .scalar_subquery()
        .label("mention_count")
    )
    article_count = (
        select(func.count(distinct(article_actors.c.article_id)))
        .where(article_actors.c.actor_id == actors.c.id)
        .scalar_subquery()
        .label("article_count")
    )
    query = select(actors, mention_count, article_count)
    if country:
        query = query.where(actors.c.country == country.strip().upper())
    if name:
        query = query.where(actors.c.id.in_(actors_named(name)))
    query = query.order_by(article_count.desc(), mention_count.desc(), actors.c.name, actors.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def list_quotes(
    conn: Connection,
    speaker: str | None = None,
    country: str | None = None,
    via: str | None = None,
    search: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[dict]:
    speaker_actor = aliased(actors)
    query = (
        select(quotes.c.id, quotes.c.via)
        .join(articles, articles.c.id == quotes.c.article_id)
        .outerjoin(speaker_actor, speaker_actor.c.id == quotes.c.speaker_id)
    )
    if speaker:
        query = query.where(
            or_(
                quotes.c.speaker_id.in_(actors_named(speaker)),
                quotes.c.speaker_text.icontains(speaker.strip(), autoescape=True),
            )
        )
    if country:
        query = query.where(speaker_actor.c.country == country.strip().upper())
    if search:
        query = query.where(quotes.c.text.icontains(search.strip(), autoescape=True))
    query = query.order_by(articles.c.published.desc().nulls_last(), quotes.c.article_id, quotes.c.position)
    if via is None:
        query = query.offset(max(0, offset))
        if limit is not None:
            query = query.limit(max(0, limit))
        ids = [r.id for r in conn.execute(query)]
    else:
        # `via` is a JSON list; matching it in SQL differs between backends, so filter here.
        wanted = set(conn.execute(actors_named(via)).scalars())
        term = via.strip().casefold()
        candidates = [(r.id, [str(ref) for ref in (r.via or [])]) for r in conn.execute(query)]
        known = _actor_names(conn, [ref for _, refs in candidates for ref in refs])

        def passes_through(
            ref: str,
        ) -> bool:  # an actor matched by name, or an unresolved name containing the term
            return ref in wanted if ref in known else term in ref.casefold()

        ids = [quote_id for quote_id, refs in candidates if any(passes_through(ref) for ref in refs)]
        ids = ids[max(0, offset) :]
        if limit is not None:
            ids = ids[: max(0, limit)]
    return _quotes_by_id(conn, ids)


def _quotes_by_id(conn: Connection, ids: list[str]) -> list[dict]:
    rows = {}
    articles_info = {}
    for chunk in _chunks(ids):
        for r in conn.execute(
            select(quotes, articles.c.headline, articles.c.publisher, articles.c.published, articles.c.url)
            .join(articles, articles.c.id == quotes.c.article_id)
            .where(quotes.c.id.in_(chunk))
        ):
            rows[r.id] = r
            articles_info[r.id] = {
                "headline": r.headline,
                "publisher": r.publisher,
                "published": _iso(r.published),
                "url": r.url,
            }
    ordered = [rows[i] for i in ids if i in rows]
    names = _names_for_quotes(conn, ordered)
    return [{**_quote_dict(r, names), "article": articles_info[r.id]} for r in ordered]


def list_events(conn: Connection, where: EventFilter, limit: int | None = None) -> list[dict]:
    ids = event_id_query(conn, where)
    if limit is not None:
        ids = ids.limit(max(0, limit))
    order = [r.id for r in conn.execute(ids)]
    rows = {}
    for chunk in _chunks(order):
        rows.update((r.id, r) for r in conn.execute(select(events).where(events.c.id.in_(chunk))))
    return _event_dicts(conn, [rows[i] for i in order if i in rows])


def _event_dicts(conn: Connection, rows) -> list[dict]:
    ids = [r.id for r in rows]
    participants: dict[str, dict[str, list]] = defaultdict(lambda: {"actor": [], "recipient": []})
    reports: dict[str, list[dict]] = defaultdict(list)
    participant_rows, report_rows = [], []
    for chunk in _chunks(ids):
        participant_rows += conn.execute(
            select(event_participants)
            .where(event_participants.c.event_id.in_(chunk))
            .order_by(event_participants.c.event_id, event_participants.c.role, event_participants.c.position)
        ).all()
        report_rows += conn.execute(
            select(
                event_reports,
                articles.c.headline,
                articles.c.publisher,
                articles.c.published,
                articles.c.url,
            )
            .join(articles, articles.c.id == event_reports.c.article_id)
            .where(event_reports.c.event_id.in_(chunk))
            .order_by(articles.c.published.asc().nulls_last(), event_reports.c.id)
        ).all()
    names = _actor_names(
        conn,
        [p.actor_id for p in participant_rows] + [ref for r in report_rows for ref in (r.reported_by or [])],
    )
    for p in participant_rows:
        who = names.get(p.actor_id) if p.actor_id else None
        participants[p.event_id][p.role].append(who or {"id": None, "name": p.name, "country": None})
    for r in report_rows:
        reports[r.event_id].append(
            {
                "id": r.id,
                "article_id": r.article_id,
                "headline": r.headline,
                "publisher": r.publisher,
                "published": _iso(r.published),
                "url": r.url,
                "status": r.status,
                "mode": r.mode,
                **dict(zip(("date", "date_precision"), record_date(r.date, r.date_precision, r.published))),
                "evidence": r.evidence,
                "evidence_span": _span(r.evidence_start, r.evidence_end),
                "reported_by": list(r.reported_by or []),
                "reported_by_names": [ref["name"] for ref in _refs(r.reported_by, names)],
            }
        )
    return [
        {
            "id": r.id,
            "type": r.type,
            "mode": r.mode,
            "context": r.context,
            "status": r.status,
            "date": _iso(r.date),
            "date_precision": r.date_precision,
            "location": r.location,
            "first_seen": _iso(r.first_seen),
            "actors": participants[r.id]["actor"],
            "recipients": participants[r.id]["recipient"],
            "reports": reports[r.id],
        }
        for r in rows
    ]
