"""`communique eval plover`: score PLOVER event typing and actor extraction on a PLV-layout CSV.

Each sentence goes through the whole pipeline as a one-sentence article; its main event gives the
predicted type (CONCEDE and RETREAT count as PLV's YIELD) and the text of its actors and recipients,
scored against the gold source and target by token-overlap F1. Under K-fold cross-validation the
sentence classifier of each fold is trained on the other folds, so no sentence is typed by a model
that saw it.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from communique.events.classifier import LabelledSentence, folds, load_classifier, read_plv
from communique.events.extract import Candidate, find_candidates, kept
from communique.events.lexicon import load_lexicon
from communique.models import Article

NO_EVENT = "NONE"
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}\u2018\u2019\u201c\u201d]")


@dataclass
class Prediction:
    label: str
    source_text: str
    target_text: str


def shipped_train_file() -> str | None:
    """The name of the file the shipped classifier was trained on, from its meta.json."""
    model = load_classifier()
    if model is None:
        return None
    return model.meta.get("train_file")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; full stops are dropped first so "U.S." and "US" agree."""
    return _PUNCT.sub(" ", (text or "").lower().replace(".", "")).split()


def token_f1(predicted: str, gold: str) -> float:
    """SQuAD-style token overlap F1; two empty strings agree."""
    p, g = tokens(predicted), tokens(gold)
    if not p and not g:
        return 1.0
    if not p or not g:
        return 0.0
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _mention_text(article: Article, actors, actor_ids: Sequence[str]) -> str:
    """The surface text of the actors in this sentence (their mentions), falling back to names."""
    parts: list[str] = []
    for actor_id in actor_ids:
        actor = actors.get(actor_id)
        if actor is None:
            continue
        texts = [article.text[s:e] for s, e in actor.mentions if 0 <= s < e <= len(article.text)]
        parts.append(max(texts, key=len) if texts else actor.name)
    return " ".join(parts)


def main_event(cands: list[Candidate]) -> Candidate | None:
    live = [c for c in kept(cands) if not c.refers_to_past]
    for cand in live:
        if cand.main:
            return cand
    return live[0] if live else None


def predict_sentences(pipeline, texts: Sequence[str], classifier) -> list[Prediction]:
    """Run the pipeline on each sentence (one article each) and read off its main event."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.nlp import annotate

    lex = load_lexicon()
    articles = [Article(text=t, body=t, segments=[], source=f"plv:{i}") for i, t in enumerate(texts)]
    out: list[Prediction] = []
    for annotated in annotate(articles, pipeline.nlp):
        try:
            actors = resolve_actors(annotated, pipeline.kb)
            quotes = extract_quotes(annotated, actors)
            cand = main_event(find_candidates(annotated, actors, quotes, classifier))
        except Exception:  # a failure on one sentence scores as "no event"
            cand, actors = None, None
        if cand is None:
            out.append(Prediction(NO_EVENT, "", ""))
            continue
        out.append(
            Prediction(
                lex.plv_label(cand.type),
                _mention_text(annotated.article, actors, cand.actors),
                _mention_text(annotated.article, actors, cand.recipients),
            )
        )
    return out


def score(rows: Sequence[LabelledSentence], preds: Sequence[Prediction]) -> dict:
    labels = sorted({r.label for r in rows})
    per_type: dict[str, dict] = {}
    for label in labels:
        tp = sum(r.label == label and p.label == label for r, p in zip(rows, preds))
        fp = sum(r.label != label and p.label == label for r, p in zip(rows, preds))
        fn = sum(r.label == label and p.label != label for r, p in zip(rows, preds))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_type[label] = {"f1": 100 * f1, "precision": 100 * precision, "recall": 100 * recall, "support": tp + fn}
    n = len(rows)
    return {
        "n": n,
        "macro_f1": sum(v["f1"] for v in per_type.values()) / len(per_type) if per_type else 0.0,
        "accuracy": 100 * sum(r.label == p.label for r, p in zip(rows, preds)) / n if n else 0.0,
        "per_type": per_type,
        "source_f1": 100 * sum(token_f1(p.source_text, r.source) for r, p in zip(rows, preds)) / n if n else 0.0,
        "target_f1": 100 * sum(token_f1(p.target_text, r.target) for r, p in zip(rows, preds)) / n if n else 0.0,
        "no_event": sum(p.label == NO_EVENT for p in preds),
        "confusion": dict(Counter(f"{r.label}->{p.label}" for r, p in zip(rows, preds) if r.label != p.label).most_common(25)),
    }


def evaluate(
    file: str | Path,
    folds: int = 0,
    limit: int | None = None,
    params=None,
    log: Callable[[str], None] | None = None,
    pipeline=None,
) -> dict:
    """Score the pipeline on a PLV CSV: with the shipped classifier (folds=0) or K-fold CV, where each
    fold's classifier is trained on the other folds (needs the `train` extra; `params` are its
    `training.HyperParameters`)."""
    from communique.pipeline import Pipeline

    rows = read_plv(file)
    if limit:
        rows = rows[:limit]
    pipeline = pipeline or Pipeline()
    preds: list[Prediction | None] = [None] * len(rows)
    if folds and folds >= 2:
        from communique.events.training import cross_val_models

        for k, (fold, model) in enumerate(cross_val_models(rows, folds, params)):
            for i, p in zip(fold, predict_sentences(pipeline, [rows[i].text for i in fold], model)):
                preds[i] = p
            if log:
                log(f"fold {k + 1}/{folds} scored")
    else:
        for i, p in enumerate(predict_sentences(pipeline, [r.text for r in rows], None)):
            preds[i] = p
    report = score(rows, [p or Prediction(NO_EVENT, "", "") for p in preds])
    report["folds"] = folds
    report["file"] = Path(file).name
    return report


_folds = folds
