"""Training of the statement model (`communique.attribution.statement_choice`) on a real-news gold
file: every attribution the rules find (their verdict a feature) is labelled a quote when its
content matches a gold quote no earlier attribution of the article matched (the scorer's test: the
two overlap by half of each)."""

from __future__ import annotations

from collections.abc import Sequence

from communique.choice import ChoiceModel
from communique.eval.realnews import contents_match, find
from communique.learn.choice import Group, fit
from communique.learn.speakers import quote_figures

THRESHOLDS = (0.3, 0.4, 0.5, 0.6)


def statement_rows(article, kb) -> list[tuple[Group, str]]:
    """(choice, article id) for each attribution of an analysed article that the model would weigh."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes

    rows: list = []
    extract_quotes(article.annotated, resolve_actors(article.annotated, kb), speaker_model=False,
                   statement_model=False, statement_rows=rows)
    text = article.gold["text"]
    gold = [where for g in article.gold.get("quotes") or [] if (where := find(text, g.get("content")))]
    used: set[int] = set()
    out = []
    for span, features in sorted(rows, key=lambda r: tuple(r[0])):
        hit = next((k for k, w in enumerate(gold) if k not in used and contents_match(w, span)), None)
        if hit is not None:
            used.add(hit)
        out.append((Group([features], {"quote": [int(hit is not None)]}), article.id))
    return out


def train(groups: Sequence[Group], l2: float = 1.0, threshold: float = 0.5) -> ChoiceModel:
    model = fit(list(groups), ["quote"], l2=l2)
    model.thresholds["keep"] = threshold
    return model


def prediction(article, kb, model) -> dict:
    """The article's quotes and actors with `model` deciding (False: the rules), speakers the rules'."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes

    table = resolve_actors(article.annotated, kb)
    quotes = extract_quotes(article.annotated, table, speaker_model=False, statement_model=model)
    return {"id": article.id, "quotes": [q.model_dump() for q in quotes],
            "actors": [a.model_dump() for a in table.actors], "events": []}


def cross_validate(articles: list, kb, groups: list[tuple[Group, str]], k: int, l2: float,
                   thresholds: Sequence[float] = THRESHOLDS, fraction: float = 1.0, seed: int = 0) -> dict:
    """Quote content and speaker P/R/F1 on held-out article folds at each threshold (speakers by the
    rules, so that only this model differs from the rules' row), and the threshold that does best."""
    from communique.learn.realnews import fold_splits

    by_threshold: dict[float, list[dict]] = {t: [] for t in thresholds}
    rules: list[dict] = []
    for keep, held in fold_splits(articles, k, fraction, seed):
        model = train([g for g, art in groups if art in keep], l2)
        for a in held:
            for t in thresholds:
                model.thresholds["keep"] = t
                by_threshold[t].append(prediction(a, kb, model))
            rules.append(prediction(a, kb, False))
    sweep = {str(t): quote_figures(articles, docs) for t, docs in by_threshold.items()}
    # both questions count: what was said (content F1) and who said it (speaker F1)
    best = max(thresholds, key=lambda t: sweep[str(t)]["speaker_prf"][2] + sweep[str(t)]["content_prf"][2])
    return {"cv_folds": k, "cv_fraction": fraction, "cv_sweep": sweep, "cv_best_threshold": best,
            "cv_content_prf": sweep[str(best)]["content_prf"], "cv_speaker_prf": sweep[str(best)]["speaker_prf"],
            "cv_rules": quote_figures(articles, rules)}


def figures_on(articles: list, kb, model: ChoiceModel) -> dict:
    mine = quote_figures(articles, [prediction(a, kb, model) for a in articles])
    base = quote_figures(articles, [prediction(a, kb, False) for a in articles])
    return {"dev_content_prf": mine["content_prf"], "dev_speaker_prf": mine["speaker_prf"], "dev_rules": base}
