"""Which attributions the record keeps as quotes: the rules' judgement, weighed by a learned model.

The rules (`communique.attribution.quality.reports_statement`) keep statements and drop stances,
intentions and fragments. Annotators of real news draw the line elsewhere: "Hollande denounced the
remarks as 'hurtful'" is a quote to them, "the brothers noted" a quote even when the rules lost its
subject, and many a rule-kept fragment is not. This model sees every attribution the rules found, with
the rules' verdict as one feature among the cue word, the kind, the length, the first word of the
content, quotation marks and what kind of speaker it has, and keeps those likely to be quotes in the
protocol's sense (`realnews-dev/PROTOCOL.md`). It is a one-candidate conditional logit
(`communique.choice.ChoiceModel`, role "quote"; "nobody" is "not a quote"), trained by
`communique train statements` (`communique.learn.statements`). Without the model the rules decide.
"""

from __future__ import annotations

import re
from functools import lru_cache

from communique.choice import ChoiceModel, load_model_file
from communique.models import Actor

SHIPPED = ("models", "statements", "statements.json")
DEFAULT_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")
_FIRST_WORDS = {"that", "to", "for", "about", "whether", "if", "of", "on", "how", "why", "what"}
_QUOTE_MARKS = set("\"\u201c\u201d\u00ab\u00bb")


def _length(n: int) -> str:
    return "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11-20" if n <= 20 else "21+"


def statement_features(text: str, kind: str, cue: str | None, speaker: Actor | None, rules_keep: bool) -> dict[str, float]:
    """What the model weighs about one attribution."""
    words = _WORD.findall(text)
    f = {"bias": 1.0, f"kind={kind}": 1.0, f"length={_length(len(words))}": 1.0,
         f"speaker={speaker.kind if speaker else 'none'}": 1.0}
    if rules_keep:
        f["rules"] = 1.0
        f[f"rules&kind={kind}"] = 1.0
    cue_words = (cue or "").lower().split()
    if cue_words:
        f[f"cue={cue_words[-1]}"] = 1.0
    first = words[0].lower() if words else ""
    if first in _FIRST_WORDS:
        f[f"first={first}"] = 1.0
    if _QUOTE_MARKS & set(text):
        f["quotation_marks"] = 1.0
    return f


class StatementFilter:
    """Keeps an attribution when the model's probability that it is a quote passes the threshold;
    with no model, when the rules call it a statement."""

    def __init__(self, model: ChoiceModel | None):
        self.model = model
        self.threshold = float((model.thresholds or {}).get("keep", DEFAULT_THRESHOLD)) if model else DEFAULT_THRESHOLD

    def probability(self, features: dict[str, float]) -> float:
        probs, _ = self.model.probabilities("quote", [features])
        return probs[0]

    def keep(self, features: dict[str, float], rules_keep: bool) -> bool:
        if self.model is None:
            return rules_keep
        return self.probability(features) > self.threshold


@lru_cache(maxsize=4)
def load_statement_model(path: str | None = None) -> ChoiceModel | None:
    """The statement model at `path`, else the shipped one; None when there is none (read once)."""
    return load_model_file(path, SHIPPED, "statement model")


def statement_filter(model: ChoiceModel | None | bool = None) -> StatementFilter:
    """`model`: None = the shipped model, False = the rules alone, or a ChoiceModel."""
    if model is False:
        return StatementFilter(None)
    return StatementFilter(model if isinstance(model, ChoiceModel) else load_statement_model())
