"""A learned choice among candidates: the conditional logit the stages' small models share.

Each candidate (an event's possible actor, an actor's possible country) is a dict of named features;
a role's score for it is the weighted sum of its features, and the role's probability is shared among
the candidates and a "nobody" option (whose score is a learned constant) by a softmax. The weights
are data (a JSON table shipped beside the model that uses them), so scoring needs no library; they
are fitted by `communique.learn.choice`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ChoiceModel:
    weights: dict[str, dict[str, float]]  # role -> feature -> weight
    nobody: dict[str, float]  # role -> the "nobody" option's score
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)  # how it was trained and what it scored

    def score(self, role: str, feats: Mapping[str, float]) -> float:
        w = self.weights[role]
        return sum(v * w.get(k, 0.0) for k, v in feats.items())

    def probabilities(self, role: str, rows: Sequence[Mapping[str, float]]) -> tuple[list[float], float]:
        """(each candidate's probability of holding the role, the probability that nobody does)."""
        scores = [self.score(role, f) for f in rows] + [self.nobody[role]]
        top = max(scores)
        exps = [math.exp(x - top) for x in scores]
        total = sum(exps)
        return [x / total for x in exps[:-1]], exps[-1] / total

    def to_json(self) -> dict:
        return {"weights": self.weights, "nobody": self.nobody, "thresholds": self.thresholds, **self.info}

    @classmethod
    def from_json(cls, data: Mapping):
        info = {k: v for k, v in data.items() if k not in ("weights", "nobody", "thresholds")}
        return cls({r: dict(w) for r, w in data["weights"].items()}, dict(data["nobody"]),
                   dict(data.get("thresholds") or {}), info)

    @classmethod
    def load(cls, path: str | Path):
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_model_file(path: str | Path | None, shipped: Sequence[str], what: str) -> ChoiceModel | None:
    """The model at `path`, else the one shipped at communique/data/<shipped...>; None (and a warning
    naming `what` falls back to the rules) when there is none or it cannot be read."""
    import logging
    from importlib import resources

    target = Path(path) if path else Path(str(resources.files("communique").joinpath("data", *shipped)))
    if not target.exists():
        return None
    try:
        return ChoiceModel.load(target)
    except (OSError, ValueError, KeyError):
        logging.getLogger(__name__).warning("could not read the %s %s; the rules decide", what, target, exc_info=True)
        return None
