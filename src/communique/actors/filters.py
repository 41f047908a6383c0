"""Names that are not actors: platforms, time zones, abstract nouns, pronouns and text fragments.

The word lists are data (`communique/data/kb/non_actors.yaml`, loaded into the knowledge base's
lexicon); `is_non_actor` is asked by every path that makes an actor from a span of text: spaCy
entities, descriptions, and the ad hoc actors other stages create for speakers and arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from communique.actors.kb import KnowledgeBase, fold

_LEADING = {"the", "a", "an", "no", "his", "her", "its", "their", "our", "my", "your", "this", "that",
            "these", "those", "some", "any", "every", "each"}
_OPENERS = set("-[]()/\\,.;:'\u2019")


@dataclass(frozen=True)
class NonActorLists:
    names: frozenset[str]
    heads: frozenset[str]
    words: frozenset[str]


# the folded lists of each knowledge base, kept here rather than as a private attribute on the KB
_LISTS: WeakKeyDictionary[KnowledgeBase, NonActorLists] = WeakKeyDictionary()


def _lists(kb: KnowledgeBase) -> NonActorLists:
    cached = _LISTS.get(kb)
    if cached is None:
        lex = kb.lexicon
        cached = NonActorLists(
            names=frozenset(fold(str(w)) for w in lex.get("non_actor_names") or []),
            heads=frozenset(fold(str(w)) for w in lex.get("non_actor_heads") or []),
            words=frozenset(fold(str(w)) for w in lex.get("non_actor_words") or []),
        )
        _LISTS[kb] = cached
    return cached


def is_fragment(name: str) -> bool:
    """A piece of text cut at the wrong place: unbalanced brackets, a leading hyphen or bracket, no
    letters, or a single letter."""
    text = name.strip().strip("\"\u201c\u201d")
    if sum(c.isalpha() for c in text) < 2:
        return True
    if text[0] in _OPENERS:
        return True
    return text.count("[") != text.count("]") or text.count("(") != text.count(")")


def is_non_actor(kb: KnowledgeBase, name: str, head: str | None = None) -> bool:
    """True when a name (or a description with that head word) never stands for an actor."""
    if not name or is_fragment(name):
        return True
    lists = _lists(kb)
    words = fold(name).strip("\"\u201c\u201d ").split()
    while len(words) > 1 and words[0] in _LEADING:
        words = words[1:]
    key = " ".join(words)
    if key in lists.names or key in lists.words:
        return True
    last = fold(head) if head else (words[-1] if words else "")
    return last in lists.heads
