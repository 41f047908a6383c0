"""PLOVER event extraction: dictionary triggers over the dependency parse, typed with the sentence
classifier, with actors, recipients, mode, date, place, factuality and provenance.

For each sentence:
1. every verb or noun in the trigger dictionary (`data/events/verbs.yaml`) is a candidate event
   (`triggers.py`); speech that labels ("called the raid an act of aggression") is typed by what it says;
2. its actors and recipients come from the parse (`roles.py`: subject, passive agent, relative-clause
   antecedent, object and prepositional objects for verbs; possessive, "by", "between" and the light
   verb's subject for nouns), resolved to ActorTable ids;
3. factuality (`factuality.py`) marks events that are denied, planned, requested or hypothetical; an
   event only urged by a REQUEST trigger ("asked X to delay Y") is folded into that REQUEST; a harm
   a speaker reports without naming its doer is that speaker's ACCUSE;
4. the sentence classifier (`classify_sentences`, the one call into `classifier.py`) picks the main
   event among the candidates and may retype it; a sentence with no dictionary trigger gets one
   classifier event when the classifier is confident and the root verb has an actor; sentences with
   neither a live trigger nor such a root verb are never given to the classifier (`SentenceScores`);
5. dates come from the date expressions of the event's own clause (`dating.py`, resolved by
   `communique.dates`), else none ("unknown"); places, modes and `reported_by` from `details.py`;
   "the first X since DATE" also records the earlier X as an event of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Span, Token

from communique.actors import ActorTable
from communique.events import detect
from communique.events.classifier import load_classifier
from communique.events.date_choice import choose_date
from communique.events.dating import SentenceDates, attach_dates, first_since
from communique.events.details import choose_mode, find_location, provenance
from communique.events.factuality import assess
from communique.events.learned import (
    EventModels,
    decided_types,
    detected_types,
    for_sentence,
    in_quote_flags,
    kept_learned,
    load_event_models,
    scoring_type,
    sentence_pairs,
)
from communique.events.lexicon import Lexicon, load_lexicon
from communique.events.anaphora import resolve_anaphors
from communique.events.roles import ArticleContext
from communique.events.statements import (
    labelled_in_statements,
    reporting_verb,
    rulings,
    solidarity_in_statements,
    wrongdoing_in_statements,
)
from communique.events.triggers import Candidate, find_triggers
from communique.models import Event, Quote, content_id
from communique.nlp import AnnotatedDoc

__all__ = ["Candidate", "extract_events", "find_candidates", "kept"]

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


def _retype(lex: Lexicon, cand: Candidate, plv_label: str) -> str:
    """A PLV label as one of our types: YIELD splits into RETREAT (withdrawal words) or CONCEDE."""
    if plv_label != "YIELD":
        return plv_label
    retreat_words = {e.head for (pos, _), entries in lex.entries.items() for e in entries if e.type == "RETREAT"}
    lemmas = {t.lemma_.lower() for t in cand.sent}
    return "RETREAT" if lemmas & retreat_words else "CONCEDE"


def classify_sentences(classifier, sents: list[Span]) -> list[dict[str, float]]:
    """Class scores per sentence from the classifier: any callable that maps a list of texts to a list
    of {label: score} dicts (the shipped ONNX model, a fold model under cross-validation), or a spaCy
    textcat pipeline."""
    if classifier is None or not sents:
        return [{} for _ in sents]
    try:
        if not isinstance(classifier, Language) and callable(classifier):
            return [dict(c) for c in classifier([s.text for s in sents])]
        return [dict(d.cats) for d in classifier.pipe([s.text for s in sents], batch_size=64)]
    except Exception:  # pragma: no cover - a broken model leaves the dictionary in charge
        log.exception("event classifier failed")
        return [{} for _ in sents]


class SentenceScores:
    """The classifier's scores of an article's sentences, computed only for the sentences whose events
    depend on them. Most sentences of a news article hold no trigger and no actor-bearing main verb,
    and the classifier (a transformer) costs more per sentence than all the rest of the pipeline.

    The first sentence asked for is scored in one batch with every sentence `likely` (given a
    sentence's index) says will be asked for (those with a dictionary trigger); any other is scored alone when asked for. The
    model scores a sentence the same alone or in a batch (`classifier.py`), so which sentences share
    a batch never changes a score."""

    def __init__(self, classifier, sents: list[Span], likely: Callable[[int], bool]):
        self.classifier, self.sents, self.likely = classifier, sents, likely
        self._raw: dict[int, dict[str, float]] = {}
        self._prefetched = False

    def __bool__(self) -> bool:
        return self.classifier is not None

    def raw(self, i: int) -> dict[str, float]:
        """All the classifier's scores of sentence i, NONE included ({} without a classifier)."""
        if i not in self._raw:
            wanted = [i]
            if not self._prefetched:
                self._prefetched = True
                wanted += [j for j in range(len(self.sents)) if j != i and j not in self._raw and self.likely(j)]
            for j, scores in zip(wanted, classify_sentences(self.classifier, [self.sents[j] for j in wanted])):
                self._raw[j] = scores
        return self._raw[i]

    def types(self, i: int) -> dict[str, float]:
        """The 15 type scores of sentence i, given that it holds an event (`detect.type_scores`)."""
        return detect.type_scores(self.raw(i))


def find_candidates(
    annotated: AnnotatedDoc,
    actors: ActorTable,
    quotes: list[Quote],
    classifier: Language | None | bool = None,
    models: EventModels | None | bool = None,
) -> list[Candidate]:
    """All events of the article as candidates (including suppressed ones), in text order.

    `models`: None = the shipped learned models (`learned.py`) when installed, False = none (the
    dictionary and the PLV `classifier` alone), or an EventModels (cross-validation passes its fold's)."""
    lex = load_lexicon()
    learned = load_event_models() if models is None else (models or None)
    model = None if learned else (load_classifier() if classifier is None else (classifier or None))
    ctx = ArticleContext(annotated, actors, quotes, lex)
    sents = list(ctx.doc.sents)
    if learned:
        return _learned_candidates(ctx, sents, learned)
    found: dict[int, list[Candidate]] = {}

    def triggers(i: int) -> list[Candidate]:
        """The sentence's dictionary triggers, found once for the prefetch and the sentence's events."""
        if i not in found:
            found[i] = find_triggers(sents[i], lex)
        return found[i]

    scores = SentenceScores(model, sents, lambda i: bool(triggers(i)))
    out: list[Candidate] = []
    previous: Candidate | None = None
    for i, sent in enumerate(sents):
        try:
            made = _sentence_events(ctx, sent, list(triggers(i)), (lambda i=i: scores.types(i)) if scores else None,
                                    previous)
            # detection hook (events/detect.py): a sentence the classifier calls "no event" keeps only
            # the events it cannot judge
            unjudged = {id(c) for c in detect.unjudged(made)}
            judged = {id(c) for c in made if id(c) not in unjudged and not _contact_between_countries(ctx, c)}
            if judged and scores and not detect.is_event(scores.raw(i)):
                made = [c for c in made if id(c) not in judged]
        except Exception:  # malformed parses give fewer events, never a crash
            log.exception("event extraction failed on a sentence")
            continue
        out.extend(made)
        live = [c for c in made if not c.suppressed and not c.folded and not c.refers_to_past and c.participants]
        if live:
            previous = live[-1] if not any(c.main for c in live) else next(c for c in live if c.main)
    return out


def _learned_candidates(ctx: ArticleContext, sents: list[Span], models: EventModels) -> list[Candidate]:
    """The article's events from the learned models (`learned.py`): the detector's types per sentence,
    each anchored on the dictionary's trigger or the main verb, with the argument model's roles."""
    lex = ctx.lex
    try:
        scores = models.detector(sentence_pairs(sents))
    except Exception:  # pragma: no cover - a broken model leaves no learned events
        log.exception("event detector failed")
        return []
    out: list[Candidate] = []
    previous: Candidate | None = None
    dates = SentenceDates(ctx, sents)
    # with a decision model every sentence's dictionary candidates are weighed; without one only the
    # sentences the detector finds events in need them
    rules = rule_candidates(ctx, sents) if models.decider is not None else {}
    quoted = in_quote_flags(ctx, sents) if models.decider is not None else []
    for i, sent in enumerate(sents):
        if models.decider is not None:
            types = decided_types(models.decider, models.detector.labels, scores, i, rules.get(i, []), quoted[i])
        else:
            types = detected_types(models.detector, scores[i])
        if not types:
            continue
        try:
            rule_cands = rules[i] if i in rules else _sentence_events(ctx, sent, find_triggers(sent, lex), None, previous)
            made = for_sentence(ctx, sents, i, rule_cands, types, models.arguments)
            fresh = [c for c in made if not any(c is r for r in rule_cands)]
            attach_dates(ctx, sent, fresh)
            for cand in fresh:
                choose_mode(ctx, cand)
                find_location(ctx, cand)
                provenance(ctx, cand)
            wanted = {scoring_type(t) for t, _ in types}
            # "the first talks since March 1": the earlier talks the dictionary found, when detected
            made += [c for c in rule_cands if c.refers_to_past and scoring_type(c.type) in wanted]
            for cand in made:
                if models.dates is not None and not cand.refers_to_past:
                    choose_date(models.dates, ctx, sents, i, cand)
                elif cand.date is None:
                    dates.fill(cand, i)
        except Exception:  # malformed parses give fewer events, never a crash
            log.exception("event extraction failed on a sentence")
            continue
        out.extend(made)
        live = [c for c in rule_cands if c.participants and not c.refers_to_past]
        if live:
            previous = live[0]
    return out


def rule_candidates(ctx: ArticleContext, sents: list[Span], wanted: set[int] | None = None) -> dict[int, list[Candidate]]:
    """The dictionary's candidates of each sentence (those in `wanted`, or all), as the learned path
    sees them: no classifier, each sentence after the ones before it (for anaphora)."""
    out: dict[int, list[Candidate]] = {}
    previous: Candidate | None = None
    last = max(wanted) if wanted else len(sents) - 1
    for i, sent in enumerate(sents[: last + 1]):
        if wanted is not None and i not in wanted:
            continue
        try:
            made = _sentence_events(ctx, sent, find_triggers(sent, ctx.lex), None, previous)
        except Exception:  # malformed parses give fewer candidates, never a crash
            log.exception("event extraction failed on a sentence")
            continue
        out[i] = made
        live = [c for c in made if c.participants and not c.refers_to_past]
        if live:
            previous = live[0]
    return out


def _contact_between_countries(ctx: ArticleContext, cand: Candidate) -> bool:
    """A meeting or call between sides of two countries ("Wang Yi and Dmytro Kuleba talked by phone"):
    the parse says who met whom, which the sentence classifier (often "no event" on such short
    sentences) cannot overrule."""
    if cand.type != "CONSULT" or cand.status != "occurred":
        return False
    countries = {a.country for a in (ctx.actors.get(x) for x in cand.participants) if a is not None and a.country}
    return len(countries) >= 2


def _sentence_events(
    ctx: ArticleContext, sent: Span, cands: list[Candidate], type_scores: Callable[[], dict[str, float]] | None,
    previous: Candidate | None,
) -> list[Candidate]:
    """The sentence's candidates, from its dictionary triggers `cands` (`find_triggers`); `type_scores`
    gives the classifier's type scores of the sentence (None: no classifier) and is only called when
    the main event or a fallback event depends on them."""
    lex = ctx.lex
    trigger_ids = {c.token.i for c in cands}
    for cand in cands:
        ctx.fill_arguments(cand)
        fact = assess(cand.token, lex)
        cand.status, cand.governor = fact.status, fact.governor
        if cand.type in _REFUSABLE and fact.status == "denied" and fact.governor is None:
            # "did not accept the proposal", "neither would endorse the result": declining is a REJECT
            cand.type, cand.status = "REJECT", "occurred"
            if cand.entry is not None:  # a frame the sentence classifier (trained on PLV) cannot judge
                cand.entry = replace(cand.entry, type="REJECT", frame="refusal")
        if _interview_only(ctx, cand) or not _has_required_complement(cand):
            cand.suppressed = True
        # an event urged or refused by a REQUEST / REJECT trigger is that REQUEST / REJECT
        gov = cand.governor
        if gov is not None and gov.i in trigger_ids and gov.i != cand.token.i:
            gov_cand = next(c for c in cands if c.token.i == gov.i)
            if gov_cand.type == "REQUEST" or (gov_cand.type == "REJECT" and cand.token.dep_ == "xcomp"):
                cand.folded = True
    _fold_coordinated_harm(cands)
    cands += _reported_harm(ctx, cands)
    cands += labelled_in_statements(ctx, sent, cands)
    cands += solidarity_in_statements(ctx, sent, cands)
    cands += wrongdoing_in_statements(ctx, sent, cands)
    cands += rulings(ctx, sent, cands)
    # "imposed sanctions on X", "signed an agreement": the noun carries the event, the verb only says it happened
    by_index = {c.token.i: c for c in cands}
    for cand in cands:
        if cand.token.pos_ == "VERB":
            for child in cand.token.children:
                noun = by_index.get(child.i)
                if child.dep_ == "dobj" and noun is not None and noun.type == cand.type:
                    cand.folded = True
                    if detect.specific_trigger(cand) and noun.entry is not None:
                        # "signed a trade agreement": the noun stands for a verb that was sure of its type
                        noun.entry = replace(noun.entry, firm=True)
                    for x in cand.actors:
                        if x not in noun.actors:
                            noun.actors.append(x)
    for cand in cands:
        resolve_anaphors(ctx, cand, previous)

    # the main event: the candidate the classifier and the parse agree on
    live = [c for c in cands if not c.folded and c.participants]
    # the classifier may make an event of an acting root verb when no trigger is live
    fallback = None if live or type_scores is None else _fallback_root(ctx, sent)
    cats = type_scores() if type_scores is not None and (live or fallback is not None) else {}
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
            # a specific trigger (a frame, a multi-word pattern, a firm entry) keeps its type: the
            # classifier is sure of a type about the sentence, the frame knows the clause
            firm = detect.specific_trigger(main)
            confident = cats[best_label] - own >= OVERRIDE_MARGIN and cats[best_label] >= OVERRIDE_MIN_PROB
            may_retype = RETYPE == "all" or (RETYPE == "nouns" and main.token.pos_ != "VERB")
            if best_label != lex.plv_label(main.type) and not firm and (
                (confident and may_retype)
                or (hint and lex.plv_label(hint) == best_label)
                or detect.confident_type(cats) == best_label  # the classifier is sure of another type
            ):
                main.type = _retype(lex, main, best_label)
            main.main = True
        elif fallback is not None and cats[best_label] >= FALLBACK_MIN_PROB:
            cand = Candidate(token=fallback, sent=sent, type="", source="classifier", depth=0)
            cand.type = _retype(lex, cand, best_label)
            # only now: finding the arguments may add ad-hoc actors ("the protesters") to the article
            ctx.fill_arguments(cand)
            if cand.actors:
                fact = assess(fallback, lex)
                cand.status, cand.governor = fact.status, fact.governor
                cand.main = True
                cands.append(cand)
                live = [cand]
    elif live:
        min(live, key=lambda c: (c.depth, c.token.i)).main = True

    attached = attach_dates(ctx, sent, cands)
    extra: list[Candidate] = []
    for cand, prep, span in attached:
        if prep == "since" and first_since(cand, sent) and cand.token.pos_ == "NOUN":
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
        choose_mode(ctx, cand)
        find_location(ctx, cand)
        provenance(ctx, cand)
        if cand.date is None:  # the text does not date it: say so, never pass off the publication date
            cand.date, cand.date_precision = None, "unknown"
    return cands


def _fallback_root(ctx: ArticleContext, sent: Span) -> Token | None:
    """The sentence's root when the classifier could make an event of it: an acting verb (not a verb
    of saying, not a life event) with an actor. The actors are looked up in a trial, because finding
    them may add ad-hoc actors ("the protesters") to the article, which only an event may do."""
    lex, root = ctx.lex, sent.root
    if (root.pos_ not in ("VERB", "AUX") or root.lemma_.lower() in lex.factuality.get("neutral_governors", ())
            or root.lemma_.lower() in lex.life_events):
        return None
    with ctx.actors.trial():
        probe = Candidate(token=root, sent=sent, type="", source="classifier", depth=0)
        ctx.fill_arguments(probe)
    return root if probe.actors else None


# Types whose negation ("did not accept", "would not endorse") is itself an act: refusing (PLOVER REJECT)
_REFUSABLE = frozenset({"AGREE", "SUPPORT"})
_COMPLEMENT_DEPS = frozenset({"dobj", "xcomp", "ccomp", "prep", "dative", "attr", "oprd"})


def _has_required_complement(cand: Candidate) -> bool:
    """Whether an entry that asks for an object or a complement ("signed a treaty", "agreed to talk")
    has one; "X agreed, saying ..." and "signed a decree" are no agreement."""
    entry = cand.entry
    if entry is None or cand.token.pos_ != "VERB":
        return True
    children = list(cand.token.children)
    # the object may be misparsed ("signed a fisheries deal": "deal" as a clause): look right of the verb
    if entry.objects and not any(t.lemma_.lower() in entry.objects or t.lower_ in entry.objects
                                 for right in cand.token.rights for t in right.subtree):
        return False
    if entry.needs_complement and not any(c.dep_ in _COMPLEMENT_DEPS for c in children):
        return len(cand.participants) >= 2
    return True


def _interview_only(ctx: ArticleContext, cand: Candidate) -> bool:
    """"Speaking to Reuters, the minister said": a speech verb whose only counterpart is an outlet (or
    nobody) is how a statement was made, not a meeting."""
    if cand.type != "CONSULT" or cand.token.lemma_.lower() not in ctx.lex.interview_verbs:
        return False
    sides = []
    for actor_id in cand.participants:
        actor = ctx.actors.get(actor_id)
        if actor is not None and (actor.kind == "outlet" or actor.sector == "MED"):
            continue
        sides.append(actor_id)
    return len(sides) < 2


_HARM_TYPES = frozenset({"ASSAULT", "COERCE"})


def _fold_coordinated_harm(cands: list[Candidate]) -> None:
    """"Two people were killed and eight were injured in the bombing": one attack told by coordinated
    harm verbs is one event, its victims together."""
    by_token = {c.token.i: c for c in cands}
    for cand in cands:
        head = by_token.get(cand.token.head.i) if cand.token.dep_ == "conj" else None
        if head is None or head.folded or cand.type not in _HARM_TYPES or head.type != cand.type:
            continue
        if cand.actors and head.actors and not set(cand.actors) & set(head.actors):
            continue  # different doers: different deeds
        head.actors += [x for x in cand.actors if x not in head.actors]
        head.recipients += [x for x in cand.recipients if x not in head.recipients and x not in head.actors]
        cand.folded = True


def _reported_harm(ctx: ArticleContext, cands: list[Candidate]) -> list[Candidate]:
    """"Berlin says the opposition leader was poisoned": a speaker who reports a harm nobody is named
    as doing makes an accusation. One ACCUSE per reporting verb, with the speaker as actor and the
    victim as recipient."""
    out: list[Candidate] = []
    seen: set[int] = set()
    neutral = ctx.lex.factuality.get("neutral_governors", ())
    for cand in cands:
        if cand.type not in _HARM_TYPES or cand.actors or cand.token.pos_ != "VERB" or cand.status != "occurred":
            continue
        victims = [c for c in cand.token.children if c.dep_ == "nsubjpass"]
        if not victims or not cand.recipients or any(c.dep_ == "nummod" or c.pos_ == "NUM" for v in victims for c in [v, *v.children]):
            continue  # only a named victim of an unnamed doer; "90 civilians were wounded" is a casualty count
        reporter = reporting_verb(cand.token, neutral)
        if reporter is None or reporter.i in seen:
            continue
        agents, _ = ctx.subject_tokens(reporter)
        speakers = [x for a in agents for x in ctx.actors_of(a)]
        if not speakers:
            continue
        seen.add(reporter.i)
        out.append(
            Candidate(
                token=reporter, sent=cand.sent, type="ACCUSE", mode="allege", actors=speakers,
                recipients=[], depth=cand.depth, source="dictionary",
            )
        )
    return out


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
        date_source=cand.date_source,
        trigger=annotated.text_of(trigger_span),
        trigger_span=trigger_span,
    )


def kept(cands: list[Candidate]) -> list[Candidate]:
    """The candidates that become events: with participants, not folded, not duplicates."""
    out: list[Candidate] = []
    seen: set[tuple] = set()
    seen_keys: set[tuple] = set()  # the keys of `seen`, so that an undated repeat is found without a scan
    requires_recipient = load_lexicon().requires_recipient
    for cand in cands:
        if cand.folded or cand.suppressed or not cand.participants or not cand.type:
            continue
        if cand.token.pos_ == "NOUN" and not cand.actors:  # "the war against X": nobody named as doing it
            continue
        if cand.type == "CONSULT" and len(cand.participants) < 2:  # a meeting takes two sides
            continue
        if cand.type in requires_recipient and not cand.recipients and not _is_ruling(cand):
            continue  # a sanction on nobody; a court's ruling stands without the deed's author
        key = (cand.type, frozenset(cand.actors), frozenset(cand.recipients), cand.refers_to_past, cand.status)
        dated = cand.date_precision not in ("publication", "unknown")
        if (key, cand.date if dated else None) in seen or (not dated and key in seen_keys):
            continue
        seen.add((key, cand.date if dated else None))
        seen_keys.add(key)
        out.append(cand)
    return out


def _is_ruling(cand: Candidate) -> bool:
    return cand.entry is not None and cand.entry.frame == "ruling"


def extract_events(
    annotated: AnnotatedDoc,
    actors: ActorTable,
    quotes: list[Quote],
    classifier: Language | None | bool = None,
    models: EventModels | None | bool = None,
) -> list[Event]:
    """The PLOVER events of one article. `models`: None = the shipped learned models, False = none,
    or an EventModels (cross-validation passes its fold's); without learned models, `classifier`:
    None = the shipped PLV classifier, False = none, or a callable from sentences to {label: score}."""
    learned = load_event_models() if models is None else (models or None)
    try:
        cands = find_candidates(annotated, actors, quotes, classifier, learned or False)
    except Exception:  # pragma: no cover - never take the pipeline down
        log.exception("event extraction failed")
        return []
    article_id = annotated.article.external_id or annotated.article.id
    events: list[Event] = []
    names = {a.id: a.name for a in actors.actors}
    for cand in (kept_learned(cands, names=names) if learned else kept(cands)):
        try:
            events.append(to_event(article_id, annotated, cand))
        except Exception:  # pragma: no cover
            log.exception("could not build an event")
    return events
