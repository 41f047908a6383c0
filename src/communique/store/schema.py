"""The database schema: SQLAlchemy Core tables, mirrored by hand in `migrations/versions/`.

Every change here needs a new Alembic revision; `tests/test_store_migrations.py` fails when the
migrated database and this metadata disagree.

Identity rules the tables encode:
- an article's id is the hash of its normalised body (`Article.id`), so a copy of an article read
  twice, or from two files, is stored once; `external_id` keeps the id the input gave it;
- an actor's id is global: derived from its first identity key (`kb:<kb id>`, else
  `name:<normalised name>|<country>`); `actor_keys` holds every key that resolves to it, so a
  person first seen without a KB id and later with one stays one actor;
- `events` are fused events, `event_reports` what each article said about one; `store.fusion`
  decides which fused event a new report joins and writes why (`merge_reason`);
- `event_dyads` is a denormalised index of fused events by pairs of participant countries (both
  orders), which answers dyad timelines and last-contact queries from one composite index;
- quotes of the same words by the same speaker share a `group_id` (the smallest id among them).

Revision 0006 makes the write path's look-ups read only what can match (`docs/scale.md`): quotes
carry their article's publication date beside the speaker, and `fusion_keys` indexes fused events
by participant, type, status and date window for placing a new report.

Revision 0005 adds the state of `communique watch` (`watch_sources`, `watch_items`,
`watch_versions`): what each followed feed or sitemap last said, every article address seen with
what became of it, and the versions of an article whose text changed. They hold no part of the
record: a store that is never watched leaves them empty.

Revision 0003 adds covering indexes for reading a page of the record (see its docstring).

Revision 0002 also creates full-text search, which is not described here because it differs by
backend: an FTS5 table `search_fts` kept by triggers on SQLite, GIN expression indexes on PostgreSQL
(`include_in_comparison` tells schema comparisons to leave them alone).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(64)  # article, actor, quote and event ids: short hashes, optionally "<article id>:<local id>"
KEY = String(255)  # actor identity keys; longer keys are shortened with a hash (see store.identity)

articles = Table(
    "articles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("external_id", Text),
    Column("source", Text),
    Column("url", Text),
    Column("publisher", Text),
    Column("headline", Text),
    Column("byline", Text),
    Column("published", Date),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("captions", JSON, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index(None, "published"),
    # covering: a report's outlet and date without reading the row that holds the text (revision 0003)
    Index(None, "id", "published", "publisher"),
)

rejected = Table(
    "rejected",
    metadata,
    # a hash of source and reason: the same input rejected for the same reason is recorded once
    Column("id", ID, primary_key=True),
    Column("source", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

actors = Table(
    "actors",
    metadata,
    Column("id", ID, primary_key=True),
    Column("key", KEY, nullable=False, unique=True),  # the identity key the id was derived from
    Column("name", Text, nullable=False),
    Column("country", String(16)),  # ISO 3166 alpha-3 or an organisation code, upper case
    Column("sector", String(32)),
    Column("role", Text),
    Column("kind", String(32), nullable=False),
    Column("kb_id", String(255)),
    Index(None, "country"),
    Index(None, "kb_id"),
)

actor_keys = Table(
    "actor_keys",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("actor_id", ID, ForeignKey("actors.id"), nullable=False),
    Index(None, "actor_id"),
)

# Which global actor each article-local actor id became (and the name the article used).
article_actors = Table(
    "article_actors",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("local_id", String(255), primary_key=True),
    Column("actor_id", ID, ForeignKey("actors.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Index(None, "actor_id"),
)

actor_mentions = Table(
    "actor_mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("actor_id", ID, ForeignKey("actors.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "article_id"),
    Index(None, "actor_id"),
)

quotes = Table(
    "quotes",
    metadata,
    Column("id", ID, primary_key=True),  # "<article id>:<local quote id>"
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker_id", ID, ForeignKey("actors.id")),
    Column("speaker_text", Text),
    Column("cue", Text),
    Column("via", JSON, nullable=False),  # global actor ids, or names when unresolved; innermost first
    Column("channel", Text),
    Column("date", String(64)),  # as extracted
    # the article's publication date, beside the speaker: grouping reads a speaker's quotes of a
    # few weeks from the (speaker_id, published) index, not the speaker's whole history (revision 0006)
    Column("published", Date),
    Column("content_start", Integer),
    Column("content_end", Integer),
    Column("source_start", Integer),
    Column("source_end", Integer),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    # quotes of the same words by the same speaker: the smallest id among them, and why
    Column("group_id", ID),
    Column("group_reason", Text),
    Index(None, "article_id"),
    Index(None, "speaker_id", "published"),
    Index(None, "group_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("type", String(32), nullable=False),  # PLOVER event type, upper case
    Column("mode", String(64)),
    Column("context", Text),
    Column("status", String(16), nullable=False),
    Column("date", Date),  # first day of the period when the precision is coarser than a day
    Column("date_precision", String(16), nullable=False),
    Column("location", Text),
    Column("first_seen", Date),  # the earliest publication date of the articles reporting it
    # the days every report's date allows (their intersection): what a new report must overlap
    Column("date_start", Date),
    Column("date_end", Date),
    Column("report_count", Integer, nullable=False, server_default="1"),
    Column("conflicts", JSON),  # details the reports disagree on, each value with its reports
    Index(None, "type", "date"),
    Index(None, "date"),
    Index(None, "type", "date_start"),
)

event_participants = Table(
    "event_participants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("actor_id", ID, ForeignKey("actors.id")),  # null when the extractor gave only a name
    Column("name", Text),  # that name; null when actor_id is set
    CheckConstraint("role IN ('actor', 'recipient')", name="role"),
    CheckConstraint("actor_id IS NOT NULL OR name IS NOT NULL", name="who"),
    # covering: a page of events' participants in record order from the index alone (revision 0003)
    Index(None, "event_id", "role", "position", "actor_id", "name"),
    Index(None, "actor_id"),
)

# What one article said about one event, as it said it.
event_reports = Table(
    "event_reports",
    metadata,
    Column("id", ID, primary_key=True),  # "<article id>:<local event id>"
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("mode", String(64)),
    Column("context", Text),
    Column("status", String(16), nullable=False),
    Column("actors", JSON, nullable=False),  # global actor ids, or names when unresolved
    Column("recipients", JSON, nullable=False),
    Column("date", String(64)),  # as reported
    Column("date_precision", String(16), nullable=False),
    Column("location", Text),
    Column("location_start", Integer),
    Column("location_end", Integer),
    Column("evidence", Text, nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("reported_by", JSON, nullable=False),  # global actor ids, or names; innermost first
    Column("refers_to_past", Boolean, nullable=False),
    Column("merge_reason", Text),  # why this report joined its fused event (or "first report")
    Index(None, "event_id"),
    Index(None, "article_id"),
)

# One row per ordered pair of participant countries of a fused event (a solo country pairs with
# itself). `level` is a bit set of the participants' ranks (1: minister, 2: leader).
event_dyads = Table(
    "event_dyads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("country_a", String(16), nullable=False),
    Column("country_b", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("date", Date),
    Column("level", Integer, nullable=False, server_default="0"),
    # covering indexes (the event id last): a dyad's events come out in date order from the index alone
    Index(None, "country_a", "country_b", "type", "date", "event_id"),
    Index(None, "country_a", "country_b", "date", "event_id"),
    Index(None, "event_id"),
)

# What fusion finds a fused event by (revision 0006): one row per key of an event that has a date
# window, the key being a participant ("actor:<id>", "name:<name as reported>") or a participant's
# country ("country:<code>"), with the event's type, status and window beside it. Placing a report
# reads, from the covering index alone, the events of its keys, type and status whose windows are
# near its own, so the cost of a look-up does not grow with a participant's history. `long_window`:
# the event has a report dated to a month or a year, so its window may be up to a year long.
fusion_keys = Table(
    "fusion_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("key", KEY, nullable=False),
    Column("type", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("long_window", Boolean, nullable=False),
    Column("date_start", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Index("ix_fusion_keys_lookup", "key", "type", "status", "long_window", "date_start", "date_end", "event_id"),
    Index(None, "event_id"),
)

WATCH_URL_ID = String(32)  # communique.watch.urls.url_id: a hash of the canonical URL
LEASE_OWNER = String(128)  # "<host>:<pid>:<random>", the watcher holding a claim

# A feed, sitemap or home page followed by `communique watch`, with what it last said and who
# holds it. A watcher takes a source by setting lease_owner / lease_until where the lease is free or
# has run out (one conditional UPDATE), so two watchers on one store never work a source together.
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("id", WATCH_URL_ID, primary_key=True),  # url_id(url)
    Column("url", Text, nullable=False),
    Column("kind", String(16)),  # feed | sitemap | page (a home page whose feeds are followed); null until read
    Column("parent_id", WATCH_URL_ID),  # the home page or sitemap index it was found on
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_fetch_at", DateTime(timezone=True)),  # not before (backoff, Retry-After)
    Column("last_fetch_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, server_default="0"),  # in a row
    Column("items_seen", Integer, nullable=False, server_default="0"),
    Column("lease_owner", LEASE_OWNER),
    Column("lease_until", DateTime(timezone=True)),
)

# Every article address a watched source listed, by canonical URL, and what became of it. Pages are
# claimed with a lease like sources; an address listed by two sources is one row.
watch_items = Table(
    "watch_items",
    metadata,
    Column("id", WATCH_URL_ID, primary_key=True),  # url_id(canonical url)
    Column("url", Text, nullable=False),  # canonical
    Column("fetch_url", Text, nullable=False),  # as listed, less tracking parameters
    Column("source_id", WATCH_URL_ID, nullable=False),  # the source that listed it first
    # pending | stored | rejected | failed | duplicate (the page's canonical link names another item)
    Column("status", String(16), nullable=False),
    Column("listed_at", DateTime(timezone=True), nullable=False),
    Column("listed_date", Date),  # the date the listing gave (feed entry or sitemap), used when the page has none
    Column("listed_modified", Text),  # the listing's updated / lastmod: a change fetches the page again
    Column("article_id", ID),  # the current version's article
    Column("etag", Text),
    Column("last_modified", Text),
    Column("fetched_at", DateTime(timezone=True)),
    Column("tries", Integer, nullable=False, server_default="0"),  # failures in a row
    Column("next_try_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("lease_owner", LEASE_OWNER),
    Column("lease_until", DateTime(timezone=True)),
    Index(None, "status", "next_try_at"),
    Index(None, "source_id", "status"),
)

# The versions of a watched article: a page fetched again whose text changed is stored as a new
# article (ids are content hashes) and listed here; the earlier article stays in the store.
watch_versions = Table(
    "watch_versions",
    metadata,
    Column("item_id", WATCH_URL_ID, primary_key=True),
    Column("version", Integer, primary_key=True),  # 1, 2, ... in the order they were seen
    Column("article_id", ID, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index(None, "article_id"),
)

WATCH_TABLES = (watch_sources.name, watch_items.name, watch_versions.name)  # state, not part of the record
DERIVED_TABLES = (fusion_keys.name,)  # an index of the record that fusion keeps, not part of it

SEARCH_TABLE = "search_fts"  # SQLite FTS5 table (and its shadow tables), created by revision 0002
SEARCH_INDEXES = ("ix_quotes_text_search", "ix_event_reports_evidence_search")  # PostgreSQL GIN


def include_in_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """False for the full-text search objects, which the metadata does not describe: an Alembic
    `include_object` hook for schema comparisons."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE):
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    return True

