"""Core commands: extract, ingest, articles, show, demo."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.text import Text

from communique.cli.app import DbOption, JsonOption, MaxBytesOption, app, console, fail, notice, stdout

if TYPE_CHECKING:  # imported where used: `communique --help` and `--version` load none of them
    from communique.config import Settings
    from communique.models import Extraction, Rejection

# Inputs that hold many articles: `extract` prints JSONL for these even when given alone.
_CONTAINER_SUFFIXES = (".jsonl", ".ndjson", ".warc", ".warc.gz", ".arc", ".arc.gz", ".parquet", ".parq")


def parse_date(value: Optional[str], option: str = "--published") -> Optional[date]:
    if value is None:
        return None
    from communique.dates import iso_date

    day = iso_date(value, whole=True)
    if day is None:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=option)
    return day


def open_store(db: Optional[str], create: bool = False):
    """The store, migrated; a StoreOpenError (one line, exit 1 or 2) when it cannot be opened. Only
    the commands that store (`ingest`, `load`, `demo`) pass `create`: the others never make a
    database or its folder, and a missing one is one line and exit 1."""
    from communique.store import Store

    return Store.open(db, create=create)


@contextmanager
def progress_bar(label: str):
    """A progress display on stderr; Rich keeps quiet when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}", markup=False),  # a file name, printed as it is
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=None, status="")
        yield lambda status="": progress.update(task, advance=1, status=status)


def report_rejection(rejection: Rejection) -> None:
    notice("rejected", str(rejection))


def report_note(source: str, note: str) -> None:
    """A repair made to an item that was kept, on one line (the text is the input's: no markup)."""
    console.print(f"note: {source}: {note}", markup=False, highlight=False, emoji=False, soft_wrap=True)


def run_pipeline(
    paths: list[str], settings: Settings, published: Optional[date], tick=None, workers: int = 1
) -> Iterator[Extraction | Rejection]:
    """Read, clean and analyse every article, on `workers` processes; results and rejections come
    in input order whatever the number of workers.

    An article that cannot be analysed becomes a Rejection like any unreadable input, and the rest
    of the batch goes on."""
    from communique.intake import analyse
    from communique.models import Rejection
    from communique.nlp import ModelNotInstalled
    from communique.parallel.pool import WorkersFailing

    def reported(result) -> None:
        rejected = isinstance(result, Rejection)
        if rejected:
            report_rejection(result)
        if tick:  # rejections count too: a long run of them shows as progress, not silence
            tick(result.source if rejected else result.article.source or "")

    try:
        yield from analyse(paths, settings, published, workers, on_note=report_note, on_result=reported)
    except (ModelNotInstalled, WorkersFailing) as exc:
        fail(str(exc))


WorkersOption = typer.Option(
    None, "--workers", "-w", min=1,
    help="Processes analysing articles (default: the machine's cores). Output is the same for any number.",
)


def _workers(value: Optional[int]) -> int:
    from communique.parallel import default_workers

    return value if value is not None else default_workers()


def _single_document(paths: list[str]) -> bool:
    if len(paths) != 1 or paths[0] == "-":
        return len(paths) == 1
    path = Path(paths[0])
    return path.is_file() and not path.name.lower().endswith(_CONTAINER_SUFFIXES)


def _summary(extraction: Extraction) -> None:
    """One article's actors, quotes and events as tables on stdout (the data; progress and notes
    go to stderr). Dates are shown as the record shows them (`dates.date_label`)."""
    from communique.cli.app import data_table
    from communique.dates import date_label

    art = extraction.article
    stdout.print(Text.assemble((art.headline or "(no headline)", "bold"), f"  {art.publisher or ''}  {art.published or 'no publication date'}"))
    stdout.print(f"  id {art.id}  {len(art.body)} body chars, {len(art.captions)} captions")
    names = {a.id: a.name for a in extraction.actors}

    def who(refs) -> str:
        return ", ".join(names.get(r, r) for r in refs)

    def speaker(q) -> str:
        return names.get(q.speaker or "", "") or q.speaker_text or q.speaker or ""

    for title, columns, wide, rows, cells in (
        ("actors", ["name", "country", "sector", "role", "mentions"], ("role",), extraction.actors,
         lambda a: [a.name, a.country or "", a.sector or "", a.role or "", str(len(a.mentions))]),
        ("quotes", ["speaker", "kind", "cue", "via", "text"], ("text",), extraction.quotes,
         lambda q: [speaker(q), q.kind, q.cue or "", who(q.via), q.text]),
        ("events", ["date", "type", "mode", "actors", "recipients", "evidence"], ("evidence",), extraction.events,
         lambda e: [date_label(e.date, e.date_precision), e.type, e.mode or "", who(e.actors), who(e.recipients), e.evidence]),
    ):  # fmt: skip
        if rows:
            table = data_table(title, columns, len(rows), wide)
            for row in rows:
                table.add_row(*cells(row))
            stdout.print(table)


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for stdin."),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata has none."),
    as_json: bool = JsonOption,
    max_bytes: Optional[int] = MaxBytesOption,
    workers: Optional[int] = WorkersOption,
) -> None:
    """Run the whole pipeline without storing and print what it finds.

    With --json a single text or HTML file gives one JSON document; several inputs, a directory,
    a JSONL, Parquet or WARC file give JSONL, one line per article.
    """
    from communique.models import Rejection

    settings = reader_settings(max_bytes)
    day = parse_date(published)
    single = _single_document(paths)
    read = 0
    out = sys.stdout
    with progress_bar("extracting") as tick:
        for item in run_pipeline(paths, settings, day, tick, _workers(workers)):
            if isinstance(item, Rejection):
                continue
            item = item.with_record_dates()  # one date for one event, here and in the record
            read += 1
            if not as_json:
                _summary(item)
            elif single and read == 1:
                first = item
            else:
                if single and read == 2:  # a "single" input held several articles after all
                    out.write(json.dumps(first.to_json_dict(), ensure_ascii=False) + "\n")
                    single = False
                out.write(json.dumps(item.to_json_dict(), ensure_ascii=False) + "\n")
    if as_json and single and read == 1:
        out.write(json.dumps(first.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    if read == 0:
        fail("no article could be read from the input", code=1)


def ingest_paths(
    paths: list[str], db: Optional[str], published: Optional[date], settings: Settings, workers: int = 1,
    bulk: bool = False,
):
    """Analyse on `workers` processes; this process is the one writer (a batch per transaction with
    `bulk`, else one transaction per article)."""
    from communique.intake import store_results

    store = open_store(db, create=True)
    with progress_bar("ingesting") as tick:
        summary = store_results(store, run_pipeline(paths, settings, published, tick, workers), bulk)
    return store, summary.report


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for stdin."),
    db: Optional[str] = DbOption,
    published: Optional[str] = typer.Option(None, "--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata has none."),
    max_bytes: Optional[int] = MaxBytesOption,
    workers: Optional[int] = WorkersOption,
    bulk: bool = typer.Option(
        False, "--bulk", help="Write 500 articles per transaction (COPY on PostgreSQL): faster for large corpora."
    ),
    ray: Optional[str] = typer.Option(
        None, "--ray", metavar="ADDRESS",
        help="Run on a Ray cluster (an address, or 'local' to start one); needs the ray extra.",
    ),
    out: Optional[str] = typer.Option(
        None, "--out", metavar="DIR", help="With --ray: write Parquet shards to DIR (see `communique load`) instead of the store.",
    ),
) -> None:
    """Read, analyse and store articles. Re-ingesting an article changes nothing.

    Exit status 1 when nothing could be read, or when an article was read but could not be stored
    (each such article gets a `not stored` line naming it)."""
    if out and not ray:
        raise typer.BadParameter("--out needs --ray", param_hint="--out")
    if ray:
        report = _ingest_on_ray(paths, db, parse_date(published), reader_settings(max_bytes), ray, workers, out)
        if report is None:
            return
    else:
        _, report = ingest_paths(paths, db, parse_date(published), reader_settings(max_bytes), _workers(workers), bulk)
    _finish_ingest(report)


def _ingest_on_ray(paths, db, published, settings, address, workers, out):
    """The Ray job; its IngestReport, or None when it wrote shards."""
    from communique.models import Rejection
    from communique.parallel.ray_job import RayMissing, connect, dataset, results, write_shards

    try:
        connect(address)
    except RayMissing as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001  (a cluster that cannot be reached: one line)
        fail(f"cannot connect to Ray at {address!r}: {' '.join(str(exc).split())[:200]}")
    ds, early = dataset(paths, settings, published, workers)
    for rejection in early:
        report_rejection(rejection)
    if out:
        write_shards(ds, early, out)
        console.print(f"wrote Parquet shards to {out}; store them with: communique load {out} --db URL", soft_wrap=True)
        return None
    store = open_store(db, create=True)

    def everything():
        yield from early
        if ds is not None:
            for item in results(ds):
                if isinstance(item, Rejection):
                    report_rejection(item)
                yield item

    with progress_bar("ingesting") as tick:
        return store.bulk_ingest(everything(), on_item=lambda item, outcome: tick())


@app.command()
def load(
    directory: str = typer.Argument(..., help="A folder of Parquet shards written by `ingest --ray ... --out DIR`."),
    db: Optional[str] = DbOption,
    writers: int = typer.Option(
        1, "--writers", min=1, max=16,
        help="PostgreSQL: write each batch's events over this many connections, by event type (SQLite: one writer).",
    ),
) -> None:
    """Store the extractions of Parquet shards (from `ingest --ray --out`). Loading again changes nothing."""
    from communique.parallel.ray_job import read_shards

    if not Path(directory).is_dir() or not any(Path(directory).rglob("*.parquet")):
        fail(f"{directory}: not a folder of Parquet shards (no .parquet file in it)", code=1)
    store = open_store(db, create=True)
    try:
        with progress_bar("loading") as tick:
            report = store.bulk_ingest(read_shards(directory, on_bad_row=report_rejection),
                                       on_item=lambda item, outcome: tick(), writers=writers)
    except ImportError:
        fail("reading Parquet needs pyarrow: pip install 'communique[parquet]'")
    except (OSError, ValueError) as exc:
        fail(f"{directory}: cannot read the shards ({' '.join(str(exc).split())[:200]})", code=1)
    _finish_ingest(report)


def _finish_ingest(report) -> None:
    print_report(report)
    if getattr(report, "stopped", None):
        raise typer.Exit(1)
    if report.added + report.unchanged == 0 and not report.errors:
        fail("no article could be read from the input", code=1)
    if report.errors:
        fail(f"{len(report.errors)} item(s) could not be stored: see the lines above; run the same command again to retry them", code=1)


def print_report(report, prefix: str = "") -> None:
    """The store's per-item errors, one line each, then the counts."""
    for line in report.dated:
        notice("dated", line, "green")
    for line in report.errors:
        notice("not stored", line, "red")
    if getattr(report, "stopped", None):
        notice("not stored", f"{report.stopped}: {report.unwritten} item(s) read were not stored and the rest of the "
               "input was not read; free some space and run the same command again (what is stored is skipped)", "red")
    dated = f" ({len(report.dated)} of them given the date they lacked)" if report.dated else ""
    console.print(
        f"{prefix}{report.added} added, {report.unchanged} already stored{dated}, {report.rejected} rejected, "
        f"{len(report.errors) + getattr(report, 'unwritten', 0)} not stored",
        soft_wrap=True,
    )


def reader_settings(max_bytes: Optional[int]) -> Settings:
    """Settings from the environment, with --max-bytes over COMMUNIQUE_MAX_BYTES."""
    from communique.config import Settings

    return Settings(max_bytes=max_bytes) if max_bytes is not None else Settings()


# header names for the record's field names, where the field name reads badly in a table
HEADERS = {
    "mention_count": "mentions", "article_count": "articles", "report_count": "reports",
    "speaker_name": "speaker", "speaker_country": "country", "via_text": "via", "date_label": "date",
}  # fmt: skip
WIDE = ("headline", "text", "participants", "source", "evidence")  # the columns that wrap to fill the table


def print_rows(rows: Iterable[dict], columns: list[str], as_json: bool, title: str, next: str | None = None) -> None:
    """A table of rows (a header row; long cells wrap, none is cut), or with --json the listing
    shape `{"items": [...], "next": ...}`."""
    from communique.cli.app import data_table

    rows = list(rows)
    if as_json:
        from communique.cli.app import print_items

        print_items(rows, next)
        return
    table = data_table(title, [HEADERS.get(c, c) for c in columns], len(rows), wide=WIDE)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    stdout.print(table)
    if next is not None:  # a full page: say that more follow, and how to see them
        notice("note:", f"{len(rows)} {title} shown, a page; the next page: --offset {next}")


@app.command()
def articles(
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
    limit: int = typer.Option(50, "--limit", min=0, help="Articles per page."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many (the next page: the note says which)."),
) -> None:
    """List stored articles."""
    store = open_store(db)
    rows = store.articles(limit=limit, offset=offset)
    more = str(offset + limit) if limit and len(rows) == limit else None  # the next page's --offset
    print_rows(rows, ["id", "published", "publisher", "headline", "source"], as_json, "articles", more)


@app.command()
def show(
    article_id: str = typer.Argument(..., help="An article id or a unique prefix of one."),
    db: Optional[str] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Show one stored article with its actors, quotes and events."""
    store = open_store(db)
    found = store.article(article_id)
    if found is None:
        fail(f"no stored article has id {article_id!r}", code=1)
    if as_json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, default=str, indent=2) + "\n")
        return
    from communique.models import Extraction

    _summary(Extraction.model_validate(found))


def demo_corpus() -> Path:
    return Path(str(resources.files("communique") / "demo" / "articles"))
