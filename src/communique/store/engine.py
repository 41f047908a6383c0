"""Engines for the two supported backends: SQLite (the default, a local file) and PostgreSQL (psycopg 3).

SQLite connections get WAL (readers never wait for the writer), foreign keys on, and explicit
transactions: pysqlite's own transaction handling begins transactions late and cannot run
SAVEPOINTs or transactional DDL properly, so it is switched off and the engine emits BEGIN itself;
a connection marked `WRITE` begins with BEGIN IMMEDIATE, taking the write lock up front so that two
concurrent ingests queue instead of failing with "database is locked" half-way.
"""

from __future__ import annotations

import json

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
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe with WAL
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writing = connection.get_execution_options().get("communique_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine
