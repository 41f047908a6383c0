"""`communique serve`: the record over HTTP (the API and the web pages of communique.serve)."""

from __future__ import annotations

from typing import Optional

import typer

from communique.cli.app import DbOption, app, console, fail, notice


def open_for_serving(db: Optional[str]):
    """The store, as it is: serving never creates a database or changes its schema."""
    from communique.cli.doctor import sqlite_path
    from communique.config import db_value
    from communique.store import Store

    value = db_value(db)
    path = sqlite_path(value)
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


class _Refused(OSError):
    """A port that cannot be listened on, said in a line."""


def listening_socket(host: str, port: int):
    """A socket listening on host:port, bound here (not by the server later) so that a busy port is
    said before anything claims to be serving."""
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise _Refused(errno.EADDRNOTAVAIL, f"cannot listen on {host}: not an address of this machine ({exc.strerror})")
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart right after a stop may rebind
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise _Refused(exc.errno, f"port {port} on {host} is busy: another server listens there; "
                                      "stop it, or give another --port") from None
        if exc.errno == errno.EACCES:
            raise _Refused(exc.errno, f"port {port} on {host} needs privileges: give a --port above 1023") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise _Refused(exc.errno, f"cannot listen on {host}: not an address of this machine") from None
        raise
    sock.set_inheritable(True)
    return sock


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
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        store.close()
        fail(exc.strerror if isinstance(exc, _Refused) else f"cannot listen on {host}:{port} ({exc.strerror or exc})", code=1)
    application = create_app(store)
    shown = f"[{host}]" if ":" in host else host
    mode = f"POST /api/articles open to holders of {TOKEN_ENV}" if application.state.token else "read-only"
    console.print(f"serving {application.state.db_name} at http://{shown}:{port}/ ({mode}); Ctrl-C stops", soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        notice("note:", f"listening on {host}: other machines can read this record")
    try:
        uvicorn.Server(uvicorn.Config(application, log_level="warning")).run(sockets=[sock])
    finally:
        sock.close()
        store.close()
