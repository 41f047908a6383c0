"""Events from the learned models: the detector says which types each sentence states, the dictionary
anchors them, the argument model says who acts and at whom.

For each sentence the detector (`detector.py`) scores, every type whose probability clears its
threshold is one event of the sentence. Its anchor is the dictionary's trigger of that type when the
sentence has one (so its status, date, mode and place come from the clause the trigger heads), else a
trigger of the same family, else the sentence's main verb. The anchor's arguments are found by the
parse rules (`roles.py`), which also add the actors they name; then every actor of the sentence and
the two before it is scored by the argument model (`arguments.py`) and the event takes the most
likely actor and recipient. Without an argument model the rules' roles stand.

`EventModels` bundles the two models and is what the event stage, the trainer and the
cross-validation pass around; `for_sentence` is shared by inference (types from the detector) and
training (types from the gold file), so both see the same anchors and the same candidates.
"""

from __future__ import annotations

import json
import logging
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from spacy.tokens import Span, Token

from communique.choice import ChoiceModel
from communique.events import arguments as args
from communique.events.decide import EventDecider, pair_features, proposed_types
from communique.events.detector import SentenceDetector, default_model_path, load_detector
from communique.events.factuality import assess
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate, depth

log = logging.getLogger(__name__)

ARGUMENTS_FILE = "arguments.json"
DECIDER_FILE = "decider.json"
DATES_FILE = "dates.json"
_YIELD = frozenset({"CONCEDE", "RETREAT"})


def scoring_type(label: str) -> str:
    """CONCEDE and RETREAT are one type where PLV and the scorers are concerned (YIELD)."""
    return "YIELD" if label in _YIELD or label == "YIELD" else label


@dataclass
class EventModels:
    """The learned models of the event stage: the sentence detector, the decision model that weighs
    it with the dictionary's candidates (`decide.py`; None: the detector's threshold decides) and
    the argument model."""

    detector: SentenceDetector | None
    arguments: args.ArgumentModel | None
    decider: EventDecider | None = None
    dates: ChoiceModel | None = None  # the date model (`date_choice.py`); None: the rules' order

    def __bool__(self) -> bool:
        return self.detector is not None


def _optional(target: Path, load, what: str, fallback: str):
    """A model file of the detector folder: None when it is absent, or (with a warning) unreadable."""
    if not target.exists():
        return None
    try:
        return load(target)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        log.warning("could not read the %s %s; %s", what, target, fallback, exc_info=True)
        return None


@lru_cache(maxsize=2)
def load_event_models(path: str | None = None) -> EventModels | None:
    """The shipped models (or those in `path`), or None when no detector is there."""
    directory = Path(path) if path else default_model_path()
    detector = load_detector(str(directory))
    if detector is None:
        return None
    model = _optional(directory / ARGUMENTS_FILE, args.ArgumentModel.load, "argument model", "the rules' roles stand")
    decider = _optional(directory / DECIDER_FILE, lambda p: EventDecider(ChoiceModel.load(p)), "decision model",
                        "the detector decides alone")
    dates = _optional(directory / DATES_FILE, ChoiceModel.load, "date model", "the rules date events")
    return EventModels(detector, model, decider, dates)


def sentence_pairs(sents: list[Span]) -> list[tuple[str, str]]:
    """(sentence, previous sentence) of each sentence: the detector's input."""
    texts = [s.text.strip() for s in sents]
    return [(t, texts[i - 1] if i else "") for i, t in enumerate(texts)]


def detected_types(detector: SentenceDetector, scores: dict[str, float]) -> list[tuple[str, float]]:
    """(type, probability) of the types that clear their thresholds, most likely first."""
    hits = [(label, p) for label, p in scores.items() if label != "NONE" and p >= detector.threshold(label)]
    return sorted(hits, key=lambda kv: -kv[1])


def in_quote_flags(ctx: ArticleContext, sents: list[Span]) -> list[bool]:
    """Whether each sentence overlaps a quote's content (a statement reported in it)."""
    spans = []
    for q in ctx.quotes:
        if q.content_span:
            spans += q.content_span if isinstance(q.content_span[0], (list, tuple)) else [q.content_span]
    # spans by start, with the furthest end among each prefix: a sentence [s, e) overlaps a quote when
    # some span starting before e ends after s (a bisection per sentence, not a scan of every quote)
    spans = sorted((a, b) for a, b in spans if b > a)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    out = []
    for sent in sents:
        s, e = ctx.annotated.span(sent)
        k = bisect_left(starts, e)
        out.append(k > 0 and reach[k - 1] > s and e > s)
    return out


def decided_types(decider: EventDecider, labels, scores: list[dict[str, float]], i: int, rule_cands: list[Candidate],
                  in_quote: bool) -> list[tuple[str, float]]:
    """(type, probability) of sentence i's pairs the decision model accepts, most likely first."""
    out = []
    for event_type in proposed_types(scores[i], rule_cands, labels):
        p = decider.probability(pair_features(scores, i, event_type, rule_cands, in_quote))
        if p >= decider.threshold:
            out.append((event_type, p))
    return sorted(out, key=lambda kv: -kv[1])


def anchor_token(ctx: ArticleContext, sent: Span, rule_cands: list[Candidate], event_type: str) -> Candidate:
    """The trigger that carries an event of `event_type` in the sentence (see the module docstring)."""
    family = args.TYPE_FAMILY.get(event_type)

    def rank(c: Candidate):
        return (not c.main, not c.participants, c.folded, c.depth, c.token.i)

    same = [c for c in rule_cands if scoring_type(c.type) == scoring_type(event_type) and not c.suppressed
            and not c.refers_to_past]
    if same:
        return min(same, key=rank)
    kin = [c for c in rule_cands if args.TYPE_FAMILY.get(c.type) == family and not c.suppressed and not c.refers_to_past
           and c.participants and c.source == "dictionary"]
    token: Token = min(kin, key=rank).token if kin else _main_verb(sent)
    cand = Candidate(token=token, sent=sent, type=event_type, source="detector", depth=depth(token))
    ctx.fill_arguments(cand)
    fact = assess(token, ctx.lex)
    cand.status, cand.governor = fact.status, fact.governor
    return cand


def _main_verb(sent: Span) -> Token:
    root = sent.root
    if root.pos_ in ("VERB", "AUX") or root.pos_ == "NOUN":
        return root
    verbs = [t for t in sent if t.pos_ == "VERB"]
    return verbs[0] if verbs else root


def participant_rows(
    ctx: ArticleContext, sents: list[Span], i: int, event_type: str, anchor: Candidate, rule_cands: list[Candidate],
) -> list[tuple[args.Candidate, dict[str, float]]]:
    """The candidates of an event of `event_type` anchored on `anchor` in sentence i, with features."""
    sent = sents[i]
    found = args.candidates(ctx.actors, sents, i)
    roles = args.rule_roles_of([*rule_cands, anchor] if anchor not in rule_cands else rule_cands, event_type, scoring_type)
    # the anchor's own roles count as the rules' roles of this very type
    for x in anchor.actors:
        roles.setdefault(x, set()).add(("actor", True))
    for x in anchor.recipients:
        roles.setdefault(x, set()).add(("recipient", True))
    speakers = _speakers(ctx, sent)
    order: dict[str, int] = {}
    for c in sorted(found, key=lambda c: min((m[0] for m in c.mentions if sent.start_char <= m[0] < sent.end_char), default=10**9)):
        if any(sent.start_char <= m[0] < sent.end_char for m in c.mentions):
            order[c.actor.id] = len(order)
    return [(c, args.features(ctx, sent, event_type, c, anchor.token, roles, speakers, len(found), order)) for c in found]


def _speakers(ctx: ArticleContext, sent: Span) -> set[str]:
    start, end = ctx.annotated.span(sent)
    out = set()
    for q in ctx.quotes:
        span = q.content_span
        if not span or not q.speaker:
            continue
        pieces = span if isinstance(span[0], (list, tuple)) else [span]
        if any(min(e, end) > max(s, start) for s, e in pieces):
            out.add(q.speaker)
    return out


def for_sentence(
    ctx: ArticleContext, sents: list[Span], i: int, rule_cands: list[Candidate], types: list[tuple[str, float]],
    model: args.ArgumentModel | None,
) -> list[Candidate]:
    """One event candidate per type in `types` ((type, score) pairs) for sentence i, anchored, with
    the argument model's roles (the rules' when `model` is None)."""
    out: list[Candidate] = []
    for event_type, score in types:
        anchor = anchor_token(ctx, sents[i], rule_cands, event_type)
        if any(anchor is o for o in out):  # two types on one trigger: a copy for the second
            anchor = Candidate(token=anchor.token, sent=anchor.sent, type=event_type, entry=anchor.entry,
                               status=anchor.status, governor=anchor.governor, depth=anchor.depth,
                               actors=list(anchor.actors), recipients=list(anchor.recipients), source="detector")
        anchor.type = event_type
        anchor.score = score
        anchor.main = True
        anchor.folded = anchor.suppressed = False
        if model is not None:
            rows = participant_rows(ctx, sents, i, event_type, anchor, rule_cands)
            actors, recipients = model.choose([(c.actor.id, f) for c, f in rows])
            if actors or recipients:
                anchor.actors, anchor.recipients = actors, recipients
        out.append(anchor)
    return out


def kept_learned(cands: list[Candidate], require_actor: bool = True, names: dict[str, str] | None = None) -> list[Candidate]:
    """The learned path's candidates that become events, with an actor when `require_actor` (the
    protocol codes no event without one), and each event once: a later telling of an event already
    kept (same type, status and date, a shared recipient, and the same actor or one whose name holds
    the other's: "police" and "Kenya's police"; for a contact, the same participants either way
    round) is dropped; the first telling stays as the evidence
    unless the later one names more participants. `names`: actor id -> name."""
    out: list[Candidate] = []
    for cand in cands:
        if not cand.type or (require_actor and not cand.actors):
            continue
        same = next((k for k, old in enumerate(out) if _retells(old, cand, names or {})), None)
        if same is None:
            out.append(cand)
        elif len(cand.actors) + len(cand.recipients) > len(out[same].actors) + len(out[same].recipients):
            out[same] = cand
    return out


# contacts that are mutual: who called whom does not make two of them
_MUTUAL = frozenset({"CONSULT"})


def _retells(old: Candidate, new: Candidate, names: dict[str, str]) -> bool:
    if (scoring_type(old.type), old.refers_to_past, old.status, old.date) != (
            scoring_type(new.type), new.refers_to_past, new.status, new.date):
        return False
    if set(old.actors) == set(new.actors) and set(old.recipients) == set(new.recipients):
        return True
    if scoring_type(old.type) in _MUTUAL and set(old.actors) | set(old.recipients) == set(new.actors) | set(new.recipients):
        return True  # a call told from each side: "A called B", then "B told A that ..."
    if not set(old.recipients) & set(new.recipients):
        return False

    def holds(a: str, b: str) -> bool:
        x, y = (names.get(a) or a).lower(), (names.get(b) or b).lower()
        return x in y or y in x

    return bool(set(old.actors) & set(new.actors)) or any(holds(a, b) for a in old.actors for b in new.actors)
