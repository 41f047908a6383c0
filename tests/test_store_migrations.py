"""The Alembic migrations build exactly the schema that communique.store.schema describes, on both
backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from communique.store import Store
from communique.store.schema import include_in_comparison, metadata

pytest_plugins = ["store_db"]  # the `store_url` fixture, on each backend


def test_migrated_database_matches_the_metadata(store_url):
    with Store(store_url) as store:
        assert store.revision() is None
        store.migrate()
        with store.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_object": include_in_comparison,  # full-text search differs by backend
                },
            )
            diffs = compare_metadata(context, metadata)
        assert diffs == []
        tables = {t for t in inspect(store.engine).get_table_names() if not t.startswith("search_fts")}
        assert tables == set(metadata.tables) | {"alembic_version"}


def test_downgrade_removes_everything_and_upgrade_restores_it(store_url):
    from alembic import command

    with Store(store_url) as store:
        store.migrate()
        config = store.alembic_config()
        command.downgrade(config, "base")
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
        assert store.revision() is None
        store.migrate()
        assert store.revision() == store.head()
        assert set(metadata.tables) <= set(inspect(store.engine).get_table_names())


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.migrate()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_url_from_the_settings_opens_a_migrated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNIQUE_DB", str(tmp_path / "nested" / "x.db"))
    with Store.open() as store:
        assert store.revision() == store.head()
        assert store.count()["articles"] == 0


def test_a_plain_postgresql_url_uses_psycopg_3():
    from communique.store.engine import make_engine

    engine = make_engine("postgresql://someone@127.0.0.1:1/nowhere")  # nothing connects yet
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_the_schema_head_constant_is_the_newest_migration(tmp_path):
    """`Store.open` skips Alembic when a database is at SCHEMA_HEAD: it must be the real head."""
    from alembic.script import ScriptDirectory

    from communique.store.core import SCHEMA_HEAD

    with Store(f"sqlite:///{tmp_path / 'h.db'}") as store:
        assert ScriptDirectory.from_config(store.alembic_config()).get_current_head() == SCHEMA_HEAD
