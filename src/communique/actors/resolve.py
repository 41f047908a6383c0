"""Actor resolution: spaCy entities, knowledge-base phrases and noun phrases -> canonical actors.

Passes, in this order, over one article:
1. names: KB phrase matches (people, organisations, outlets, countries, capitals, seats) and spaCy
   PERSON / ORG / GPE entities become actors; the title before a name ("Chinese Foreign Minister")
   and an appositive ("his Ukrainian counterpart, X" / "X, Ukraine's foreign minister") give role and
   country; a counterpart takes the office of the person it is the counterpart of.
2. short forms: a later "Wang" or "Kuleba" is matched against the article's people whatever its NER
   label (or none).
3. descriptions: noun phrases headed by a role or institution word ("U.S. officials", "a senior
   Chinese diplomat", "the Ukrainian foreign minister") become group, person or institution actors,
   or the KB office holder on the article's date.
4. pronouns: "he"/"she" subjects go to the most recent compatible person (a subject first), "they"
   to a group, "it" (subject of a speech verb) to an organisation; the pronoun gets a mention.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan
from spacy.util import filter_spans

from communique.actors.kb import Hit, KnowledgeBase, Person, RoleEntry, fold, is_org_code, load_kb
from communique.models import Actor, content_id

log = logging.getLogger(__name__)

_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
_CONTAINER_LABELS = {"PERSON", "ORG", "EVENT", "FAC", "WORK_OF_ART", "LAW", "PRODUCT"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
_POSSESSIVES = {"his", "her", "its", "their"}
_PRONOUNS = {"he": "m", "she": "f", "they": "pl", "it": "it"}


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
class _Mention:
    start: int  # Doc char offsets
    end: int
    actor: Actor
    subject: bool
    sent: int


class Resolver:
    """One article's resolution state."""

    def __init__(self, table, kb: KnowledgeBase):
        self.table = table
        self.kb = kb
        self.doc: Doc = table.annotated.doc
        self.day: date | None = table.annotated.article.published
        self.lex = kb.lexicon
        self.modifiers = {fold(w) for w in self.lex.get("title_modifiers", [])}
        self.former_words = {fold(w) for w in self.lex.get("former_words", [])}
        self.counterpart_words = {fold(w) for w in self.lex.get("counterpart_words", [])}
        self.locatives = {fold(w) for w in self.lex.get("locative_prepositions", [])}
        self.speech_verbs = {fold(w) for w in self.lex.get("speech_verbs", [])}
        honorifics = self.lex.get("honorifics", {}) or {}
        self.honorific_gender = {fold(w): g for g, words in honorifics.items() for w in words or []}
        self.role_gender = {fold(w): "f" for w in self.lex.get("female_role_words", [])}
        self.role_gender.update({fold(w): "m" for w in self.lex.get("male_role_words", [])})
        self.covered = [False] * len(self.doc)  # tokens already part of a mention or a title
        self.people: list[Actor] = []  # person actors of this article, in order of first mention
        self.short_forms: dict[str, Actor] = {}  # surname / short form -> person
        self.gender: dict[str, str] = {}  # actor id -> m / f
        self.mentions: list[_Mention] = []
        self.sent_starts: list[int] = []  # first token of each sentence, for pronoun antecedents
        self.name_lengths: dict[str, int] = {}
        self.text_role: dict[str, str] = {}
        self.role_words = {w for key in kb.roles for w in key}

    # ------------------------------------------------------------ helpers

    def _is_subject(self, span: SpacySpan) -> bool:
        root = span.root
        while root.dep_ in {"compound", "flat", "appos", "poss"} and root.head is not root:
            if root.dep_ == "poss":
                return False
            root = root.head
        return root.dep_ in _SUBJECT_DEPS

    def _mention(self, actor: Actor, span: SpacySpan, subject: bool | None = None) -> Actor:
        actor = self.table.add(actor)
        start, end = span.start_char, span.end_char
        # a trailing possessive is not part of the name
        if len(span) > 1 and span[-1].text in {"'s", "\u2019s", "'"}:
            end = span[-2].idx + len(span[-2].text)
        self.table.add_mention(actor, start, end)
        for i in range(span.start, span.end):
            self.covered[i] = True
        self.mentions.append(_Mention(start, end, actor,
                                      self._is_subject(span) if subject is None else subject,
                                      span.sent.start if self.doc.has_annotation("SENT_START") else 0))
        return actor

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
            if tok.pos_ == "PRON" and low not in _POSSESSIVES:
                break
            if tok.sent.start != span.sent.start:
                break
            keep = (
                tok.is_title or tok.is_upper or low in self.modifiers or self._code_of_token(tok)
                or low in self.role_words or low in _POSSESSIVES
                or tok.text in {"'s", "\u2019s", "-", "."}
            )
            if not keep:
                break
            out.insert(0, tok)
            if low in _POSSESSIVES or tok.pos_ == "DET":
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
            return [t for t in self.doc[head.left_edge.i : head.i + 1]]
        # "Dmytro Kuleba, Ukraine's foreign minister, said": the description is the appositive of the name
        for child in root.children:
            if child.dep_ == "appos" and child.i >= span.end:
                right = child.i
                for t in child.rights:
                    if t.dep_ in {"prep", "compound", "amod"} and t.i <= child.i + 4:
                        right = t.right_edge.i
                return [t for t in self.doc[child.left_edge.i : right + 1]]
        return []

    # ------------------------------------------------------------ actors

    def _kb_person_actor(self, person: Person, text_desc: Descriptor, surface: str) -> Actor:
        aid = f"kb:{person.id}"
        actor = self.table.get(aid)
        term = person.term_on(self.day)
        if actor is None:
            kb_role, kb_country, kb_sector = None, person.country, person.sector
            if term:
                kb_role, kb_country = term.role, term.country or person.country
                kb_sector = term.sector or self._sector_for(term.role, kb_country)
            else:
                past = person.last_term_before(self.day)
                if past:
                    kb_role, kb_country = f"former {past.role}", past.country or person.country
            actor = Actor(id=aid, name=person.name, country=kb_country, sector=kb_sector, role=kb_role,
                          kind="person", kb_id=person.id)
            if person.gender:
                self.gender[aid] = person.gender
            self.table.add(actor)
        self._apply_text(actor, text_desc)
        return actor

    def _sector_for(self, role: str | None, country: str | None) -> str | None:
        sector = None
        if role:
            base = role.removeprefix("former ").removeprefix("deputy ")
            for entry in self.kb.roles.values():
                if entry.role == base:
                    sector = entry.sector
                    break
        if sector == "GOV" and is_org_code(country):
            sector = "IGO"
        return sector

    def _apply_text(self, actor: Actor, desc: Descriptor) -> None:
        """What the text says about an actor wins over the KB; disagreements go to notes."""
        if desc.gender:
            self.gender.setdefault(actor.id, desc.gender)
        role = desc.role
        if role and desc.former and not role.startswith("former"):
            role = f"former {role}"
        generic = desc.entry.generic if desc.entry else False
        if role and not (generic and actor.role):
            if actor.role and actor.role != role and actor.id not in self.text_role:
                actor.notes.append(f"text gives role {role!r}; knowledge base gives {actor.role!r} on {self.day or 'the current date'}")
            if actor.id not in self.text_role or not generic:
                actor.role = role
                self.text_role[actor.id] = role
                sector = desc.entry.sector if desc.entry else None
                if desc.former:
                    sector = actor.sector if actor.sector and not actor.role else None
                if sector:
                    actor.sector = "IGO" if sector == "GOV" and is_org_code(desc.country or actor.country) else sector
        if desc.country and desc.country != actor.country:
            if actor.country:
                actor.notes.append(f"text gives country {desc.country}; knowledge base gives {actor.country}")
            actor.country = desc.country
            if actor.sector == "IGO" and not is_org_code(desc.country):
                actor.sector = "GOV"
        if actor.kind == "person" and actor.sector is None and actor.role and actor.country:
            actor.sector = self._sector_for(actor.role, actor.country)

    def _register_person(self, actor: Actor, surface: str, person: Person | None) -> None:
        if actor not in self.people:
            self.people.append(actor)
        words = [w for w in surface.replace("\u2019s", "").replace("'s", "").split() if w[:1].isupper()]
        forms = set()
        if person and person.short:
            forms.add(person.short)
        if len(words) >= 2:
            if words[0] in self.kb.family_name_first and len(words) <= 3 and not (person and person.short):
                forms.add(words[0])
            else:
                forms.add(words[-1])
        if len(words) >= 1:
            forms.add(" ".join(words))
        for form in forms:
            self.short_forms.setdefault(form, actor)
        # the fullest form in the article is the name (a KB name stays when the article's is shorter)
        surface = " ".join(words)
        if surface and len(surface) > self.name_lengths.get(actor.id, 0) and len(words) >= len(actor.name.split()):
            if actor.name != surface and actor.name not in actor.aliases:
                actor.aliases.append(actor.name)
            actor.name = surface
            self.name_lengths[actor.id] = len(surface)

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

    def _person(self, span: SpacySpan, person: Person | None) -> Actor:
        surface = span.text
        if span[-1].text in {"'s", "\u2019s"}:
            surface = span[:-1].text
        desc = self._describe_name(span)
        if person is None:
            # a later, shorter form of someone already in the article
            known = self.short_forms.get(surface) or self._known_by_tokens(surface)
            if known is not None:
                self._apply_text(known, desc)
                self._register_person(known, surface, None)
                return self._mention(known, span)
            if desc.role and desc.entry and desc.entry.single and not desc.counterpart:
                person = self.kb.titled_person(surface.split()[-1], desc.role, desc.country, self.day)
            if person is not None:
                actor = self._kb_person_actor(person, desc, surface)
                self._register_person(actor, surface, person)
                return self._mention(actor, span)
            country = desc.country
            actor = self.table.get(actor_id(surface, country)) or Actor(
                id=actor_id(surface, country), name=surface, country=country, kind="person")
            self.table.add(actor)
            self._apply_text(actor, desc)
            if actor.sector is None and desc.entry:
                actor.sector = desc.entry.sector
        else:
            actor = self._kb_person_actor(person, desc, surface)
        self._register_person(actor, surface, person)
        return self._mention(actor, span)

    def _known_by_tokens(self, surface: str) -> Actor | None:
        words = surface.split()
        if not words:
            return None
        for actor in reversed(self.people):
            names = set(actor.name.split()) | {w for a in actor.aliases for w in a.split()}
            if all(w in names for w in words):
                return actor
        return None

    def _government(self, code: str, span: SpacySpan, alias: str | None = None) -> Actor:
        org = next((o for o in self.kb.organisations.values() if o.country == code and is_org_code(code)), None)
        if org is not None:
            return self._org(org.id, span)
        aid = f"kb:gov-{code.lower()}"
        actor = self.table.get(aid) or Actor(id=aid, name=self.kb.country_name(code), country=code,
                                             sector="GOV", kind="government", kb_id=f"gov-{code.lower()}")
        actor = self._mention(actor, span)
        if alias and alias != actor.name and alias not in actor.aliases:
            actor.aliases.append(alias)
        return actor

    def _org(self, org_id: str, span: SpacySpan) -> Actor:
        org = self.kb.organisations[org_id]
        aid = f"kb:{org.id}"
        actor = self.table.get(aid)
        if actor is None:
            kind = "outlet" if org.kind == "outlet" else "organisation"
            actor = Actor(id=aid, name=org.name, country=org.country, sector=org.sector, kind=kind, kb_id=org.id)
            if org.kind == "outlet" and org.state_owned is not None:
                actor.state_owned = org.state_owned
        return self._mention(actor, span)

    def _seat(self, key: str, span: SpacySpan) -> Actor | None:
        seat = self.kb.seats[key]
        if seat.same_as and seat.same_as in self.kb.organisations:
            actor = self._org(seat.same_as, span)
        elif seat.id:
            aid = f"kb:{seat.id}"
            actor = self.table.get(aid) or Actor(id=aid, name=seat.name, country=seat.country,
                                                 sector=seat.sector or "GOV", kind="government", kb_id=seat.id)
            actor = self._mention(actor, span)
        else:
            actor = self._government(seat.country, span, alias=seat.name)
            return actor
        if seat.name not in actor.aliases and seat.name != actor.name:
            actor.aliases.append(seat.name)
        return actor

    def _is_locative(self, span: SpacySpan) -> bool:
        head = span.root.head
        return span.root.dep_ == "pobj" and fold(head.text) in self.locatives

    def _unknown_org(self, span: SpacySpan) -> Actor:
        desc = self._describe(self._title_tokens(span) + [t for t in span])
        for t in self._title_tokens(span):
            self.covered[t.i] = True
        name = span.text
        for prefix in ("the ", "The "):
            name = name.removeprefix(prefix)
        if span[-1].text in {"'s", "\u2019s"}:
            name = span[:-1].text.removeprefix("the ").removeprefix("The ")
        sector = desc.entry.sector if desc.entry else None
        kind = "outlet" if sector == "MED" else "organisation"
        aid = actor_id(name, desc.country)
        actor = self.table.get(aid) or Actor(id=aid, name=name, country=desc.country, sector=sector, kind=kind)
        if actor.sector == "GOV" and is_org_code(actor.country):
            actor.sector = "IGO"
        return self._mention(actor, span)

    # ------------------------------------------------------------ passes

    def names(self) -> None:
        doc = self.doc
        ents = [e for e in doc.ents if e.label_ in _NAME_LABELS | _CONTAINER_LABELS]
        kb_spans = []
        for match_id, start, end in self.kb.matcher(doc.vocab)(doc):
            span = SpacySpan(doc, start, end, label=match_id)
            kb_spans.append(span)
        # entities do not overlap, so the only one that can hold a span is the last to start at or before it
        ent_starts = [e.start for e in ents]
        numeric = [e for e in doc.ents if e.label_ in {"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"}]
        numeric_starts = [e.start for e in numeric]
        kept = []
        for span in filter_spans(kb_spans):
            hits = self.kb.alias_hits.get(span.label_, [])
            if not hits:
                continue
            place = all(h.type in {"country", "capital", "seat"} for h in hits)
            last = bisect_right(ent_starts, span.start) - 1
            container = next((e for e in ents[max(last, 0) : last + 1] if e.start <= span.start and span.end <= e.end
                              and (e.end - e.start) > (span.end - span.start)), None)
            if container is not None and place and container.label_ in _CONTAINER_LABELS:
                continue  # "the Beijing Olympics", "Chad Smith"
            last = bisect_right(numeric_starts, span.start) - 1
            if any(e.start <= span.start and span.end <= e.end for e in numeric[max(last, 0) : last + 1]):
                continue
            kept.append((span, hits))
        taken = set()
        for span, _ in kept:
            taken.update(range(span.start, span.end))
        items: list[tuple[SpacySpan, list[Hit] | None]] = list(kept)
        for ent in ents:
            if ent.label_ not in {"PERSON", "ORG", "GPE", "NORP"} and not (ent.label_ == "FAC" and ent.text.istitle()):
                continue
            if any(i in taken for i in range(ent.start, ent.end)):
                continue
            if ent.label_ == "NORP":
                if ent.root.dep_ not in {"amod", "compound", "nmod"} and ent.root.pos_ in {"PROPN", "NOUN"}:
                    items.append((ent, [Hit("people", "")]))
                continue
            if ent.label_ == "GPE":
                code = self.kb.place_country(ent.text.removesuffix("'s").removesuffix("\u2019s"))
                if code and not self._is_locative(ent):
                    items.append((ent, [Hit("region", code)]))
                continue
            if self.kb.country_of(ent.text) or not any(c.isalpha() for c in ent.text):
                continue  # "Moldovan" tagged as a name: a modifier, not an actor
            items.append((ent, None))
        items.sort(key=lambda item: item[0].start)
        for span, hits in items:
            if any(self.covered[i] for i in range(span.start, span.end)) and hits is None:
                continue
            try:
                self._resolve_name(span, hits)
            except Exception:  # one odd span must not lose the article
                log.exception("actor resolution failed on %r", span.text)

    def _pick_person(self, hits: list[Hit], span: SpacySpan) -> Person | None:
        people = [self.kb.people[h.key] for h in hits if h.type == "person" and h.key in self.kb.people]
        if not people:
            return None
        if len(people) == 1:
            return people[0]
        title = self._describe(self._title_tokens(span)) if span.start else Descriptor()
        in_office = [p for p in people if p.term_on(self.day)]
        for p in in_office:
            term = p.term_on(self.day)
            if title.role and term.role == title.role:
                return p
        return in_office[0] if in_office else people[0]

    def _resolve_name(self, span: SpacySpan, hits: list[Hit] | None) -> None:
        if hits is None:
            if span.label_ == "PERSON":
                self._person(span, None)
            elif span.label_ == "ORG" and self.short_forms.get(span.text):
                self._person(span, None)  # a surname the model took for an organisation
            else:
                self._unknown_org(span)
            return
        person = self._pick_person(hits, span)
        if person is not None:
            self._person(span, person)
            return
        hit = hits[0]
        if hit.type == "people":
            self._people_of(span)
        elif hit.type == "org":
            self._org(hit.key, span)
        elif hit.type == "seat":
            if not self._is_locative(span):
                self._seat(hit.key, span)
        elif hit.type == "country":
            self._government(hit.key, span)
        elif hit.type == "capital":
            if not self._is_locative(span):
                self._government(hit.key, span, alias=span.text)
        elif hit.type == "region":
            if not self._is_locative(span):
                self._place(span, hit.key)

    def _place(self, span: SpacySpan, code: str) -> Actor:
        """A region or city standing as an actor ("shelling of Kharkiv"): a location actor of its country."""
        name = span.text.removeprefix("the ").removesuffix("'s").removesuffix("\u2019s")
        actor = self.table.get(actor_id(name, code)) or Actor(id=actor_id(name, code), name=name, country=code,
                                                              kind="location")
        return self._mention(actor, span)

    def _people_of(self, span: SpacySpan) -> Actor | None:
        """A demonym standing alone as a noun ("the Japanese", "Israelis"): the people of that country."""
        code = self.kb.country_of(span.text.removeprefix("the ").removeprefix("The "))
        if not code:
            return None
        name = span.text.removeprefix("the ").removeprefix("The ")
        actor = self.table.get(actor_id(name, code)) or Actor(id=actor_id(name, code), name=name, country=code,
                                                              kind="group")
        return self._mention(actor, span)

    def short_forms_pass(self) -> None:
        """Later mentions of a surname, however NER labelled them (or missed them)."""
        if not self.short_forms:
            return
        doc = self.doc
        date_tokens = {i for e in doc.ents if e.label_ in {"DATE", "TIME"} for i in range(e.start, e.end)}
        forms = sorted(self.short_forms, key=lambda f: -len(f.split()))
        i = 0
        while i < len(doc):
            tok = doc[i]
            if self.covered[i] or not tok.text[:1].isupper() or i in date_tokens:
                i += 1
                continue
            for form in forms:
                n = len(form.split())
                if doc[i : i + n].text == form and not any(self.covered[j] for j in range(i, min(i + n, len(doc)))):
                    span = doc[i : i + n]
                    if span.end < len(doc) and doc[span.end].text[:1].isupper() and doc[span.end].pos_ == "PROPN":
                        break  # part of a longer, different name
                    actor = self.short_forms[form]
                    desc = self._describe_name(span)
                    self._apply_text(actor, desc)
                    self._mention(actor, span)
                    i += n - 1
                    break
            i += 1

    def descriptions(self) -> None:
        """Noun phrases headed by a role or institution word, with no name of their own."""
        for chunk in self.doc.noun_chunks:
            try:
                self._description(chunk)
            except Exception:
                log.exception("actor resolution failed on %r", chunk.text)

    def _description(self, chunk: SpacySpan) -> None:
        root = chunk.root
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
        if desc.country is None:  # "officials in Brussels", "residents of Kharkiv"
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
        actor = self.table.ad_hoc(name, chunk.start_char, chunk.end_char, country=desc.country, sector=sector,
                                  role=role, kind=kind)
        for i in range(chunk.start, chunk.end):
            self.covered[i] = True
        if desc.gender:
            self.gender.setdefault(actor.id, desc.gender)
        self.mentions.append(_Mention(chunk.start_char, chunk.end_char, actor, self._is_subject(chunk), chunk.sent.start))

    def pronouns(self) -> None:
        self.mentions.sort(key=lambda m: m.start)
        has_sents = self.doc.has_annotation("SENT_START")
        self.sent_starts = [s.start for s in self.doc.sents] if has_sents else []
        for tok in self.doc:
            kind = _PRONOUNS.get(tok.lower_)
            if kind is None or tok.dep_ not in _SUBJECT_DEPS:
                continue
            if kind == "it" and fold(tok.head.lemma_) not in self.speech_verbs:
                continue
            actor = self._antecedent(tok, kind)
            if actor is None:
                continue
            self.table.add_mention(actor, tok.idx, tok.idx + len(tok.text))
            mention = _Mention(tok.idx, tok.idx + len(tok.text), actor, True, tok.sent.start)
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


def resolve(table, kb: KnowledgeBase | None = None):
    """Fill an ActorTable for its article; never raises on odd input."""
    kb = kb if isinstance(kb, KnowledgeBase) else load_kb()
    kb.build()
    resolver = Resolver(table, kb)
    for step in (resolver.names, resolver.short_forms_pass, resolver.descriptions, resolver.pronouns):
        try:
            step()
        except Exception:
            log.exception("actor resolution step %s failed", step.__name__)
    return table
