"""Learning the protocol from whole articles: training, cross-validation and export of the learned
models on a real-news gold file (`realnews-dev/PROTOCOL.md`; realnews-train is the training set).

The models, each trained on the articles it is given and nothing else:

* the actor country model (`actors/country_choice.py`),
* the sentence event detector (`events/detector.py`, the costly one: a fine-tuned transformer),
* the argument model (`events/arguments.py`),

and the detector's decision threshold, chosen by cross-validation.

`cross_validate` cuts the articles into K folds; for each fold it trains all three on the other
folds, exports the detector as it would be shipped (ONNX, int8), runs the whole pipeline on the
held-out articles and scores them with the project's scorer (`communique.eval.realnews.score`, the
acceptance scorer's measures). Each fold's threshold is the one that scored best on the other folds'
predictions, so no fold is scored with a threshold it chose. Fold models are kept in a work folder
and reused when the data, the fold and the settings are the same (a killed run resumes).
`train_and_export` then trains on every article and writes the shipped files with a `meta.json`.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from communique.events.learn.arguments import ArgumentParams
from communique.events.learn.detector import DetectorParams
from communique.provenance import file_sha256

THRESHOLDS = (0.2, 0.3, 0.4, 0.5)
Log = Callable[[str], None]


@dataclass
class RealnewsConfig:
    detector: DetectorParams = field(default_factory=DetectorParams)
    arguments: ArgumentParams = field(default_factory=ArgumentParams)
    country_l2: float = 1.0
    thresholds: tuple[float, ...] = THRESHOLDS
    folds: int = 5
    fraction: float = 1.0  # share of each fold's training articles used (learning curves)
    seed: int = 0

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class Corpus:
    """A gold file analysed by the pipeline (parsed once; actors and quotes are resolved per model)."""

    path: Path
    sha256: str
    articles: list  # events.learn.corpus.AnalysedArticle
    pipeline: object

    @property
    def gold(self) -> list[dict]:
        return [a.gold for a in self.articles]


def load_corpus(path: str | Path, pipeline=None, log: Log | None = None) -> Corpus:
    from communique.eval.realnews import read_jsonl
    from communique.events.learn import corpus
    from communique.pipeline import Pipeline

    path = Path(path)
    gold = read_jsonl(path)
    pipeline = pipeline or Pipeline()
    began = time.time()
    articles = list(corpus.analyse(gold, pipeline))
    if log:
        log(f"analysed {len(articles)} articles of {path.name} ({time.time() - began:.0f} s)")
    return Corpus(path, file_sha256(path), articles, pipeline)


def folds(ids: Sequence[str], k: int, seed: int = 0) -> list[set[str]]:
    """K disjoint sets of article ids, shuffled with a fixed seed."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [set(order[i::k]) for i in range(k)]


def fold_splits(articles: list, k: int, fraction: float = 1.0, seed: int = 0):
    """For each of K folds by article: (the ids trained on, the held-out articles); the training ids
    cut to `fraction` of the other folds' (a learning curve)."""
    for held in folds([a.id for a in articles], k, seed):
        trained = {a.id for a in _subsample([a for a in articles if a.id not in held], fraction, seed)}
        yield trained, [a for a in articles if a.id in held]


def _subsample(articles: list, fraction: float, seed: int) -> list:
    if fraction >= 1:
        return articles
    ids = sorted(a.id for a in articles)
    random.Random(seed + 1).shuffle(ids)
    keep = set(ids[: max(1, round(len(ids) * fraction))])
    return [a for a in articles if a.id in keep]


def reresolve(article, kb, country_model) -> None:
    """Resolve an analysed article's actors and quotes again (with another country model). Speakers
    are the rules' alone: the shipped speaker linking model was trained on realnews-train, so a
    cross-validation on it must not use it (`communique train speakers --cv` measures that model)."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes

    article.actors = resolve_actors(article.annotated, kb, country_model)
    article.quotes = extract_quotes(article.annotated, article.actors, speaker_model=False)


@dataclass
class Trained:
    """The models trained on one set of articles."""

    countries: object  # ChoiceModel
    arguments: object  # ArgumentModel
    dates: object  # ChoiceModel
    detector_dir: Path
    history: list = field(default_factory=list)

    def event_models(self, detector=None, decider=None):
        from communique.events.detector import SentenceDetector
        from communique.events.learned import EventModels

        return EventModels(detector or SentenceDetector(self.detector_dir), self.arguments, decider, self.dates)


def train_models(corpus: Corpus, articles: list, config: RealnewsConfig, workdir: Path, log: Log | None = None,
                 threshold: float = 0.5) -> Trained:
    """Train the three models on `articles`; the detector is exported to workdir/detector (reused when
    workdir holds one trained on the same articles with the same settings)."""
    from communique.events.learn import corpus as gold_corpus
    from communique.events.learn.arguments import fit as fit_arguments
    from communique.events.learn.detector import export, load_checkpoint, save_checkpoint, train
    from communique.learn.actors import country_groups
    from communique.learn.actors import train as train_countries
    from communique.learn.dates import date_groups
    from communique.learn.dates import train as train_dates

    log = log or (lambda _m: None)
    kb = corpus.pipeline.kb
    workdir.mkdir(parents=True, exist_ok=True)
    # 1. countries: from the rules' proposals (as the model sees them at inference)
    groups = []
    for a in articles:
        reresolve(a, kb, False)
        groups += [g for g, _ in country_groups(a)]
    countries = train_countries(groups, config.country_l2)
    # 2. arguments and dates: from the actors as the new country model resolves them
    rows, date_examples = [], []
    for a in articles:
        reresolve(a, kb, countries)
        rows += gold_corpus.argument_rows(a)
        reresolve(a, kb, countries)  # the argument rows' anchors added actors: start again
        date_examples += [g for g, _ in date_groups(a)]
    arguments = fit_arguments(rows, config.arguments)
    dates = train_dates(date_examples)
    log(f"country model: {len(groups)} actors; argument model: {len(rows)} candidates of "
        f"{arguments.info.get('groups')} events; date model: {len(date_examples)} dated events")
    # 3. the detector
    examples = [e for a in articles for e in gold_corpus.sentence_examples(a)]
    stamp = hashlib.sha256(
        (corpus.sha256 + config.fingerprint() + ",".join(sorted(a.id for a in articles))).encode()).hexdigest()[:16]
    checkpoint, stamp_file, out = workdir / "detector.pt", workdir / "detector.stamp", workdir / "detector"
    if checkpoint.exists() and stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        log(f"detector: reusing {checkpoint}")
        model = load_checkpoint(checkpoint)
    else:
        log(f"detector: training on {len(examples)} sentences ({sum(bool(e.types) for e in examples)} with events)")
        model = train(examples, config.detector, log=log)
        save_checkpoint(model, checkpoint)
        stamp_file.write_text(stamp + "\n")
        if out.exists():
            shutil.rmtree(out)
    if not (out / "model.onnx").exists():
        export(model, out, {t: threshold for t in model.labels})
    return Trained(countries, arguments, dates, out, model.history)


class ThresholdedDetector:
    """A detector with one threshold for every type, remembering its scores so that trying several
    thresholds scores each sentence once."""

    def __init__(self, detector, threshold: float):
        self.detector, self.value = detector, threshold
        self.memo: dict[tuple[str, str], dict[str, float]] = {}

    @property
    def labels(self):
        return self.detector.labels

    def threshold(self, _label: str) -> float:
        return self.value

    def __call__(self, pairs):
        missing = [p for p in dict.fromkeys(pairs) if p not in self.memo]
        if missing:
            for pair, scores in zip(missing, self.detector(missing)):
                self.memo[pair] = scores
        return [self.memo[p] for p in pairs]


def predict(corpus: Corpus, articles: list, trained: Trained, detector, decider=None) -> list[dict]:
    """`communique extract` documents (record dates) of the articles with the trained models (`detector` replaces
    the trained detector's callable: a ThresholdedDetector over it; `decider` an EventDecider)."""
    from communique.events.extract import extract_events
    from communique.models import ArticleOut, Extraction

    models = trained.event_models(detector, decider)
    docs = []
    for a in articles:
        reresolve(a, corpus.pipeline.kb, trained.countries)
        events = extract_events(a.annotated, a.actors, a.quotes, models=models)
        docs.append(Extraction(article=ArticleOut.from_article(a.annotated.article), actors=a.actors.actors,
                               quotes=a.quotes, events=events).with_record_dates().to_json_dict())
    return docs


def train_decider(corpus: Corpus, articles: list, scores: dict[str, list], countries, labels, log: Log | None = None):
    """The decision model trained on `articles` with their out-of-fold detector `scores`."""
    from communique.events.decide import EventDecider
    from communique.learn.decide import decision_groups, train

    groups = []
    for a in articles:
        reresolve(a, corpus.pipeline.kb, countries)
        groups += decision_groups(a, scores[a.id], labels)
    model = train(groups)
    if log:
        log(f"decision model: {len(groups)} (sentence, type) pairs, threshold {model.thresholds['event']}, "
            f"pair F1 {model.info['pair_f1']}")
    return EventDecider(model)


def _score_docs(docs_by_fold: dict[int, list[dict]], gold_of: dict[str, dict]) -> dict:
    from communique.eval.realnews import score

    docs = [d for ds in docs_by_fold.values() for d in ds]
    return score([gold_of[str(d["article"]["id"])] for d in docs], docs)


def cross_validate(corpus: Corpus, config: RealnewsConfig, workdir: str | Path, log: Log | None = None) -> dict:
    """K-fold cross-validation of the whole pipeline by article (see the module docstring)."""
    from communique.events.learned import sentence_pairs

    log = log or (lambda _m: None)
    workdir = Path(workdir)
    parts = folds([a.id for a in corpus.articles], config.folds, config.seed)
    gold_of = {a.id: a.gold for a in corpus.articles}
    trained: dict[int, Trained] = {}
    memo: dict[int, ThresholdedDetector] = {}
    scores: dict[str, list] = {}
    per_fold = []
    for k, held in enumerate(parts):  # 1. each fold's models, and the held-out articles' detector scores
        test = [a for a in corpus.articles if a.id in held]
        train_articles = _subsample([a for a in corpus.articles if a.id not in held], config.fraction, config.seed)
        log(f"fold {k + 1}/{config.folds}: training on {len(train_articles)} articles, testing on {len(test)}")
        trained[k] = train_models(corpus, train_articles, config, workdir / f"fold-{k + 1}-of-{config.folds}", log)
        memo[k] = ThresholdedDetector(trained[k].event_models().detector, 0.5)
        for a in test:
            scores[a.id] = memo[k](sentence_pairs(a.sents))
        per_fold.append({"fold": k + 1, "train_articles": len(train_articles), "test_articles": len(test),
                         "detector_history": trained[k].history})
    (workdir / "oof_scores.json").write_text(json.dumps(scores), encoding="utf-8")  # for reading errors
    # 2. the detector alone, at each threshold
    alone: dict[float, dict[int, list[dict]]] = {t: {} for t in config.thresholds}
    for k, held in enumerate(parts):
        test = [a for a in corpus.articles if a.id in held]
        for t in config.thresholds:
            memo[k].value = t
            alone[t][k] = predict(corpus, test, trained[k], memo[k])
    sweep = {}
    for t in config.thresholds:
        r = _score_docs(alone[t], gold_of)
        sweep[str(t)] = {"events_full_f1": r["events_full_prf"][2], "events_typed_f1": r["events_typed_prf"][2],
                         "event_date_acc": r["event_date_acc"]}
    best = max(config.thresholds, key=lambda t: sweep[str(t)]["events_full_f1"])
    # 3. the decision model of each fold, trained on the other folds' out-of-fold scores
    decided: dict[int, list[dict]] = {}
    thresholds = []
    labels = memo[0].labels
    for k, held in enumerate(parts):
        others = [a for a in corpus.articles if a.id not in held]
        decider = train_decider(corpus, others, scores, trained[k].countries, labels, log)
        thresholds.append(decider.threshold)
        test = [a for a in corpus.articles if a.id in held]
        decided[k] = predict(corpus, test, trained[k], memo[k], decider)
    report = _score_docs(decided, gold_of)
    report["cv"] = {"folds": config.folds, "seed": config.seed, "fraction": config.fraction,
                    "decision_thresholds": thresholds, "detector_alone_sweep": sweep,
                    "detector_alone_best_threshold": best, "per_fold": per_fold}
    report["_scores"] = scores  # the out-of-fold detector scores (the final decision model learns from them)
    return report


def evaluate(corpus: Corpus, trained: Trained, threshold: float, decider=None) -> dict:
    """Scores of trained models on another gold file (the development set)."""
    from communique.eval.realnews import score

    detector = ThresholdedDetector(trained.event_models().detector, threshold)
    return score(corpus.gold, predict(corpus, corpus.articles, trained, detector, decider))


def summary(report: dict) -> dict:
    """The figures of a score report that a meta.json records."""
    keys = ("articles", "events_full_prf", "events_typed_prf", "event_date_acc", "quotes_speaker_prf",
            "quotes_content_prf", "actors_country", "actors_found")
    return {k: report.get(k) for k in keys}


def _command(corpus: Corpus, config: RealnewsConfig, cross_validated: bool, dev: Corpus | None) -> str:
    d = config.detector
    return " ".join([f"communique train events {corpus.path.name} --out DIR",
                     *([f"--dev {dev.path.name}"] if dev is not None else []),
                     f"--cv {config.folds if cross_validated else 0}", f"--epochs {d.epochs}", f"--lr {d.lr}",
                     f"--freeze {d.freeze}", f"--negatives {d.negatives}", f"--max-tokens {d.max_tokens}",
                     f"--seed {d.seed}"])


def train_and_export(corpus: Corpus, config: RealnewsConfig, out_dir: str | Path, workdir: str | Path,
                     threshold: float, cv_report: dict | None = None, dev: Corpus | None = None,
                     log: Log | None = None) -> dict:
    """Train on every article of `corpus` and write the event models to out_dir: the detector
    (model.onnx, tokenizer.json), the decision model (decider.json, trained on the cross-validation's
    out-of-fold detector scores; none without a cross-validation), the argument model
    (arguments.json), the date model (dates.json), the country model the others were trained with
    (country.json) and meta.json with the data, settings and figures."""
    from communique.events.learn.detector import TYPES, export, load_checkpoint
    from communique.events.learned import ARGUMENTS_FILE, DATES_FILE, DECIDER_FILE

    out = Path(out_dir)
    trained = train_models(corpus, corpus.articles, config, Path(workdir) / "all", log, threshold)
    decider = None
    if cv_report is not None and cv_report.get("_scores"):
        labels = trained.event_models().detector.labels
        decider = train_decider(corpus, corpus.articles, cv_report["_scores"], trained.countries, labels, log)
    dev_report = evaluate(dev, trained, threshold, decider) if dev is not None else None
    meta = {
        "trained_on": {"file": corpus.path.name, "sha256": corpus.sha256, "articles": len(corpus.articles),
                       "sentences": sum(len(a.sents) for a in corpus.articles),
                       "events": sum(len(a.gold.get("events") or []) for a in corpus.articles)},
        "threshold": threshold,
        "decision_threshold": decider.threshold if decider else None,
        "settings": json.loads(json.dumps(asdict(config), default=str)),
        "cross_validation": ({**summary(cv_report), "cv": {k: v for k, v in cv_report["cv"].items() if k != "per_fold"}}
                             if cv_report else None),
        "dev": ({"file": dev.path.name, "sha256": dev.sha256, **summary(dev_report)} if dev_report else None),
        "reproduce": _command(corpus, config, cv_report is not None, dev),
    }
    model = load_checkpoint(Path(workdir) / "all" / "detector.pt")
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("meta.json", "model.onnx", DECIDER_FILE):
        if (out / stale).exists():
            (out / stale).unlink()
    export(model, out, {t: threshold for t in TYPES}, meta)
    trained.arguments.save(out / ARGUMENTS_FILE)
    trained.dates.save(out / DATES_FILE)
    trained.countries.save(out / "country.json")
    if decider is not None:
        decider.model.save(out / DECIDER_FILE)
    return meta
