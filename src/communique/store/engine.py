"""Engines for the two supported backends: SQLite (the default, a local file) and PostgreSQL (psycopg 3).

SQLite connections get WAL (readers never wait for the writer), foreign keys on, and explicit
transactions: pysqlite's own transaction handling begins transactions late and cannot run
SAVEPOINTs or transactional DDL properly, so it is switched off and the engine emits BEGIN itself;
a connection marked `WRITE` begins with BEGIN IMMEDIATE, taking the write lock up front so that two
concurrent ingests queue instead of failing with "database is locked" half-way.

Switching a file to WAL needs the file to itself for a moment, and SQLite answers a second process
doing the same (or holding the lock of a write in rollback-journal mode, as a brand-new file is in)
with SQLITE_BUSY at once, without calling the busy handler. So a connection first asks which mode
the file is in (WAL is recorded in the file: usually nothing is left to do), and only switches when
it must, retrying on "database is locked" until the busy timeout has passed.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE = {"communique_write": True}  # execution options of a connection that will write
SQLITE_BUSY_TIMEOUT_S = 60


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # stored JSON stays readable and searchable as text


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    return create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps)


def _sqlite_engine(url) -> Engine:
    in_memory = url.database in (None, "", ":memory:") or str(url.database).startswith("file::memory:")
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, json_serializer=_json_dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; name and text filters (ILIKE on PostgreSQL) need all of Unicode
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                _use_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe with WAL
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writing = connection.get_execution_options().get("communique_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _use_wal(cursor, timeout_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
    """Put the database file in WAL mode, waiting for another opener that holds it (see the module
    docstring) instead of failing at once."""
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if not is_sqlite_busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))  # jittered, so two openers do not retry in step
        pause = min(pause * 2, 0.25)


def is_sqlite_busy(exc: BaseException) -> bool:
    """Whether a sqlite3 error is SQLITE_BUSY / SQLITE_LOCKED ("database is locked")."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    message = str(exc).lower()
    return "database is locked" in message or "database table is locked" in message
