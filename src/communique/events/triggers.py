"""Event triggers: the dictionary words of a sentence that name an event, as candidates.

A candidate is an event in the making, tied to its trigger token; the other modules of the stage fill
in its roles (`roles`), date (`dating`), mode, place and provenance (`details`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from communique.events.lexicon import Lexicon, TriggerEntry, label_complement


@dataclass
class Candidate:
    """An event in the making, tied to its trigger token."""

    token: Token
    sent: Span
    type: str
    entry: TriggerEntry | None = None
    mode: str | None = None
    actors: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    status: str = "occurred"
    governor: Token | None = None
    folded: bool = False
    depth: int = 0
    date: str | None = None
    date_precision: str = "unknown"
    date_token_span: tuple[int, int] | None = None
    # where the date came from: "clause" (the trigger's own clause), "sentence", "narrative" (a sentence
    # before), "publication" (only when it was reported); None when undated
    date_source: str | None = None
    location: str | None = None
    location_span: tuple[int, int] | None = None
    reported_by: list[str] = field(default_factory=list)
    refers_to_past: bool = False
    source: str = "dictionary"  # "dictionary" | "classifier"
    score: float = 0.0
    main: bool = False
    suppressed: bool = False

    @property
    def participants(self) -> list[str]:
        return self.actors + [r for r in self.recipients if r not in self.actors]


def depth(token: Token) -> int:
    """The token's distance from its sentence root."""
    d, node = 0, token
    while node.head.i != node.i and d < 20:
        node, d = node.head, d + 1
    return d


def find_triggers(sent: Span, lex: Lexicon) -> list[Candidate]:
    """One candidate per token of the sentence the trigger dictionary matches."""
    out: list[Candidate] = []
    for token in sent:
        entry = lex.match(token)
        if entry is not None:
            spoken = _spoken_type(entry, token, lex)
            cand = Candidate(token=token, sent=sent, type=spoken or entry.type, entry=entry, depth=depth(token))
            # "will call it a mosque": a label that neither condemns nor praises is no event at all
            cand.suppressed = spoken is None
            out.append(cand)
    return out


def _spoken_type(entry: TriggerEntry, token: Token, lex: Lexicon) -> str | None:
    """A labelling verb is typed by what it calls its object: condemnation is the entry's type
    (ACCUSE: "called the raid an act of aggression"), praise is SUPPORT ("called him a hero"), and
    a plain name ("will call it a mosque") is None: no event."""
    if entry.frame != "label":
        return entry.type
    complement = label_complement(token)
    words = {t.lemma_.lower() for t in complement.subtree} | {t.lower_ for t in complement.subtree} if complement is not None else set()
    if words & lex.condemnation_words:
        return entry.type
    if words & lex.praise_words:
        return "SUPPORT"
    return None
