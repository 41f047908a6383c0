"""Pronoun sources of quotes: "he" / "she", "they", "we" inside a quotation, relative pronouns.

A mixin of `SpeakerResolver` (actors/speaker.py): the rules for what a pronoun source means, kept
apart from the rules for names and descriptions. It uses the resolver's actor table, word lists,
sentence index and recency helpers.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Token

from communique.models import Actor

PERSONAL = {"he": "m", "him": "m", "she": "f", "her": "f"}


class PronounSources:
    """How `SpeakerResolver` resolves a pronoun head (see actors/speaker.py's module doc)."""


    def _pronoun(self, head: Token) -> Actor | None:
        low = head.lower_
        at = head.idx
        if low in self.words.inside_quote_pronouns:
            inside = [a for s, e, a in self.quotations if s <= at < e]
            return inside[-1] if inside else None
        found = self.actors.actor_at(head.idx, head.idx + len(head.text))
        if low in PERSONAL:
            gender = PERSONAL[low]
            main = self._main_subject_person(head, gender)
            if main is not None:
                self.actors.add_mention(main, head.idx, head.idx + len(head.text))
                return main
            if found is not None and found.kind == "person":
                return found
            # the last earlier speaker who fits, searched backwards
            actor = next((a for s, a in reversed(self.speakers) if s < at and a.kind in ("person", "other")
                          and self._gender_ok(a, gender)), None)
            if actor is None:
                actor = self._recent(at, lambda a: a.kind == "person" and self._gender_ok(a, gender))
            if actor is not None:
                self.actors.add_mention(actor, head.idx, head.idx + len(head.text))
                return actor
            return self.actors.ad_hoc(head.text, head.idx, head.idx + len(head.text), kind="other")
        if low in self.words.plural_pronouns:
            actor = self._plural_antecedent(head)
            if actor is not None:
                self.actors.add_mention(actor, head.idx, head.idx + len(head.text))
                return actor
            return None
        if low in self.words.quantifier_pronouns:
            group = self._quantifier_antecedent(head)
            if group is not None:
                self.actors.add_mention(group, head.idx, head.idx + len(head.text))
            return group
        if low in self.words.organisation_pronouns:
            if found is not None and found.kind in ("organisation", "government", "outlet", "group"):
                return found
            return self._recent(at, lambda a: a.kind in ("organisation", "government", "outlet"))
        return None

    def _main_subject_person(self, head: Token, gender: str | None) -> Actor | None:
        """'He said' refers to the person the text is about: the subject of a main clause, in this
        sentence before the pronoun or in the two before it, the most recent first. A subject of a
        relative or subordinate clause ("in which Tsvangirai became prime minister") is passed over."""
        doc = self.doc
        if not doc.has_annotation("SENT_START"):
            return None
        count = bisect_right(self._sent_token_starts, head.i)  # the sentences starting at or before the pronoun
        sents = self._sents[:count]
        for sent in reversed(sents[-3:]):
            best = None
            for tok in sent:
                if tok.i >= head.i:
                    break
                if tok.dep_ not in ("nsubj", "nsubjpass") or tok.pos_ not in ("PROPN", "NOUN"):
                    continue
                verb = tok.head
                if verb.dep_ not in ("ROOT", "conj", "ccomp") or verb.dep_ == "conj" and verb.head.dep_ != "ROOT":
                    continue
                if verb.dep_ == "ccomp" and not self._in_quotation(tok.idx):
                    continue
                actor = self.actors.actor_at(tok.idx, tok.idx + len(tok.text))
                if actor is not None and actor.kind == "person" and self._gender_ok(actor, gender):
                    best = actor
            if best is not None:
                return best
        return None

    def _in_quotation(self, char: int) -> bool:
        return any(s <= char < e for s, e, _a in self.quotations)

    def _quantifier_antecedent(self, head: Token) -> Actor | None:
        """'several said', 'some said' with no noun: some of the group named just before."""
        if head.lower_ not in self.words.quantifier_pronouns:
            return None
        for prep in head.children:  # "some of the protesters": the protesters
            objs = [g for g in prep.children if g.dep_ == "pobj"] if prep.dep_ == "prep" and prep.lower_ == "of" else []
            if objs:
                return self._resolve(objs[0], pronouns=False, depth=1)
        window = self._window_start(head)
        spoke = [a for at, a in self.speakers if window <= at < head.idx and a.kind == "group"]
        return spoke[-1] if spoke else self._recent(head.idx, lambda a: a.kind == "group", since=window)

    def _plural_antecedent(self, head: Token) -> Actor | None:
        """'they': a group named as such, else the people named together, else an institution; never a
        single person, and a single country only when nothing plural came before."""
        at = head.idx
        window = self._window_start(head)
        groups = self._recent(at, lambda a: a.kind == "group", since=window)
        people = self._coordinated_people(head, window)
        if people is not None and (groups is None or self._last_mention(people) > self._last_mention(groups)):
            return people
        if groups is not None:
            return groups
        found = self.actors.actor_at(head.idx, head.idx + len(head.text))
        if found is not None and found.kind in ("group", "organisation", "government", "outlet"):
            return found
        return self._recent(at, lambda a: a.kind in ("organisation", "government", "outlet"), since=window)

    def _coordinated_people(self, head: Token, window: int) -> Actor | None:
        """Two or more people joined by 'and' in one recent sentence: one group actor for them together."""
        if not self._sents:
            return None
        starts = self._sent_char_starts
        lo = bisect_right(starts, window - 1)  # the first sentence starting at or after `window`
        hi = bisect_right(starts, head.sent.start_char - 1)  # ... and those starting before the pronoun's
        sents = self._sents[lo:hi]
        for sent in reversed(sents):
            people = []
            for s, e, actor in self.actors.mentions_near(sent.start_char, sent.end_char):
                if sent.start_char <= s < sent.end_char and actor.kind == "person" and actor not in people:
                    people.append(actor)
            conj = any(t.dep_ == "conj" and t.head.ent_type_ == "PERSON" and t.ent_type_ == "PERSON" for t in sent)
            if len(people) >= 2 and conj:
                names = " and ".join(a.name for a in people) if len(people) == 2 else \
                    ", ".join(a.name for a in people[:-1]) + " and " + people[-1].name
                countries = {a.country for a in people}
                country = countries.pop() if len(countries) == 1 else None
                return self.actors.ad_hoc(names, head.idx, head.idx + len(head.text), kind="group", country=country)
        return None

    def _relative(self, head: Token, pronouns: bool, depth: int) -> Actor | None:
        """'Police, who said ...': the noun the relative clause hangs off."""
        clause = head.head
        while clause.dep_ not in ("relcl", "acl") and clause.head.i != clause.i and clause.pos_ in ("VERB", "AUX"):
            if clause.dep_ not in ("conj", "xcomp"):
                break
            clause = clause.head
        if clause.dep_ in ("relcl", "acl") and clause.head.i != clause.i:
            return self._resolve(clause.head, pronouns, depth + 1)
        # a misparse ("..., according to police, who said"): the noun right before the pronoun
        i = head.i - 1
        if i >= 0 and self.doc[i].text == ",":
            i -= 1
        if i >= 0 and self.doc[i].pos_ in ("NOUN", "PROPN"):
            return self._resolve(self.doc[i], pronouns, depth + 1)
        return None
