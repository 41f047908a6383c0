"""Prometheus text for `communique serve`: GET /metrics shows the watch's state (from the store, so
a `communique watch` running beside the server on the same database is what it shows)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

router = APIRouter()

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(store) -> str:
    """The exposition text: totals, then one series per source."""
    from communique.watch.state import STATUSES, WatchState

    from sqlalchemy import func, select

    from communique.store.schema import articles

    state = WatchState(store)
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    totals = state.totals()
    rows = state.status()
    lines = [
        "# HELP communique_articles Articles in the store.",
        "# TYPE communique_articles gauge",
        f"communique_articles {stored}",
        "# HELP communique_watch_sources Feeds, sitemaps and pages followed.",
        "# TYPE communique_watch_sources gauge",
        f"communique_watch_sources {totals['sources']}",
        "# HELP communique_watch_failing_sources Sources whose last read failed.",
        "# TYPE communique_watch_failing_sources gauge",
        f"communique_watch_failing_sources {totals['failing_sources']}",
        "# HELP communique_watch_items Article addresses seen, by what became of them.",
        "# TYPE communique_watch_items gauge",
        *(f'communique_watch_items{{status="{s}"}} {totals[s]}' for s in STATUSES),
        "# HELP communique_watch_updated_versions Later versions stored of articles whose text changed.",
        "# TYPE communique_watch_updated_versions gauge",
        f"communique_watch_updated_versions {totals['updated_versions']}",
        "# HELP communique_watch_source_backlog Addresses of a source not fetched yet.",
        "# TYPE communique_watch_source_backlog gauge",
        *(f'communique_watch_source_backlog{{source="{_label(r["url"])}"}} {r["backlog"]}' for r in rows),
        "# HELP communique_watch_source_failures Failed reads of a source in a row.",
        "# TYPE communique_watch_source_failures gauge",
        *(f'communique_watch_source_failures{{source="{_label(r["url"])}"}} {r["failures"]}' for r in rows),
        "# HELP communique_watch_source_last_success_seconds When a source was last read (Unix time).",
        "# TYPE communique_watch_source_last_success_seconds gauge",
        *(
            f'communique_watch_source_last_success_seconds{{source="{_label(r["url"])}"}} {r["last_success"].timestamp():.0f}'
            for r in rows if r["last_success"] is not None
        ),
    ]
    return "\n".join(lines) + "\n"


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> PlainTextResponse:
    text = await run_in_threadpool(render, request.app.state.reader.store)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)
