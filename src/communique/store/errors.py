"""Why a store could not be opened, in words a person can act on.

`Store.open` turns whatever the driver, Alembic or the file system raised into a `StoreOpenError`
whose message names the database and says what to do; the command line prints it as one line.
"""

from __future__ import annotations

from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


class StoreOpenError(RuntimeError):
    """The database named by `target` (as the user gave it, password hidden) cannot be used.

    `problem` completes the sentence "<target> ..."; `exit_code` is 2 when the name itself is wrong
    (not a database, a directory) and 1 when the database is right but unreachable or broken.
    """

    def __init__(self, target: str, problem: str, usage: bool = False):
        self.target = target
        self.problem = problem
        self.exit_code = 2 if usage else 1
        super().__init__(f"{target} {problem}")


class DiskFull(RuntimeError):
    """The database's disk (or its quota) is full: no later item can be stored either."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether a write failed for want of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full
    (SQLSTATE 53100), or the file system's ENOSPC / EDQUOT."""
    import errno

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if (getattr(exc, "sqlstate", None) or "") == "53100":
            return True
        message = str(exc).lower()
        if "database or disk is full" in message or "no space left on device" in message:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


def display_name(value: str) -> str:
    """The database as the user named it, with any password hidden."""
    if "://" not in value:
        return value
    try:
        from sqlalchemy.engine import make_url

        return make_url(value).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001  (not a URL SQLAlchemy can parse: show it as given)
        return value


def check_sqlite_path(target: str, path: Path) -> None:
    """Refuse, before connecting, a path that is a directory or a file that is not SQLite."""
    if path.is_dir():
        raise StoreOpenError(
            target, f"is a directory: name a database file, e.g. {path / 'communique.db'}", usage=True
        )
    if path.exists() and not path.is_file():
        raise StoreOpenError(target, "is not a regular file: name a database file", usage=True)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return  # created on first use
    except OSError as exc:
        raise StoreOpenError(target, f"cannot be read ({exc.strerror}): check its permissions") from exc
    if head and head != SQLITE_MAGIC:
        raise StoreOpenError(target, "is not a SQLite database or PostgreSQL URL", usage=True)


def check_backend(target: str, backend: str) -> None:
    if backend not in ("sqlite", "postgresql"):
        raise StoreOpenError(target, "is not a SQLite database or PostgreSQL URL", usage=True)


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0][:200] if lines else exc.__class__.__name__


def describe(target: str, backend: str | None, exc: BaseException) -> StoreOpenError:
    """A StoreOpenError for what went wrong while connecting to or migrating the database."""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    message = str(getattr(exc, "orig", None) or exc)
    lower = message.lower()
    if isinstance(exc, (NoSuchModuleError, ArgumentError)):
        return StoreOpenError(target, "is not a SQLite database or PostgreSQL URL", usage=True)
    if isinstance(exc, CommandError) and "can't locate revision" in lower:
        return StoreOpenError(
            target, "holds a schema newer than this communique knows: upgrade communique, or use another --db"
        )
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return StoreOpenError(target, f"cannot be created: {exc.filename or 'a part of its path'} is a file, not a folder")
    if isinstance(exc, OSError) and not hasattr(exc, "orig"):
        where = f" ({exc.filename})" if exc.filename else ""
        return StoreOpenError(target, f"cannot be created: {exc.strerror or exc}{where}: choose a writable place")
    if backend == "sqlite":
        if "file is not a database" in lower:
            return StoreOpenError(target, "is not a SQLite database or PostgreSQL URL", usage=True)
        if "unable to open database file" in lower:
            return StoreOpenError(target, "cannot be opened: check that its folder exists and is writable")
        if "readonly database" in lower or "read-only" in lower:
            return StoreOpenError(target, "is read-only: check the permissions of the file and of its folder")
        if "database is locked" in lower:
            return StoreOpenError(target, "is locked by another process: try again when it has finished")
        if "malformed" in lower or "disk i/o error" in lower:
            return StoreOpenError(target, f"is damaged ({_first_line(exc)}): restore it from a backup")
    if backend == "postgresql":
        if "does not exist" in lower and "database" in lower:
            return StoreOpenError(target, "names a PostgreSQL database that does not exist: create it (createdb NAME) or fix the URL")
        if "password authentication failed" in lower or ("role" in lower and "does not exist" in lower):
            return StoreOpenError(target, "refused the login: check the user and password in the URL")
        if "connection refused" in lower or "could not connect" in lower or "timeout" in lower or "timed out" in lower:
            return StoreOpenError(target, "cannot be reached: is the PostgreSQL server running at that host and port?")
        if "could not translate host name" in lower or "name or service not known" in lower:
            return StoreOpenError(target, "names a host that cannot be found: check the URL")
    return StoreOpenError(target, f"cannot be opened: {_first_line(exc)}")
