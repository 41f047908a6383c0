"""Which files a list of paths, directories and globs names, each real file and directory once.

Directories are walked depth first in name order (a directory's files before its subdirectories),
hidden names skipped, links to directories followed. Globs are expanded here rather than by
`glob.glob`, which follows a link back up the tree again and again (`dir/**` through a link to `..`
never ends): a `**` enters each real directory once.

A directory or file reached a second time by another route (a link, a hard link) is skipped with a
Rejection that names where it was read first, so a link never makes a file count twice and nothing
is skipped in silence; the same path named twice (`ingest d d/a.txt`, overlapping globs) is simply
read once. An unreadable directory is a Rejection too.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from communique.models import Rejection

__all__ = ["expand_paths"]

_FileKey = tuple[int, int]  # (st_dev, st_ino)


def _key(path: str) -> _FileKey | None:
    """The identity of what `path` leads to (links followed), or None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


@dataclass
class _Seen:
    """What this expansion has handed out already: real files and directories, with the path that
    first led to each."""

    files: dict[_FileKey, str] = field(default_factory=dict)
    dirs: dict[_FileKey, str] = field(default_factory=dict)

    def first(self, table: dict[_FileKey, str], path: str, what: str) -> Iterator[str | Rejection] | None:
        """None when `path` is new (it is recorded); else what to yield instead of it: nothing when
        it is the very path seen before, a Rejection when it is another route to the same thing."""
        key = _key(path)
        if key is None:
            return None
        earlier = table.get(key)
        if earlier is None:
            table[key] = path
            return None
        if os.path.abspath(earlier) == os.path.abspath(path):  # the very same name (links not resolved)
            return iter(())
        return iter((Rejection(path, f"skipped: the same {what} as {earlier} (reached again through a link)"),))


def _file(path: str, seen: _Seen) -> Iterator[str | Rejection]:
    skipped = seen.first(seen.files, path, "file")
    if skipped is None:
        yield path
    else:
        yield from skipped


def _walk(top: str, seen: _Seen) -> Iterator[str | Rejection]:
    """Every file under `top`, depth first in name order; each real directory entered once."""
    stack = [top]
    while stack:
        directory = stack.pop()
        skipped = seen.first(seen.dirs, directory, "directory")
        if skipped is not None:
            yield from skipped
            continue
        try:
            with os.scandir(directory) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            yield Rejection(directory, f"cannot read directory ({_reason(exc)})")
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a link: a link to a directory is walked (once)
            except OSError:
                is_dir = False  # the file reader gives the reason
            if is_dir:
                subdirs.append(entry.path)
            else:
                yield from _file(entry.path, seen)
        stack.extend(reversed(subdirs))


def _split(pattern: str) -> tuple[str, list[str]]:
    """The literal directory a glob starts from, and the pattern's remaining components."""
    parts = pattern.split(os.sep)
    first_magic = next(k for k, part in enumerate(parts) if glob.has_magic(part))
    base = os.sep.join(parts[:first_magic])
    if not base and pattern.startswith(os.sep):
        base = os.sep
    return base, [p for p in parts[first_magic:] if p]


def _listdir(directory: str, skipped: list[Rejection]) -> list[os.DirEntry]:
    """A directory's entries in name order; an unreadable one matches nothing (as in `glob`) but is
    reported in `skipped`, as a plain walk reports it."""
    try:
        with os.scandir(directory or os.curdir) as it:
            return sorted(it, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        skipped.append(Rejection(directory or os.curdir, f"cannot read directory ({_reason(exc)})"))
        return []


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def glob_paths(pattern: str) -> tuple[list[str], list[Rejection]]:
    """The sorted matches of `pattern` (`*`, `?`, `[...]`, and `**` for any number of directories),
    as `glob.glob(pattern, recursive=True)` gives them but entering each real directory once per `**`;
    and a Rejection for each link a `**` did not follow because its directory was already entered,
    and for each directory it could not read."""
    base, parts = _split(pattern)
    matches: set[str] = set()
    skipped: list[Rejection] = []
    entered: set[tuple[_FileKey, int]] = set()
    stack: list[tuple[str, int]] = [(base, 0)]
    while stack:
        path, k = stack.pop()
        if k == len(parts):
            if path:
                matches.add(path)
            continue
        part = parts[k]
        if part == "**":
            key = _key(path or os.curdir)
            if key is None:
                continue
            if (key, k) in entered:
                if os.path.islink(path):
                    skipped.append(Rejection(path, "skipped: a link to a directory already searched"))
                continue
            entered.add((key, k))
            stack.append((path, k + 1))  # `**` as no directory at all
            for entry in _listdir(path, skipped):
                if not entry.name.startswith(".") and _is_dir(entry):
                    stack.append((os.path.join(path, entry.name), k))
            continue
        last = k + 1 == len(parts)
        if glob.has_magic(part):
            for entry in _listdir(path, skipped):
                if entry.name.startswith(".") and not part.startswith("."):
                    continue
                if fnmatch.fnmatchcase(entry.name, part) and (last or _is_dir(entry)):
                    stack.append((os.path.join(path, entry.name), k + 1))
        else:
            candidate = os.path.join(path, part)
            if os.path.lexists(candidate) if last else os.path.isdir(candidate):
                stack.append((candidate, k + 1))
    return sorted(matches), skipped


def expand_paths(paths: Sequence[str]) -> Iterator[str | Rejection]:
    """Files named by `paths`: files as given, directories walked, globs expanded; "-" passes
    through for stdin. A name that matches nothing, an unreadable directory and a second route to a
    file or directory already read become Rejections."""
    seen = _Seen()
    for raw in paths:
        path = os.fspath(raw) if isinstance(raw, os.PathLike) else str(raw)
        if path == "-":
            yield path
            continue
        if os.path.isdir(path):
            yield from _walk(path, seen)
            continue
        if os.path.lexists(path):
            yield from _file(path, seen)
            continue
        if glob.has_magic(path):
            matches, skipped = glob_paths(path)
            yield from skipped
            if not matches:
                yield Rejection(path, "no such file (the pattern matches nothing)")
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match, seen)
                else:
                    yield from _file(match, seen)
            continue
        yield Rejection(path, "no such file")
