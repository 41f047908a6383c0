"""`communique` commands for the events stage (registered on communique.cli.app):
`communique train events FILE --out DIR` and `communique eval plover FILE [--json] [--cv K]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from communique.cli.app import app, console, eval_app, stdout, train_app  # noqa: F401


@train_app.command("events")
def train_events(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label[,source,target] (PLV layout)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model directory (default: the shipped communique/data/models/events)."),
    architecture: str = typer.Option("ensemble", "--arch", help="textcat architecture: ensemble or bow."),
    epochs: int = typer.Option(12, "--epochs", min=1, max=100),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train the sentence classifier of PLOVER event types (a spaCy textcat)."""
    from communique.events.classifier import ARCHITECTURES, default_model_path, read_plv, train

    if architecture not in ARCHITECTURES:
        raise typer.BadParameter(f"choose one of {', '.join(ARCHITECTURES)}", param_hint="--arch")
    rows = read_plv(file)
    if len({r.label for r in rows}) < 2:
        console.print("[red]error:[/red] the file needs rows of at least two labels")
        raise typer.Exit(2)
    console.print(f"training {architecture} textcat on {len(rows)} sentences, {epochs} epochs")
    nlp = train(rows, architecture, epochs, seed, log=console.print)
    target = out or default_model_path()
    target.mkdir(parents=True, exist_ok=True)
    nlp.meta.update(
        {
            "name": "communique_events",
            "version": "0.1.0",
            "description": f"PLOVER event-type sentence classifier ({architecture} textcat) trained on {file.name}",
            "communique": {"train_file": file.name, "rows": len(rows), "epochs": epochs, "seed": seed, "arch": architecture},
        }
    )
    nlp.to_disk(target)
    console.print(f"saved to {target}")


@eval_app.command("plover")
def eval_plover(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with columns text,label,source,target (PLV layout)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    cv: Optional[int] = typer.Option(
        None, "--cv", min=0, help="K-fold cross-validation (train on K-1 folds, predict the held-out one). "
        "Default: 5 when FILE is the file the shipped model was trained on, else 0 (use the shipped model)."
    ),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Score only the first N rows (a quick check)."),
    epochs: int = typer.Option(12, "--epochs", min=1, max=100, help="Training epochs per fold under --cv."),
    retype: str = typer.Option("hint", "--retype", help="When the classifier may retype a dictionary trigger: hint (default), nouns, all."),
) -> None:
    """Score event typing (macro-F1, YIELD = CONCEDE + RETREAT) and source / target actors on a PLV CSV."""
    from communique.eval.plover import evaluate, shipped_train_file

    from communique.events import extract as event_extract

    if retype not in ("hint", "nouns", "all"):
        raise typer.BadParameter("choose hint, nouns or all", param_hint="--retype")
    event_extract.RETYPE = retype
    folds = cv if cv is not None else (5 if shipped_train_file() == file.name else 0)
    report = evaluate(file, folds=folds, limit=limit, epochs=epochs, log=console.print)
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
