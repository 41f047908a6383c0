"""The state of `communique watch`: followed sources, the article addresses they listed, and the
versions of articles whose text changed (see `communique.store.schema` and `communique.watch`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

URL_ID = sa.String(32)
OWNER = sa.String(128)


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "watch_sources",
        sa.Column("id", URL_ID, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16)),
        sa.Column("parent_id", URL_ID),
        _when("added_at", nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        _when("next_fetch_at"),
        _when("last_fetch_at"),
        _when("last_success_at"),
        _when("last_error_at"),
        sa.Column("last_error", sa.Text()),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items_seen", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_owner", OWNER),
        _when("lease_until"),
        sa.PrimaryKeyConstraint("id", name="pk_watch_sources"),
    )
    op.create_table(
        "watch_items",
        sa.Column("id", URL_ID, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetch_url", sa.Text(), nullable=False),
        sa.Column("source_id", URL_ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _when("listed_at", nullable=False),
        sa.Column("listed_date", sa.Date()),
        sa.Column("listed_modified", sa.Text()),
        sa.Column("article_id", sa.String(64)),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        _when("fetched_at"),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        _when("next_try_at"),
        sa.Column("last_error", sa.Text()),
        sa.Column("lease_owner", OWNER),
        _when("lease_until"),
        sa.PrimaryKeyConstraint("id", name="pk_watch_items"),
    )
    op.create_index("ix_watch_items_status_next_try_at", "watch_items", ["status", "next_try_at"])
    op.create_index("ix_watch_items_source_id_status", "watch_items", ["source_id", "status"])
    op.create_table(
        "watch_versions",
        sa.Column("item_id", URL_ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=False),
        _when("seen_at", nullable=False),
        sa.PrimaryKeyConstraint("item_id", "version", name="pk_watch_versions"),
    )
    op.create_index("ix_watch_versions_article_id", "watch_versions", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_watch_versions_article_id", table_name="watch_versions")
    op.drop_table("watch_versions")
    op.drop_index("ix_watch_items_source_id_status", table_name="watch_items")
    op.drop_index("ix_watch_items_status_next_try_at", table_name="watch_items")
    op.drop_table("watch_items")
    op.drop_table("watch_sources")
