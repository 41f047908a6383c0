"""The sides of a dyad as a reader typed them ("China", "Chinese", "UKR", "Kuleba"), said back in
words: what each resolved to (a country through the knowledge base's country lookup, or the
actors a name matches) and, when a question found nothing, the codes it could have meant."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import func, select

from communique.actors.kb import fold, load_kb
from communique.query.record import country_named, side
from communique.serve import labels
from communique.store import Store
from communique.store.filters import actors_named
from communique.store.schema import actors

SUGGESTIONS = 6  # codes offered for one side that found nothing


@dataclass(frozen=True)
class SideName:
    """One side: what was typed, the country code it stands for (None for an actor side), the name
    to show, and whether the record knows it at all."""

    term: str
    code: str | None
    name: str
    kind: str  # "country", "actor" or "unknown"

    @property
    def reread(self) -> bool:
        """The typed term is not plainly the shown name or code ("Chinese" read as China)."""
        return self.kind == "country" and fold(self.term) not in (fold(self.name), fold(self.code or ""))


def describe(store: Store, term: str) -> SideName:
    """`term` as the record reads it: a country (shown by its name), an actor (shown by the actor's
    name when exactly one actor matches), or unknown (shown as typed, never upper-cased)."""
    term = (term or "").strip()
    with store.engine.connect() as conn:
        resolved = side(conn, term)
        if resolved.is_country:
            return SideName(term, resolved.country, labels.country(resolved.country), "country")
        matched = conn.execute(
            select(actors.c.name).where(actors.c.id.in_(actors_named(term))).distinct().limit(2)
        ).scalars().all()
    if len(matched) == 1:
        return SideName(term, None, matched[0], "actor")
    return SideName(term, None, term, "actor" if matched else "unknown")


def suggestions(store: Store, term: str) -> list[dict]:
    """Country codes `term` could mean, those the record holds first: the knowledge base's reading
    of the name, countries whose name contains it, the countries of actors named so."""
    term = (term or "").strip()
    if not term:
        return []
    codes: list[str] = []
    named = country_named(term)
    if named:
        codes.append(named)
    wanted = fold(term)
    names: dict[str, str] = {}  # folded name, alias or demonym -> code
    for country in load_kb().countries.values():
        for n in [country.name, *country.aliases, *country.demonyms]:
            names.setdefault(fold(n), country.code)
    if len(wanted) >= 3:
        codes += [code for n, code in names.items() if wanted in n]
    codes += [names[n] for n in difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.75)]  # misspellings
    with store.engine.connect() as conn:
        codes += conn.execute(
            select(actors.c.country)
            .where(actors.c.id.in_(actors_named(term)), actors.c.country.is_not(None))
            .group_by(actors.c.country)
            .order_by(func.count().desc())
            .limit(SUGGESTIONS)
        ).scalars().all()
        unique = list(dict.fromkeys(c.upper() for c in codes if c))
        held = set(
            conn.execute(select(actors.c.country).where(actors.c.country.in_(unique)).distinct()).scalars()
        ) if unique else set()
    ranked = sorted(unique, key=lambda c: c not in held)  # stable: the KB's reading first within each group
    return [{"code": c, "name": labels.country(c), "in_record": c in held} for c in ranked[:SUGGESTIONS]]
