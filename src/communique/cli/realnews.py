"""`communique eval realnews GOLD.jsonl [--json] [--pred FILE]`: whole-article scores against real-news
gold (events, quotes, actors), per-type precision and recall, and the worst misses to read first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from communique.cli.app import console, eval_app, stdout


@eval_app.command("realnews")
def eval_realnews(
    gold_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold JSONL: id, published, text, events, quotes, actors."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    pred: Optional[Path] = typer.Option(None, "--pred", exists=True, dir_okay=False, help="Score a saved `communique extract --json` output instead of running the pipeline."),
    misses: int = typer.Option(10, "--misses", min=0, help="How many of the worst misses to list."),
    cv: int = typer.Option(0, "--cv", min=0, help="Cross-validate the learned models on GOLD by article folds "
                           "(train on K-1 folds, score the held-out one) instead of scoring the shipped models."),
    workdir: Path = typer.Option(Path("train-events-work"), "--workdir", file_okay=False, help="Under --cv: where fold models are kept and reused."),
    fraction: float = typer.Option(1.0, "--fraction", min=0.05, max=1.0, help="Under --cv: share of each fold's training articles used (a learning curve)."),
    epochs: int = typer.Option(5, "--epochs", min=1, max=100, help="Under --cv: detector training epochs."),
    freeze: int = typer.Option(0, "--freeze", min=0, max=6, help="Under --cv: lowest encoder layers kept frozen."),
    negatives: float = typer.Option(1.0, "--negatives", min=0.05, max=1.0, help="Under --cv: share of no-event sentences per epoch."),
    threads: int = typer.Option(0, "--threads", min=0, help="Under --cv: torch threads."),
    max_tokens: int = typer.Option(128, "--max-tokens", min=16, max=512, help="Under --cv: word pieces the detector reads."),
) -> None:
    """Score events (typed and full P/R/F1, date accuracy), quotes and actors on real-news gold."""
    from communique.eval.realnews import predict, read_jsonl, score, summary_line

    try:
        gold = read_jsonl(gold_file)
        predictions = read_jsonl(pred) if pred else None
    except (OSError, ValueError) as err:
        console.print(f"[red]error:[/red] {err}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None
    bad = [i for i, a in enumerate(gold, 1) if not isinstance(a, dict) or not isinstance(a.get("text"), str) or "id" not in a]
    if bad:
        console.print(f"[red]error:[/red] {gold_file}: line(s) {bad[:5]} lack an id or a text", highlight=False)
        raise typer.Exit(2)
    if cv >= 2:
        from communique.cli.learned import detector_params, load_gold, require_training
        from communique.learn.realnews import RealnewsConfig, cross_validate

        require_training()
        config = RealnewsConfig(detector=detector_params(epochs, 5e-5, freeze, negatives, max_tokens, 0, threads), folds=cv,
                                fraction=fraction)
        report = cross_validate(load_gold(gold_file), config, workdir, log=console.print)
        report.pop("_scores", None)
    else:
        if predictions is None:
            predictions = predict(gold)
        report = score(gold, predictions, n_misses=misses)
    if json_out:
        stdout.print_json(json.dumps(report))
        stdout.print(summary_line(report), highlight=False, soft_wrap=True)
        return
    from rich.table import Table

    table = Table(title=f"events per type on {gold_file.name} (typed level; YIELD = CONCEDE + RETREAT)")
    for col in ("type", "gold", "predicted", "P", "R", "full R"):
        table.add_column(col, justify="left" if col == "type" else "right")
    fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
    for label, row in report["per_type"].items():
        table.add_row(label, str(row["gold"]), str(row["predicted"]), fmt(row["typed_precision"]), fmt(row["typed_recall"]), fmt(row["full_recall"]))
    stdout.print(table)
    counts = report["misses"]
    stdout.print(f"{counts['missed']} gold events missed, {counts['spurious']} spurious predictions, {counts['roles']} typed with wrong roles", highlight=False)
    for n, m in enumerate(report["worst_misses"], 1):
        roles = {"missed": f"gold {m['expected']}", "spurious": f"predicted {m['predicted']}", "roles": f"gold {m['expected']}; predicted {m['predicted']}"}[m["kind"]]
        stdout.print(f"{n:2}. {m['kind']:8} {m['type']:9} [{m['article']}] {roles}\n    {m['sentence'].strip()[:300]}", highlight=False, soft_wrap=True)
    stdout.print(summary_line(report), highlight=False, soft_wrap=True)
