"""Whether an event is said to have happened: occurred / denied / planned / requested / hypothetical.

Read off the dependency parse around the trigger: negation and auxiliaries on the trigger (or, for a
noun trigger, on the verb that carries it), then the verbs and nouns that govern it up to the root
("denied X was helping", "urged X to attack", "plans to visit", "if X attacks").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from communique.events.lexicon import Lexicon

# Dependencies through which a governor's meaning reaches an embedded event.
_EMBEDDING_DEPS = {"xcomp", "ccomp", "advcl", "acl", "relcl", "pcomp", "oprd"}
_NOUN_CARRIER_DEPS = {"dobj", "pobj", "attr", "nsubj", "nsubjpass", "appos", "conj", "compound"}


@dataclass(frozen=True)
class Factuality:
    status: str  # occurred | denied | planned | requested | hypothetical
    governor: Token | None = None  # the word that made it so, when one did


def _clause_marks(token: Token, lex: Lexicon) -> str | None:
    """Status from the token's own negation, auxiliaries and conditional markers."""
    f = lex.factuality
    for child in token.children:
        word = child.lower_
        if child.dep_ == "neg" or (child.dep_ in ("advmod", "preconj", "det") and word in f.get("negations", ())):
            return "denied"
        # "Neither the EU nor the US would endorse it": the negation sits on the subject
        if child.dep_ in ("nsubj", "nsubjpass") and child.left_edge.lower_ == "neither":
            return "denied"
    for child in token.children:
        word = child.lower_
        if child.dep_ in ("aux", "auxpass"):
            if word in f.get("future_auxiliaries", ()):
                return "planned"
            if word in f.get("hypothetical_auxiliaries", ()):
                return "hypothetical"
        if child.dep_ == "mark" and word in f.get("conditional_markers", ()):
            return "hypothetical"
    # "going to meet": the aux chain sits on "going"
    head = token.head
    if token.dep_ == "xcomp" and head.lemma_ == "go" and any(c.dep_ == "aux" for c in head.children):
        return "planned"
    return None


def assess(trigger: Token, lex: Lexicon) -> Factuality:
    """The factuality of the event the trigger names."""
    f = lex.factuality
    carrier = trigger
    # A noun event is asserted by the verb that carries it ("did not hold talks", "will hold talks").
    while carrier.pos_ in ("NOUN", "PROPN") and carrier.dep_ in _NOUN_CARRIER_DEPS and carrier.head.i != carrier.i:
        carrier = carrier.head
        if carrier.pos_ in ("VERB", "AUX"):
            break
    own = _clause_marks(trigger, lex)
    if own is None and carrier is not trigger and carrier.pos_ in ("VERB", "AUX"):
        own = _clause_marks(carrier, lex)
    if own == "denied":
        return Factuality("denied")

    # Walk up the governors of the clause.
    node = carrier if carrier.pos_ in ("VERB", "AUX") else trigger
    steps = 0
    while node.dep_ != "ROOT" and node.head.i != node.i and steps < 8:
        steps += 1
        dep, governor = node.dep_, node.head
        if dep in ("conj",):
            node = governor
            continue
        if dep not in _EMBEDDING_DEPS and not (dep in ("pobj", "prep") and governor.pos_ in ("ADP", "SCONJ")):
            break
        if governor.pos_ in ("ADP", "SCONJ"):
            node = governor
            continue
        lemma = governor.lemma_.lower()
        if dep == "advcl" and any(c.dep_ == "mark" and c.lower_ in f.get("conditional_markers", ()) for c in node.children):
            return Factuality("hypothetical", governor)
        if lemma in f.get("denied_governors", ()):
            return Factuality("denied", governor)
        if lemma in f.get("requested_governors", ()):
            return Factuality("requested", governor)
        if lemma in f.get("planned_governors", ()):
            return Factuality("planned", governor)
        if lemma in f.get("neutral_governors", ()):
            node = governor
            continue
        # the trigger hangs off a noun of urging: "pressure on X to denounce", "calls for X to quit"
        if governor.pos_ == "NOUN" and lemma in f.get("requested_governors", ()):
            return Factuality("requested", governor)
        node = governor
    # "pressure mounted on X to denounce": the urging noun is the subject of the verb the clause hangs on
    if trigger.dep_ in ("advcl", "xcomp") and trigger.pos_ == "VERB":
        for sibling in trigger.head.children:
            if sibling.dep_ in ("nsubj", "nsubjpass") and sibling.lemma_.lower() in f.get("requested_governors", ()):
                return Factuality("requested", sibling)
    if own:
        return Factuality(own)
    return Factuality("occurred")
