"""`communique serve`: the record over HTTP (the API and the web pages of communique.serve)."""

from __future__ import annotations

from typing import Optional

import typer

from communique.cli.app import DbOption, app, console, fail, notice


def open_for_serving(db: Optional[str]):
    """The store, as it is: serving never creates a database or changes its schema."""
    from communique.cli.doctor import _sqlite_path
    from communique.config import db_value
    from communique.store import Store

    value = db_value(db)
    path = _sqlite_path(value)
    if path is not None and not path.exists():
        fail(f"no record at {value}: run `communique demo` or `communique ingest FILES` with this --db first", code=1)
    store = Store.open(value, migrate=False)
    current, head = store.revision(), store.head()
    if current is None:
        store.close()
        fail(f"{value} holds no communique record: run `communique demo` or `communique ingest FILES` on it first", code=1)
    if current != head:
        store.close()
        fail(
            f"{value} is at schema revision {current}, not {head}: run `communique articles --db ...` once to upgrade it",
            code=1,
        )
    return store


@app.command()
def serve(
    db: Optional[str] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the record over HTTP: web pages at /, a JSON API under /api (docs at /docs).

    Read-only, unless COMMUNIQUE_API_TOKEN is set: POST /api/articles then ingests articles sent
    with `Authorization: Bearer <token>`."""
    import uvicorn

    from communique.serve import TOKEN_ENV, create_app

    store = open_for_serving(db)
    application = create_app(store)
    shown = f"[{host}]" if ":" in host else host
    mode = f"POST /api/articles open to holders of {TOKEN_ENV}" if application.state.token else "read-only"
    console.print(f"serving {application.state.db_name} at http://{shown}:{port}/ ({mode}); Ctrl-C stops", soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        notice("note:", f"listening on {host}: other machines can read this record")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        store.close()
