"""Roles from the dependency parse: who acts (actors) and at whom (recipients).

Verbs take their actors from the subject (for a passive, the "by" agent; for a relative clause or a
controlled infinitive, the antecedent or controller) and their recipients from the object, a passive
subject and prepositional objects; nouns from a possessive, a "by" phrase, a light verb's subject
("X held talks") and prepositional objects. Every argument is resolved to an ActorTable id.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span, Token

from communique.actors import ActorTable
from communique.events.lexicon import Lexicon
from communique.events.places import country_name
from communique.events.triggers import Candidate
from communique.models import Actor, Quote
from communique.nlp import AnnotatedDoc

_NP_DROP_DEPS = {"relcl", "acl", "appos", "prep", "punct", "cc", "conj", "advcl", "det", "case"}
_QUANTITY_HEADS = {"thousand", "thousands", "hundred", "hundreds", "dozen", "dozens", "million", "millions", "group", "number", "crowd", "band", "unit"}
_NOT_ACTOR_ENTITIES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
_GROUP_PRONOUNS = {"they", "them", "their"}
_FIRST_PERSON = {"i", "we", "me", "us", "my", "our"}
_GROUP_KINDS = {"government", "organisation", "group"}
REPORTING_DEPS = {"ccomp", "xcomp", "conj", "advcl", "parataxis"}


def _in_pieces(span) -> bool:
    """Whether a quote's content span is a list of (start, end) pieces rather than one pair."""
    return isinstance(span[0], (list, tuple))


def _pieces(span) -> list:
    return list(span) if _in_pieces(span) else [span]


def clause_verb(token: Token) -> Token | None:
    """The nearest verb at or above the token, or None when the way up to the root has none. (spaCy
    makes a new Token object on each access, so the root is found by position, never by identity.)"""
    node = token
    for _ in range(len(token.doc)):
        if node.pos_ in ("VERB", "AUX"):
            return node
        if node.head.i == node.i:
            return None
        node = node.head
    return None


class ArticleContext:
    """Per-article state and the parse rules that find an event's actors and recipients."""

    def __init__(self, annotated: AnnotatedDoc, actors: ActorTable, quotes: list[Quote], lex: Lexicon):
        self.annotated = annotated
        self.doc: Doc = annotated.doc
        self.actors = actors
        self.quotes = quotes
        self.lex = lex
        self.published = annotated.article.published
        self._main_country: str | None | bool = False  # computed on first use
        # Looked up per candidate: kept once here, because `Doc.ents` and `Doc.text` rebuild from every
        # token on each access, and scanning every quote per candidate would cost time quadratic in length.
        self.text = annotated.doc_text
        self.ents: tuple[Span, ...] = tuple(self.doc.ents)
        self._ent_starts = [e.start for e in self.ents]
        # (start, end, quote index) of every quote's content, sorted; `_spoken` only those with a speaker,
        # one row per piece of a content in pieces
        self._quote_spans = sorted(
            (q.content_span[0], q.content_span[1], k) for k, q in enumerate(quotes) if q.content_span and not _in_pieces(q.content_span)
        )
        self._longest_quote = max((e - s for s, e, _ in self._quote_spans), default=0)
        self._spoken = sorted(
            (s, e, k) for k, q in enumerate(quotes) if q.content_span and q.speaker for s, e in _pieces(q.content_span)
        )
        self._longest_spoken = max((e - s for s, e, _ in self._spoken), default=0)

    def ents_starting_in(self, start: int, end: int) -> tuple[Span, ...]:
        """The entities whose first token lies in [start, end), in order."""
        return self.ents[bisect_left(self._ent_starts, start) : bisect_left(self._ent_starts, end)]

    def entity_of(self, token: Token) -> Span | None:
        """The entity the token is part of, if any."""
        last = bisect_right(self._ent_starts, token.i) - 1  # entities do not overlap: only the last to start can hold it
        if last >= 0 and self.ents[last].start <= token.i < self.ents[last].end:
            return self.ents[last]
        return None

    def quotes_covering(self, start: int, end: int) -> list[Quote]:
        """The quotes whose content span (one (start, end) pair) holds [start, end), in the order of `quotes`."""
        spans = self._quote_spans
        lo = bisect_left(spans, (start - self._longest_quote,))
        hi = bisect_right(spans, (start, float("inf")))
        found = sorted(k for s, e, k in spans[lo:hi] if s <= start and end <= e)
        return [self.quotes[k] for k in found]

    @property
    def main_country(self) -> str | None:
        """The country the article is about: the one its governments and places are named most often,
        when it is named at least twice and more often than any other."""
        if self._main_country is False:
            counts: dict[str, int] = {}
            for _s, _e, actor in self.actors.mentions():
                if actor.country and actor.kind in ("government", "location") and len(actor.country) == 3:
                    counts[actor.country] = counts.get(actor.country, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            top = ranked[0] if ranked else None
            clear = top is not None and top[1] >= 2 and (len(ranked) == 1 or top[1] > ranked[1][1])
            self._main_country = top[0] if clear else None
        return self._main_country  # type: ignore[return-value]

    # ------------------------------------------------------------------ actors

    def noun_phrase(self, token: Token) -> tuple[int, int]:
        """Character range of the token's noun phrase without clauses, appositions and determiners."""
        keep = [token]
        stack = [c for c in token.children if c.dep_ not in _NP_DROP_DEPS]
        while stack:
            t = stack.pop()
            keep.append(t)
            stack.extend(c for c in t.children if c.dep_ not in _NP_DROP_DEPS)
        start = min(t.idx for t in keep)
        end = max(t.idx + len(t.text) for t in keep)
        return start, end

    def _covering(self, start: int, end: int) -> Actor | None:
        """The actor whose mention covers [start, end) entirely, if any."""
        best = None
        for s, e, actor in self.actors.mentions_near(start, end + 1):  # every mention that can cover it
            if s <= start and e >= end:
                if best is None or (e - s) < best[0]:
                    best = (e - s, actor)
        return best[1] if best else None

    def _domestic_country(self, actor: Actor, token: Token) -> None:
        """A described group with no country ("police", "federal authorities") as an event argument:
        the country the article is about, with a note that says so."""
        if actor.country or actor.kind not in ("group", "other", "organisation", "person") or token.pos_ != "NOUN":
            return
        if token.lemma_.lower() in self.lex.domestic_groups and self.main_country:
            self.actors.set_country(actor, self.main_country, "country: the article's main country")

    def speaker_of(self, token: Token) -> Actor | None:
        """The speaker of the quote the token is in ("'We stand with Kyiv,' the chancellor said")."""
        start, end = self.annotated.span((token.idx, token.idx + len(token.text)))
        spans = self._spoken
        lo = bisect_left(spans, (start - self._longest_spoken,))
        hi = bisect_right(spans, (start, float("inf")))
        found = [k for s, e, k in spans[lo:hi] if s <= start and end <= e]
        return self.actors.get(self.quotes[min(found)].speaker) if found else None  # the first quote, as before

    def resolve_pronoun(self, token: Token) -> Actor | None:
        if token.lower_ in _FIRST_PERSON:  # the speaker of a reported statement acts in what it states
            return self.speaker_of(token)
        if token.lower_ in _GROUP_PRONOUNS:
            best = None
            for s, e, actor in self.actors.mentions_near(token.idx - 400, token.idx + 1):
                if e <= token.idx and token.idx - e < 400 and actor.kind in _GROUP_KINDS:
                    if best is None or s > best[0]:
                        best = (s, actor)
            return best[1] if best else None
        if token.lower_ == "it":
            return self._reporting_body(token)
        if token.lower_ not in _PERSON_PRONOUNS:
            return None
        best = None
        for s, e, actor in self.actors.mentions_near(token.idx - 600, token.idx + 1):
            if e <= token.idx and token.idx - e < 600 and actor.kind == "person":
                if best is None or s > best[0]:
                    best = (s, actor)
        return best[1] if best else None

    def _reporting_body(self, token: Token) -> Actor | None:
        """"The Iraqi military says it has seized the oil fields": "it", subject of a reported clause, is
        the government, organisation or group that reports it; any other "it" is left alone."""
        clause = token.head
        if token.dep_ not in ("nsubj", "nsubjpass") or clause.dep_ != "ccomp" or clause.head.i == clause.i:
            return None
        reporter = clause.head
        if reporter.i > token.i or reporter.lemma_.lower() not in self.lex.factuality.get("neutral_governors", ()):
            return None  # "It attacked the convoy, the army said": "it" is someone named before
        for subject in (c for c in reporter.children if c.dep_ == "nsubj"):
            found = self.actor_for(subject)
            if found is not None and found.kind in _GROUP_KINDS:
                return found
        return None

    def actor_for(self, token: Token, allow_group: bool = True) -> Actor | None:
        """The actor an argument token stands for, creating an ad-hoc one for described groups."""
        if token.lower_ in self.lex.platforms or (token.pos_ == "NOUN" and token.lemma_.lower() in self.lex.platforms):
            return None  # "on Twitter", "on state television": a channel
        if token.pos_ == "PRON":
            return self.resolve_pronoun(token)
        if token.pos_ not in ("PROPN", "NOUN", "X", "NUM", "ADJ"):
            return None
        head_actor = self._covering(token.idx, token.idx + len(token.text))
        if head_actor is not None:
            self._domestic_country(head_actor, token)
            return head_actor
        # "thousands of students", "a group of rebels": the people, not the number
        if token.lemma_.lower() in _QUANTITY_HEADS or token.pos_ == "NUM":
            for obj in self.prep_objects(token, {"of"}):
                return self.actor_for(obj, allow_group)
        if token.ent_type_ in _NOT_ACTOR_ENTITIES:  # "on Thursday", "for two weeks": when, not who
            return None
        for child in token.children:
            if child.dep_ == "appos":
                found = self.actor_for(child, allow_group)
                if found:
                    return found
        # "his Ukrainian counterpart, Dmytro Kuleba," parsed without the apposition
        after = token.i + 1
        if after + 1 < len(self.doc) and self.doc[after].text == "," and token.pos_ == "NOUN":
            nxt = self.doc[after + 1]
            if nxt.ent_type_ == "PERSON":
                ent_end = nxt.i
                while ent_end + 1 < len(self.doc) and self.doc[ent_end + 1].ent_iob_ == "I":
                    ent_end += 1
                found = self._covering(nxt.idx, self.doc[ent_end].idx + len(self.doc[ent_end].text))
                if found:
                    return found
        start, end = self.noun_phrase(token)
        inner = self.actors.actor_at(start, end)
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and lemma in self.lex.group_nouns and allow_group:
            name = self.text[start:end].strip()
            fields: dict = {"kind": "group"}
            if inner is not None and inner.country:
                fields["country"] = inner.country
            elif self.main_country and lemma in self.lex.domestic_groups:
                # "police", "state prosecutors": unless the text says whose, the country the article is about
                fields["country"] = self.main_country
                fields["notes"] = ["country: the article's main country"]
            try:
                return self.actors.ad_hoc(name, start, end, **fields)
            except Exception:  # an odd name must not stop the article
                return inner
        if inner is not None:
            return inner
        if token.pos_ == "PROPN":
            name = self.text[start:end].strip()
            if name:
                return self.actors.ad_hoc(name, start, end, kind="other")
        return None

    def group_antecedents(self, token: Token) -> list[str]:
        """"They" / "them": the nearest group, government or organisation named before, with the
        actors coordinated with it ("Egypt and Greece issued a statement. They called on ...")."""
        first = self.resolve_pronoun(token)
        if first is None:
            return []
        out = [first.id]
        for s, _e, actor in self.actors.mentions():
            if actor is not first or s >= token.idx:
                continue
            span = self.doc.char_span(s, _e, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            group = [root.head] if root.dep_ == "conj" else []
            group += [root, *self._conjuncts(root)]
            while group[0].dep_ == "conj" and group[0].head.i != group[0].i:
                group.insert(0, group[0].head)
            for t in group:
                other = self._covering(t.idx, t.idx + len(t.text))
                if other is not None and other.id not in out:
                    out.append(other.id)
        return out

    def actors_of(self, token: Token | None, allow_group: bool = True) -> list[str]:
        """Actor ids of an argument and its conjuncts ("China and Russia")."""
        if token is None:
            return []
        if token.lower_ in _GROUP_PRONOUNS:
            return self.group_antecedents(token)
        out: list[str] = []
        # "China's foreign minister, Wang Yi, and his Ukrainian counterpart, Dmytro Kuleba": the parser
        # hangs the second person off the first one's apposition, not off the head
        appositions = [c for c in token.children if c.dep_ == "appos"]
        for t in [token, *self._conjuncts(token), *(x for a in appositions for x in self._conjuncts(a))]:
            actor = self.actor_for(t, allow_group)
            if actor is not None and actor.id not in out:
                out.append(actor.id)
        return out

    @staticmethod
    def _conjuncts(token: Token) -> list[Token]:
        out, stack = [], [c for c in token.children if c.dep_ == "conj"]
        while stack:
            t = stack.pop(0)
            out.append(t)
            stack.extend(c for c in t.children if c.dep_ == "conj")
        return out

    # ------------------------------------------------------------------ argument structure

    def subject_tokens(self, verb: Token, depth: int = 0) -> tuple[list[Token], list[Token]]:
        """(agents, patients): the verb's subject, or for a passive its "by" agent and its subject."""
        agents: list[Token] = []
        patients: list[Token] = []
        for child in verb.children:
            if child.dep_ == "nsubj":
                agents.append(child)
            elif child.dep_ == "nsubjpass":
                patients.append(child)
            elif child.dep_ == "agent":
                agents.extend(c for c in child.children if c.dep_ == "pobj")
        if patients and not agents:
            # "was condemned in a joint statement by Egypt and Greece": the agent hangs off the statement
            for obj in self.prep_objects(verb, {"in", "through", "via"}):
                agents.extend(self.prep_objects(obj, {"by"}))
        if verb.dep_ == "relcl" and not agents and any(p.tag_ in ("WP", "WDT") or p.lower_ == "that" for p in patients):
            # "a commander, who was also killed in the strike": the antecedent suffered it, did not do it
            return [], [verb.head]
        if agents or depth > 4:
            return agents, patients
        head = verb.head
        if head.i == verb.i:
            return agents, patients
        if verb.dep_ == "xcomp" or (verb.dep_ in ("advcl", "ccomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)):
            # a complement of an object-control verb ("asked Putin to delay") is its object's; a
            # purpose clause ("used the full force of the law to bring them to justice") the subject's
            objects = [c for c in head.children if c.dep_ in ("dobj", "dative")] if head.lemma_.lower() in self.lex.object_control else []
            if objects:  # object control: "asked Putin to delay"
                return objects, patients
            on_objects = [g for c in head.children if c.dep_ == "prep" and c.lower_ in ("on", "upon") for g in c.children if g.dep_ == "pobj"]
            if on_objects:  # "pressure mounted on Xi to denounce"
                return on_objects, patients
            if head.pos_ == "NOUN":
                noun_on = [g for c in head.children if c.dep_ == "prep" and c.lower_ in ("on", "upon", "for") for g in c.children if g.dep_ == "pobj"]
                if noun_on:
                    return noun_on, patients
            if head.pos_ in ("VERB", "AUX"):
                sub_agents, _ = self.subject_tokens(head, depth + 1)
                return sub_agents, patients
            if head.pos_ == "ADJ" and head.dep_ == "acomp" and head.head.pos_ in ("VERB", "AUX"):
                # "the United States is willing to provide a loan": the copula's subject
                sub_agents, _ = self.subject_tokens(head.head, depth + 1)
                return sub_agents, patients
        if verb.dep_ == "conj" and head.pos_ in ("VERB", "AUX"):
            sub_agents, _ = self.subject_tokens(head, depth + 1)
            return sub_agents, patients
        if (verb.dep_ == "acl" and verb.tag_ == "VBG" and head.pos_ == "NOUN"
                and head.lemma_.lower() not in self.lex.group_nouns and head.head.pos_ in ("VERB", "AUX")
                and head.head.i != head.i):
            # "signed a decree banning the niqab": an instrument does what its maker does through it
            sub_agents, _ = self.subject_tokens(head.head, depth + 1)
            return sub_agents, patients
        if verb.dep_ in ("relcl", "acl") and head.pos_ in ("NOUN", "PROPN"):
            return [head], patients
        if verb.dep_ == "pcomp" and any(c.dep_ == "nsubj" for c in verb.children):
            return [c for c in verb.children if c.dep_ == "nsubj"], patients
        if verb.tag_ == "VBG" and verb.dep_ in ("advcl", "pcomp"):
            # a participial adjunct acts through the clause it hangs from: "The United States was more
            # forceful in blaming Iran, committing to send troops" -> the United States blames and commits
            clause = clause_verb(head)
            if clause is not None and clause.i != verb.i:
                sub_agents, _ = self.subject_tokens(clause, depth + 1)
                return sub_agents, patients
        return agents, patients

    @staticmethod
    def prep_objects(token: Token, preps) -> list[Token]:
        out = []
        for child in token.children:
            if child.dep_ in ("prep", "prt", "agent", "dative") and child.lower_ in preps:
                out.extend(g for g in child.children if g.dep_ == "pobj")
        return out

    def fill_arguments(self, cand: Candidate) -> None:
        token, entry = cand.token, cand.entry
        preps = set(entry.preps) if entry else {"to", "with", "on", "against"}
        reciprocal = bool(entry and entry.reciprocal)
        actors: list[str] = []
        recipients: list[str] = []
        co_actor_tokens: list[Token] = []
        recipient_tokens: list[Token] = []
        if token.pos_ == "VERB":
            agents, patients = self.subject_tokens(token)
            for a in agents:
                actors += [x for x in self.actors_of(a) if x not in actors]
            recipient_tokens += patients
            for child in token.children:
                if child.dep_ in ("dobj", "dative") and not (entry and entry.no_object):
                    (co_actor_tokens if reciprocal else recipient_tokens).append(child)
            if not (entry and entry.no_object) and not any(c.dep_ in ("dobj", "dative") for c in token.children):
                # "helping Venezuela evade sanctions": the bare infinitive's subject is the verb's object
                for clause in token.children:
                    if clause.dep_ in ("ccomp", "xcomp") and clause.tag_ == "VB":
                        recipient_tokens += [c for c in clause.children if c.dep_ == "nsubj"]
            if entry and entry.clause_recipient and not any(c.dep_ in ("dobj", "dative") for c in token.children):
                # "alleged the central government was hiding the figures": whom the claim is about
                recipient_tokens += [g for c in token.children if c.dep_ == "ccomp" for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
            if entry and entry.extra:  # "call on X": the particle's object
                recipient_tokens += self.prep_objects(token, set(entry.extra))
            if "from" in preps:  # "demanded an explanation from Moscow": the "from" hangs off the object
                for child in token.children:
                    if child.dep_ == "dobj":
                        recipient_tokens += self.prep_objects(child, {"from"})
            for obj in self.prep_objects(token, preps):
                prep = obj.head.lower_
                (co_actor_tokens if (reciprocal and prep in ("with", "between", "to")) else recipient_tokens).append(obj)
            co_actor_tokens += self.prep_objects(token, {"between", "among"})
            # "talked with each other": nothing to add; "X and Y met" arrives as conjoined subjects
        else:
            head = token.head
            for child in token.children:
                if child.dep_ == "poss":
                    actors += [x for x in self.actors_of(child) if x not in actors]
                elif child.dep_ in ("compound", "amod", "nmod") and child.pos_ in ("PROPN", "ADJ", "NOUN"):
                    found = self._covering(child.idx, child.idx + len(child.text))
                    if found is not None and found.id not in actors:
                        actors.append(found.id)
            actors += [x for a in self.prep_objects(token, {"by"}) for x in self.actors_of(a) if x not in actors]
            between = self.prep_objects(token, {"between", "among"})
            co_actor_tokens += between
            for obj in self.prep_objects(token, preps):
                prep = obj.head.lower_
                (co_actor_tokens if (reciprocal and prep == "with") else recipient_tokens).append(obj)
            # a light verb does the noun's deed ("launched an attack"), unless it labels it: in "called
            # the stabbing an act of barbarity" the caller only names someone else's deed
            labels_it = any(c.dep_ in ("oprd", "acomp") for c in head.children)
            if (token.dep_ in ("dobj", "nsubjpass", "oprd") and head.lemma_.lower() in self.lex.light_verbs
                    and not labels_it):
                agents, _ = self.subject_tokens(head)
                if not actors and not between:
                    for a in agents:
                        actors += [x for x in self.actors_of(a) if x not in actors]
                if head.lemma_.lower() in self.lex.light_verbs:
                    for obj in self.prep_objects(head, preps):
                        prep = obj.head.lower_
                        (co_actor_tokens if (reciprocal and prep == "with") else recipient_tokens).append(obj)
        for t in co_actor_tokens:
            for x in self.actors_of(t):
                if x not in actors:
                    actors.append(x)
        for t in recipient_tokens:
            found = self.actors_of(t) or self.owners_of(t)
            for x in found:
                if x not in actors and x not in recipients:
                    recipients.append(x)
        if not actors and entry and entry.implied_actor and self.main_country:
            implied = self.actors.ad_hoc(
                entry.implied_actor, token.idx, token.idx + len(token.text), kind="group",
                country=self.main_country,
                notes=[f"implied by '{token.text}'; country: the article's main country"],
            )
            if implied is not None:
                actors.append(implied.id)
        cand.actors, cand.recipients = actors, recipients

    def owners_of(self, token: Token) -> list[str]:
        """Whose act a thing is, when a verb targets an act rather than an actor: "criticised the
        move by Ankara", "condemned Russia's decision", "alleged Iranian involvement"."""
        if token.pos_ != "NOUN":
            return []
        out: list[str] = []
        for child in token.children:
            if child.dep_ == "poss":
                out += self.actors_of(child)
            elif child.dep_ == "prep" and child.lower_ == "by":
                out += [x for g in child.children if g.dep_ == "pobj" for x in self.actors_of(g)]
            elif child.dep_ in ("amod", "compound") and child.pos_ in ("ADJ", "PROPN"):
                found = self._covering(child.idx, child.idx + len(child.text)) or self.demonym_government(child)
                if found is not None and found.country:
                    out.append(found.id)
        return list(dict.fromkeys(out))

    def demonym_government(self, token: Token) -> Actor | None:
        """The government of the country a nationality adjective names ("Iranian involvement")."""
        if token.pos_ != "ADJ":
            return None
        from communique.actors.kb import load_kb

        code = (self.actors.kb or load_kb()).country_of(token.text)
        if not code:
            return None
        name = country_name(code) or code
        return self.actors.ad_hoc(name, token.idx, token.idx + len(token.text), country=code, kind="government")
