"""The Typer application and its sub-command groups, shared by the topic modules."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

app = typer.Typer(
    help="communique: international news in, a sourced record of diplomacy and conflict out.",
    no_args_is_help=True,
    add_completion=False,
)
eval_app = typer.Typer(help="Score communique against annotated corpora.", no_args_is_help=True)
train_app = typer.Typer(help="Train the models communique ships.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

console = Console(stderr=True)  # progress, messages and errors
stdout = Console(width=None if sys.stdout.isatty() else 160)  # tables of data; wide when piped

DbOption = typer.Option(None, "--db", help="Database: a SQLite path or postgresql:// URL (default: COMMUNIQUE_DB or ~/.local/share/communique/communique.db).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
