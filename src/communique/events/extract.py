"""PLOVER event extraction: dictionary triggers over the dependency parse, typed with the sentence
classifier, with actors, recipients, mode, date, place, factuality and provenance.

For each sentence:
1. every verb or noun in the trigger dictionary (`data/events/verbs.yaml`) is a candidate event;
2. its actors and recipients come from the parse (subject / object / prepositional objects for verbs;
   possessive, "by", "between" and the light verb's subject for nouns), resolved to ActorTable ids;
3. factuality (`factuality.py`) marks events that are denied, planned, requested or hypothetical; an
   event only urged by a REQUEST trigger ("asked X to delay Y") is folded into that REQUEST;
4. the sentence classifier picks the main event among the candidates and may retype it; a sentence
   with no dictionary trigger gets one classifier event when the classifier is confident and the
   root verb has an actor;
5. dates come from date expressions attached to the trigger (`communique.dates`), places from
   "in / at X" phrases, `reported_by` from quotes covering the trigger, reporting verbs and
   "according to X"; "the first X since DATE" also records the earlier X as an event of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from communique.actors import ActorTable
from communique.dates import find_date_expressions, resolve_date
from communique.events import detect
from communique.events.classifier import load_classifier
from communique.events.factuality import assess
from communique.events.lexicon import Lexicon, TriggerEntry, load_lexicon
from communique.events.places import country_name, lookup_place
from communique.models import Actor, Event, Quote, content_id
from communique.nlp import AnnotatedDoc

log = logging.getLogger(__name__)

# Scoring of the main event of a sentence and of classifier overrides, re-tuned for the MiniLM
# classifier on its out-of-fold PLV scores (full pipeline, macro-F1): these values 62.8; RETYPE "all"
# 65.8 and "nouns" 64.8 score higher on PLV but retype firm short news sentences ("signed a trade
# agreement" -> SUPPORT), so "hint" stays. PROMINENCE_WEIGHT 0-0.5 scored the same; the OVERRIDE_*
# values only act under "nouns"/"all"; FALLBACK_MIN_PROB 0.3 scored 0.2 lower (under "all").
PROMINENCE_WEIGHT = 0.3
OVERRIDE_MARGIN = 0.5
OVERRIDE_MIN_PROB = 0.95
RETYPE = "hint"  # "hint" | "nouns" | "all"
FALLBACK_MIN_PROB = 0.5

_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
_NP_DROP_DEPS = {"relcl", "acl", "appos", "prep", "punct", "cc", "conj", "advcl", "det", "case"}
_QUANTITY_HEADS = {"thousand", "thousands", "hundred", "hundreds", "dozen", "dozens", "million", "millions", "group", "number", "crowd", "band", "unit"}
_NOT_ACTOR_ENTITIES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
_REPORTING_DEPS = {"ccomp", "xcomp", "conj", "advcl", "parataxis"}


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


class _Context:
    """Per-article state shared by the helpers."""

    def __init__(self, annotated: AnnotatedDoc, actors: ActorTable, quotes: list[Quote], lex: Lexicon):
        self.annotated = annotated
        self.doc: Doc = annotated.doc
        self.actors = actors
        self.quotes = quotes
        self.lex = lex
        self.published = annotated.article.published

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
        for s, e, actor in self.actors.mentions():
            if s <= start and e >= end:
                if best is None or (e - s) < best[0]:
                    best = (e - s, actor)
        return best[1] if best else None

    def resolve_pronoun(self, token: Token) -> Actor | None:
        if token.lower_ not in _PERSON_PRONOUNS:
            return None
        best = None
        for s, e, actor in self.actors.mentions():
            if e <= token.idx and token.idx - e < 600 and actor.kind == "person":
                if best is None or s > best[0]:
                    best = (s, actor)
        return best[1] if best else None

    def actor_for(self, token: Token, allow_group: bool = True) -> Actor | None:
        """The actor an argument token stands for, creating an ad-hoc one for described groups."""
        if token.pos_ == "PRON":
            return self.resolve_pronoun(token)
        if token.pos_ not in ("PROPN", "NOUN", "X", "NUM", "ADJ"):
            return None
        head_actor = self._covering(token.idx, token.idx + len(token.text))
        if head_actor is not None:
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
            name = self.doc.text[start:end].strip()
            fields = {"kind": "group"}
            if inner is not None and inner.country:
                fields["country"] = inner.country
            try:
                return self.actors.ad_hoc(name, start, end, **fields)
            except Exception:  # an odd name must not stop the article
                return inner
        if inner is not None:
            return inner
        if token.pos_ == "PROPN":
            name = self.doc.text[start:end].strip()
            if name:
                return self.actors.ad_hoc(name, start, end, kind="other")
        return None

    def actors_of(self, token: Token | None, allow_group: bool = True) -> list[str]:
        """Actor ids of an argument and its conjuncts ("China and Russia")."""
        if token is None:
            return []
        out: list[str] = []
        for t in [token, *self._conjuncts(token)]:
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
        if agents or depth > 4:
            return agents, patients
        head = verb.head
        if head is verb:
            return agents, patients
        if verb.dep_ == "xcomp" or (verb.dep_ in ("advcl", "ccomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)):
            objects = [c for c in head.children if c.dep_ in ("dobj", "dative")]
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
        if verb.dep_ == "conj" and head.pos_ in ("VERB", "AUX"):
            sub_agents, _ = self.subject_tokens(head, depth + 1)
            return sub_agents, patients
        if verb.dep_ in ("relcl", "acl") and head.pos_ in ("NOUN", "PROPN"):
            return [head], patients
        if verb.dep_ == "pcomp":
            return [c for c in verb.children if c.dep_ == "nsubj"], patients
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
            if entry and entry.extra:  # "call on X": the particle's object
                recipient_tokens += self.prep_objects(token, set(entry.extra))
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
            if token.dep_ in ("dobj", "nsubjpass", "oprd") and head.lemma_.lower() in self.lex.light_verbs:
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
            for x in self.actors_of(t):
                if x not in actors and x not in recipients:
                    recipients.append(x)
        cand.actors, cand.recipients = actors, recipients

    # ------------------------------------------------------------------ mode, place, provenance

    def choose_mode(self, cand: Candidate) -> None:
        allowed = self.lex.types.get(cand.type, [])
        mode = cand.entry.mode if cand.entry and cand.entry.type == cand.type else None
        if mode not in allowed:
            mode = None
        if mode is None:
            lemmas = {t.lemma_.lower() for t in cand.token.subtree} | {cand.token.lemma_.lower()}
            if cand.governor is not None:
                lemmas.add(cand.governor.lemma_.lower())
            for candidate_mode, words in self.lex.mode_cues.get(cand.type, {}).items():
                if candidate_mode in allowed and lemmas & words:
                    mode = candidate_mode
                    break
        if cand.type == "CONSULT" and mode is None and len(cand.participants) >= 3:
            mode = "multilateral"
        cand.mode = mode

    def find_location(self, cand: Candidate) -> None:
        sources = [cand.token]
        if cand.token.pos_ == "NOUN" and cand.token.head.lemma_.lower() in self.lex.light_verbs:
            sources.append(cand.token.head)
        for src in sources:
            objects = self.prep_objects(src, {"in", "at", "near", "outside", "inside"})
            # one level down: "at the summit in Brussels"
            objects += [g for o in list(objects) for g in self.prep_objects(o, {"in", "at"})]
            for obj in objects:
                if obj.ent_type_ not in ("GPE", "LOC", "FAC") and lookup_place(obj.text) is None:
                    continue
                start, end = self._entity_range(obj)
                name = self.doc.text[start:end]
                place = lookup_place(name)
                if place is None:
                    actor = self.actors.actor_at(start, end)
                    label = f"{name}, {actor.country}" if actor and actor.country else name
                else:
                    label = place.label
                cand.location = label
                cand.location_span = self.annotated.span((start, end))
                return

    def _entity_range(self, token: Token) -> tuple[int, int]:
        for ent in self.doc.ents:
            if ent.start <= token.i < ent.end:
                start, end = ent.start_char, ent.end_char
                if ent[0].lower_ == "the":
                    start = ent[1].idx if len(ent) > 1 else start
                return start, end
        return token.idx, token.idx + len(token.text)

    def provenance(self, cand: Candidate) -> None:
        chain: list[str] = []
        # the speaker of a reporting verb that governs the trigger ("Kuleba tweeted that he had spoken")
        node, steps = cand.token, 0
        while node.dep_ in _REPORTING_DEPS | {"dobj", "pobj", "attr", "nsubj"} and node.head is not node and steps < 6:
            steps += 1
            governor = node.head
            if governor.pos_ in ("VERB", "AUX") and governor.lemma_.lower() in self.lex.factuality.get("neutral_governors", ()):
                agents, _ = self.subject_tokens(governor)
                for a in agents:
                    chain += [x for x in self.actors_of(a) if x not in chain and x not in cand.actors]
                break
            node = governor
        span = self.annotated.span(cand.token)
        for quote in self.quotes:
            cs = quote.content_span
            if cs and cs[0] <= span[0] and span[1] <= cs[1]:
                for ref in [quote.speaker or quote.speaker_text, *quote.via]:
                    if ref and ref not in chain:
                        chain.append(ref)
        for token in cand.sent:
            if token.lower_ in self.lex.according_cues:
                for to in token.children:
                    if to.lower_ == "to":
                        for obj in to.children:
                            if obj.dep_ == "pobj":
                                chain += [x for x in self.actors_of(obj) if x not in chain]
        cand.reported_by = chain


def _attach_dates(ctx: _Context, sent: Span, cands: list[Candidate]) -> list[tuple[Candidate, str, Span]]:
    """Give each candidate the date expression that attaches to it; return (candidate, preposition,
    span) for the dates attached, so "first ... since DATE" can be recognised."""
    doc = ctx.doc
    spans: list[Span] = [e for e in doc.ents if e.label_ in ("DATE", "TIME") and sent.start <= e.start < sent.end]
    offset = sent.start_char
    for start, end, _ in find_date_expressions(sent.text):
        s = doc.char_span(offset + start, offset + end, alignment_mode="expand")
        if s is not None and not any(s.start < x.end and x.start < s.end for x in spans):
            spans.append(s)
    by_token = {c.token.i: c for c in cands}
    attached: list[tuple[Candidate, str, Span]] = []
    for span in spans:
        iso, precision = resolve_date(span.text, ctx.published)
        if iso is None:
            continue
        node, prep, steps = span.root, "", 0
        owner = None
        while steps < 12:
            steps += 1
            if node.dep_ == "pobj" and node.head.pos_ in ("ADP", "SCONJ"):
                prep = prep or node.head.lower_
            if node.i in by_token and node is not span.root:
                owner = by_token[node.i]
                break
            if node.head is node:
                break
            node = node.head
        if prep == "" and span.start > sent.start and doc[span.start - 1].lower_ in ("since", "on", "in", "until"):
            prep = doc[span.start - 1].lower_
        targets = [owner] if owner else [c for c in cands if c.date is None and not c.refers_to_past]
        for cand in targets:
            if cand.date is None:
                cand.date, cand.date_precision = iso, precision
                cand.date_token_span = (span.start, span.end)
                attached.append((cand, prep, span))
    return attached


def _first_since(cand: Candidate, sent: Span) -> bool:
    """Whether the trigger is "the first X since ..." / "for the first time since ..."."""
    for t in sent:
        if t.lower_ == "first" and (t.head == cand.token or cand.token in t.ancestors or t.head in cand.token.subtree or t.i < cand.token.i):
            return True
    return False


def _country_actors(ctx: _Context, previous: Candidate, span: tuple[int, int]) -> list[str]:
    """The countries of the previous event's participants, as actor ids ("the two countries")."""
    out: list[str] = []
    for actor_id in previous.participants:
        actor = ctx.actors.get(actor_id)
        code = actor.country if actor else None
        if not code:
            continue
        existing = next(
            (a for a in ctx.actors.actors if a.country == code and a.kind in ("government", "location") and a.id not in previous.participants),
            None,
        )
        if existing is None:
            name = country_name(code) or code
            existing = ctx.actors.ad_hoc(name, span[0], span[1], country=code, kind="government")
        else:
            ctx.actors.add_mention(existing, span[0], span[1])
        if existing.id not in out:
            out.append(existing.id)
    return out


def _resolve_anaphors(ctx: _Context, cand: Candidate, previous: Candidate | None) -> None:
    """"the countries" / "the two sides" as arguments: the participants (or their countries) of the
    event just before."""
    if previous is None:
        return
    for token in cand.token.subtree:
        if token.dep_ != "pobj" or token.head.lower_ not in ("between", "with", "among"):
            continue
        forms = {token.lemma_.lower(), token.lower_}
        words = {t.lower_ for t in token.subtree}
        span = ctx.noun_phrase(token)
        if forms & ctx.lex.country_anaphors:
            ids = _country_actors(ctx, previous, span) or list(previous.participants)
        elif forms & ctx.lex.participant_anaphors or words & {"both", "two"}:
            ids = list(previous.participants)
        else:
            continue
        for x in ids:
            if x not in cand.actors:
                cand.actors.append(x)


def _depth(token: Token) -> int:
    d, node = 0, token
    while node.head is not node and d < 20:
        node, d = node.head, d + 1
    return d


def _retype(lex: Lexicon, cand: Candidate, plv_label: str) -> str:
    """A PLV label as one of our types: YIELD splits into RETREAT (withdrawal words) or CONCEDE."""
    if plv_label != "YIELD":
        return plv_label
    retreat_words = {e.head for (pos, _), entries in lex.entries.items() for e in entries if e.type == "RETREAT"}
    lemmas = {t.lemma_.lower() for t in cand.sent}
    return "RETREAT" if lemmas & retreat_words else "CONCEDE"


def _sentence_scores(classifier, sents: list[Span]) -> list[dict[str, float]]:
    """Class scores per sentence from the classifier: any callable that maps a list of texts to a list
    of {label: score} dicts (the shipped ONNX model, a fold model under cross-validation), or a spaCy
    textcat pipeline. All the sentences of an article go in one call."""
    if classifier is None:
        return [{} for _ in sents]
    try:
        if not isinstance(classifier, Language) and callable(classifier):
            return [dict(c) for c in classifier([s.text for s in sents])]
        return [dict(d.cats) for d in classifier.pipe([s.text for s in sents], batch_size=64)]
    except Exception:  # pragma: no cover - a broken model leaves the dictionary in charge
        log.exception("event classifier failed")
        return [{} for _ in sents]


def find_candidates(
    annotated: AnnotatedDoc,
    actors: ActorTable,
    quotes: list[Quote],
    classifier: Language | None | bool = None,
) -> list[Candidate]:
    """All events of the article as candidates (including suppressed ones), in text order."""
    lex = load_lexicon()
    model = load_classifier() if classifier is None else (classifier or None)
    ctx = _Context(annotated, actors, quotes, lex)
    sents = list(ctx.doc.sents)
    scores = _sentence_scores(model, sents)
    out: list[Candidate] = []
    previous: Candidate | None = None
    for sent, cats in zip(sents, scores):
        # detection hook (events/detect.py): a sentence the classifier calls "no event" keeps only
        # the events it cannot judge; all are typed by the 15 type scores alone
        no_event = not detect.is_event(cats)
        cats = detect.type_scores(cats)
        try:
            made = _sentence_events(ctx, sent, cats, previous)
            if no_event:
                made = detect.unjudged(made)
        except Exception:  # malformed parses give fewer events, never a crash
            log.exception("event extraction failed on a sentence")
            continue
        out.extend(made)
        live = [c for c in made if not c.suppressed and not c.folded and not c.refers_to_past and c.participants]
        if live:
            previous = live[-1] if not any(c.main for c in live) else next(c for c in live if c.main)
    return out


def _sentence_events(ctx: _Context, sent: Span, cats: dict[str, float], previous: Candidate | None) -> list[Candidate]:
    lex = ctx.lex
    cands: list[Candidate] = []
    for token in sent:
        entry = lex.match(token)
        if entry is None:
            continue
        cands.append(Candidate(token=token, sent=sent, type=entry.type, entry=entry, depth=_depth(token)))
    trigger_ids = {c.token.i for c in cands}
    for cand in cands:
        ctx.fill_arguments(cand)
        fact = assess(cand.token, lex)
        cand.status, cand.governor = fact.status, fact.governor
        # an event urged or refused by a REQUEST / REJECT trigger is that REQUEST / REJECT
        gov = cand.governor
        if gov is not None and gov.i in trigger_ids and gov.i != cand.token.i:
            gov_cand = next(c for c in cands if c.token.i == gov.i)
            if gov_cand.type == "REQUEST" or (gov_cand.type == "REJECT" and cand.token.dep_ == "xcomp"):
                cand.folded = True
    # "imposed sanctions on X", "signed an agreement": the noun carries the event, the verb only says it happened
    by_index = {c.token.i: c for c in cands}
    for cand in cands:
        if cand.token.pos_ == "VERB":
            for child in cand.token.children:
                noun = by_index.get(child.i)
                if child.dep_ == "dobj" and noun is not None and noun.type == cand.type:
                    cand.folded = True
                    for x in cand.actors:
                        if x not in noun.actors:
                            noun.actors.append(x)
    for cand in cands:
        _resolve_anaphors(ctx, cand, previous)

    # the main event: the candidate the classifier and the parse agree on
    live = [c for c in cands if not c.folded and c.participants]
    if cats:
        best_label = max(cats, key=cats.get)
        for c in live:
            c.score = cats.get(lex.plv_label(c.type), 0.0) + PROMINENCE_WEIGHT / (1 + c.depth)
        if live:
            main = max(live, key=lambda c: (c.score, -c.token.i))
            own = cats.get(lex.plv_label(main.type), 0.0)
            hint = main.entry.type_hint if main.entry else None
            # By default (RETYPE = "hint") the classifier retypes only triggers the dictionary marks as
            # ambiguous (type_hint): on short sentences unlike PLV's it is confidently wrong
            # ("The European Union imposed sanctions on Belarus" -> COERCE at p > 0.95). "nouns" / "all"
            # also let it retype noun / any triggers when near-certain (better on PLV itself).
            firm = bool(main.entry and main.entry.firm)
            confident = cats[best_label] - own >= OVERRIDE_MARGIN and cats[best_label] >= OVERRIDE_MIN_PROB
            may_retype = RETYPE == "all" or (RETYPE == "nouns" and main.token.pos_ != "VERB")
            if best_label != lex.plv_label(main.type) and not firm and (
                (confident and may_retype)
                or (hint and lex.plv_label(hint) == best_label)
                or detect.confident_type(cats) == best_label  # the classifier is sure of another type
            ):
                main.type = _retype(lex, main, best_label)
            main.main = True
        elif cats[best_label] >= FALLBACK_MIN_PROB:
            root = sent.root
            if root.pos_ in ("VERB", "AUX") and root.lemma_.lower() not in lex.factuality.get("neutral_governors", ()):
                cand = Candidate(token=root, sent=sent, type="", source="classifier", depth=0)
                cand.type = _retype(lex, cand, best_label)
                ctx.fill_arguments(cand)
                if cand.actors:
                    fact = assess(root, lex)
                    cand.status, cand.governor = fact.status, fact.governor
                    cand.main = True
                    cands.append(cand)
                    live = [cand]
    elif live:
        min(live, key=lambda c: (c.depth, c.token.i)).main = True

    attached = _attach_dates(ctx, sent, cands)
    extra: list[Candidate] = []
    for cand, prep, span in attached:
        if prep == "since" and _first_since(cand, sent) and cand.token.pos_ == "NOUN":
            # "the first conversation since March 1": an earlier one took place then
            past = Candidate(
                token=cand.token, sent=sent, type=cand.entry.type if cand.entry else cand.type, entry=cand.entry, actors=list(cand.actors),
                recipients=list(cand.recipients), depth=cand.depth, date=cand.date,
                date_precision=cand.date_precision, refers_to_past=True,
            )
            extra.append(past)
            cand.date, cand.date_precision, cand.date_token_span = None, "unknown", None
            # "It was the first ... since": the sentence restates the event before it
            subject = next((c for c in sent.root.children if c.dep_ == "nsubj"), None)
            if sent.root.lemma_ == "be" and subject is not None and subject.lower_ in ("it", "this", "that"):
                cand.suppressed = True
    cands.extend(extra)
    for cand in cands:
        ctx.choose_mode(cand)
        ctx.find_location(cand)
        ctx.provenance(cand)
        if cand.date is None:
            cand.date, cand.date_precision = resolve_date(None, ctx.published)
    return cands


def to_event(ctx_article_id: str, annotated: AnnotatedDoc, cand: Candidate) -> Event:
    sent_span = annotated.span(cand.sent)
    trigger_span = annotated.span(cand.token)
    key = f"{ctx_article_id}|{trigger_span[0]}|{cand.type}|{cand.refers_to_past}"
    return Event(
        id=content_id(key, "e-"),
        type=cand.type,
        mode=cand.mode,
        status=cand.status,
        actors=list(cand.actors),
        recipients=list(cand.recipients),
        date=cand.date,
        date_precision=cand.date_precision,
        location=cand.location,
        location_span=cand.location_span,
        evidence=annotated.text_of(sent_span).strip(),
        evidence_span=sent_span,
        reported_by=list(cand.reported_by),
        refers_to_past=cand.refers_to_past,
        trigger=annotated.text_of(trigger_span),
        trigger_span=trigger_span,
    )


def kept(cands: list[Candidate]) -> list[Candidate]:
    """The candidates that become events: with participants, not folded, not duplicates."""
    out: list[Candidate] = []
    seen: set[tuple] = set()
    for cand in cands:
        if cand.folded or cand.suppressed or not cand.participants or not cand.type:
            continue
        if cand.token.pos_ == "NOUN" and not cand.actors:  # "the war against X": nobody named as doing it
            continue
        key = (cand.type, frozenset(cand.actors), frozenset(cand.recipients), cand.refers_to_past, cand.status)
        dated = cand.date_precision not in ("publication", "unknown")
        if (key, cand.date if dated else None) in seen or (not dated and any(k[0] == key for k in seen)):
            continue
        seen.add((key, cand.date if dated else None))
        out.append(cand)
    return out


def extract_events(
    annotated: AnnotatedDoc,
    actors: ActorTable,
    quotes: list[Quote],
    classifier: Language | None | bool = None,
) -> list[Event]:
    """The PLOVER events of one article. `classifier`: None = the shipped model, False = none, or a
    callable from sentences to {label: score} dicts (cross-validation passes its fold model)."""
    try:
        cands = find_candidates(annotated, actors, quotes, classifier)
    except Exception:  # pragma: no cover - never take the pipeline down
        log.exception("event extraction failed")
        return []
    article_id = annotated.article.external_id or annotated.article.id
    events: list[Event] = []
    for cand in kept(cands):
        try:
            events.append(to_event(article_id, annotated, cand))
        except Exception:  # pragma: no cover
            log.exception("could not build an event")
    return events
