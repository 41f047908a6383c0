"""`communique` commands for the attribution stage (registered on communique.cli.app)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from communique.cli.app import JsonOption, app, console, error, eval_app, stdout, train_app  # noqa: F401


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
        f"{result['seconds']} s"
    )
