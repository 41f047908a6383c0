"""The database schema: SQLAlchemy Core tables, mirrored by hand in `migrations/versions/`.

Every change here needs a new Alembic revision; `tests/test_store_migrations.py` fails when the
migrated database and this metadata disagree.

Identity rules the tables encode:
- an article's id is the hash of its normalised body (`Article.id`), so a copy of an article read
  twice, or from two files, is stored once; `external_id` keeps the id the input gave it;
- an actor's id is global: derived from its first identity key (`kb:<kb id>`, else
  `name:<normalised name>|<country>`); `actor_keys` holds every key that resolves to it, so a
  person first seen without a KB id and later with one stays one actor;
- `events` are fused events, `event_reports` what each article said about one; for now every
  extracted event is its own fused event with one report, but nothing assumes one-to-one.
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
    Column("content_start", Integer),
    Column("content_end", Integer),
    Column("source_start", Integer),
    Column("source_end", Integer),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Index(None, "article_id"),
    Index(None, "speaker_id"),
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
    Index(None, "type", "date"),
    Index(None, "date"),
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
    Index(None, "event_id"),
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
    Index(None, "event_id"),
    Index(None, "article_id"),
)

TABLES = [t.name for t in metadata.sorted_tables]
