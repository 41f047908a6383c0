"""Training of the argument model (`communique.events.arguments.ArgumentModel`): a conditional logit
per role over each gold event's candidates (`communique.learn.choice`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from communique.events.arguments import ROLES, ArgumentModel
from communique.events.learn.corpus import ArgumentRow
from communique.learn.choice import Group, fit as fit_choice


@dataclass
class ArgumentParams:
    l2: float = 1.0  # penalty on the summed squared weights ("nobody"'s score is free)
    min_count: int = 2  # features seen in fewer candidates are dropped
    more: float = 0.35  # a further actor or recipient needs this probability
    nobody_margin: float = 1.0  # 1.0: an event always takes its best recipient candidate


def fit(rows: Sequence[ArgumentRow], params: ArgumentParams | None = None) -> ArgumentModel:
    params = params or ArgumentParams()
    events: dict[tuple[str, int], list[ArgumentRow]] = {}
    for row in rows:
        events.setdefault((row.group, row.event), []).append(row)
    groups = [Group([r.features for r in rs], {"actor": [r.actor for r in rs], "recipient": [r.recipient for r in rs]})
              for rs in events.values()]
    model = fit_choice(groups, ROLES, l2=params.l2, min_count=params.min_count)
    return ArgumentModel(model.weights, model.nobody, {"more": params.more, "nobody_margin": params.nobody_margin},
                         model.info)
