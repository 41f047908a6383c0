"""The JSON API: `/api/...`, paged, described at /openapi.json. Every read goes through the
`RecordReader` on `app.state.reader`."""

from __future__ import annotations

import hmac
import logging
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from communique.serve import params
from communique.serve.errors import error_body, error_response
from communique.serve.ingest import BadArticles
from communique.serve.queries import RecordReader
from communique.store.filters import EventFilter

router = APIRouter(prefix="/api")
log = logging.getLogger("communique.serve")

MAX_LIMIT, MAX_OFFSET, MAX_NAME = 500, 1_000_000, 200  # the bounds of every page size, offset and name
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (the pages read).")]
Since = Annotated[date | None, Query(description="Earliest event date, YYYY-MM-DD.")]
Until = Annotated[date | None, Query(description="Latest event date, YYYY-MM-DD.")]
Side = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="A country code (CHN, EU) or an actor name or id.")]
Ident = Annotated[str, Path(min_length=1, max_length=MAX_NAME)]


def reader(request: Request) -> RecordReader:
    return request.app.state.reader


_NOT_FOUND = {404: {"description": "No single stored record has this id (or a unique prefix of it)"}}


def _not_found(what: str, ident: str) -> HTTPException:
    return HTTPException(404, detail=f"no single stored {what} matches {ident!r}")


@router.get("/articles", summary="Stored articles, newest first")
def list_articles(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict:
    return reader(request).articles(limit=limit, offset=offset)


@router.get("/articles/{article_id}", summary="One article: everything found in it (the extract contract)", responses=_NOT_FOUND)
def get_article(request: Request, article_id: Ident) -> dict:
    found = reader(request).article(article_id)
    if found is None:
        raise _not_found("article", article_id)
    return found


@router.get("/actors", summary="Stored actors, most widely reported first")
def list_actors(
    request: Request,
    country: Annotated[str | None, Query(max_length=16, description="ISO3 or organisation code.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="The name contains this.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    return reader(request).actors(country=country, q=q, limit=limit, offset=offset)


@router.get("/actors/{actor_id}", summary="One actor: mentions, quotes, events and contacts", responses=_NOT_FOUND)
def get_actor(request: Request, actor_id: Ident) -> dict:
    found = reader(request).actor(actor_id)
    if found is None:
        raise _not_found("actor", actor_id)
    return found


@router.get("/quotes", summary="Who said what, through whom")
def list_quotes(
    request: Request,
    speaker: Annotated[str | None, Query(max_length=200, description="The speaker's name contains this.")] = None,
    via: Annotated[str | None, Query(max_length=200, description="An intermediary's name contains this.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="The quoted text contains this.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    return reader(request).quotes(speaker=speaker, via=via, q=q, limit=limit, offset=offset)


def _dyad(value: str | None) -> tuple[str, str] | None:
    if value is None or not value.strip():
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise HTTPException(422, detail="dyad must be two sides separated by a comma, e.g. CHN,UKR")
    return parts[0], parts[1]


@router.get("/events", summary="Fused events in date order")
def list_events(
    request: Request,
    dyad: Annotated[str | None, Query(max_length=400, description="Two sides, e.g. CHN,UKR.")] = None,
    type: Annotated[str | None, Query(max_length=32, description="A PLOVER type, e.g. CONSULT.")] = None,
    since: Since = None,
    until: Until = None,
    country: Annotated[str | None, Query(max_length=16, description="A participant's country.")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="A participant's name contains this.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    where = EventFilter(actor=actor, country=country, dyad=_dyad(dyad), type=_event_type(type), since=since, until=until)
    return reader(request).events(where, limit=limit, offset=offset)


def _event_type(value: str | None) -> str | None:
    """A PLOVER type; a 422 naming the types for any other value (never a silent empty answer)."""
    try:
        return params.event_type(value)
    except params.BadParameter as exc:
        raise HTTPException(422, detail=str(exc)) from None


def _cursor(value: str | None) -> date | str | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return value.strip()


@router.get("/timeline/{a}/{b}", summary="A dyad's fused events in date order, with every report")
def get_timeline(
    request: Request,
    a: Side,
    b: Side,
    type: Annotated[str | None, Query(max_length=32)] = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="The latest N events.")] = 100,
    before: Annotated[
        str | None, Query(max_length=200, description="A date (YYYY-MM-DD) or the id of the first event of the page read.")
    ] = None,
) -> dict:
    return reader(request).timeline(a, b, type=_event_type(type), since=since, until=until, limit=limit, before=_cursor(before))


@router.get("/last-contact/{a}/{b}", summary="The last talks between two sides before a date")
def get_last_contact(
    request: Request,
    a: Side,
    b: Side,
    before: Annotated[date | None, Query(description="Only contacts strictly before this date.")] = None,
    level: Literal["any", "minister", "leader"] = "any",
) -> dict:
    found = reader(request).last_contact(a, b, before=before, level=level)
    # undated contacts cannot be placed before or after a date: how many there are, so that a dated
    # answer reads "not before" its date, and an undated one (`date` null) as a contact of unknown date
    undated = reader(request).undated_contacts(a, b, level=level) if found is not None else 0
    return {"last_contact": found, "undated_contacts": undated}


@router.get("/events/{event_id}", summary="One fused event: its reports and why they were merged", responses=_NOT_FOUND)
def get_event(request: Request, event_id: Ident) -> dict:
    found = reader(request).event(event_id)
    if found is None:
        raise _not_found("event", event_id)
    return found


@router.get("/search", summary="Full text over quotes and event evidence")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=400, description="Words that must all occur.")],
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    return reader(request).search(q, limit=limit, offset=offset)


@router.get("/check-claims/{article_id}", summary='Claims like "the first ... since March 1" checked against the record', responses=_NOT_FOUND)
def check_claims(request: Request, article_id: Ident) -> dict:
    found = reader(request).check_claims(article_id)
    if found is None:
        raise _not_found("article", article_id)
    return {"claims": found}


_POST_BODY = {
    "requestBody": {
        "required": True,
        "description": "One article object, or JSONL: one object per line (id, text or html, url, publisher, headline, published).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "text": {"type": "string"},
                        "html": {"type": "string"},
                        "url": {"type": "string"},
                        "publisher": {"type": "string"},
                        "headline": {"type": "string"},
                        "published": {"type": "string", "format": "date"},
                    },
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    },
}


@router.post(
    "/articles",
    status_code=201,
    summary="Ingest articles (only with COMMUNIQUE_API_TOKEN set and `Authorization: Bearer <token>`)",
    openapi_extra=_POST_BODY,
    responses={
        200: {"description": "Every article was already stored"},
        401: {"description": "No, empty, malformed or wrong token"},
        405: {"description": "Posting is off (no token configured)"},
        413: {"description": "Body over the size limit"},
        422: {"description": "Bad JSON, a field over its length, or an article that cannot be ingested"},
        500: {"description": "Some articles could not be stored (the server log has why)"},
        503: {"description": "Too many requests are waiting to be written: try again (Retry-After)"},
    },
)
async def post_articles(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <token>: the server's COMMUNIQUE_API_TOKEN.")] = None,
) -> JSONResponse:
    state = request.app.state
    if not state.token:
        return error_response(
            405, "posting articles is off: start the server with COMMUNIQUE_API_TOKEN set to allow it",
            type="method_not_allowed", headers={"Allow": "GET"},
        )
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), state.token.encode()):
        return error_response(
            401, "a valid `Authorization: Bearer <token>` header is needed to post articles",
            type="unauthorized", headers={"WWW-Authenticate": "Bearer"},
        )
    too_large = error_response(413, f"the body is over the limit of {state.max_body} bytes", type="too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > state.max_body:
        return too_large
    if state.ingester.queue_full():
        return error_response(503, "too many requests are waiting to be written: try again shortly",
                              type="busy", headers={"Retry-After": "5"})
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > state.max_body:
            return too_large
    try:
        # written on the ingester's own thread: waiting for it holds none of the threads readers use
        result = await state.ingester.submit(bytes(body))
    except BadArticles as exc:
        return error_response(
            422, "; ".join(exc.reasons), errors=[{"loc": ["body"], "msg": r, "type": "bad_article"} for r in exc.reasons]
        )
    payload = {"added": result.added, "already_stored": result.already_stored}
    if result.errors:
        log.error("POST /api/articles: %d not stored: %s", len(result.errors), "; ".join(result.errors))
        body = error_body(f"{len(result.errors)} article(s) could not be stored: the server log has why", type="not_stored")
        return JSONResponse({**body, **payload, "not_stored": len(result.errors)}, status_code=500)
    return JSONResponse(payload, status_code=201 if result.added else 200)
