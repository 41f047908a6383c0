"""The actor stage: every mention of a person, government, group or outlet resolved to one actor.

`resolve_actors(annotated, kb)` returns an `ActorTable`, which the attribution and event stages
query by character span of the Doc (`actor_at`) to turn a speaker or an event argument into an
actor id.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from communique.models import Actor
from communique.nlp import AnnotatedDoc


@dataclass
class ActorTable:
    """The actors of one article, with their mentions as Doc (body) character ranges."""

    annotated: AnnotatedDoc
    actors: list[Actor] = field(default_factory=list)
    kb: object = None  # the KnowledgeBase the table was resolved with
    # (doc_start, doc_end, actor id), kept sorted by start
    _mentions: list[tuple[int, int, str]] = field(default_factory=list)
    _by_id: dict[str, Actor] = field(default_factory=dict)
    _longest: int = 0  # the longest mention, so that span queries look only at mentions that can reach
    _starts_by_id: dict[str, list[int]] = field(default_factory=dict)  # actor id -> its mentions' starts, sorted
    _journal: list | None = field(default=None, repr=False)  # while a trial is open: how to undo each change, in order

    def get(self, actor_id: str | None) -> Actor | None:
        return self._by_id.get(actor_id) if actor_id else None

    def add(self, actor: Actor) -> Actor:
        if actor.id not in self._by_id:
            self.actors.append(actor)
            self._by_id[actor.id] = actor
            if self._journal is not None:
                self._journal.append(lambda: (self.actors.pop(), self._by_id.pop(actor.id)))
        return self._by_id[actor.id]

    def add_mention(self, actor: Actor, doc_start: int, doc_end: int) -> None:
        actor = self.add(actor)
        span = self.annotated.span((doc_start, doc_end))
        at = bisect_left(actor.mentions, span)  # kept sorted, so a bisection finds a repeat
        new_span = at == len(actor.mentions) or actor.mentions[at] != span
        if new_span:
            actor.mentions.insert(at, span)
        entry = (doc_start, doc_end, actor.id)
        insort(self._mentions, entry)
        insort(self._starts_by_id.setdefault(actor.id, []), doc_start)
        longest, self._longest = self._longest, max(self._longest, doc_end - doc_start)
        if self._journal is not None:
            self._journal.append(lambda: self._unmention(actor, span if new_span else None, entry, longest))

    def _unmention(self, actor: Actor, span, entry: tuple[int, int, str], longest: int) -> None:
        """Undo one `add_mention` (the last one not yet undone)."""
        if span is not None:
            del actor.mentions[bisect_left(actor.mentions, span)]
        del self._mentions[bisect_left(self._mentions, entry)]
        starts = self._starts_by_id[actor.id]
        del starts[bisect_left(starts, entry[0])]
        if not starts:
            del self._starts_by_id[actor.id]
        self._longest = longest

    def set_country(self, actor: Actor, country: str, note: str) -> None:
        """Give an actor a country, with the note that says why (undone on leaving a trial)."""
        before = (actor.country, len(actor.notes))
        actor.country = country
        actor.notes.append(note)
        if self._journal is not None:
            self._journal.append(lambda: (setattr(actor, "country", before[0]), actor.notes.__delitem__(slice(before[1], None))))

    @contextmanager
    def trial(self) -> Iterator[None]:
        """Look without touching: inside the block actors may be added, given mentions or a country
        (`set_country`), and on leaving it the table is as it was before (a caller asks what an
        event's arguments would be before deciding to make the event). The changes are journaled
        and undone, last first, so a trial costs what it changes, not the size of the table."""
        outermost = self._journal is None
        if outermost:
            self._journal = []
        mark = len(self._journal)
        try:
            yield
        finally:
            journal = self._journal
            while len(journal) > mark:
                journal.pop()()
            if outermost:
                self._journal = None

    def _from(self, doc_start: int) -> int:
        """The index of the first mention that can end after `doc_start`: none before it starts late enough."""
        return bisect_left(self._mentions, (doc_start - self._longest,))

    def mentions_near(self, doc_start: int, doc_end: int) -> list[tuple[int, int, Actor]]:
        """In order, the mentions that start before `doc_end` and may end after `doc_start`: a subset of
        `mentions()` holding every one that overlaps or covers [doc_start, doc_end)."""
        out, mentions = [], self._mentions
        for i in range(self._from(doc_start), len(mentions)):
            start, end, actor_id = mentions[i]
            if start >= doc_end:
                break
            out.append((start, end, self._by_id[actor_id]))
        return out

    def actor_at(self, doc_start: int, doc_end: int) -> Actor | None:
        """The actor whose mention best covers the Doc character range: the largest overlap wins."""
        best, best_overlap = None, 0
        mentions = self._mentions
        for i in range(self._from(doc_start), len(mentions)):
            start, end, actor_id = mentions[i]
            if start >= doc_end:
                break
            overlap = min(end, doc_end) - max(start, doc_start)
            if overlap > best_overlap:
                best, best_overlap = actor_id, overlap
        return self._by_id.get(best) if best else None

    def mention_starts(self, actor_id: str) -> list[int]:
        """The Doc character starts of one actor's mentions, sorted (a repeated mention repeats)."""
        return self._starts_by_id.get(actor_id, [])

    def mentions_backwards(self, before: int) -> Iterator[tuple[int, int, Actor]]:
        """The mentions starting before `before`, last first (the reverse of `mentions()` order): a
        search for a recent one stops where it finds it instead of scanning the article."""
        mentions = self._mentions
        for i in range(bisect_left(mentions, (before,)) - 1, -1, -1):
            start, end, actor_id = mentions[i]
            yield start, end, self._by_id[actor_id]

    def last_before(self, before: int, test, since: int = 0) -> Actor | None:
        """The actor of the last mention (in `mentions()` order) starting in [since, before) that
        passes `test`."""
        for start, _end, actor in self.mentions_backwards(before):
            if start < since:
                break
            if test(actor):
                return actor
        return None

    def mentions(self) -> list[tuple[int, int, Actor]]:
        return [(s, e, self._by_id[a]) for s, e, a in self._mentions]

    def ad_hoc(self, name: str, doc_start: int, doc_end: int, **fields) -> Actor | None:
        """An actor for a span no resolver claimed ("sources", "a senior diplomat"): one per name and
        country (the id hashes both; pass `id=` to choose it). None for words that are not actors
        ("Instagram", "criticism", "which", a text fragment). A government of a country is the
        country's one government actor (`kb:gov-xxx`), whatever the name it was asked for."""
        from communique.actors.filters import is_non_actor
        from communique.actors.kb import is_org_code, load_kb
        from communique.actors.resolve import actor_id

        given = fields.pop("id", None)
        country = fields.get("country")
        kb = self.kb or load_kb()
        if (not given and fields.get("kind") == "government" and country and not is_org_code(country)
                and (kb.country_of(name) == country or name == kb.country_name(country))):
            given = f"kb:gov-{country.lower()}"
            existing = self.get(given)
            if existing is not None:
                self.add_mention(existing, doc_start, doc_end)
                return existing
            fields.setdefault("sector", "GOV")
            fields.setdefault("kb_id", f"gov-{country.lower()}")
        elif not given and is_non_actor(kb, name):
            return None
        actor = Actor(id=given or actor_id(name, fields.get("country")), name=name, **fields)
        actor = self.add(actor)
        self.add_mention(actor, doc_start, doc_end)
        return actor


def resolve_actors(annotated: AnnotatedDoc, kb=None, country_model=None) -> ActorTable:
    """Every actor of an article with all its mentions (names, titles, short forms, descriptions,
    pronoun subjects), resolved against the knowledge base on the article's publication date.
    `country_model`: None = the shipped actor country model, False = the rules' countries alone, or
    a ChoiceModel (cross-validation passes its fold's)."""
    from communique.actors.resolve import resolve

    table = ActorTable(annotated, kb=kb)
    return resolve(table, kb, country_model)
