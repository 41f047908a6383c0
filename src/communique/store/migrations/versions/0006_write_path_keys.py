"""Look-ups of the write path that read only what can match (docs/scale.md, "Ingest at size").

- quotes.published: the article's publication date beside the speaker, indexed as (speaker_id,
  published), which replaces the index on speaker_id alone (same prefix). Grouping a new quote
  reads the speaker's quotes of a few weeks, not the speaker's whole history.
- fusion_keys: the keys fusion finds a fused event by (each participant and each participant's
  country) with the event's type, status and date window beside them, in one covering index.

An existing store is filled in place: quotes take their article's date, and the keys are derived from
the stored participants and dyads as `fusion.records.refresh_events` would write them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEYS_INDEX = "ix_fusion_keys_lookup"  # named: the convention's name would pass PostgreSQL's 63 characters
KEY_LENGTH = 255
LONG_PRECISIONS = ("month", "year")  # fusion.dates.LONG_PRECISIONS when this revision was written

_events = sa.table("events", sa.column("id"), sa.column("type"), sa.column("status"), sa.column("date_start"),
                   sa.column("date_end"))  # fmt: skip
_participants = sa.table("event_participants", sa.column("event_id"), sa.column("actor_id"), sa.column("name"))
_dyads = sa.table("event_dyads", sa.column("event_id"), sa.column("country_a"))
_reports = sa.table("event_reports", sa.column("event_id"), sa.column("date_precision"))
_keys = sa.table("fusion_keys", sa.column("event_id"), sa.column("key"), sa.column("type"), sa.column("status"),
                 sa.column("long_window", sa.Boolean()), sa.column("date_start"), sa.column("date_end"))  # fmt: skip


def _backfill_keys() -> None:
    long_window = sa.exists().where(
        _reports.c.event_id == _events.c.id, _reports.c.date_precision.in_(LONG_PRECISIONS)
    )
    long_window = sa.case((long_window, sa.true()), else_=sa.false())
    dated = sa.and_(_events.c.date_start.is_not(None), _events.c.date_end.is_not(None))

    def keyed(prefix: str, value, joined, on, *where):
        key = sa.func.substr(sa.literal(prefix, sa.Text) + value, 1, KEY_LENGTH)
        return (
            sa.select(_events.c.id, key, _events.c.type, _events.c.status, long_window, _events.c.date_start,
                      _events.c.date_end)  # fmt: skip
            .select_from(_events.join(joined, on))
            .where(dated, *where)
        )

    on_participant = _participants.c.event_id == _events.c.id
    rows = sa.union(
        keyed("actor:", _participants.c.actor_id, _participants, on_participant, _participants.c.actor_id.is_not(None)),
        keyed("name:", _participants.c.name, _participants, on_participant, _participants.c.actor_id.is_(None)),
        keyed("country:", _dyads.c.country_a, _dyads, _dyads.c.event_id == _events.c.id),
    )
    columns = ["event_id", "key", "type", "status", "long_window", "date_start", "date_end"]
    op.execute(_keys.insert().from_select(columns, rows))


def upgrade() -> None:
    op.add_column("quotes", sa.Column("published", sa.Date()))
    op.execute(
        "UPDATE quotes SET published = (SELECT articles.published FROM articles WHERE articles.id = quotes.article_id)"
    )
    op.create_index("ix_quotes_speaker_id_published", "quotes", ["speaker_id", "published"])
    op.drop_index("ix_quotes_speaker_id", table_name="quotes")

    op.create_table(
        "fusion_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(KEY_LENGTH), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("long_window", sa.Boolean(), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_fusion_keys_event_id_events", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_fusion_keys"),
    )
    _backfill_keys()
    op.create_index(
        KEYS_INDEX, "fusion_keys", ["key", "type", "status", "long_window", "date_start", "date_end", "event_id"]
    )
    op.create_index("ix_fusion_keys_event_id", "fusion_keys", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_fusion_keys_event_id", table_name="fusion_keys")
    op.drop_index(KEYS_INDEX, table_name="fusion_keys")
    op.drop_table("fusion_keys")
    op.create_index("ix_quotes_speaker_id", "quotes", ["speaker_id"])
    op.drop_index("ix_quotes_speaker_id_published", table_name="quotes")
    op.drop_column("quotes", "published")
