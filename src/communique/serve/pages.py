"""The web pages: server-rendered HTML (Jinja2) over the same `RecordReader` as the API."""

from __future__ import annotations

from importlib import resources
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from communique.dates import iso_date
from communique.serve import cache, charts, counting, counts, labels, marks, params, security, sides, statements
from communique.serve.api import MAX_NAME, Ident, Offset, Side
from communique.serve.queries import RecordReader
from communique.store.schema import articles as article_rows
from communique.store.schema import events as event_rows

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("communique") / "serve" / "templates"))
templates.env.filters.update(
    country=labels.country,
    day=labels.day,
    etype=labels.event_type,
    colour=labels.type_colour,
    sector=labels.sector,
    who=labels.who,
    urlpart=lambda value: quote(str(value), safe=""),
)
templates.env.globals.update(event_date=labels.event_date, reported_date=labels.reported_date, highlight=labels.highlight)
templates.env.globals.update(tally=counting.tally, tally_text=counting.tally_text)
templates.env.filters["weburl"] = security.web_url  # the only way a URL from the record becomes a link

Name = Annotated[str, Query(max_length=MAX_NAME)]  # the pages take the API's bounds (422 beyond them)
REPORTS_SIDE_BY_SIDE = 12  # more reports than this are listed below the columns


def reader(request: Request) -> RecordReader:
    return request.app.state.reader


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("writable", bool(request.app.state.token))
    return templates.TemplateResponse(request, name, context, status_code=status)


def missing(request: Request, what: str, ident: str, hint: str) -> HTMLResponse:
    return render(request, "missing.html", status=404, what=what, ident=ident, hint=hint)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    r = reader(request)
    with r.store.engine.connect() as conn:
        size = conn.execute(select(func.count()).select_from(event_rows)).scalar() or 0
        record_totals = cache.kept(conn, "totals", size, lambda: counts.totals(conn))
        dyads = cache.kept(conn, "busiest dyads", size, r.busiest_dyads)
    return render(request, "home.html", dyads=dyads, articles=r.articles(limit=10)["items"], totals=record_totals)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_form(request: Request, a: Name = "", b: Name = "", type: Annotated[str, Query(max_length=32)] = "",
                  since: Name = "", until: Name = ""):
    a, b = a.strip(), b.strip()
    if a and b:
        narrowed = {k: v.strip() for k, v in (("type", type), ("since", since), ("until", until)) if v.strip()}
        target = f"/timeline/{quote(a, safe='')}/{quote(b, safe='')}" + ("?" + urlencode(narrowed) if narrowed else "")
        return RedirectResponse(target, status_code=303)
    return render(request, "timeline.html", a=a, b=b, events=[], chart=None, asked=False, older=None, types=labels.EVENT_TYPES)


@router.get("/timeline/{a}/{b}", response_class=HTMLResponse)
def timeline(
    request: Request,
    a: Side,
    b: Side,
    type: Annotated[str, Query(max_length=32)] = "",
    before: Name = "",
    since: Name = "",
    until: Name = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    r = reader(request)
    sa, sb = sides.describe(r.store, a), sides.describe(r.store, b)
    page = {"a": a, "b": b, "sa": sa, "sb": sb, "asked": True, "types": labels.EVENT_TYPES, "since": since, "until": until}
    try:
        type = params.event_type(type) or ""
        first, last = params.day("since", since), params.day("until", until)
    except params.BadParameter as exc:
        return render(request, "timeline.html", status=422, problem=str(exc), type="", events=[], chart=None, older=None, **page)
    cursor = iso_date(before, whole=True) or (before.strip() or None)
    found = r.timeline(a, b, type=type or None, since=first, until=last, limit=limit, before=cursor)
    events = found["items"]
    # undated events are listed, not drawn; a date filter leaves them out: the page says how many
    undated_left_out = found["undated_left_out"]
    offers = [] if events else [
        {"side": s.term, **option} for s in (sa, sb) if s.kind != "country" for option in sides.suggestions(r.store, s.term)
    ]
    return render(
        request,
        "timeline.html",
        type=type,
        events=list(reversed(events)),
        chart=charts.timeline_chart(events),
        older=found["next"],
        undated_listed=sum(1 for e in events if not e.get("date")),
        undated_left_out=undated_left_out,
        suggestions=offers,
        **page,
    )


@router.get("/event/{event_id}", response_class=HTMLResponse)
def event(request: Request, event_id: Ident):
    r = reader(request)
    found = r.event(event_id)
    if found is None:
        return missing(request, "event", event_id, "Open a timeline and click an event to see its reports.")
    columns = marks.report_columns(found["reports"][:REPORTS_SIDE_BY_SIDE], lambda ident: article_text(r, ident))
    sides = sorted({p["country"] for p in found["participants"] if p.get("country")})
    with r.store.engine.connect() as conn:
        said = statements.statements(conn, found, statements.by_participant(found))
    return render(
        request, "event.html", event=found, columns=columns, more=found["reports"][REPORTS_SIDE_BY_SIDE:], sides=sides,
        said=said,
    )


def article_text(r: RecordReader, article_id: str) -> str:
    """An article's text alone (not its actors, quotes and events: a report column needs no more)."""
    with r.store.engine.connect() as conn:
        return conn.execute(select(article_rows.c.text).where(article_rows.c.id == article_id)).scalar() or ""


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: Ident):
    found = reader(request).article(article_id)
    if found is None:
        return missing(request, "article", article_id, "Pick an article from the list of articles.")
    actors = {a["id"]: a for a in found["actors"]}
    return render(
        request,
        "article.html",
        found=found,
        pieces=marks.pieces(found["article"]["text"], marks.article_marks(found)),
        actors=actors,
    )


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, offset: Offset = 0):
    return render(request, "articles.html", page=reader(request).articles(limit=50, offset=offset))


@router.get("/actor/{actor_id}", response_class=HTMLResponse)
def actor(request: Request, actor_id: Ident):
    found = reader(request).actor(actor_id)
    if found is None:
        return missing(request, "actor", actor_id, "Find actors on the actors page.")
    return render(request, "actor.html", found=found, network=charts.network_chart(found["actor"], found["contacts"]))


@router.get("/actors", response_class=HTMLResponse)
def actors(request: Request, q: Name = "", country: Annotated[str, Query(max_length=16)] = "", offset: Offset = 0):
    page = reader(request).actors(country=country.strip() or None, q=q.strip() or None, limit=100, offset=offset)
    return render(request, "actors.html", page=page, q=q, country=country)


def _schema_type(schema: dict) -> str:
    if "anyOf" in schema:
        return " or ".join(_schema_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    kind = schema.get("format") or schema.get("type") or ""
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength") if k in schema]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    """The API described for people from the app's own OpenAPI document (no script from elsewhere)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            operations.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method,
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": (op.get("requestBody") or {}).get("description", ""),
                    "parameters": [
                        {**p, "type": _schema_type(p.get("schema") or {}), "description": p.get("description")
                         or (p.get("schema") or {}).get("description", "")}
                        for p in op.get("parameters") or []
                    ],
                }
            )
    return render(request, "api_docs.html", spec=spec, operations=operations)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: Annotated[str, Query(max_length=400)] = ""):
    results = reader(request).search(q, limit=100)["items"] if q.strip() else []
    return render(request, "search.html", q=q, results=results)
