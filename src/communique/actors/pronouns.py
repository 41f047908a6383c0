"""Pronoun subjects: "he"/"she" to the most recent compatible person (a subject first), "they" to a
group or government, "it" (subject of a speech verb) to an organisation. A mixin of the Resolver.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Token

from communique.actors.kb import fold
from communique.actors.records import Mention
from communique.models import Actor

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
_PRONOUNS = {"he": "m", "she": "f", "they": "pl", "it": "it"}


class PronounsMixin:
    """The pronouns pass."""

    def pronouns(self) -> None:
        self.mentions.sort(key=lambda m: m.start)
        has_sents = self.doc.has_annotation("SENT_START")
        self.sent_starts = [s.start for s in self.doc.sents] if has_sents else []
        for tok in self.doc:
            kind = _PRONOUNS.get(tok.lower_)
            if kind is None or tok.dep_ not in SUBJECT_DEPS:
                continue
            if kind == "it" and fold(tok.head.lemma_) not in self.speech_verbs:
                continue
            actor = self._antecedent(tok, kind)
            if actor is None:
                continue
            self.table.add_mention(actor, tok.idx, tok.idx + len(tok.text))
            mention = Mention(tok.idx, tok.idx + len(tok.text), actor, True, tok.sent.start)
            # keep the list ordered: later pronouns see this one
            self.mentions.insert(bisect_right(self.mentions, tok.idx, key=lambda m: m.start), mention)

    def _compatible(self, actor: Actor, kind: str) -> bool:
        if kind in {"m", "f"}:
            if actor.kind != "person":
                return False
            known = self.gender.get(actor.id)
            return known is None or known == kind
        if kind == "pl":
            return actor.kind in {"group", "government"} or (actor.kind == "organisation" and False)
        return actor.kind in {"organisation", "government", "outlet"}

    def _antecedent(self, tok: Token, kind: str) -> Actor | None:
        sent_starts = self.sent_starts  # set by `pronouns`, which keeps `mentions` sorted by start
        here = tok.sent.start
        k = bisect_left(sent_starts, here)
        if k == len(sent_starts) or sent_starts[k] != here:
            k = 0
        window_start = sent_starts[max(0, k - 3)] if sent_starts else 0
        # a mention in a sentence at or after the window's first starts at or after that sentence
        lo = bisect_left(self.mentions, self.doc[window_start].idx, key=lambda m: m.start)
        hi = bisect_left(self.mentions, tok.idx, key=lambda m: m.start)
        earlier = [m for m in self.mentions[lo:hi] if m.sent >= window_start and self._compatible(m.actor, kind)]
        if not earlier:
            return None
        same = [m for m in earlier if m.sent == here]
        for pool in (same, earlier):
            subjects = [m for m in pool if m.subject]
            if subjects:
                return subjects[-1].actor
        return earlier[-1].actor
