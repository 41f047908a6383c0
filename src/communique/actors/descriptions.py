"""Descriptions without a name of their own: "U.S. officials", "a senior Chinese diplomat", "the
Ukrainian foreign minister", "the government", "the embassy", "Senior Hungarian and Romanian
officials".

Single-holder offices become the KB holder on the article's date; "the government" is the country's
one government actor (the text's country, else the article's own); an institution with a country
is one actor however it is worded ("the U.S. Embassy" = "the American embassy"), and a later bare
"the embassy" is the last one named; a group naming several countries is one actor per country.
A mixin of the Resolver (resolve.py).
"""

from __future__ import annotations

import logging

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from communique.actors.context import article_country
from communique.actors.filters import is_non_actor
from communique.actors.kb import RoleEntry, fold, is_org_code
from communique.actors.records import Descriptor, Mention, actor_id

log = logging.getLogger(__name__)


class DescriptionsMixin:
    """The descriptions pass."""

    def descriptions(self) -> None:
        """Noun phrases headed by a role or institution word, with no name of their own."""
        for chunk in self.doc.noun_chunks:
            try:
                self._description(chunk)
            except Exception:
                log.exception("actor resolution failed on %r", chunk.text)

    def _government_modifier(self, chunk: SpacySpan) -> None:
        """'against Chinese government encroachment': a country's government as a noun modifier."""
        for tok in chunk:
            if tok.i == chunk.root.i or tok.dep_ != "compound" or fold(tok.lemma_) not in self.government_words:
                continue
            if tok.i == 0 or self.covered[tok.i]:
                continue
            before = self.doc[tok.i - 1]
            code = self._code_of_token(before)
            if code and not is_org_code(code):
                self._government(code, self.doc[before.i : tok.i + 1])

    def _description(self, chunk: SpacySpan) -> None:
        root = chunk.root
        self._government_modifier(chunk)
        if root.pos_ not in {"NOUN", "PROPN"} or self.covered[root.i]:
            return
        tokens = [t for t in chunk if not t.is_space]
        desc = self._describe(tokens)
        last = fold(root.text)
        lemma = fold(root.lemma_)
        if last in self.counterpart_words or lemma in self.counterpart_words:
            # "his Ukrainian counterpart": the office of the person it is the counterpart of
            role, _ = self._anchor_role(chunk.start_char, chunk.sent.start)
            if not role:
                return
            desc.role = role.removeprefix("former ")
            desc.entry = next((e for e in self.kb.roles.values() if e.role == desc.role), None) or RoleEntry(desc.role, "GOV")
        elif desc.entry is None:
            return
        # the role phrase must end at the head noun ("officials"), not sit inside a modifier
        elif not any(key[-1] in {last, lemma} for key in self.kb.roles if self.kb.roles[key] is desc.entry):
            return
        if any(self.covered[t.i] for t in tokens if t.i != root.i and t.ent_type_ in {"PERSON", "ORG"}):
            return
        plural = root.tag_ in {"NNS", "NNPS"}
        entry = desc.entry
        located = lemma in self.located_institutions
        if desc.country is None and not located:  # "officials in Brussels", "residents of Kharkiv"
            for prep in root.rights:
                if prep.dep_ == "prep" and fold(prep.text) in {"in", "from", "of"}:
                    objs = [c for c in prep.children if c.dep_ == "pobj"]
                    if objs:
                        obj = objs[0]
                        desc.country = self._country_in([t for t in self.doc[obj.left_edge.i : obj.i + 1]])
        # an office held by one person: the KB holder on the article's date, or the article's own holder
        if entry.single and not plural and not desc.former and desc.role and not desc.deputy:
            holder = None
            definite = any(fold(t.text) in {"the", "his", "her", "its", "their"} or t.tag_ == "POS" or self._code_of_token(t) for t in tokens)
            if desc.country and definite:
                person = self.kb.incumbent(desc.country, desc.role, self.day)
                if person is not None:
                    known = self.table.get(f"kb:{person.id}")
                    holder = self._kb_person_actor(person, desc, known.name if known else person.name)
                    self._register_person(holder, holder.name, person)
            elif definite and not desc.country:
                holder = next((a for a in reversed(self.people) if a.role == desc.role), None)
                if holder is None:  # "the Prime Minister" in a story about Britain
                    holder = self._context_holder(desc)
            if holder is not None:
                self._mention(holder, chunk)
                return
        if desc.counterpart and not desc.role:
            role, _ = self._anchor_role(chunk.start_char, chunk.sent.start)
            if role and desc.country and not plural:
                person = self.kb.incumbent(desc.country, role.removeprefix("former "), self.day)
                if person is not None:
                    holder = self._kb_person_actor(person, Descriptor(role=role, country=desc.country), person.name)
                    self._register_person(holder, holder.name, person)
                    self._mention(holder, chunk)
                    return
            desc.role = role
        words = [t for t in tokens if fold(t.text) not in {"a", "an", "the", "some", "several", "many", "two", "three", "other"}
                 and t.tag_ != "PRP$"]
        if not words:
            return
        name = self.doc[words[0].i : words[-1].i + 1].text
        if is_non_actor(self.kb, name, root.text):
            return
        sector = entry.sector
        if sector == "GOV" and is_org_code(desc.country):
            sector = "IGO"
        if entry.kind == "institution":
            kind = "government" if sector == "GOV" and desc.country and not is_org_code(desc.country) else "organisation"
            if sector == "MED":
                kind = "outlet"
            role = None
        else:
            kind = "group" if plural else "person"
            role = desc.role
            if role and desc.former and not role.startswith("former"):
                role = f"former {role}"
        if plural and self._compound(chunk, tokens, sector, role, kind):
            return
        if entry.kind == "institution" and self._institution(chunk, tokens, desc, root):
            return
        ident = self._institution_id(tokens, desc, root) if entry.kind == "institution" else None
        actor = self.table.ad_hoc(name, chunk.start_char, chunk.end_char, country=desc.country, sector=sector,
                                  role=role, kind=kind, **({"id": ident} if ident else {}))
        if actor is None:
            return
        if ident:
            self.institutions[fold(root.lemma_)] = actor
        for i in range(chunk.start, chunk.end):
            self.covered[i] = True
        if desc.gender:
            self.gender.setdefault(actor.id, desc.gender)
        self.mentions.append(Mention(chunk.start_char, chunk.end_char, actor, self._is_subject(chunk), chunk.sent.start))

    def _context_holder(self, desc: Descriptor):
        """The KB holder of a single office in the article's own country on its date, noted as such."""
        focus = self.focus()
        if not focus.code:
            return None
        person = self.kb.incumbent(focus.code, desc.role, self.day)
        if person is None:
            return None
        known = self.table.get(f"kb:{person.id}")
        holder = self._kb_person_actor(person, desc, known.name if known else person.name)
        self._register_person(holder, holder.name, person)
        note = f"{desc.role} of {focus.code}: {focus.reason}"
        if note not in holder.notes:
            holder.notes.append(note)
        return holder

    def _bare_words(self, tokens: list[Token]) -> list[Token]:
        """The words of a description other than determiners, possessives and country words."""
        return [t for t in tokens if fold(t.text) not in {"a", "an", "the", "this", "that", "'s", "\u2019s"}
                and t.tag_ not in {"PRP$", "POS"} and not self._code_of_token(t)
                and fold(t.text) not in {"central", "national", "federal"}]

    def _institution(self, chunk: SpacySpan, tokens: list[Token], desc: Descriptor, root: Token) -> bool:
        """'the government', 'the U.S. government', 'their government': the country's one government
        actor, from the text's country or else the article's own; 'the embassy' with no country: the
        embassy the article named before."""
        bare = self._bare_words(tokens)
        if [fold(t.lemma_) for t in bare] != [fold(root.lemma_)]:
            return False
        lemma = fold(root.lemma_)
        if lemma in self.government_words and root.tag_ not in {"NNS", "NNPS"}:
            code, note = desc.country, None
            if code is None:
                focus = self.focus()
                code, note = focus.code, focus.reason
            if not code or is_org_code(code):
                return False
            actor = self._government(code, chunk)
            if note and note not in actor.notes:
                actor.notes.append(f"{note}: {chunk.text!r}")
            return True
        if desc.country is None and lemma in self.institutions:
            self._mention(self.institutions[lemma], chunk)
            return True
        return False

    def _institution_id(self, tokens: list[Token], desc: Descriptor, root: Token) -> str | None:
        """One id per institution and country ("the U.S. Embassy" = "the American embassy")."""
        if not desc.country:
            return None
        bare = [fold(t.lemma_) for t in self._bare_words(tokens)]
        if bare != [fold(root.lemma_)]:
            return None
        return actor_id(f"{bare[-1]}", desc.country)

    def focus(self):
        """The article's own country (computed once, from the actors found so far)."""
        if self._focus is None:
            self._focus = article_country(self.doc, self.kb, self.table)
        return self._focus

    def _compound(self, chunk: SpacySpan, tokens: list[Token], sector, role, kind) -> bool:
        """'Senior Hungarian and Romanian officials': one actor per country, each with the mention."""
        named = [(t, self._code_of_token(t)) for t in tokens if t.i != chunk.root.i]
        named = [(t, code) for t, code in named if code]
        codes = list(dict.fromkeys(code for _, code in named))
        if len(codes) < 2 or not any(fold(t.text) in {"and", ",", "or"} for t in tokens):
            return False
        head = self.doc[chunk.root.i : chunk.end].text
        for tok, code in named:
            if code not in codes:
                continue
            codes.remove(code)
            fields = {"country": code, "sector": "IGO" if sector == "GOV" and is_org_code(code) else sector,
                      "role": role, "kind": kind}
            actor = self.table.ad_hoc(f"{tok.text} {head}", chunk.start_char, chunk.end_char, **fields)
            if actor is not None:
                self.mentions.append(Mention(chunk.start_char, chunk.end_char, actor, self._is_subject(chunk),
                                              chunk.sent.start))
        for i in range(chunk.start, chunk.end):
            self.covered[i] = True
        return True
