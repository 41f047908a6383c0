"""Training of the event decision model (`communique.events.decide`): every (sentence, type) pair the
detector or the rules propose in a gold article is one example, labelled by whether the gold file
codes an event of that type (CONCEDE and RETREAT as one) in that sentence. The detector's scores must
be out-of-fold (from a detector that never saw the article), as they will be on unseen news."""

from __future__ import annotations

from collections.abc import Sequence

from communique.choice import ChoiceModel
from communique.learn.choice import Group, fit

_YIELD = frozenset({"CONCEDE", "RETREAT"})


def _family(label: str) -> str:
    return "YIELD" if label in _YIELD else label


def decision_groups(article, scores: list[dict[str, float]], labels: Sequence[str]) -> list[Group]:
    """The examples of one analysed article (`events.learn.corpus.AnalysedArticle`) given its
    sentences' detector scores."""
    from communique.events.decide import pair_features, proposed_types
    from communique.events.extract import rule_candidates
    from communique.events.learned import in_quote_flags
    from communique.events.lexicon import load_lexicon
    from communique.events.roles import ArticleContext

    ctx = ArticleContext(article.annotated, article.actors, article.quotes, load_lexicon())
    sents = article.sents
    rules = rule_candidates(ctx, sents)
    quoted = in_quote_flags(ctx, sents)
    gold = {i: {_family(e["type"]) for e in events} for i, events in article.gold_events_by_sentence().items()}
    out = []
    for i in range(len(sents)):
        for event_type in proposed_types(scores[i], rules.get(i, []), labels):
            feats = pair_features(scores, i, event_type, rules.get(i, []), quoted[i])
            out.append(Group([feats], {"event": [int(_family(event_type) in gold.get(i, set()))]}))
    return out


def train(groups: Sequence[Group], l2: float = 1.0) -> ChoiceModel:
    """The decision model, its threshold set where the examples' F1 is highest (examples the model
    was fitted on: a little optimistic, and only used to place the threshold)."""
    model = fit(list(groups), ["event"], l2=l2)
    scored = sorted(((model.probabilities("event", g.features)[0][0], g.labels["event"][0]) for g in groups), reverse=True)
    positives = sum(y for _, y in scored)
    best, best_f1, hits = 0.5, -1.0, 0
    for k, (p, y) in enumerate(scored, 1):
        hits += y
        f1 = 2 * hits / (k + positives) if positives else 0.0
        if f1 > best_f1 and (k == len(scored) or scored[k][0] < p):
            best, best_f1 = p, f1
    model.thresholds["event"] = round(best, 4)
    model.info["pair_f1"] = round(100 * best_f1, 1)
    return model
