"""Training of the speaker linking model (`communique.attribution.speaker_links`) on a real-news
gold file.

Each quote the rules find whose content matches a gold quote (the scorer's test: the two overlap by
half of each) gives one choice among its candidate actors; a candidate holds the role when it shares
a name word with the gold speaker (the scorer's test again, over the actor's name and the text of
its mentions). When no candidate does, "nobody" holds it, and the linker then keeps the rules'
choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from communique.choice import ChoiceModel
from communique.eval.realnews import contents_match, find, name_words, score
from communique.learn.choice import Group, fit


def _gold_quote(gold: dict, span: Sequence[int]) -> dict | None:
    for g in gold.get("quotes") or []:
        where = find(gold["text"], g.get("content"))
        if where is None:
            continue
        if contents_match(where, span):
            return g
    return None


def _actor_words(actor, text: str) -> set[str]:
    return name_words(" ".join(text[s:e] for s, e in actor.mentions) + " " + actor.name)


def requote(article, kb, speaker_model) -> list:
    """Resolve an analysed article's actors and quotes again with `speaker_model` (False: rules
    alone), returning the linker's (content span, candidates) rows."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes

    rows: list = []
    article.actors = resolve_actors(article.annotated, kb)
    article.quotes = extract_quotes(article.annotated, article.actors, speaker_model=speaker_model, collect=rows)
    return rows


def speaker_groups(article, kb) -> list[tuple[Group, str]]:
    """(choice, article id) for each of the rules' quotes that matches a gold quote."""
    text = article.gold["text"]
    out = []
    for span, candidates in requote(article, kb, False):
        gold = _gold_quote(article.gold, span)
        if gold is None or not candidates:
            continue
        wanted = name_words(gold.get("speaker"))
        labels = [int(bool(wanted & _actor_words(c.actor, text))) for c in candidates]
        out.append((Group([c.features for c in candidates], {"speaker": labels}), article.id))
    return out


def train(groups: Iterable[Group], l2: float = 1.0, margin: float = 0.0) -> ChoiceModel:
    model = fit(list(groups), ["speaker"], l2=l2)
    model.thresholds["margin"] = margin
    return model


def prediction(article, kb, model) -> dict:
    """The article's quotes and actors under `model`, in the shape `eval.realnews.score` reads."""
    requote(article, kb, model)
    return {"id": article.id, "quotes": [q.model_dump() for q in article.quotes],
            "actors": [a.model_dump() for a in article.actors.actors], "events": []}


def quote_figures(articles: list, predictions: list[dict]) -> dict:
    report = score([a.gold for a in articles], predictions, n_misses=0)
    return {"speaker_prf": report["quotes_speaker_prf"], "content_prf": report["quotes_content_prf"]}


def train_groups(articles: list, kb) -> list[tuple[Group, str]]:
    return [row for a in articles for row in speaker_groups(a, kb)]


def cross_validate(articles: list, kb, groups: list[tuple[Group, str]], k: int, l2: float, margin: float,
                   fraction: float = 1.0, seed: int = 0) -> dict:
    """Quote speaker and content P/R/F1 on each held-out fold (by article), with a model trained on
    the other folds (or `fraction` of their articles), against the rules alone on the same quotes."""
    from communique.learn.realnews import fold_splits

    learned, rules = [], []
    for keep, held in fold_splits(articles, k, fraction, seed):
        model = train([g for g, art in groups if art in keep], l2, margin)
        for a in held:
            learned.append(prediction(a, kb, model))
            rules.append(prediction(a, kb, False))
    mine, base = quote_figures(articles, learned), quote_figures(articles, rules)
    return {"cv_folds": k, "cv_fraction": fraction, "cv_speaker_prf": mine["speaker_prf"],
            "cv_content_prf": mine["content_prf"], "cv_rules_speaker_prf": base["speaker_prf"]}


def figures_on(articles: list, kb, model: ChoiceModel) -> dict:
    mine = quote_figures(articles, [prediction(a, kb, model) for a in articles])
    base = quote_figures(articles, [prediction(a, kb, False) for a in articles])
    return {"dev_speaker_prf": mine["speaker_prf"], "dev_content_prf": mine["content_prf"],
            "dev_rules_speaker_prf": base["speaker_prf"]}
