"""Which of a sentence's possible events are events: the detector's scores and the dictionary's
candidates, weighed by a learned model.

The detector (`detector.py`) reads the words; the dictionary rules read the parse (a trigger of the
type, a frame such as "described X as Y", its participants, whether it is negated, planned or only
demanded). Neither alone holds up on unseen news: the detector misses events the rules see plainly,
the rules code non-political happenings and hypotheticals. For every type the detector gives some
probability or the rules propose, the pair (sentence, type) gets features from both:

* the detector: the type's log-odds, "no event"'s probability, the type's rank in the sentence, and
  the type's probability in the sentences before and after (the same event told twice);
* the rules: a live trigger of the type, a specific one (frame, pattern, firm entry), one with
  participants, its factuality (occurred, denied, planned, requested, hypothetical), a trigger of
  another type only;
* the sentence: inside a quotation, among the article's first sentences;

and a `ChoiceModel` with one candidate per pair (a logistic regression: the pair against "no event")
trained on the detector's out-of-fold scores (`communique.learn.realnews`) gives its probability. The
pairs that clear the model's threshold become events. Without a decision model the detector's
threshold decides alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from communique.choice import ChoiceModel

FLOOR = 0.02  # detector probabilities below this are not considered unless the rules propose the type
_YIELD = frozenset({"CONCEDE", "RETREAT"})


def _family(label: str) -> str:
    return "YIELD" if label in _YIELD else label


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def pair_features(scores: Sequence[Mapping[str, float]], i: int, event_type: str, rule_cands: Sequence,
                  in_quote: bool) -> dict[str, float]:
    """Features of "sentence i states an event of `event_type`" (see the module docstring)."""
    here = scores[i]
    p = here.get(event_type, 0.0)
    ranked = sorted((k for k in here if k != "NONE"), key=lambda k: -here[k])
    rank = ranked.index(event_type) if event_type in ranked else 9
    f: dict[str, float] = {
        f"type={event_type}": 1.0,
        "logit": _logit(p),
        "none": here.get("NONE", 0.0),
        f"rank={min(rank, 2)}": 1.0,
        "previous": scores[i - 1].get(event_type, 0.0) if i > 0 else 0.0,
        "next": scores[i + 1].get(event_type, 0.0) if i + 1 < len(scores) else 0.0,
    }
    same = [c for c in rule_cands if _family(c.type) == _family(event_type) and not c.suppressed and not c.refers_to_past]
    if same:
        f["rule"] = 1.0
        f[f"type={event_type}|rule"] = 1.0
        if any(c.participants for c in same):
            f["rule_participants"] = 1.0
        if any(_specific(c) for c in same):
            f["rule_specific"] = 1.0
        if any(not c.folded for c in same):
            f["rule_unfolded"] = 1.0
        for status in {c.status for c in same}:
            f[f"rule_status={status}"] = 1.0
    elif any(not c.suppressed and c.type for c in rule_cands):
        f["rule_other_type"] = 1.0
    if in_quote:
        f["in_quote"] = 1.0
    if i < 3:
        f["lead"] = 1.0
    return f


def _specific(cand) -> bool:
    from communique.events.detect import specific_trigger

    return specific_trigger(cand)


def proposed_types(scores: Mapping[str, float], rule_cands: Sequence, labels: Sequence[str]) -> list[str]:
    """The types worth deciding on for a sentence: any the detector gives at least FLOOR, any the
    rules propose."""
    out = [t for t in labels if t != "NONE" and scores.get(t, 0.0) >= FLOOR]
    for c in rule_cands:
        if c.type in labels and c.type not in out and not c.suppressed and not c.refers_to_past:
            out.append(c.type)
    return out


class EventDecider:
    """The decision model: `probability(features)` of a (sentence, type) pair, and its threshold."""

    def __init__(self, model: ChoiceModel):
        self.model = model
        self.threshold = float(model.thresholds.get("event", 0.5))

    def probability(self, feats: Mapping[str, float]) -> float:
        probs, _ = self.model.probabilities("event", [feats])
        return probs[0]
