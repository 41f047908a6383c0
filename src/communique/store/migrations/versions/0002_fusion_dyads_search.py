"""Event and quote fusion, the dyad index, and full-text search.

- events: `date_start` / `date_end` (the days all reports allow), `report_count`, `conflicts`;
- event_reports: `merge_reason`; quotes: `group_id`, `group_reason`;
- event_dyads: fused events by ordered pair of participant countries, for timelines and last contact;
- full-text search over quote texts and event evidence: on SQLite an FTS5 table `search_fts` kept
  up to date by triggers (skipped when this SQLite lacks FTS5: search then falls back to LIKE); on
  PostgreSQL GIN indexes on `to_tsvector('english', ...)`.

Existing rows are backfilled: each stored event has one report, so its window is its own date's.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)
TS_CONFIG = "english"

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(kind UNINDEXED, ref UNINDEXED, body, tokenize='porter unicode61')",
    "CREATE TRIGGER search_quotes_ai AFTER INSERT ON quotes BEGIN "
    "INSERT INTO search_fts(kind, ref, body) VALUES ('quote', new.id, new.text); END",
    "CREATE TRIGGER search_quotes_ad AFTER DELETE ON quotes BEGIN "
    "DELETE FROM search_fts WHERE kind = 'quote' AND ref = old.id; END",
    "CREATE TRIGGER search_reports_ai AFTER INSERT ON event_reports BEGIN "
    "INSERT INTO search_fts(kind, ref, body) VALUES ('event', new.id, new.evidence); END",
    "CREATE TRIGGER search_reports_ad AFTER DELETE ON event_reports BEGIN "
    "DELETE FROM search_fts WHERE kind = 'event' AND ref = old.id; END",
    "INSERT INTO search_fts(kind, ref, body) SELECT 'quote', id, text FROM quotes",
    "INSERT INTO search_fts(kind, ref, body) SELECT 'event', id, evidence FROM event_reports",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS search_quotes_ai",
    "DROP TRIGGER IF EXISTS search_quotes_ad",
    "DROP TRIGGER IF EXISTS search_reports_ai",
    "DROP TRIGGER IF EXISTS search_reports_ad",
    "DROP TABLE IF EXISTS search_fts",
]


def _sqlite_has_fts5(bind) -> bool:
    options = {row[0] for row in bind.exec_driver_sql("PRAGMA compile_options").fetchall()}
    return "ENABLE_FTS5" in options or _can_create_fts5(bind)


def _can_create_fts5(bind) -> bool:
    try:
        bind.exec_driver_sql("SAVEPOINT fts5_probe")
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        bind.exec_driver_sql("DROP TABLE temp.fts5_probe")
        bind.exec_driver_sql("RELEASE SAVEPOINT fts5_probe")
        return True
    except Exception:  # noqa: BLE001  (no FTS5 module: search falls back to LIKE)
        bind.exec_driver_sql("ROLLBACK TO SAVEPOINT fts5_probe")
        bind.exec_driver_sql("RELEASE SAVEPOINT fts5_probe")
        return False


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("date_start", sa.Date()))
        batch.add_column(sa.Column("date_end", sa.Date()))
        batch.add_column(sa.Column("report_count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("conflicts", sa.JSON()))
        batch.create_index("ix_events_type_date_start", ["type", "date_start"])
    with op.batch_alter_table("event_reports") as batch:
        batch.add_column(sa.Column("merge_reason", sa.Text()))
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("group_id", ID))
        batch.add_column(sa.Column("group_reason", sa.Text()))
        batch.create_index("ix_quotes_group_id", ["group_id"])

    op.execute("UPDATE events SET date_start = date, date_end = date")
    op.execute("UPDATE quotes SET group_id = id")

    op.create_table(
        "event_dyads",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("country_a", sa.String(16), nullable=False),
        sa.Column("country_b", sa.String(16), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("level", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_dyads_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event_dyads"),
    )
    op.create_index(
        "ix_event_dyads_country_a_country_b_type_date_event_id",
        "event_dyads",
        ["country_a", "country_b", "type", "date", "event_id"],
    )
    op.create_index(
        "ix_event_dyads_country_a_country_b_date_event_id", "event_dyads", ["country_a", "country_b", "date", "event_id"]
    )
    op.create_index("ix_event_dyads_event_id", "event_dyads", ["event_id"])

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if _sqlite_has_fts5(bind):
            for statement in SQLITE_SEARCH:
                bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_quotes_text_search ON quotes USING gin (to_tsvector('{TS_CONFIG}', text))"
        )
        op.execute(
            "CREATE INDEX ix_event_reports_evidence_search ON event_reports "
            f"USING gin (to_tsvector('{TS_CONFIG}', evidence))"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_quotes_text_search")
        op.execute("DROP INDEX IF EXISTS ix_event_reports_evidence_search")
    op.drop_index("ix_event_dyads_event_id", table_name="event_dyads")
    op.drop_index("ix_event_dyads_country_a_country_b_date_event_id", table_name="event_dyads")
    op.drop_index("ix_event_dyads_country_a_country_b_type_date_event_id", table_name="event_dyads")
    op.drop_table("event_dyads")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_index("ix_quotes_group_id")
        batch.drop_column("group_reason")
        batch.drop_column("group_id")
    with op.batch_alter_table("event_reports") as batch:
        batch.drop_column("merge_reason")
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_type_date_start")
        batch.drop_column("conflicts")
        batch.drop_column("report_count")
        batch.drop_column("date_end")
        batch.drop_column("date_start")
