"""`communique train events GOLD --out DIR` and `communique train actors GOLD --out FILE`: the models
learned from whole articles annotated by the real-news protocol (`communique.learn.realnews`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from communique.cli.app import console, error, stdout, train_app

_NEEDS_TRAIN = "training needs torch and the base model: pip install torch==2.13.0 'communique[train]'"


def detector_params(epochs: int, lr: float, freeze: int, negatives: float, max_tokens: int, seed: int, threads: int):
    from communique.events.learn.detector import DetectorParams

    return DetectorParams(epochs=epochs, lr=lr, freeze=freeze, negatives=negatives, max_tokens=max_tokens, seed=seed,
                          threads=threads)


def require_training() -> None:
    try:
        from communique.events.learn.detector import require

        require()
    except Exception:
        error(_NEEDS_TRAIN)
        raise typer.Exit(2) from None


def load_gold(path: Path):
    from communique.learn.realnews import load_corpus

    try:
        return load_corpus(path, log=console.print)
    except (OSError, ValueError, KeyError) as err:
        error(f"{path}: {err}")
        raise typer.Exit(2) from None


@train_app.command("events")
def train_events(
    gold_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Real-news gold JSONL to learn from (e.g. realnews-train/gold.jsonl)."),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Model directory to write (the installed model is replaced only when named)."),
    dev: Optional[Path] = typer.Option(None, "--dev", exists=True, dir_okay=False, help="A gold file to report figures on (never trained on)."),
    cv: int = typer.Option(5, "--cv", min=0, help="Folds of the cross-validation that chooses the threshold and measures the recipe (0: none)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0, help="The detector's threshold (default: chosen by --cv, else 0.5)."),
    workdir: Path = typer.Option(Path("train-events-work"), "--workdir", file_okay=False, help="Where fold models are kept (and reused by a later run)."),
    epochs: int = typer.Option(5, "--epochs", min=1, max=100),
    lr: float = typer.Option(5e-5, "--lr"),
    freeze: int = typer.Option(0, "--freeze", min=0, max=6, help="Lowest encoder layers kept frozen (faster training)."),
    negatives: float = typer.Option(1.0, "--negatives", min=0.05, max=1.0, help="Share of no-event sentences seen per epoch."),
    max_tokens: int = typer.Option(128, "--max-tokens", min=16, max=512),
    seed: int = typer.Option(0, "--seed"),
    threads: int = typer.Option(0, "--threads", min=0, help="torch threads (0: COMMUNIQUE_TRAIN_THREADS or 1)."),
) -> None:
    """Train the event detector, the argument model and the country model on a real-news gold file."""
    require_training()
    from communique.learn.realnews import RealnewsConfig, cross_validate, summary, train_and_export

    config = RealnewsConfig(detector=detector_params(epochs, lr, freeze, negatives, max_tokens, seed, threads),
                            folds=max(cv, 1), seed=seed)
    corpus = load_gold(gold_file)
    report = None
    if cv >= 2:
        report = cross_validate(corpus, config, workdir, log=console.print)
        console.print(f"cross-validation: {json.dumps(summary(report))}")
    chosen = threshold if threshold is not None else (report["cv"]["detector_alone_best_threshold"] if report else 0.5)
    dev_corpus = load_gold(dev) if dev else None
    meta = train_and_export(corpus, config, out, workdir, chosen, report, dev_corpus, log=console.print)
    stdout.print_json(json.dumps({k: meta[k] for k in ("threshold", "cross_validation", "dev")}))
    console.print(f"saved to {out}")


@train_app.command("actors")
def train_actors(
    gold_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Real-news gold JSONL with actors and their countries."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The country model file to write (JSON)."),
    l2: float = typer.Option(1.0, "--l2", min=0.0),
    cv: int = typer.Option(5, "--cv", min=0, help="Folds of a cross-validation of the model's accuracy (0: none)."),
) -> None:
    """Train the actor country model on a real-news gold file's actors."""
    require_training()
    from communique.learn.actors import country_accuracy, country_groups, train
    from communique.learn.realnews import folds, reresolve
    from communique.provenance import file_sha256

    corpus = load_gold(gold_file)
    groups = []
    for a in corpus.articles:
        reresolve(a, corpus.pipeline.kb, False)
        groups += country_groups(a)
    figures = {}
    if cv >= 2:
        right = rules = total = 0
        for held in folds([a.id for a in corpus.articles], cv):
            model = train([g for g, art in groups if art not in held], l2)
            test = [g for g, art in groups if art in held]
            acc, base = country_accuracy(model, test)
            right, rules, total = right + acc * len(test), rules + base * len(test), total + len(test)
        figures = {"cv_folds": cv, "cv_accuracy": round(100 * right / max(1, total), 1),
                   "cv_rules_accuracy": round(100 * rules / max(1, total), 1), "actors": total}
        console.print(f"cross-validation: country right for {figures['cv_accuracy']}% of {total} actors "
                      f"(the rules alone: {figures['cv_rules_accuracy']}%)")
    model = train([g for g, _ in groups], l2)
    model.info.update({"trained_on": {"file": gold_file.name, "sha256": file_sha256(gold_file),
                                      "articles": len(corpus.articles)}, **figures,
                       "reproduce": f"communique train actors {gold_file.name} --out country.json"})
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    console.print(f"saved to {out}")


def _require_torch() -> None:
    try:
        import torch  # noqa: F401  (the small models are fitted by L-BFGS in torch)
    except ImportError:
        error(_NEEDS_TRAIN)
        raise typer.Exit(2) from None


def _named(path: Path) -> str:
    """A gold file as its folder and name (realnews-train/gold.jsonl): what a reproduce line needs."""
    return f"{path.parent.name}/{path.name}"


def _save(model, out: Path, gold_file: Path, articles: int, dev: Optional[Path], figures: dict, command: str) -> None:
    """Write a small model with its provenance: the files it learned from and was measured on (with
    their SHA-256), its figures and the command that reproduces it."""
    from communique.provenance import file_sha256

    model.info.update({"trained_on": {"file": _named(gold_file), "sha256": file_sha256(gold_file), "articles": articles},
                       **figures, **({"dev_file": {"file": _named(dev), "sha256": file_sha256(dev)}} if dev else {}),
                       "reproduce": command + (f" --dev {_named(dev)}" if dev else "")})
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    console.print(f"saved to {out}")


@train_app.command("speakers")
def train_speakers(
    gold_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Real-news gold JSONL with quotes and their speakers."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The speaker linking model file to write (JSON)."),
    l2: float = typer.Option(1.0, "--l2", min=0.0),
    margin: float = typer.Option(0.0, "--margin", min=0.0, max=1.0, help="How much likelier than the rules' speaker another must be."),
    cv: int = typer.Option(5, "--cv", min=0, help="Folds of a cross-validation of quote speaker F1 (0: none)."),
    fraction: float = typer.Option(1.0, "--fraction", min=0.05, max=1.0, help="Share of each fold's training articles used (a learning curve)."),
    dev: Optional[Path] = typer.Option(None, "--dev", exists=True, dir_okay=False, help="A gold file to report figures on (never trained on)."),
) -> None:
    """Train the speaker linking model on a real-news gold file's quotes."""
    _require_torch()
    from communique.learn.speakers import cross_validate, figures_on, train, train_groups

    corpus = load_gold(gold_file)
    kb = corpus.pipeline.kb
    groups = train_groups(corpus.articles, kb)
    figures: dict = {"quotes_with_candidates": len(groups)}
    if cv >= 2:
        figures.update(cross_validate(corpus.articles, kb, groups, cv, l2, margin, fraction))
        console.print(f"cross-validation ({cv} folds, {fraction:g} of the training articles): speaker F1 "
                      f"{figures['cv_speaker_prf'][2]} (the rules alone: {figures['cv_rules_speaker_prf'][2]})")
    model = train([g for g, _ in groups], l2, margin)
    if dev is not None:
        dev_corpus = load_gold(dev)
        figures.update(figures_on(dev_corpus.articles, kb, model))
        console.print(f"{dev.name}: speaker F1 {figures['dev_speaker_prf'][2]} "
                      f"(the rules alone: {figures['dev_rules_speaker_prf'][2]})")
    _save(model, out, gold_file, len(corpus.articles), dev, figures,
          f"communique train speakers {_named(gold_file)} --out speakers.json --l2 {l2:g} --margin {margin:g} --cv {cv}")


@train_app.command("statements")
def train_statements(
    gold_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Real-news gold JSONL with quotes."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The statement model file to write (JSON)."),
    l2: float = typer.Option(1.0, "--l2", min=0.0),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0, help="Keep an attribution above this probability (default: chosen by --cv, else 0.5)."),
    cv: int = typer.Option(5, "--cv", min=0, help="Folds of a cross-validation by article that measures quote F1 and chooses the threshold by content plus speaker F1 (0: none)."),
    fraction: float = typer.Option(1.0, "--fraction", min=0.05, max=1.0, help="Share of each fold's training articles used (a learning curve)."),
    dev: Optional[Path] = typer.Option(None, "--dev", exists=True, dir_okay=False, help="A gold file to report figures on (never trained on)."),
) -> None:
    """Train the model that decides which attributions are quotes on a real-news gold file."""
    _require_torch()
    from communique.learn.statements import cross_validate, figures_on, statement_rows, train

    corpus = load_gold(gold_file)
    kb = corpus.pipeline.kb
    groups = [row for a in corpus.articles for row in statement_rows(a, kb)]
    figures: dict = {"attributions": len(groups), "quotes": sum(g.labels["quote"][0] for g, _ in groups)}
    if cv >= 2:
        figures.update(cross_validate(corpus.articles, kb, groups, cv, l2, fraction=fraction))
        console.print(f"cross-validation ({cv} folds, {fraction:g} of the training articles): quote content F1 "
                      f"{figures['cv_content_prf'][2]}, speaker F1 {figures['cv_speaker_prf'][2]} at threshold "
                      f"{figures['cv_best_threshold']} (the rules alone: {figures['cv_rules']['content_prf'][2]}, "
                      f"{figures['cv_rules']['speaker_prf'][2]})")
    chosen = threshold if threshold is not None else figures.get("cv_best_threshold", 0.5)
    model = train([g for g, _ in groups], l2, chosen)
    if dev is not None:
        figures.update(figures_on(load_gold(dev).articles, kb, model))
        console.print(f"{dev.name}: quote content F1 {figures['dev_content_prf'][2]}, speaker F1 "
                      f"{figures['dev_speaker_prf'][2]} (the rules alone: {figures['dev_rules']['content_prf'][2]}, "
                      f"{figures['dev_rules']['speaker_prf'][2]})")
    _save(model, out, gold_file, len(corpus.articles), dev, figures,
          f"communique train statements {_named(gold_file)} --out statements.json --l2 {l2:g} --cv {cv}"
          + (f" --threshold {threshold:g}" if threshold is not None else ""))
