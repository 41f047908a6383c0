"""`communique serve`: the record over HTTP. A FastAPI app with a JSON API under /api (OpenAPI at
/openapi.json, docs at /docs) and server-rendered pages for people (timelines, events with their
reports, articles, actors, search). Nothing is fetched from the internet: the pages' script, style
and charts (inline SVG) ship in this package.

Read-only unless a token is configured: POST /api/articles then ingests articles sent with
`Authorization: Bearer <token>`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from communique.config import Settings
from communique.serve.security import SecurityHeaders
from communique.store import Store

TOKEN_ENV = "COMMUNIQUE_API_TOKEN"
MAX_BODY = 5 * 1024 * 1024  # bytes in one POST /api/articles request
MAX_TARGET = 8192  # characters of a request's path and query together


def _package_dir(name: str) -> str:
    return str(resources.files("communique") / "serve" / name)


def create_app(
    store: Store,
    token: str | None = None,
    max_body: int = MAX_BODY,
    pipeline_factory: Callable | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The app over `store`. `token` (default: COMMUNIQUE_API_TOKEN) turns on POST /api/articles;
    `pipeline_factory` gives the analysis pipeline for it (default: a new `Pipeline`, loaded on the
    first POST)."""
    from communique.serve import api, contact_pages, errors, list_pages, pages
    from communique.serve.ingest import Ingester
    from communique.serve.queries import RecordReader
    from communique import __version__
    from communique.watch import metrics as watch_metrics

    app = FastAPI(
        title="communique",
        summary="A sourced record of diplomacy and conflict: articles, actors, quotes and fused PLOVER events.",
        version=__version__,
        docs_url=None,  # FastAPI's docs pages load their script from a CDN: /docs is our own page
        redoc_url=None,
    )
    app.state.reader = RecordReader(store)
    app.state.token = token if token is not None else (settings or Settings()).api_token
    app.state.max_body = max_body
    app.state.ingester = Ingester(app.state.reader, settings=settings, pipeline_factory=pipeline_factory)
    app.state.db_name = store.engine.url.render_as_string(hide_password=True)  # for the operator's console only

    @app.middleware("http")
    async def refuse_nul(request: Request, call_next):
        if len(request.url.path) + len(request.url.query) > MAX_TARGET:
            return errors.error_response(414, f"the URL is over {MAX_TARGET} characters", type="too_long")
        # no database stores NUL in text (PostgreSQL refuses it): say so instead of failing
        if "\x00" in unquote(request.url.path) or any("\x00" in k + v for k, v in request.query_params.multi_items()):
            return errors.error_response(422, "the request contains a NUL character", type="nul_character")
        return await call_next(request)

    app.add_middleware(SecurityHeaders)  # outside the NUL check: every answer carries the headers
    errors.install(app)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(contact_pages.router)  # last contact, claims checked, favicon
    app.include_router(list_pages.router)  # events and quotes with facets and downloads
    errors.install(app)  # HTML error pages off the API
    app.include_router(watch_metrics.router)  # GET /metrics: the state of `communique watch`
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    return app


__all__ = ["MAX_BODY", "TOKEN_ENV", "create_app"]
