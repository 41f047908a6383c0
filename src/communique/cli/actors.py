"""`communique` commands for the actors stage (registered on communique.cli.app)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from communique.cli.app import error, eval_app, stdout


@eval_app.command("actors")
def eval_actors(
    file: Path = typer.Argument(..., help="A PLOVER CSV (text,label,source,target) or a PolNeAR split folder."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Score only the first N rows / articles."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Actor coverage on a PLOVER CSV, or pronoun-resolution accuracy on a PolNeAR split folder."""
    from communique.actors.measure import plv_actor_coverage, polnear_pronoun_accuracy

    if not file.exists():
        error(f"{file} does not exist")
        raise typer.Exit(2)
    if file.is_dir():
        result = polnear_pronoun_accuracy(file, limit=limit).as_dict()
        title = "pronoun sources resolved to the gold antecedent"
    else:
        result = plv_actor_coverage(file, limit=limit).as_dict()
        title = "gold source/target actors found as actor mentions"
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table(title=title, title_justify="left", show_header=False)
    for key, value in result.items():
        if isinstance(value, dict):
            for sub, count in value.items():
                table.add_row(f"{key}: {sub}", json.dumps(count) if isinstance(count, dict) else str(count))
        else:
            table.add_row(key, str(value))
    stdout.print(table)
