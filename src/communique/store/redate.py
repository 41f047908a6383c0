"""Filling in the publication date of an article stored without one, when it is ingested again with
one (`--published`, or a JSONL line that now carries `published`).

The article's id does not depend on its date, so the second ingest finds it stored. Before this,
it said "already stored" and the date was lost: its events stayed undated, out of every timeline.
Now, inside the second ingest's transaction:

1. the article's `published` is set (only where it was empty: a stored date is never replaced),
   and so is the copy its quotes keep beside their speaker;
2. each event report and quote takes the date the new extraction gives it (the same text read
   against the new publication date: "on Monday" becomes a day). Reports and quotes are matched by
   their stored ids, which come from the extraction's local ids and positions;
3. fusion runs again over what the date can change: every report of the article (a report without
   a date of its own is placed by the publication date) with all the reports of the events they are
   in, and every quote group the article's quotes belong to, regrouped from scratch. The store then
   holds what it would hold had the article come with its date the first time (tested).

`fill_date` returns one line saying what changed, or None when there was nothing to fill.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, select, update

from communique.models import Extraction
from communique.store import fusion, identity, locks
from communique.store.fusion.participants import chunks
from communique.store.schema import articles, event_reports, quotes

SHOWN_CHANGES = 3  # event date changes named in the line; the rest are counted


def record_date(value: str | None, precision: str | None, published: date | None) -> str:
    """A report's date as the record shows it: its own, else the publication date (reported)."""
    if value:
        return f"{value} ({precision or 'unknown'})"
    return f"{published.isoformat()} (reported)" if published else "undated"


def fill_date(
    conn: Connection, extraction: Extraction, article_id: str, published: date, item_locks: locks.ItemLocks
) -> str | None:
    """Give a stored, undated article its publication date and re-date what hangs on it (see the
    module docstring); the line describing the change, or None when the article had a date."""
    filled = conn.execute(
        update(articles)
        .where(articles.c.id == article_id, articles.c.published.is_(None))
        .values(published=published)
        .returning(articles.c.id)
    ).first()
    if filled is None:
        return None
    conn.execute(update(quotes).where(quotes.c.article_id == article_id).values(published=published))

    stored_reports = {
        r.id: r
        for r in conn.execute(
            select(event_reports.c.id, event_reports.c.event_id, event_reports.c.type, event_reports.c.date,
                   event_reports.c.date_precision).where(event_reports.c.article_id == article_id)
        )
    }  # fmt: skip
    stored_quotes = {
        q.id: q
        for q in conn.execute(
            select(quotes.c.id, quotes.c.group_id, quotes.c.speaker_id, quotes.c.speaker_text, quotes.c.date).where(
                quotes.c.article_id == article_id
            )
        )
    }
    item_locks.take(
        locks.FUSION,
        [fusion.event_lock_name(r.type) for r in stored_reports.values()]
        + [n for q in stored_quotes.values() if (n := fusion.quote_lock_name(q.speaker_id, q.speaker_text))],
    )

    changes = _redate_reports(conn, extraction, article_id, stored_reports)
    _redate_quotes(conn, extraction, article_id, stored_quotes)
    _refuse_reports(conn, list(stored_reports))
    _regroup_quotes(conn, stored_quotes)

    old_dates = {rid: (r.date, r.date_precision) for rid, r in stored_reports.items()}
    new_dates = dict(old_dates)
    new_dates.update({rid: (d, p) for rid, (_, d, p) in changes.items()})
    moved = [
        f"{stored_reports[rid].type} {record_date(*old_dates[rid], None)} -> {record_date(*new_dates[rid], published)}"
        for rid in sorted(stored_reports)
        if record_date(*old_dates[rid], None) != record_date(*new_dates[rid], published)
    ]
    line = f"publication date {published.isoformat()} filled in (it had none)"
    if moved:
        shown = "; ".join(moved[:SHOWN_CHANGES]) + (f"; and {len(moved) - SHOWN_CHANGES} more" if len(moved) > SHOWN_CHANGES else "")
        line += f"; {len(moved)} of its {len(stored_reports)} events re-dated: {shown}"
    return line


def _redate_reports(conn, extraction: Extraction, article_id: str, stored: dict) -> dict[str, tuple]:
    """Write the new extraction's dates onto the stored reports (matched by id); the changed ones:
    report id -> (event type, date, precision)."""
    scoped = identity.ScopedIds(article_id)
    changed: dict[str, tuple] = {}
    for position, event in enumerate(extraction.events):
        report_id = identity.safe_row(event_reports, {"id": scoped(event.id, position)})["id"]
        row = stored.get(report_id)
        if row is None:
            continue  # the extraction differs from the stored one here: what is stored stands
        if (row.date, row.date_precision) != (event.date, event.date_precision):
            changed[report_id] = (row.type, event.date, event.date_precision)
    if changed:
        conn.execute(
            update(event_reports)
            .where(event_reports.c.id == bindparam("b_id"))
            .values(date=bindparam("b_date"), date_precision=bindparam("b_precision")),
            [{"b_id": rid, "b_date": d, "b_precision": p} for rid, (_, d, p) in changed.items()],
        )
    return changed


def _redate_quotes(conn, extraction: Extraction, article_id: str, stored: dict) -> None:
    scoped = identity.ScopedIds(article_id)
    moves = []
    for position, quote in enumerate(extraction.quotes):
        quote_id = identity.safe_row(quotes, {"id": scoped(quote.id, position)})["id"]
        row = stored.get(quote_id)
        if row is not None and row.date != quote.date:
            moves.append({"b_id": quote_id, "b_date": quote.date})
    if moves:
        conn.execute(update(quotes).where(quotes.c.id == bindparam("b_id")).values(date=bindparam("b_date")), moves)


def _refuse_reports(conn, report_ids: list[str]) -> None:
    """Place the article's reports again, with every report of the events they are in (an event a
    re-dated report leaves must be regrouped whole, not left holding a report it lost)."""
    event_ids: set[str] = set()
    for chunk in chunks(sorted(report_ids)):
        event_ids.update(conn.execute(select(event_reports.c.event_id).where(event_reports.c.id.in_(chunk))).scalars())
    members: set[str] = set(report_ids)
    for chunk in chunks(sorted(event_ids)):
        members.update(conn.execute(select(event_reports.c.id).where(event_reports.c.event_id.in_(chunk))).scalars())
    if members:
        fusion.place_reports(conn, sorted(members))


def _regroup_quotes(conn, stored: dict) -> None:
    """Form again, from scratch, every quote group the article's quotes are in: an undated quote
    joined quotes of any date, which the new date may no longer allow (grouping only ever joins)."""
    groups = sorted({q.group_id for q in stored.values()})
    members: list = []
    for chunk in chunks(groups):
        members += conn.execute(
            select(quotes.c.id, quotes.c.speaker_id, quotes.c.speaker_text, quotes.c.text).where(
                quotes.c.group_id.in_(chunk)
            )
        ).all()
    if not members:
        return
    conn.execute(
        update(quotes)
        .where(quotes.c.id == bindparam("b_id"))
        .values(group_id=bindparam("b_id2"), group_reason=bindparam("b_reason")),
        [
            {"b_id": q.id, "b_id2": q.id,
             "b_reason": fusion.unfused_reason(q.speaker_id, q.speaker_text, q.text) or "first report"}
            for q in members
        ],
    )  # fmt: skip
    fusion.place_quotes(conn, [q.id for q in members])
