"""Flat SQL views for Datasette, DuckDB and plain SQL users: no joins needed to read the record.

- `events_flat`: one row per fused event with its quad code, participants' names and countries
  (joined with "; " in record order), report count, the publishers that reported it and the
  evidence sentence of its first report;
- `quotes_flat`: one row per quote with its article's date, outlet, headline and URL, and the
  speaker's resolved name, country and sector;
- `dyad_month`: fused events counted per pair of participant countries, event type and month
  (`YYYY-MM`). Each pair appears in both orders, as in `event_dyads`, so
  `WHERE country_a = 'CHN'` gives every dyad of China; a country alone in an event pairs with itself.

Views hold no data: they are always current, and a later revision that rebuilds a table drops and
recreates them around it. The SQL differs by backend only in string aggregation and month formatting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

VIEWS = ("events_flat", "quotes_flat", "dyad_month")

# PLOVER's quad categories: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
# 4 material conflict (communique.query.records.QUAD_CODES holds the same table)
QUAD = """CASE e.type
        WHEN 'AGREE' THEN 1 WHEN 'CONSULT' THEN 1 WHEN 'SUPPORT' THEN 1 WHEN 'CONCEDE' THEN 1
        WHEN 'COOPERATE' THEN 2 WHEN 'AID' THEN 2 WHEN 'RETREAT' THEN 2
        WHEN 'REQUEST' THEN 3 WHEN 'ACCUSE' THEN 3 WHEN 'REJECT' THEN 3 WHEN 'SANCTION' THEN 3 WHEN 'THREATEN' THEN 3
        WHEN 'PROTEST' THEN 4 WHEN 'MOBILIZE' THEN 4 WHEN 'COERCE' THEN 4 WHEN 'ASSAULT' THEN 4
    END"""


def _joined(dialect: str, value: str, source: str, order: str) -> str:
    """A correlated subquery joining `value` over the rows of `source` in `order` with "; "."""
    if dialect == "postgresql":
        return f"(SELECT string_agg({value}, '; ' ORDER BY {order}) {source})"
    # SQLite before 3.44 has no ORDER BY inside an aggregate: aggregate an ordered subquery
    return f"(SELECT group_concat(v, '; ') FROM (SELECT {value} AS v {source} ORDER BY {order}))"


def _participants(role: str, column: str) -> str:
    return (
        "FROM event_participants p LEFT JOIN actors a ON a.id = p.actor_id "
        f"WHERE p.event_id = e.id AND p.role = '{role}' AND {column} IS NOT NULL"
    )


def events_flat(dialect: str) -> str:
    name = "COALESCE(a.name, p.name)"
    first_report = (
        "FROM event_reports r JOIN articles ar ON ar.id = r.article_id WHERE r.event_id = e.id "
        "ORDER BY ar.published IS NULL, ar.published, r.id LIMIT 1"
    )
    publishers = (
        "FROM (SELECT DISTINCT ar.publisher FROM event_reports r JOIN articles ar ON ar.id = r.article_id "
        "WHERE r.event_id = e.id AND ar.publisher IS NOT NULL) pub"
    )
    return f"""CREATE VIEW events_flat AS
SELECT
    e.id AS event_id,
    e.type AS type,
    {QUAD} AS quad_code,
    e.mode AS mode,
    e.context AS context,
    e.status AS status,
    e.date AS date,
    e.date_precision AS date_precision,
    e.location AS location,
    e.first_seen AS first_seen,
    e.report_count AS report_count,
    {_joined(dialect, name, _participants("actor", name), "p.position")} AS actors,
    {_joined(dialect, "a.country", _participants("actor", "a.country"), "p.position")} AS actor_countries,
    {_joined(dialect, name, _participants("recipient", name), "p.position")} AS recipients,
    {_joined(dialect, "a.country", _participants("recipient", "a.country"), "p.position")} AS recipient_countries,
    {_joined(dialect, "pub.publisher", publishers, "pub.publisher")} AS publishers,
    (SELECT r.evidence {first_report}) AS evidence
FROM events e"""


def quotes_flat(dialect: str) -> str:
    via = "CAST(q.via AS TEXT)" if dialect == "postgresql" else "q.via"
    return f"""CREATE VIEW quotes_flat AS
SELECT
    q.id AS quote_id,
    q.article_id AS article_id,
    ar.published AS published,
    ar.publisher AS publisher,
    ar.headline AS headline,
    ar.url AS url,
    q.kind AS kind,
    q.text AS text,
    q.speaker_id AS speaker_id,
    COALESCE(s.name, q.speaker_text) AS speaker_name,
    s.country AS speaker_country,
    s.sector AS speaker_sector,
    q.speaker_text AS speaker_text,
    q.cue AS cue,
    q.channel AS channel,
    q.date AS date_text,
    {via} AS via,
    q.group_id AS group_id
FROM quotes q
JOIN articles ar ON ar.id = q.article_id
LEFT JOIN actors s ON s.id = q.speaker_id"""


def dyad_month(dialect: str) -> str:
    month = "to_char(d.date, 'YYYY-MM')" if dialect == "postgresql" else "strftime('%Y-%m', d.date)"
    return f"""CREATE VIEW dyad_month AS
SELECT
    d.country_a AS country_a,
    d.country_b AS country_b,
    d.type AS type,
    {month} AS month,
    COUNT(DISTINCT d.event_id) AS events
FROM event_dyads d
WHERE d.date IS NOT NULL
GROUP BY d.country_a, d.country_b, d.type, {month}"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for build in (events_flat, quotes_flat, dyad_month):
        op.execute(build(dialect))


def downgrade() -> None:
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {view}")
