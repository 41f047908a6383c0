"""`communique eval plover`: score PLOVER event typing and actor extraction on a PLV-layout CSV.

Each sentence goes through the whole pipeline as a one-sentence article; its main event gives the
predicted type (CONCEDE and RETREAT count as PLV's YIELD) and the text of its actors and recipients,
scored against the gold source and target by token-overlap F1. Without --cv the shipped models
judge every sentence: the learned event stage (trained on realnews-train, never on PLV, so every PLV
sentence is unseen by it) when it is installed. Under K-fold cross-validation the PLV sentence
classifier of each fold is trained on the other folds (the dictionary path), so no sentence is typed
by a model that saw it.
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
from communique.events.learned import kept_learned
from communique.events.learned import load_event_models
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


def main_event(cands: list[Candidate], learned: bool = False) -> Candidate | None:
    """The sentence's main event: the learned stage's most likely one, else the dictionary's main."""
    if learned:
        live = [c for c in kept_learned(cands) if not c.refers_to_past]
        return max(live, key=lambda c: c.score) if live else None
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
            learned = classifier is None and load_event_models() is not None
            cand = main_event(find_candidates(annotated, actors, quotes, classifier,
                                              None if learned else False), learned)
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


def _fold_model(rows, negatives, held_rows, held_negs, params, checkpoint: Path | None, fingerprint: str, log):
    """The fold's model: loaded from its checkpoint when one of the same recipe and data exists, else
    trained on everything outside the fold (and saved there)."""
    from communique.events import training

    if checkpoint is not None and checkpoint.exists():
        import torch

        saved = torch.load(str(checkpoint), map_location="cpu")
        if saved.get("fingerprint") == fingerprint:
            if log:
                log(f"reusing {checkpoint}")
            return training.load_checkpoint(checkpoint)
    out_rows, out_negs = set(held_rows), set(held_negs)
    model = training.train(
        [r for j, r in enumerate(rows) if j not in out_rows],
        params,
        log=log,
        negatives=[s for j, s in enumerate(negatives) if j not in out_negs],
    )
    if checkpoint is not None:
        training.save_checkpoint(model, checkpoint, fingerprint=fingerprint)
    return model


def none_scores(gold_none: Sequence[bool], predicted_none: Sequence[bool]) -> dict:
    """Precision and recall of the "no event" answer."""
    tp = sum(g and p for g, p in zip(gold_none, predicted_none))
    fp = sum(p and not g for g, p in zip(gold_none, predicted_none))
    fn = sum(g and not p for g, p in zip(gold_none, predicted_none))
    precision = 100 * tp / (tp + fp) if tp + fp else 0.0
    recall = 100 * tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "negatives": tp + fn, "predicted": tp + fp}


def evaluate(
    file: str | Path,
    folds: int = 0,
    limit: int | None = None,
    params=None,
    log: Callable[[str], None] | None = None,
    pipeline=None,
    negatives: Sequence[str] = (),
    checkpoints: str | Path | None = None,
) -> dict:
    """Score the pipeline on a PLV CSV: with the shipped classifier (folds=0) or K-fold CV, where each
    fold's classifier is trained with the shipped recipe (`training.HyperParameters` `params`) on the
    other folds of the file and of the `negatives` (no-event sentences), so no sentence is judged by a
    model that saw it. Under CV the held-out negatives also measure the "no event" answer
    (`none`: precision and recall of the detector over held-out rows and negatives). `checkpoints`: a
    folder where fold models are saved and, when of the same recipe and data, reused."""
    import hashlib
    import json as _json
    from dataclasses import asdict

    from communique.events.detect import is_event
    from communique.pipeline import Pipeline

    rows = read_plv(file)
    if limit:
        rows = rows[:limit]
    pipeline = pipeline or Pipeline()
    preds: list[Prediction | None] = [None] * len(rows)
    report_extra: dict = {}
    if folds and folds >= 2:
        from communique.events.training import HyperParameters

        params = params or HyperParameters()
        row_folds = _folds(len(rows), folds, params.seed)
        neg_folds = _folds(len(negatives), folds, params.seed) if negatives else [[] for _ in range(folds)]
        fingerprint = hashlib.sha256(
            _json.dumps([[r.text, r.label] for r in rows] + list(negatives) + [asdict(params), folds]).encode("utf-8")
        ).hexdigest()
        folder = Path(checkpoints) if checkpoints else None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        neg_none: list[bool] = []
        done: list[int] = []
        alone: list[Prediction | None] = [None] * len(rows)
        for k, (held_rows, held_negs) in enumerate(zip(row_folds, neg_folds)):
            model = _fold_model(
                rows, negatives, held_rows, held_negs, params,
                folder / f"fold{k + 1}-of-{folds}.pt" if folder else None, fingerprint,
                (lambda m, k=k: log(f"fold {k + 1}/{folds}: {m}")) if log else None,
            )
            for i, p in zip(held_rows, predict_sentences(pipeline, [rows[i].text for i in held_rows], model)):
                preds[i] = p
            for i, scores in zip(held_rows, model.predict([rows[i].text for i in held_rows])):
                alone[i] = Prediction(max(scores, key=scores.get), "", "")
            if held_negs:
                neg_none.extend(not is_event(c) for c in model.predict([negatives[j] for j in held_negs]))
            done.extend(held_rows)
            if log:
                part = score([rows[i] for i in done], [preds[i] for i in done])
                log(f"fold {k + 1}/{folds} scored: macro-F1 so far {part['macro_f1']:.1f} over {len(done)} rows")
        # the fold classifiers alone (top label, NONE included), to tell the model's share of the
        # errors from the pipeline's (dictionary, roles, detection rules)
        alone_report = score(rows, [p or Prediction(NO_EVENT, "", "") for p in alone])
        report_extra["classifier_alone"] = {
            k: alone_report[k] for k in ("macro_f1", "accuracy", "no_event", "confusion")
        }
        if negatives:
            row_none = [p is not None and p.label == NO_EVENT for p in preds]
            report_extra["none"] = none_scores([False] * len(rows) + [True] * len(neg_none), row_none + neg_none)
    else:
        for i, p in enumerate(predict_sentences(pipeline, [r.text for r in rows], None)):
            preds[i] = p
    report = score(rows, [p or Prediction(NO_EVENT, "", "") for p in preds])
    report.update(report_extra)
    report["folds"] = folds
    report["file"] = Path(file).name
    return report


_folds = folds
