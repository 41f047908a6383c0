"""Covering indexes for reading the fused record a page of events at a time.

A timeline page reads, for ~100 event ids, their participants and their reports with each report's
article publisher and publication date. Two indexes let those reads skip the table rows:

- event_participants (event_id, role, position, actor_id, name): a page's participants, already in
  record order, from the index alone; it replaces the single-column index on event_id (same prefix);
- articles (id, published, publisher): a report's outlet and date without touching the article
  row, which holds the full text (on real data one or more pages per article).

Revision ID: 0003
Revises: 0002
Create Date: 2026-05-03
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PARTICIPANTS = "ix_event_participants_event_id_role_position_actor_id_name"
ARTICLES = "ix_articles_id_published_publisher"


def upgrade() -> None:
    op.create_index(PARTICIPANTS, "event_participants", ["event_id", "role", "position", "actor_id", "name"])
    op.drop_index("ix_event_participants_event_id", table_name="event_participants")
    op.create_index(ARTICLES, "articles", ["id", "published", "publisher"])


def downgrade() -> None:
    op.drop_index(ARTICLES, table_name="articles")
    op.create_index("ix_event_participants_event_id", "event_participants", ["event_id"])
    op.drop_index(PARTICIPANTS, table_name="event_participants")
