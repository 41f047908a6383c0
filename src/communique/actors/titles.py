"""Titles and descriptions beside a name: "Chinese Foreign Minister", "X, Ukraine's foreign
minister", "his Ukrainian counterpart, X" -> role, country, 'former', 'counterpart' and gender.

A mixin of the Resolver (resolve.py): it reads the resolver's lexicons and knowledge base.
"""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from communique.actors.kb import fold
from communique.actors.records import Descriptor
from communique.models import Actor

POSSESSIVES = {"his", "her", "its", "their"}


class TitlesMixin:
    """Reading what the words around a name say about the actor."""

    def _code_of_token(self, token: Token) -> str | None:
        text = token.text
        if text in {"'s", "\u2019s"}:
            return None
        return self.kb.country_of(text)

    def _country_in(self, tokens: list[Token]) -> str | None:
        """A country named in a run of tokens: multiword names first, then single words."""
        texts = [t.text for t in tokens]
        n = len(texts)
        for size in (4, 3, 2):
            for i in range(n - size + 1):
                code = self.kb.country_of(" ".join(texts[i : i + size]))
                if code:
                    return code
        for t in tokens:
            code = self._code_of_token(t)
            if code:
                return code
            hits = self.kb.alias_hits.get(t.text) or []
            for hit in hits:
                if hit.type == "capital":
                    return hit.key
                if hit.type == "seat":
                    return self.kb.seats[hit.key].country
        return None

    def _describe(self, tokens: list[Token]) -> Descriptor:
        """Role, country, 'former', 'counterpart' and gender from the words of a title or description."""
        desc = Descriptor(tokens=tokens)
        words = [fold(t.text) for t in tokens]
        lemmas = [fold(t.lemma_) for t in tokens]
        n = len(words)
        best = None  # (end, length, start, entry)
        for i in range(n):
            for size in range(min(self.kb.max_role_len, n - i), 0, -1):
                for seq in (tuple(words[i : i + size]), tuple(words[i : i + size - 1]) + (lemmas[i + size - 1],)):
                    entry = self.kb.role_entry(seq)
                    if entry:
                        cand = (i + size, size, i, entry)
                        # the head of a description is its last role phrase; longer wins at the same end
                        if best is None or (cand[0], cand[1]) > (best[0], best[1]):
                            best = cand
                        break
                else:
                    continue
                break
        if best:
            _, size, start, entry = best
            desc.entry, desc.role = entry, entry.role
            before = words[max(0, start - 2) : start]
            if entry.role and any(w in {"deputy", "vice"} for w in before) and not entry.role.startswith(("deputy", "vice")):
                desc.role, desc.deputy = f"deputy {entry.role}", True
        desc.former = any(w in self.former_words for w in words)
        desc.counterpart = any(w in self.counterpart_words or l in self.counterpart_words for w, l in zip(words, lemmas))
        desc.country = self._country_in(tokens)
        for w in words:
            g = self.honorific_gender.get(w) or self.role_gender.get(w)
            if g in {"m", "f"}:
                desc.gender = g
        return desc

    def _title_tokens(self, span: SpacySpan) -> list[Token]:
        """The words before a name that belong to its title: 'Chinese Foreign Minister', 'Ukraine's
        foreign minister', 'U.S. Secretary of State'."""
        out: list[Token] = []
        i = span.start - 1
        while i >= 0 and len(out) < 10:
            tok = self.doc[i]
            low = fold(tok.text)
            if tok.is_space or tok.text in {",", ";", ":", "(", ")", '"', "\u201c", "\u201d", "--", "\u2014"}:
                break
            if tok.pos_ in {"VERB", "AUX"} and low not in self.modifiers:
                break
            if tok.pos_ == "ADP" and low not in {"of", "for"}:
                break
            if tok.pos_ == "PRON" and low not in POSSESSIVES:
                break
            if tok.sent.start != span.sent.start:
                break
            if tok.ent_type_ == "PERSON" or (low == "and" and i > 0 and self.doc[i - 1].ent_type_ == "PERSON"):
                break  # another person's name: "Chancellor Merkel and British Prime Minister Johnson"
            keep = (
                tok.is_title or tok.is_upper or low in self.modifiers or self._code_of_token(tok)
                or low in self.role_words or low in POSSESSIVES
                or tok.text in {"'s", "\u2019s", "-", "."}
            )
            if not keep:
                break
            out.insert(0, tok)
            if low in POSSESSIVES or tok.pos_ == "DET":
                break
            i -= 1
        # a title ends in a role word: drop leading words of another noun phrase
        return out

    def _appositive(self, span: SpacySpan) -> list[Token]:
        """The description set off by commas beside a name, either side."""
        root = span.root
        # "his Ukrainian counterpart, Dmytro Kuleba": the name is the appositive of the description
        if root.dep_ == "appos" and root.head.i < span.start:
            head = root.head
            # "Speaking to AFP, the president of ..., X": the description, not the name it hangs on
            between = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "NOUN" and head.i < c.i < span.start]
            if head.pos_ == "PROPN" and between:
                head = between[-1]
            # with its own modifiers up to the name: "the president of the Tunisian League ..., X"
            end = span.start if span.start - head.i <= 12 else head.i + 1
            return [t for t in self.doc[head.left_edge.i : end] if not t.is_punct]
        # "Dmytro Kuleba, Ukraine's foreign minister, said": the description is the appositive of the name
        for child in root.children:
            if child.dep_ == "appos" and child.i >= span.end:
                right = child.i
                for t in child.rights:
                    if t.dep_ in {"prep", "compound", "amod"} and t.i <= child.i + 4:
                        right = t.right_edge.i
                return [t for t in self.doc[child.left_edge.i : right + 1]]
        return []

    def _anchor_role(self, before: int, sent_start: int) -> tuple[str | None, Actor | None]:
        """The office of the person a 'counterpart' is the counterpart of: the last person with a role
        earlier in the sentence, a subject first."""
        cands = [m for m in self.mentions if m.start < before and m.sent == sent_start and m.actor.kind == "person" and m.actor.role]
        for m in reversed(cands):
            if m.subject:
                return m.actor.role, m.actor
        return (cands[-1].actor.role, cands[-1].actor) if cands else (None, None)

    def _describe_name(self, span: SpacySpan) -> Descriptor:
        title = self._title_tokens(span)
        desc = self._describe(title) if title else Descriptor()
        appos = self._appositive(span)
        if appos:
            desc.merge(self._describe(appos))
            for t in appos:
                self.covered[t.i] = True
        for t in title:
            self.covered[t.i] = True
        if desc.counterpart:
            role, _ = self._anchor_role(span.start_char, span.sent.start)
            if role and (desc.role is None or (desc.entry and desc.entry.generic)):
                desc.role = role.removeprefix("former ")
                desc.entry = next((e for e in self.kb.roles.values() if e.role == desc.role), None)
        return desc
