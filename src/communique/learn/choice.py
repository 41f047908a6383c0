"""Fitting a `communique.choice.ChoiceModel`: for each role, a conditional logit over the candidates
of each group (an event, an actor) and a "nobody" option. The loss is minus the log of the
probability given to the candidates that hold the role (or to "nobody" when none does), plus an L2
penalty on the weights; it is minimised with L-BFGS (torch)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from communique.choice import ChoiceModel


@dataclass
class Group:
    """One choice: its candidates' features and, per role, which candidates hold it."""

    features: list[Mapping[str, float]]
    labels: dict[str, list[int]]  # role -> 0/1 per candidate


def fit(groups: Sequence[Group], roles: Sequence[str], l2: float = 1.0, min_count: int = 2) -> ChoiceModel:
    import torch

    counts: dict[str, int] = {}
    for g in groups:
        for f in g.features:
            for name in f:
                counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if c >= min_count)
    column = {n: k for k, n in enumerate(names)}
    rows = [f for g in groups for f in g.features]
    x = torch.zeros((max(1, len(rows)), len(names)), dtype=torch.float64)
    for r, f in enumerate(rows):
        for name, value in f.items():
            k = column.get(name)
            if k is not None:
                x[r, k] = value
    width = max((len(g.features) for g in groups), default=1) or 1
    index = torch.full((len(groups), width), -1, dtype=torch.long)
    at = 0
    for i, g in enumerate(groups):
        index[i, : len(g.features)] = torch.arange(at, at + len(g.features))
        at += len(g.features)
    present = index >= 0
    safe = index.clamp(min=0)
    weights: dict[str, dict[str, float]] = {}
    nobody: dict[str, float] = {}
    for role in roles:
        label = torch.zeros(max(1, len(rows)), dtype=torch.bool)
        at = 0
        for g in groups:
            for j, v in enumerate(g.labels[role]):
                label[at + j] = bool(v)
            at += len(g.features)
        positive = label[safe] & present
        none_holds = ~positive.any(dim=1)
        w = torch.zeros(len(names), dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=500, tolerance_grad=1e-9, tolerance_change=1e-12,
                                history_size=20, line_search_fn="strong_wolfe")

        def closure(opt=opt, w=w, b=b, positive=positive, none_holds=none_holds):
            opt.zero_grad()
            scores = (x @ w)[safe].masked_fill(~present, float("-inf"))
            nob = b.expand(len(groups), 1)
            every = torch.cat([scores, nob], dim=1)
            held = torch.cat([scores.masked_fill(~positive, float("-inf")),
                              nob.masked_fill(~none_holds.unsqueeze(1), float("-inf"))], dim=1)
            loss = (torch.logsumexp(every, 1) - torch.logsumexp(held, 1)).sum() + l2 * (w * w).sum()
            loss.backward()
            return loss

        opt.step(closure)
        weights[role] = {n: round(float(v), 6) for n, v in zip(names, w.detach().tolist()) if abs(v) > 1e-6}
        nobody[role] = round(float(b.detach()[0]), 6)
    return ChoiceModel(weights, nobody, {}, {"features": len(names), "groups": len(groups), "candidates": len(rows),
                                             "l2": l2, "min_count": min_count})
