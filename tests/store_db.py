"""Database fixtures for the store tests, loaded with `pytest_plugins = ["store_db"]`.

Every store test runs on SQLite and on PostgreSQL. PostgreSQL needs COMMUNIQUE_TEST_PG, a URL such
as postgresql://postgres@127.0.0.1:5432/postgres on which the user may CREATE DATABASE: one
database is created per test session and dropped at its end, and each test starts from an empty
schema in it. Without the variable the PostgreSQL half is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_ENV = "COMMUNIQUE_TEST_PG"
BACKENDS = ["sqlite", "postgresql"]


def _psycopg_url(url: str) -> str:
    """A libpq URL for psycopg.connect (no SQLAlchemy driver suffix)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A SQLAlchemy URL of a database created for this test session (dropped afterwards)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL tests skipped")
    import psycopg

    from communique.config import db_url

    name = f"communique_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_psycopg_url(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(db_url(base), name)
    finally:
        with psycopg.connect(_psycopg_url(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_pg_state = {"migrated": False}  # whether the session database holds the migrated schema


def _pg_execute(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_url(url.replace("+psycopg", "")), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _empty_pg_schema(url: str) -> None:
    _pg_execute(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    _pg_state["migrated"] = False


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_url(backend, request, tmp_path) -> str:
    """An empty database on each backend in turn (nothing migrated yet)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'communique.db'}"
    url = request.getfixturevalue("pg_database_url")
    _empty_pg_schema(url)
    return url


@pytest.fixture
def store(backend, request, tmp_path):
    """A migrated, empty store on each backend in turn. On PostgreSQL the schema is migrated once
    per session and emptied (TRUNCATE) between tests, which is much faster than rebuilding it."""
    from communique.store import Store
    from communique.store.schema import metadata

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'communique.db'}"
    else:
        url = request.getfixturevalue("pg_database_url")
        if _pg_state["migrated"]:
            tables = ", ".join(f'"{name}"' for name in metadata.tables)
            _pg_execute(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            _empty_pg_schema(url)
    s = Store(url)
    s.migrate()
    _pg_state["migrated"] = backend != "sqlite" or _pg_state["migrated"]
    yield s
    s.close()
