"""Small records the resolver passes between its passes: what a title says about an actor, one
mention with its sentence, and the id of an actor the knowledge base does not know."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from communique.actors.kb import RoleEntry
from communique.models import Actor, content_id


def actor_id(name: str, country: str | None = None) -> str:
    """A deterministic id for an actor the KB does not know: a hash of its normalised name and country."""
    return content_id(f"{name}|{country}" if country else name, "a-")


@dataclass
class Descriptor:
    """What a title or description says about an actor."""

    role: str | None = None
    entry: RoleEntry | None = None
    country: str | None = None
    former: bool = False
    deputy: bool = False
    counterpart: bool = False
    gender: str | None = None
    tokens: list[Token] = field(default_factory=list)

    def merge(self, other: "Descriptor") -> None:
        for name in ("role", "entry", "country", "gender"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        self.former |= other.former
        self.deputy |= other.deputy
        self.counterpart |= other.counterpart


@dataclass
class Mention:
    start: int  # Doc char offsets
    end: int
    actor: Actor
    subject: bool
    sent: int
