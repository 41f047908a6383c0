"""Name in a lock file every extra that a locked package asks of another, so pip before 23.3 accepts it.

    python requirements/name_extras.py requirements.lock requirements-test.lock

pip-compile's `--strip-extras` writes `lxml==6.1.3`; justext asks for `lxml[html_clean]`. pip 22.3 to
23.2 (the pip a venv of Python 3.11.0-3.11.7 or 3.12.0-3.12.1 starts with) then stops in hash mode
("all requirements must have their versions pinned with ==. These do not: lxml[html_clean]>=4.4.2").
This adds, for each such pair, an entry `lxml[html_clean]==6.1.3` with lxml's own hashes, beside the
plain one. It reads what each locked package requires from the installed metadata, so run it in an
environment where the lock is installed (`pip install -r requirements-test.lock`). Running it again
changes nothing.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[(?P<extras>[^\]]*)\])?==(?P<version>\S+) \\\n(?P<hashes>(?:    --hash=\S+(?: \\)?\n)+)", re.M)


def locked(text: str) -> dict[str, tuple[str, str, str]]:
    """Plain entries: canonical name -> (name as written, version, hash lines)."""
    out = {}
    for m in ENTRY.finditer(text):
        if not m.group("extras"):
            out[canonicalize_name(m.group("name"))] = (m.group("name"), m.group("version"), m.group("hashes"))
    return out


def requested_extras(names: set[str]) -> dict[str, set[str]]:
    """Extras that the locked packages (and the extras so requested, in turn) ask of locked packages."""
    wanted: dict[str, set[str]] = {}
    todo = [(name, "") for name in sorted(names)]
    seen: set[tuple[str, str]] = set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            env = {**default_environment(), "extra": extra}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            dep = canonicalize_name(req.name)
            if dep not in names:
                continue
            for asked in req.extras:
                if asked not in wanted.setdefault(dep, set()):
                    wanted[dep].add(asked)
                    todo.append((dep, asked))
    return {k: v for k, v in wanted.items() if v}


def name_extras(path: str) -> int:
    text = open(path, encoding="utf-8").read()
    plain = locked(text)
    added = 0
    for dep, extras in sorted(requested_extras(set(plain)).items()):
        name, version, hashes = plain[dep]
        for extra in sorted(extras):
            head = f"{name}[{extra}]=={version} \\\n"
            if head in text:
                continue
            entry = head + hashes.rstrip(" \\\n") + "\n    # the extra named for pip < 23.3 (requirements/name_extras.py)\n"
            # right after the plain entry and its "# via" lines
            start = text.index(f"{name}=={version} \\\n")
            after = ENTRY.search(text, start + 1)
            nxt = after.start() if after else len(text)
            text = text[:nxt] + entry + text[nxt:]
            added += 1
    open(path, "w", encoding="utf-8").write(text)
    return added


def main(paths: list[str]) -> int:
    for path in paths:
        print(f"{path}: {name_extras(path)} extra entries added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.lock", "requirements-test.lock"]))
