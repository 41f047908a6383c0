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
4. the sentence classifier (`sentence_scores.py`, the one caller of `classifier.py`) picks the main
   event among the candidates and may retype it; a sentence with no dictionary trigger gets one
   classifier event when the classifier is confident and the root verb has an actor; sentences with
   neither a live trigger nor such a root verb are never given to the classifier; which candidates
   become events is `selection.py`;
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
from communique.events.selection import (
    REFUSABLE,
    fold_coordinated_harm,
    has_required_complement,
    interview_only,
    kept,
    reported_harm,
)
from communique.events.sentence_scores import SentenceScores
from communique.events.statements import (
    labelled_in_statements,
    rulings,
    solidarity_in_statements,
    wrongdoing_in_statements,
)
from communique.events.triggers import Candidate, find_triggers
from communique.models import Event, Quote, content_id
from communique.nlp import AnnotatedDoc

__all__ = ["Candidate", "extract_events", "find_candidates", "kept"]

log = logging.getLogger(__name__)



def _retype(lex: Lexicon, cand: Candidate, plv_label: str) -> str:
    """A PLV label as one of our types: YIELD splits into RETREAT (withdrawal words) or CONCEDE."""
    if plv_label != "YIELD":
        return plv_label
    retreat_words = {e.head for (pos, _), entries in lex.entries.items() for e in entries if e.type == "RETREAT"}
    lemmas = {t.lemma_.lower() for t in cand.sent}
    return "RETREAT" if lemmas & retreat_words else "CONCEDE"


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
        if cand.type in REFUSABLE and fact.status == "denied" and fact.governor is None:
            # "did not accept the proposal", "neither would endorse the result": declining is a REJECT
            cand.type, cand.status = "REJECT", "occurred"
            if cand.entry is not None:  # a frame the sentence classifier (trained on PLV) cannot judge
                cand.entry = replace(cand.entry, type="REJECT", frame="refusal")
        if interview_only(ctx, cand) or not has_required_complement(cand):
            cand.suppressed = True
        # an event urged or refused by a REQUEST / REJECT trigger is that REQUEST / REJECT
        gov = cand.governor
        if gov is not None and gov.i in trigger_ids and gov.i != cand.token.i:
            gov_cand = next(c for c in cands if c.token.i == gov.i)
            if gov_cand.type == "REQUEST" or (gov_cand.type == "REJECT" and cand.token.dep_ == "xcomp"):
                cand.folded = True
    fold_coordinated_harm(cands)
    cands += reported_harm(ctx, cands)
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
        tuned = detect.thresholds()
        best_label = max(cats, key=cats.get)
        for c in live:
            c.score = cats.get(lex.plv_label(c.type), 0.0) + tuned.prominence_weight / (1 + c.depth)
        if live:
            main = max(live, key=lambda c: (c.score, -c.token.i))
            own = cats.get(lex.plv_label(main.type), 0.0)
            hint = main.entry.type_hint if main.entry else None
            # By default (retype "hint") the classifier retypes only triggers the dictionary marks as
            # ambiguous (type_hint): on short sentences unlike PLV's it is confidently wrong
            # ("The European Union imposed sanctions on Belarus" -> COERCE at p > 0.95). "nouns" / "all"
            # also let it retype noun / any triggers when near-certain (better on PLV itself).
            # a specific trigger (a frame, a multi-word pattern, a firm entry) keeps its type: the
            # classifier is sure of a type about the sentence, the frame knows the clause
            firm = detect.specific_trigger(main)
            confident = cats[best_label] - own >= tuned.override_margin and cats[best_label] >= tuned.override_min_prob
            may_retype = tuned.retype == "all" or (tuned.retype == "nouns" and main.token.pos_ != "VERB")
            if best_label != lex.plv_label(main.type) and not firm and (
                (confident and may_retype)
                or (hint and lex.plv_label(hint) == best_label)
                or detect.confident_type(cats) == best_label  # the classifier is sure of another type
            ):
                main.type = _retype(lex, main, best_label)
            main.main = True
        elif fallback is not None and cats[best_label] >= tuned.fallback_min_prob:
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
