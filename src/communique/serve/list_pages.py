"""The events and quotes pages: lists narrowed by filters kept in the URL, facets offered as links with
counts, and the current selection as CSV, JSONL or PLOVER downloads (the exports of `communique
export`)."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from communique.query import export as exports
from communique.query.record import event_records
from communique.serve import facets as facet_reads
from communique.serve import labels, params
from communique.serve.facets import EventFilters, QuoteFilters
from communique.serve.pages import reader, render

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
EVENT_FACETS = {"type": "Type", "country": "Country", "actor": "Actor", "outlet": "Outlet", "year": "Year",
                "status": "Status", "precision": "Date precision"}
QUOTE_FACETS = {"speaker": "Speaker", "country": "Speaker's country", "outlet": "Outlet", "year": "Year"}
MEDIA = {"csv": "text/csv", "jsonl": "application/x-ndjson", "plover": "application/x-ndjson"}
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _value_label(facet: str, value: str) -> str:
    if facet == "type":
        return f"{labels.event_type(value)} ({value})"
    if facet == "country":
        return labels.country(value)
    return value


def _link(path: str, values: dict[str, str]) -> str:
    return path + ("?" + urlencode(values) if values else "")


def facet_links(path: str, filters, counts: dict[str, list[tuple[str, int]]], names: dict[str, str]) -> list[dict]:
    """Each facet's values as links that add the value to the current filters (a year sets the date
    range), with counts; a chosen value links to the filters without it."""
    out = []
    for facet, title in names.items():
        values = []
        for value, n in counts.get(facet, []):
            if facet == "year":
                year = int(value)
                chosen = filters.since == date(year, 1, 1) and filters.until == date(year, 12, 31)
                change = {"since": None, "until": None} if chosen else {"since": date(year, 1, 1), "until": date(year, 12, 31)}
            else:
                chosen = str(getattr(filters, facet) or "").casefold() == value.casefold()
                change = {facet: None if chosen else value}
            values.append({"value": value, "label": _value_label(facet, value), "count": n, "chosen": chosen,
                           "href": _link(path, filters.params(**change))})
        out.append({"name": facet, "title": title, "values": values})
    return out


def _event_filters(request: Request) -> EventFilters:
    q = request.query_params
    text = lambda name: (q.get(name) or "").strip() or None  # noqa: E731
    return EventFilters(
        type=params.event_type(q.get("type")),
        country=text("country"),
        actor=text("actor"),
        outlet=text("outlet"),
        since=params.day("since", q.get("since")),
        until=params.day("until", q.get("until")),
        status=params.one_of("status", q.get("status"), params.STATUSES),
        precision=params.one_of("precision", q.get("precision"), params.PRECISIONS),
    )


def _quote_filters(request: Request) -> QuoteFilters:
    q = request.query_params
    text = lambda name: (q.get(name) or "").strip() or None  # noqa: E731
    return QuoteFilters(speaker=text("speaker"), country=text("country"), outlet=text("outlet"), q=text("q"),
                        since=params.day("since", q.get("since")), until=params.day("until", q.get("until")))


def _downloads(path: str, filters, formats: tuple[str, ...]) -> list[dict]:
    return [{"format": fmt, "href": _link(f"{path}/download.{fmt}", filters.params())} for fmt in formats]


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, offset: Offset = 0):
    try:
        filters = _event_filters(request)
    except params.BadParameter as exc:
        return render(request, "events.html", status=422, problem=str(exc), filters=EventFilters(), facets=[],
                      events=[], total=0, offset=0, next_href=None, downloads=[], types=labels.EVENT_TYPES)
    store = reader(request).store
    with store.engine.connect() as conn:
        total, counts = facet_reads.event_facets(conn, filters)
        ids = list(conn.execute(facet_reads.event_ids(conn, filters).offset(offset).limit(PER_PAGE + 1)).scalars())
        found = event_records(conn, ids[:PER_PAGE])
    more = len(ids) > PER_PAGE
    return render(
        request, "events.html", problem=None, filters=filters, total=total, events=found, offset=offset,
        facets=facet_links("/events", filters, counts, EVENT_FACETS), types=labels.EVENT_TYPES,
        next_href=_link("/events", {**filters.params(), "offset": offset + PER_PAGE}) if more else None,
        downloads=_downloads("/events", filters, ("csv", "jsonl", "plover")),
    )


def _attachment(text: str, fmt: str, name: str) -> Response:
    return Response(text, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{"plover.jsonl" if fmt == "plover" else fmt}"'})


@router.get("/events/download.{fmt}")
def events_download(request: Request, fmt: str):
    if fmt not in MEDIA:
        return Response(f"no download as {fmt!r}: choose one of {', '.join(MEDIA)}\n", status_code=404, media_type="text/plain")
    try:
        filters = _event_filters(request)
    except params.BadParameter as exc:
        return Response(str(exc) + "\n", status_code=422, media_type="text/plain")
    out = io.StringIO()
    with reader(request).store.engine.connect() as conn:
        exports.write(exports.iter_event_records(conn, facet_reads.event_ids(conn, filters)), fmt, out, kind="events")
    return _attachment(out.getvalue(), fmt, "events")


@router.get("/quotes", response_class=HTMLResponse)
def quotes_page(request: Request, offset: Offset = 0):
    try:
        filters = _quote_filters(request)
    except params.BadParameter as exc:
        return render(request, "quotes.html", status=422, problem=str(exc), filters=QuoteFilters(), facets=[],
                      quotes=[], total=0, offset=0, next_href=None, downloads=[])
    with reader(request).store.engine.connect() as conn:
        total, counts = facet_reads.quote_facets(conn, filters)
        found = facet_reads.quote_page(conn, filters, PER_PAGE, offset)
    more = len(found) > PER_PAGE
    return render(
        request, "quotes.html", problem=None, filters=filters, total=total, quotes=found[:PER_PAGE], offset=offset,
        facets=facet_links("/quotes", filters, counts, QUOTE_FACETS),
        next_href=_link("/quotes", {**filters.params(), "offset": offset + PER_PAGE}) if more else None,
        downloads=_downloads("/quotes", filters, ("csv", "jsonl")),
    )


@router.get("/quotes/download.{fmt}")
def quotes_download(request: Request, fmt: str):
    if fmt not in ("csv", "jsonl"):
        return Response(f"no download of quotes as {fmt!r}: choose csv or jsonl\n", status_code=404, media_type="text/plain")
    try:
        filters = _quote_filters(request)
    except params.BadParameter as exc:
        return Response(str(exc) + "\n", status_code=422, media_type="text/plain")
    with reader(request).store.engine.connect() as conn:
        found = facet_reads.quote_page(conn, filters, limit=1_000_000, offset=0)
    out = io.StringIO()
    exports.write(found, fmt, out, kind="quotes")
    return _attachment(out.getvalue(), fmt, "quotes")
