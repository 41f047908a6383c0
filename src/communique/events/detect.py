"""Event detection from the sentence classifier's scores: whether a sentence carries a PLOVER event
at all, and when the classifier's type should win over the trigger dictionary's.

The classifier (`communique.events.classifier`) scores each sentence over PLV's 15 labels plus NONE
("no event"). A sentence whose NONE score reaches `NONE_THRESHOLD` yields no event, whatever triggers
it holds ("the former ruler died after an illness"). Otherwise the 15 type scores, renormalised
without NONE, type the sentence's events; the classifier's top type replaces the dictionary's when
it reaches `TYPE_CONFIDENCE` (and the trigger is not marked `firm`).

A model without a NONE label (an older one) never abstains; empty scores (no model) change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

NONE_LABEL = "NONE"

# Tuned on realnews-dev (events typed F1 of the whole pipeline; see the model's meta.json
# "detection"), never on the PLV rows the model is cross-validated on.
NONE_THRESHOLD = 0.5
TYPE_CONFIDENCE = 0.8


def none_score(scores: Mapping[str, float]) -> float:
    return float(scores.get(NONE_LABEL, 0.0))


def is_event(scores: Mapping[str, float], threshold: float | None = None) -> bool:
    """False when the classifier says the sentence carries no event."""
    if NONE_LABEL not in scores:
        return True
    return none_score(scores) < (NONE_THRESHOLD if threshold is None else threshold)


def type_scores(scores: Mapping[str, float]) -> dict[str, float]:
    """The event-type scores without NONE, summing to one (the type given that there is an event)."""
    types = {k: float(v) for k, v in scores.items() if k != NONE_LABEL}
    total = sum(types.values())
    if NONE_LABEL not in scores or total <= 0:
        return types
    return {k: v / total for k, v in types.items()}


def confident_type(scores: Mapping[str, float], confidence: float | None = None) -> str | None:
    """The classifier's top type when it is sure enough to override the dictionary's, else None."""
    types = type_scores(scores)
    if not types:
        return None
    best = max(types, key=types.get)
    return best if types[best] >= (TYPE_CONFIDENCE if confidence is None else confidence) else None
