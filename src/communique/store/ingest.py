"""Writing extractions: one article with its actors, mentions, quotes and events, inside the caller's
transaction.

Idempotence rests on the article id: the article row is inserted first with ON CONFLICT DO NOTHING,
and if it was already there nothing else of the extraction is written. Actors are resolved to
global ids through `actor_keys` (KB id first, then normalised name + country), and every reference
to an article-local actor id in quotes and events is rewritten to the global id.

On PostgreSQL the caller's transaction holds one item, and `store.locks` orders what concurrent
writers take (identity keys first, then fusion); see there why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Table, TextClause, bindparam, select, text, update

from communique.dates import iso_date
from communique.models import Actor, Extraction, Rejection
from communique.store import fusion, identity, locks
from communique.store.schema import (
    actor_keys,
    actor_mentions,
    actors,
    article_actors,
    articles,
    event_reports,
    events,
    quotes,
    rejected,
)

ADDED, UNCHANGED, REJECTED, ERROR = "added", "unchanged", "rejected", "error"
DATED = "dated"  # stored before without a publication date, which this ingest filled in (`store.redate`)


_IGNORING_INSERTS: dict[tuple, TextClause] = {}


def _ignoring_insert(conn: Connection, table: Table, columns: tuple[str, ...]) -> TextClause:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING <primary key>, the same SQL on SQLite (3.35+) and
    PostgreSQL. Written as typed text because SQLAlchemy's dialect-specific INSERT constructs are
    compiled afresh on every execution; this one is compiled once per table."""
    key = (conn.dialect.name, table.name, columns)
    if key not in _IGNORING_INSERTS:
        quote = conn.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        values = ", ".join(f":p{i}" for i in range(len(columns)))
        returning = ", ".join(quote(c.name) for c in table.primary_key.columns)
        statement = text(
            f"INSERT INTO {quote(table.name)} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING RETURNING {returning}"
        ).bindparams(*(bindparam(f"p{i}", type_=table.c[c].type) for i, c in enumerate(columns)))
        _IGNORING_INSERTS[key] = statement
    return _IGNORING_INSERTS[key]


def insert_ignore(conn: Connection, table: Table, row: dict) -> int:
    """Insert one row unless it clashes with a unique key; the number of rows inserted (0 or 1)."""
    row = identity.safe_row(table, row)
    columns = tuple(row)
    statement = _ignoring_insert(conn, table, columns)
    # RETURNING, not rowcount: psycopg reports no row count for a skipped ON CONFLICT insert
    return len(conn.execute(statement, {f"p{i}": row[c] for i, c in enumerate(columns)}).all())


def _insert_many(conn: Connection, table, rows: list[dict]) -> None:
    if rows:
        conn.execute(table.insert(), [identity.safe_row(table, row) for row in rows])


def _span_columns(prefix: str, span) -> dict:
    start, end = (span[0], span[1]) if span else (None, None)
    return {f"{prefix}_start": start, f"{prefix}_end": end}


def write_rejection(conn: Connection, item: Rejection) -> str:
    source, reason = str(item.source), str(item.reason)
    insert_ignore(
        conn,
        rejected,
        {"id": identity.rejection_id(source, reason), "source": source, "reason": reason, "at": _now()},
    )
    return REJECTED


def _now() -> datetime:
    return datetime.now(UTC)


class ActorResolver:
    """Maps an extraction's actors to global actor ids, creating or completing actors as needed.

    Remembers what it resolved across committed transactions; `forget()` after a rollback. What an
    article adds to actors already stored is written by `flush()`, in actor id order, so that two
    writers completing the same actors lock their rows in the same order.
    """

    def __init__(self, conn: Connection | None):
        self.conn = conn  # may be rebound to the next transaction's connection (`Store.bulk_ingest`)
        self._cache: dict[tuple, str] = {}
        self._completed: dict[str, set] = {}  # actor id -> the (field, value) pairs already offered
        self._pending: dict[str, dict] = {}  # actor id -> column -> value to fill in if empty

    def forget(self) -> None:
        self._cache.clear()
        self._completed.clear()
        self._pending.clear()

    @staticmethod
    def _normalised(actor: Actor) -> tuple[Actor, str | None]:
        kb_id = identity.safe_row(actors, {"kb_id": (actor.kb_id or "").strip() or None})["kb_id"]
        if kb_id != actor.kb_id:
            actor = actor.model_copy(update={"kb_id": kb_id})
        return actor, identity.normalise_country(actor.country)

    @classmethod
    def keys(cls, actor: Actor) -> list[str]:
        """The identity keys `resolve` may read or write for this actor (what a writer locks)."""
        actor, country = cls._normalised(actor)
        return [k for k in (identity.kb_key(actor.kb_id), identity.name_key(actor.name, country)) if k]

    def resolve(self, actor: Actor) -> str:
        actor, country = self._normalised(actor)
        kb_id = actor.kb_id
        cache_key = (kb_id, identity.normalise_name(actor.name), country)
        if cache_key in self._cache:
            self._complete(self._cache[cache_key], actor, country)
        else:
            self._cache[cache_key] = self._resolve(actor, country)
        return self._cache[cache_key]

    def _resolve(self, actor: Actor, country: str | None) -> str:
        conn = self.conn
        strong = identity.kb_key(actor.kb_id)
        by_name = identity.name_key(actor.name, country)
        keys = [k for k in (strong, by_name) if k]
        found = dict(
            conn.execute(
                select(actor_keys.c.key, actor_keys.c.actor_id).where(actor_keys.c.key.in_(keys))
            ).all()
        )

        target = found.get(strong) if strong else None
        if target is None and by_name in found:
            # The same name and country is the same actor unless both carry different KB ids.
            known_kb = conn.execute(select(actors.c.kb_id).where(actors.c.id == found[by_name])).scalar()
            if not actor.kb_id or not known_kb or known_kb == actor.kb_id:
                target = found[by_name]

        if target is None:
            primary = keys[0]
            insert_ignore(
                conn,
                actors,
                {
                    "id": identity.actor_id_for_key(primary),
                    "key": primary,
                    "name": actor.name,
                    "country": country,
                    "sector": actor.sector,
                    "role": actor.role,
                    "kind": actor.kind or "other",
                    "kb_id": actor.kb_id,
                },
            )
            # A concurrent writer may have stored this key first: then what this article says is
            # weighed against its row as for any stored actor (see `_complete`)
            row = conn.execute(select(actors.c.id, *(actors.c[c] for c in _CHOSEN)).where(actors.c.key == primary)).one()
            target = row.id
            if all(getattr(row, c) == v for c, v in self._values(actor, country).items()):
                self._completed.setdefault(target, set()).update(self._offered(actor, country))
            else:
                self._complete(target, actor, country)
        else:
            self._complete(target, actor, country)

        for key in keys:
            if key not in found:
                insert_ignore(conn, actor_keys, {"key": key, "actor_id": target})
        return target

    @staticmethod
    def _offered(actor: Actor, country: str | None) -> set[tuple[str, str | None]]:
        return {
            ("name", actor.name),
            ("country", country),
            ("sector", actor.sector),
            ("role", actor.role),
            ("kb_id", actor.kb_id),
            ("kind", actor.kind),
        }

    @staticmethod
    def _values(actor: Actor, country: str | None) -> dict[str, str]:
        """The stored columns this article gives the actor, as they would be stored."""
        given = {"name": actor.name, "country": country, "sector": actor.sector, "role": actor.role,
                 "kb_id": actor.kb_id}
        values = {c: identity.safe_row(actors, {c: v})[c] for c, v in given.items() if v}
        values["kind"] = actor.kind or "other"
        return values

    def _complete(self, actor_id: str, actor: Actor, country: str | None) -> None:
        """Note what this article says of a stored actor (`flush` writes it). Where articles differ
        (a name's case, a role, a sector), the stored value is the one that ranks first (`_rank`),
        whichever article came first: the record does not depend on the order
        articles arrive in. An empty column takes any value; a kind other than "other" beats it."""
        offered = self._offered(actor, country)
        done = self._completed.setdefault(actor_id, set())
        if offered <= done:
            return
        done |= offered
        pending = self._pending.setdefault(actor_id, {})
        for column, value in self._values(actor, country).items():
            if column == "kind" and value == "other":
                continue
            if column not in pending or _rank(column, value) < _rank(column, pending[column]):
                pending[column] = value

    def flush(self) -> list[str]:
        """Write what this transaction's articles say of stored actors: a column takes the offered
        value when it is empty or when the value ranks first (`_rank`; see `_complete`). Rows are
        read (locked, on PostgreSQL) and written in id order (see `store.locks`). Returns the ids of
        the actors that changed (their events' participants and dyads, which carry their country
        and rank, are then out of date)."""
        changed = []
        lock = self.conn.dialect.name == "postgresql"
        for actor_id in sorted(self._pending):
            offered = self._pending[actor_id]
            if not offered:
                continue
            query = select(*(actors.c[c] for c in offered)).where(actors.c.id == actor_id)
            row = self.conn.execute(query.with_for_update() if lock else query).one_or_none()
            if row is None:
                continue
            values = {c: v for c, v in offered.items() if _better(c, v, getattr(row, c))}
            if values:
                self.conn.execute(update(actors).where(actors.c.id == actor_id).values(**values))
                changed.append(actor_id)
        self._pending.clear()
        return changed


def _rank(column: str, value: str) -> tuple:
    """How a value of an actor column ranks against another (smaller first): a name written as a name
    (no stray spaces, a capital first) before others, then code-point order."""
    if column == "name":
        return (value != " ".join(value.split()), not value[:1].isupper(), value)
    return (value,)


def _better(column: str, offered: str, stored: str | None) -> bool:
    if stored is None:
        return True
    if column == "kind":
        return stored == "other" or (offered != "other" and offered < stored)
    return _rank(column, offered) < _rank(column, stored)


_CHOSEN = ("name", "country", "sector", "role", "kb_id", "kind")  # the actor columns `flush` may change


def stored_article_id(extraction: Extraction) -> str | None:
    """The id an extraction's article is stored under; None if it cannot be computed (the item then
    fails, and is reported, when it is written)."""
    try:
        return identity.article_id(extraction.article.body, extraction.article.text)
    except (TypeError, ValueError, AttributeError):
        return None


def known_article_ids(conn: Connection, items: list) -> tuple[set[str], set[str]]:
    """Which of these items' articles are already stored (one query for a batch): (stored, and to
    be dated). The second set holds those stored without a publication date that the item now
    brings: they go the whole way to `write_extraction`, which fills the date in (`store.redate`)."""
    dated = {stored_article_id(item) for item in items if isinstance(item, Extraction) and iso_date(item.article.published)}
    ids = sorted({stored_article_id(item) for item in items if isinstance(item, Extraction)} - {None})
    known: set[str] = set()
    to_date: set[str] = set()
    for i in range(0, len(ids), 500):
        for article_id, published in conn.execute(
            select(articles.c.id, articles.c.published).where(articles.c.id.in_(ids[i : i + 500]))
        ):
            (to_date if published is None and article_id in dated else known).add(article_id)
    return known, to_date


def _event_type(event) -> str:
    return (event.type or "").strip().upper() or "OTHER"


def _speaker(quote, local_to_global: dict[str, str]) -> tuple[str | None, str | None]:
    """A quote's (global speaker id, speaker text) as stored."""
    speaker_id = local_to_global.get(quote.speaker) if quote.speaker else None
    speaker_text = quote.speaker_text
    if quote.speaker and speaker_id is None and not speaker_text:
        speaker_text = quote.speaker  # an unresolved speaker given as a name: keep the name
    return speaker_id, speaker_text


def _fusion_lock_names(extraction: Extraction, local_to_global: dict[str, str]) -> list[str]:
    names = [fusion.event_lock_name(_event_type(event)) for event in extraction.events]
    for quote in extraction.quotes:
        name = fusion.quote_lock_name(*_speaker(quote, local_to_global))
        if name is not None:
            names.append(name)
    return names


def article_row(extraction: Extraction, article_id: str) -> dict:
    art = extraction.article
    return {
        "id": article_id,
        "external_id": art.id if art.id != article_id else None,
        "source": art.source,
        "url": art.url,
        "publisher": art.publisher,
        "headline": art.headline,
        "byline": art.byline,
        "published": iso_date(art.published),
        "language": art.language,
        "text": art.text,
        "body": art.body,
        "captions": list(art.captions),
        "ingested_at": _now(),
    }


def write_extraction(conn: Connection, extraction: Extraction, resolver: ActorResolver) -> tuple[str, str]:
    """Store one extraction; returns (outcome, article id), outcome ADDED or UNCHANGED.

    The caller's transaction should hold this one item (its advisory locks last until the end)."""
    art = extraction.article
    article_id = identity.article_id(art.body, art.text)
    published = iso_date(art.published)
    identity_names = ["article:" + article_id]
    for actor in extraction.actors:
        identity_names += resolver.keys(actor)
    item_locks = locks.ItemLocks(conn, expected=len(identity_names) + len(extraction.quotes) + len(extraction.events))
    item_locks.take(locks.IDENTITY, identity_names)
    if not insert_ignore(conn, articles, article_row(extraction, article_id)):
        if published is not None:
            from communique.store.redate import fill_date

            change = fill_date(conn, extraction, article_id, published, item_locks)
            if change is not None:
                return DATED, f"{art.source or article_id}: {change}"
        return UNCHANGED, article_id

    local_to_global, links, mentions, completed = actor_rows(extraction, article_id, resolver)
    _insert_many(conn, article_actors, links)
    _insert_many(conn, actor_mentions, mentions)
    stale = fusion.events_with_actors(conn, completed)
    stale_locks = [fusion.event_lock_name(event_type) for event_type in set(stale.values())]
    item_locks.take(locks.FUSION, _fusion_lock_names(extraction, local_to_global) + stale_locks)
    fusion.refresh_events(conn, sorted(stale))

    def globalise(ref: str) -> str:
        return local_to_global.get(ref, ref)

    article_quotes = quote_rows(extraction, article_id, local_to_global, globalise, published)
    _insert_many(conn, quotes, article_quotes)
    fusion.place_quotes(conn, [identity.safe_row(quotes, q)["id"] for q in article_quotes])
    single_events, reports = event_rows(extraction, article_id, published, globalise)
    _insert_many(conn, events, single_events)
    _insert_many(conn, event_reports, reports)
    fusion.place_reports(conn, [report["id"] for report in reports])
    return ADDED, article_id


def actor_rows(
    extraction: Extraction, article_id: str, resolver: ActorResolver
) -> tuple[dict[str, str], list[dict], list[dict], list[str]]:
    """Resolve the article's actors (writing new global actors at once: later articles resolve
    through them); (local id -> global id, article_actors rows, actor_mentions rows, ids of stored
    actors this article completed)."""
    article_text = extraction.article.text
    local_to_global: dict[str, str] = {}
    links, mentions = [], []
    for position, actor in enumerate(extraction.actors):
        if actor.id in local_to_global:  # a repeated local id: the first actor of that id stands
            continue
        global_id = resolver.resolve(actor)
        local_to_global[actor.id] = global_id
        links.append(
            {
                "article_id": article_id,
                "local_id": actor.id,
                "actor_id": global_id,
                "position": position,
                "name": actor.name,
            }
        )
        for start, end in dict.fromkeys(tuple(m) for m in actor.mentions):
            mention_text = article_text[start:end] if 0 <= start <= end else ""
            mentions.append(
                {
                    "article_id": article_id,
                    "actor_id": global_id,
                    "start": start,
                    "end": end,
                    "text": mention_text,
                }
            )
    # local ids are cut to the column's length; two that differ only past it keep the first
    seen_local: set[str] = set()
    unique_links = []
    for link in links:
        stored = identity.safe_row(article_actors, link)["local_id"]
        if stored not in seen_local:
            seen_local.add(stored)
            unique_links.append(link)
    completed = resolver.flush()
    return local_to_global, unique_links, mentions, completed


def quote_rows(extraction: Extraction, article_id: str, local_to_global, globalise, published) -> list[dict]:
    """The article's quote rows, each a group of its own (`group_id` its id); once they are stored,
    `fusion.place_quotes` joins each to the group of the same words by the same speaker."""
    scoped = identity.ScopedIds(article_id)
    rows = []
    for position, quote in enumerate(extraction.quotes):
        speaker_id, speaker_text = _speaker(quote, local_to_global)
        quote_id = scoped(quote.id, position)
        group_id = quote_id
        group_reason = fusion.unfused_reason(speaker_id, speaker_text, quote.text) or "first report"
        rows.append(
            {
                "id": quote_id,
                "group_id": group_id,
                "group_reason": group_reason,
                "article_id": article_id,
                "local_id": quote.id,
                "position": position,
                "kind": quote.kind,
                "text": quote.text,
                "speaker_id": speaker_id,
                "speaker_text": speaker_text,
                "cue": quote.cue,
                "via": [globalise(v) for v in quote.via],
                "channel": quote.channel,
                "date": quote.date,
                "published": published,
                **_span_columns("content", quote.content_span),
                **_span_columns("source", quote.source_span),
                **_span_columns("cue", quote.cue_span),
            }
        )
    return rows


def event_rows(extraction: Extraction, article_id: str, published, globalise) -> tuple[list[dict], list[dict]]:
    """Each extracted event as a report and as a fused event of its own (id = the report's);
    `fusion.place_report` then fuses each report with the events it describes."""
    scoped = identity.ScopedIds(article_id)
    single_events, reports = [], []
    for position, event in enumerate(extraction.events):
        report_id = identity.safe_row(event_reports, {"id": scoped(event.id, position)})["id"]
        event_type = _event_type(event)
        status = event.status
        window = fusion.report_window(event.date, event.date_precision, published)
        single_events.append(
            {
                "id": report_id,
                "type": event_type,
                "mode": event.mode,
                "context": event.context,
                "status": status,
                "date": iso_date(event.date, periods=True),
                "date_precision": event.date_precision,
                "location": event.location,
                "first_seen": published,
                "date_start": window[0] if window else None,
                "date_end": window[1] if window else None,
                "report_count": 1,
            }
        )
        reports.append(
            {
                "id": report_id,
                "event_id": report_id,
                "article_id": article_id,
                "local_id": event.id,
                "position": position,
                "type": event_type,
                "mode": event.mode,
                "context": event.context,
                "status": status,
                "actors": [globalise(a) for a in event.actors],
                "recipients": [globalise(r) for r in event.recipients],
                "date": event.date,
                "date_precision": event.date_precision,
                "location": event.location,
                **_span_columns("location", event.location_span),
                "evidence": event.evidence or "",
                **_span_columns("evidence", event.evidence_span),
                "reported_by": [globalise(r) for r in event.reported_by],
                "refers_to_past": bool(event.refers_to_past),
            }
        )
    return single_events, reports
