"""Alembic environment, run programmatically by `communique.store.Store.migrate()`.

There is no alembic.ini: the Store builds the `Config`, points `script_location` here and passes
its open connection in `config.attributes["connection"]` (so SQLite pragmas and transaction
handling are the Store's). Run standalone (`alembic -x url=... upgrade head` with a Config built the
same way), it connects to `sqlalchemy.url` itself.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from communique.store.schema import include_in_comparison, metadata

config = context.config


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table for later revisions
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_in_comparison,  # full-text search objects are per backend, not in metadata
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
