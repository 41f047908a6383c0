"""Actor resolution: spaCy entities, knowledge-base phrases and noun phrases -> canonical actors.

Passes, in this order, over one article:
1. names (here): KB phrase matches (people, organisations, outlets, countries, capitals, seats) and
   spaCy PERSON / ORG / GPE entities become actors; the title before a name and an appositive
   (titles.py) give role and country, and the text's modifier wins over a KB namesake; a
   counterpart takes the office of the person it is the counterpart of.
2. short forms (here): a later "Wang" or "Kuleba" is matched against the article's people whatever
   its NER label (or none), before any KB person of that surname.
3. descriptions (descriptions.py): noun phrases headed by a role or institution word.
4. countries (context.py): actors still without a country get one from the words after a mention
   or from the article's own country, with the reason in `notes`.
5. pronouns (pronouns.py).
Words that are never actors (filters.py, data in non_actors.yaml) are dropped on every path.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from datetime import date

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.util import filter_spans

from communique.actors.context import fill_countries
from communique.actors.country_choice import choose_countries
from communique.actors.descriptions import DescriptionsMixin
from communique.actors.filters import is_non_actor
from communique.actors.kb import Hit, KnowledgeBase, Person, fold, is_org_code, load_kb
from communique.actors.pronouns import SUBJECT_DEPS, PronounsMixin
from communique.actors.records import Descriptor, Mention, actor_id
from communique.actors.titles import TitlesMixin
from communique.models import Actor

__all__ = ["Resolver", "actor_id", "resolve"]

log = logging.getLogger(__name__)

_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
_CONTAINER_LABELS = {"PERSON", "ORG", "EVENT", "FAC", "WORK_OF_ART", "LAW", "PRODUCT"}


class Resolver(TitlesMixin, DescriptionsMixin, PronounsMixin):
    """One article's resolution state."""

    def __init__(self, table, kb: KnowledgeBase):
        self.table = table
        self.kb = kb
        self.country_model = None  # the actor country model: None = the shipped one, False = none
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
        self.mentions: list[Mention] = []
        self.sent_starts: list[int] = []  # first token of each sentence, for pronoun antecedents
        self.name_lengths: dict[str, int] = {}
        self.text_role: dict[str, str] = {}
        self.role_words = {w for key in kb.roles for w in key}
        # "the embassy in Baghdad" is where the embassy is, not whose
        self.located_institutions = {fold(w) for w in self.lex.get("located_institutions", [])}
        self.government_words = {fold(w) for w in self.lex.get("government_words", [])}
        self.institutions: dict[str, Actor] = {}  # head lemma -> the last institution actor of that kind
        self._focus = None

    # ------------------------------------------------------------ helpers

    def _is_subject(self, span: SpacySpan) -> bool:
        root = span.root
        while root.dep_ in {"compound", "flat", "appos", "poss"} and root.head.i != root.i:
            if root.dep_ == "poss":
                return False
            root = root.head
        return root.dep_ in SUBJECT_DEPS

    def _mention(self, actor: Actor, span: SpacySpan, subject: bool | None = None) -> Actor:
        actor = self.table.add(actor)
        start, end = span.start_char, span.end_char
        # a trailing possessive is not part of the name
        if len(span) > 1 and span[-1].text in {"'s", "\u2019s", "'"}:
            end = span[-2].idx + len(span[-2].text)
        self.table.add_mention(actor, start, end)
        for i in range(span.start, span.end):
            self.covered[i] = True
        self.mentions.append(Mention(start, end, actor,
                                      self._is_subject(span) if subject is None else subject,
                                      span.sent.start if self.doc.has_annotation("SENT_START") else 0))
        return actor

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
        elif self._foreign_to(person, desc):
            # the modifier in the text wins: "British Prime Minister X" is not a namesake of another country
            return self._person_from_text(span, surface, desc)
        else:
            actor = self._kb_person_actor(person, desc, surface)
        self._register_person(actor, surface, person)
        return self._mention(actor, span)

    @staticmethod
    def _foreign_to(person: Person, desc: Descriptor) -> bool:
        """The text's title names a country the KB person never served (and not as a counterpart)."""
        if not desc.country or desc.counterpart:
            return False
        return desc.country != person.country and all(t.country != desc.country for t in person.terms)

    def _person_from_text(self, span: SpacySpan, surface: str, desc: Descriptor) -> Actor:
        aid = actor_id(surface, desc.country)
        actor = self.table.get(aid) or Actor(id=aid, name=surface, country=desc.country, kind="person")
        self.table.add(actor)
        self._apply_text(actor, desc)
        if actor.sector is None and desc.entry:
            actor.sector = desc.entry.sector
        actor.notes.append(f"the text's title gives {desc.country}; not the knowledge base's namesake")
        self._register_person(actor, surface, None)
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
        tokens = [t for t in span]
        ident = self._institution_id(tokens, desc, span.root) if desc.entry and desc.entry.kind == "institution" else None
        aid = ident or actor_id(name, desc.country)
        actor = self.table.get(aid) or Actor(id=aid, name=name, country=desc.country, sector=sector, kind=kind)
        if actor.sector == "GOV" and is_org_code(actor.country):
            actor.sector = "IGO"
        if ident:  # "the U.S. Embassy": a later "the embassy" is this one
            self.institutions[fold(span.root.lemma_)] = actor
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
            if (container is not None and place and container.label_ == "GPE"
                    and self.kb.place_country(container.text) and not self.kb.country_of(container.text)):
                continue  # "New Jersey", "New South Wales": the state, not the country "Jersey" or "Wales"
            if container is not None and container.label_ == "PERSON" and self._other_person(hits, container):
                continue  # "spokesman Ivan Lavrov" is not Sergei Lavrov
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
            if hits is None and is_non_actor(self.kb, span.text):
                continue  # "Instagram", "UTC", "Brexit"
            try:
                self._resolve_name(span, hits)
            except Exception:  # one odd span must not lose the article
                log.exception("actor resolution failed on %r", span.text)

    def _other_person(self, hits: list[Hit], container: SpacySpan) -> bool:
        """A KB surname inside a longer name whose other words are none of that person's names."""
        people = [self.kb.people[h.key] for h in hits if h.type == "person" and h.key in self.kb.people]
        if not people:
            return False
        words = {w for w in container.text.replace("\u2019s", "").replace("'s", "").split()
                 if w[:1].isupper() and fold(w) not in self.role_words and fold(w) not in self.honorific_gender
                 and fold(w) not in self.modifiers}
        for person in people:
            known = {w for form in [person.name, *person.aliases] for w in form.split()}
            if words <= known:
                return False
        return True

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
        known = self.short_forms.get(span.text.removesuffix("'s").removesuffix("\u2019s"))
        if person is not None and known is not None and known.id != f"kb:{person.id}":
            # the article's own "Ivan Lavrov", met earlier, not the KB's namesake
            self._apply_text(known, self._describe_name(span))
            self._mention(known, span)
            return
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
        # the forms by their first word, longest first: a token is tried only against the forms that
        # begin with it (a span's text equals an n-word form only when its first token is that word),
        # so the pass is linear in the article however many surnames it holds
        by_first: dict[str, list[tuple[str, int]]] = {}
        for form in sorted(self.short_forms, key=lambda f: -len(f.split())):
            words = form.split()
            by_first.setdefault(words[0], []).append((form, len(words)))
        i = 0
        while i < len(doc):
            tok = doc[i]
            if self.covered[i] or not tok.text[:1].isupper() or i in date_tokens:
                i += 1
                continue
            for form, n in by_first.get(tok.text, ()):
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

    def countries(self) -> None:
        """Countries for the actors the text names without one, from the words around them or the
        article's own country (see context.py); then the learned country model weighs every
        proposal for every actor (country_choice.py)."""
        fill_countries(self.table, self.doc, self.kb)
        if self.country_model is not False:
            choose_countries(self.table, self.doc, self.kb, self.country_model)

def resolve(table, kb: KnowledgeBase | None = None, country_model=None):
    """Fill an ActorTable for its article; never raises on odd input. `country_model`: see
    `communique.actors.resolve_actors`."""
    kb = kb if isinstance(kb, KnowledgeBase) else load_kb()
    kb.build()
    table.kb = kb
    resolver = Resolver(table, kb)
    resolver.country_model = country_model
    for step in (resolver.names, resolver.short_forms_pass, resolver.descriptions, resolver.countries,
                 resolver.pronouns):
        try:
            step()
        except Exception:
            log.exception("actor resolution step %s failed", step.__name__)
    return table
