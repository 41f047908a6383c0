"""Training of the actor country model (`communique.actors.country_choice`) on a real-news gold file:
each gold actor whose first mention the pipeline found gives one choice among the candidate
countries of the actor that covers that mention, labelled with the gold country ("no country" when
the gold has none)."""

from __future__ import annotations

from collections.abc import Iterable

from communique.actors.country_choice import NONE, table_candidates
from communique.choice import ChoiceModel
from communique.learn.choice import Group, fit


def country_groups(article) -> list[tuple[Group, str]]:
    """(choice, article id) for each gold actor of an analysed article (`events.learn.corpus`) whose
    gold country is among the candidates."""
    from communique.events.learn.corpus import find

    text = article.gold["text"]
    annotated, table = article.annotated, article.actors
    by_actor = {a.id: (a, c) for a, c in table_candidates(table, annotated.doc, table.kb)}
    out: list[tuple[Group, str]] = []
    seen: set[str] = set()
    for g in article.gold.get("actors") or []:
        where = find(text, g.get("mention"))
        if where is None:
            continue
        covering = [a for a in table.actors if any(min(e, where[1]) > max(s, where[0]) for s, e in a.mentions)]
        if not covering or covering[0].id in seen or covering[0].id not in by_actor:
            continue
        actor, cands = by_actor[covering[0].id]
        seen.add(actor.id)
        target = (g.get("country") or "").upper() or NONE
        codes = list(cands)
        if target not in codes:
            continue
        out.append((Group([cands[c] for c in codes], {"country": [int(c == target) for c in codes]}), article.id))
    return out


def train(groups: Iterable[Group], l2: float = 1.0) -> ChoiceModel:
    return fit(list(groups), ["country"], l2=l2)


def country_accuracy(model: ChoiceModel, groups: Iterable[Group]) -> tuple[float, float]:
    """(the model's accuracy, the rules' accuracy) on choices: the share whose best candidate holds
    the gold country; the rules' choice is their proposal (a `rules=` feature), else no country."""
    groups = list(groups)
    right = rules = 0
    for g in groups:
        probs, _ = model.probabilities("country", g.features)
        best = max(range(len(probs)), key=lambda k: probs[k])
        right += g.labels["country"][best]
        proposed = next((k for k, f in enumerate(g.features) if any(n.startswith("rules=") for n in f)), len(g.features) - 1)
        rules += g.labels["country"][proposed]
    return right / max(1, len(groups)), rules / max(1, len(groups))
