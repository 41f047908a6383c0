"""The initial schema: articles, rejections, actors, mentions, quotes, fused events and their reports.

Written by hand to match communique.store.schema at the time; it must not import that module (a
migration describes one fixed state of the schema, whatever schema.py says later).

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
KEY = sa.String(255)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", ID, nullable=False),
        sa.Column("external_id", sa.Text()),
        sa.Column("source", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("publisher", sa.Text()),
        sa.Column("headline", sa.Text()),
        sa.Column("byline", sa.Text()),
        sa.Column("published", sa.Date()),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("captions", sa.JSON(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])

    op.create_table(
        "rejected",
        sa.Column("id", ID, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejected"),
    )

    op.create_table(
        "actors",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", KEY, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(16)),
        sa.Column("sector", sa.String(32)),
        sa.Column("role", sa.Text()),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("kb_id", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk_actors"),
        sa.UniqueConstraint("key", name="uq_actors_key"),
    )
    op.create_index("ix_actors_country", "actors", ["country"])
    op.create_index("ix_actors_kb_id", "actors", ["kb_id"])

    op.create_table(
        "actor_keys",
        sa.Column("key", KEY, nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_actor_keys"),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name="fk_actor_keys_actor_id_actors"),
    )
    op.create_index("ix_actor_keys_actor_id", "actor_keys", ["actor_id"])

    op.create_table(
        "article_actors",
        sa.Column("article_id", ID, nullable=False),
        sa.Column("local_id", sa.String(255), nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "local_id", name="pk_article_actors"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_actors_article_id_articles", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name="fk_article_actors_actor_id_actors"),
    )
    op.create_index("ix_article_actors_actor_id", "article_actors", ["actor_id"])

    op.create_table(
        "actor_mentions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_actor_mentions"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_actor_mentions_article_id_articles", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name="fk_actor_mentions_actor_id_actors"),
    )
    op.create_index("ix_actor_mentions_article_id", "actor_mentions", ["article_id"])
    op.create_index("ix_actor_mentions_actor_id", "actor_mentions", ["actor_id"])

    op.create_table(
        "quotes",
        sa.Column("id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("local_id", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker_id", ID),
        sa.Column("speaker_text", sa.Text()),
        sa.Column("cue", sa.Text()),
        sa.Column("via", sa.JSON(), nullable=False),
        sa.Column("channel", sa.Text()),
        sa.Column("date", sa.String(64)),
        sa.Column("content_start", sa.Integer()),
        sa.Column("content_end", sa.Integer()),
        sa.Column("source_start", sa.Integer()),
        sa.Column("source_end", sa.Integer()),
        sa.Column("cue_start", sa.Integer()),
        sa.Column("cue_end", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_quotes"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_quotes_article_id_articles", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["speaker_id"], ["actors.id"], name="fk_quotes_speaker_id_actors"),
    )
    op.create_index("ix_quotes_article_id", "quotes", ["article_id"])
    op.create_index("ix_quotes_speaker_id", "quotes", ["speaker_id"])

    op.create_table(
        "events",
        sa.Column("id", ID, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(64)),
        sa.Column("context", sa.Text()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("date_precision", sa.String(16), nullable=False),
        sa.Column("location", sa.Text()),
        sa.Column("first_seen", sa.Date()),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_type_date", "events", ["type", "date"])
    op.create_index("ix_events_date", "events", ["date"])

    op.create_table(
        "event_participants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", ID),
        sa.Column("name", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_event_participants"),
        sa.CheckConstraint("role IN ('actor', 'recipient')", name="ck_event_participants_role"),
        sa.CheckConstraint("actor_id IS NOT NULL OR name IS NOT NULL", name="ck_event_participants_who"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_participants_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name="fk_event_participants_actor_id_actors"),
    )
    op.create_index("ix_event_participants_event_id", "event_participants", ["event_id"])
    op.create_index("ix_event_participants_actor_id", "event_participants", ["actor_id"])

    op.create_table(
        "event_reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("local_id", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(64)),
        sa.Column("context", sa.Text()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("date", sa.String(64)),
        sa.Column("date_precision", sa.String(16), nullable=False),
        sa.Column("location", sa.Text()),
        sa.Column("location_start", sa.Integer()),
        sa.Column("location_end", sa.Integer()),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer()),
        sa.Column("evidence_end", sa.Integer()),
        sa.Column("reported_by", sa.JSON(), nullable=False),
        sa.Column("refers_to_past", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_reports"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_reports_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_event_reports_article_id_articles", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_event_reports_event_id", "event_reports", ["event_id"])
    op.create_index("ix_event_reports_article_id", "event_reports", ["article_id"])


def downgrade() -> None:
    for table in (
        "event_reports",
        "event_participants",
        "events",
        "quotes",
        "actor_mentions",
        "article_actors",
        "actor_keys",
        "actors",
        "rejected",
        "articles",
    ):
        op.drop_table(table)
