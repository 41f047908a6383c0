"""Who an event report is about, as fusion compares it: global actors, or names the extractor could
not resolve, with the country each stands for."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from sqlalchemy import Connection, select

from communique.datafile import load_yaml
from communique.store import identity
from communique.store.schema import actors

COUNTRY_LEVEL_KINDS = ("government", "group", "organisation")
LEVEL_MINISTER, LEVEL_LEADER = 1, 2


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Normalised country names, aliases and demonyms -> ISO code (data/kb/countries.csv)."""
    out: dict[str, str] = {}
    path = resources.files("communique") / "data" / "kb" / "countries.csv"
    try:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = (row.get("code") or "").strip().upper()
                if not code:
                    continue
                names = [row.get("name") or ""] + (row.get("aliases") or "").split("|")
                for name in names:
                    if name.strip():
                        out.setdefault(identity.normalise_name(name), code)
    except (OSError, csv.Error):
        return {}
    return out


@lru_cache(maxsize=1)
def _levels() -> dict[str, list[re.Pattern]]:
    try:
        raw = load_yaml((resources.files("communique") / "data" / "record" / "levels.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        raw = {}
    return {
        key: [re.compile(rf"\b{re.escape(p.lower())}\b") for p in (raw or {}).get(key) or []]
        for key in ("minister", "leader", "not_leader")
    }


def role_level(role: str | None) -> int:
    """The rank bits of a role: LEVEL_MINISTER, LEVEL_LEADER, both or neither."""
    if not role:
        return 0
    role = role.lower()
    levels = _levels()
    bits = LEVEL_MINISTER if any(p.search(role) for p in levels["minister"]) else 0
    if any(p.search(role) for p in levels["leader"]) and not any(p.search(role) for p in levels["not_leader"]):
        bits |= LEVEL_LEADER
    return bits


@dataclass(frozen=True)
class Participant:
    """One side of an event as fusion compares it."""

    actor_id: str | None  # None for a name the extractor could not resolve
    name: str
    country: str | None
    country_level: bool  # a government, state or group standing for its whole country
    level: int = 0
    role: str = "actor"

    @property
    def key(self) -> str:
        return self.actor_id or "name:" + identity.normalise_name(self.name)

    def matches(self, other: Participant) -> bool:
        if self.key == other.key:
            return True
        return bool(self.country) and self.country == other.country and (self.country_level or other.country_level)


def chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def known_actors(conn: Connection, refs: Iterable[str]) -> dict[str, object]:
    """The stored actor rows among these refs (the others are unresolved names)."""
    known: dict[str, object] = {}
    for chunk in chunks(sorted({ref for ref in refs if ref})):
        for row in conn.execute(
            select(actors.c.id, actors.c.name, actors.c.country, actors.c.kind, actors.c.role).where(
                actors.c.id.in_(chunk)
            )
        ):
            known[row.id] = row
    return known


def build_participants(refs: list[tuple[str, str]], known: dict[str, object]) -> list[Participant]:
    """Participants for (role, ref) pairs given the actor rows `known_actors` found; one per key."""
    out: list[Participant] = []
    seen: set[str] = set()
    for role, ref in refs:
        if not ref or not isinstance(ref, str):
            continue
        row = known.get(ref)
        if row is not None:
            p = Participant(
                actor_id=row.id,
                name=row.name,
                country=row.country,
                country_level=row.kind in COUNTRY_LEVEL_KINDS,
                level=role_level(row.role),
                role=role,
            )
        else:
            code = country_names().get(identity.normalise_name(ref))
            p = Participant(actor_id=None, name=ref, country=code, country_level=code is not None, role=role)
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


def participants_for(conn: Connection, refs: list[tuple[str, str]]) -> list[Participant]:
    """Participants for (role, ref) pairs, ref a global actor id or an unresolved name."""
    return build_participants(refs, known_actors(conn, [ref for _, ref in refs if isinstance(ref, str)]))


def overlap(new: list[Participant], old: list[Participant]) -> list[tuple[Participant, Participant]] | None:
    """The matched pairs when one side's participants are all matched by the other's; else None."""
    pairs = [(p, next(q for q in old if p.matches(q))) for p in new if any(p.matches(q) for q in old)]
    if not pairs:
        return None
    covered_old = all(any(q.matches(p) for p in new) for q in old)
    if len(pairs) == len(new) or covered_old:
        return pairs
    return None


def share_one(a: list[Participant], b: list[Participant]) -> bool:
    """Whether any participant of one side matches one of the other."""
    return any(p.matches(q) for p in a for q in b)
