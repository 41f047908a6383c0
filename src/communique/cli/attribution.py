"""`communique` commands for the attribution stage (registered on communique.cli.app)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from communique.attribution.training import HyperParameters
from communique.cli.app import JsonOption, app, console, error, eval_app, stdout, train_app  # noqa: F401

training_defaults = HyperParameters()


@eval_app.command("polnear")
def eval_polnear(
    folder: Path = typer.Argument(..., help="A PolNeAR-layout folder: text/*.txt and attributions/*.ann (brat)."),
    json_out: bool = JsonOption,
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Score only the first N articles (quick checks)."),
) -> None:
    """Exact-span and token-overlap precision / recall / F1 of quote sources, cues and contents."""
    from communique.eval.polnear import ROLES, evaluate
    from communique.nlp import ModelNotInstalled

    if not (folder / "text").is_dir() or not (folder / "attributions").is_dir():
        error(f"{folder} has no text/ and attributions/ folders")
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        result = evaluate(folder, limit=limit)
    except ModelNotInstalled as exc:
        error(str(exc))
        raise typer.Exit(2)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if json_out:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table(title=f"PolNeAR attribution: {result['documents']} articles, {result['annotation_files']} annotation files")
    table.add_column("role")
    for measure in ("exact", "overlap"):
        for name in ("P", "R", "F1"):
            table.add_column(f"{measure} {name}", justify="right")
    for role in ROLES:
        row = [role]
        for measure in ("exact", "overlap"):
            s = result[measure][role]
            row += [f"{s['precision']:.1f}", f"{s['recall']:.1f}", f"{s['f1']:.1f}"]
        table.add_row(*row)
    stdout.print(table)
    console.print(
        f"gold attributions {result['gold_attributions']}, predicted {result['predicted_attributions']}, "
        f"{result['seconds']} s; {result['tagger']}"
    )


@train_app.command("attribution")
def train_attribution(
    folder: Path = typer.Argument(..., help="A PolNeAR-layout training folder: text/*.txt and attributions/*.ann."),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Model directory to write (required: the shipped model is replaced only when named)."),
    dev: Optional[Path] = typer.Option(None, "--dev", help="A PolNeAR-layout dev folder for model selection (default: the training data itself)."),
    epochs: int = typer.Option(8, "--epochs", min=1, max=100),
    max_steps: int = typer.Option(0, "--max-steps", min=0, help="Stop after this many updates (0: no limit)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Train on the first N articles only."),
    vectors_keys: int = typer.Option(60000, "--vectors-keys", min=0, help="Static-vector keys cut from en_core_web_md (0: none)."),
    vectors_dims: int = typer.Option(96, "--vectors-dims", min=8, max=300),
    eval_frequency: int = typer.Option(400, "--eval-frequency", min=1, help="Updates between dev evaluations (checkpoints)."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Keep the converted data and checkpoints here."),
    seed: int = typer.Option(0, "--seed"),
    width: int = typer.Option(training_defaults.width, "--width", min=8, help="Token vector width."),
    depth: int = typer.Option(training_defaults.depth, "--depth", min=1, help="CNN layers."),
    window: int = typer.Option(training_defaults.window, "--window", min=1, help="Tokens each side per CNN layer."),
    embed_rows: int = typer.Option(training_defaults.embed_rows, "--embed-rows", min=100, help="Hash-embedding rows of the NORM feature."),
    hidden_width: int = typer.Option(training_defaults.hidden_width, "--hidden-width", min=8, help="Width of the NER state layer."),
    dropout: float = typer.Option(training_defaults.dropout, "--dropout", min=0.0, max=0.9),
    patience: int = typer.Option(training_defaults.patience, "--patience", min=0, help="Stop after this many updates without a better dev score (0: never)."),
    learn_rate: float = typer.Option(training_defaults.learn_rate, "--learn-rate", min=0.0),
) -> None:
    """Train the attribution tagger (spaCy NER over SOURCE / CUE / CONTENT spans) on PolNeAR."""
    from communique.attribution import training

    for name, path in (("training", folder), ("dev", dev)):
        if path is not None and (not (path / "text").is_dir() or not (path / "attributions").is_dir()):
            console.print(f"[red]error:[/red] {name} folder {path} has no text/ and attributions/ folders",
                          highlight=False, soft_wrap=True)
            raise typer.Exit(2)
    params = training.HyperParameters(max_epochs=epochs, max_steps=max_steps, vectors_keys=vectors_keys,
                                      vectors_dims=vectors_dims, eval_frequency=eval_frequency, seed=seed,
                                      width=width, depth=depth, window=window, embed_rows=embed_rows,
                                      hidden_width=hidden_width, dropout=dropout, patience=patience,
                                      learn_rate=learn_rate)
    target = out
    try:
        path = training.train(folder, dev, target, params, limit=limit, work_dir=work_dir, log=console.print)
    except training.TrainingUnavailable as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2)
    if dev is not None:
        console.print("measuring the rules alone and combined with the new tagger on the dev folder")
        training.measure_on_dev(path, dev, log=console.print)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    console.print(f"saved to {path} ({size / 1e6:.1f} MB)")
