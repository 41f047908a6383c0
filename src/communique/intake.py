"""The one ingest path below the faces: read, clean, analyse and store articles.

`communique.ingest(...)` (api.py), `communique ingest` (cli/core.py) and POST /api/articles all come
here, so an article is read, checked and stored the same way whichever face it came through.
Inputs are paths (files, directories, globs, "-") or article objects (dicts in the JSONL article
format, e.g. `{"text": ..., "published": ...}`); a bad item is one Rejection line and the rest goes on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from communique.config import Settings
from communique.models import Article, Extraction, Rejection

OnResult = Callable[[Extraction | Rejection], None]
OnNote = Callable[[str, str], None]  # (source, note) for a repair made to an article that was kept

ARTICLES_NAME = "python"  # the source name of article objects given in memory ("python:3" is the third)


@dataclass
class IngestSummary:
    """What one ingest did: counts and one line per item (`"added <source>"`, `"rejected <source>:
    <reason>"`, ...). `report` is the store's full IngestReport (dates filled in, retries, ...)."""

    stored: int = 0
    skipped: int = 0  # already stored, or rejected by the readers or the pipeline
    errors: list[str] = field(default_factory=list)  # items read but not stored, one line each
    lines: list[str] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)  # stored article ids, in input order
    unchanged_ids: list[str] = field(default_factory=list)  # ids of articles that were stored already
    report: object = None

    def __str__(self) -> str:
        return f"{self.stored} stored, {self.skipped} skipped, {len(self.errors)} not stored"


def _kind(item) -> str:
    if isinstance(item, Article | Rejection):
        return "read"
    if isinstance(item, str | os.PathLike):
        return "path"
    return "article" if isinstance(item, dict | bytes) else "other"


def _line(obj) -> bytes | Rejection:
    """An article object as one JSONL line; bytes are taken as a line already."""
    if isinstance(obj, bytes):
        return obj if obj.strip() else Rejection("", "an empty line is not an article")
    try:
        # ASCII: a lone surrogate (\ud800) stays an escape and is replaced with U+FFFD by the
        # readers, as in a .jsonl file
        return json.dumps(obj).encode("ascii")
    except (TypeError, ValueError) as exc:
        return Rejection("", f"not a JSON article object ({' '.join(str(exc).split())[:200]})")


def read_inputs(
    inputs: Iterable, settings: Settings, published: date | None = None, name: str = ARTICLES_NAME
) -> Iterator[Article | Rejection]:
    """Cleaned articles (or Rejections) from paths and article objects, in the order given.

    Article objects (dicts, or JSONL lines as bytes) are read exactly as the lines of a `.jsonl`
    file (`readers.load_jsonl`) and sourced "NAME:N", N counting the article objects of the input
    from 1; anything else is one Rejection."""
    from communique.readers import load_articles, load_jsonl

    number = 0  # article objects read so far
    for kind, group in groupby(inputs, key=_kind):
        items = list(group)
        if kind == "path":
            yield from load_articles([os.fspath(p) for p in items], settings, published)
            continue
        if kind == "read":  # read and checked already (a server checks a request before analysing it)
            yield from items
            continue
        if kind == "other":
            for obj in items:
                number += 1
                yield Rejection(f"{name}:{number}", f"an input is a path or an article dict, not {type(obj).__name__}")
            continue
        lines = [_line(obj) for obj in items]
        good = [line for line in lines if not isinstance(line, Rejection)]
        # load_jsonl numbers the good lines from 1: each result goes back to its article object's place
        by_line: dict[str, list] = {}
        for item in load_jsonl(good, name, settings, published):
            by_line.setdefault(item.source, []).append(item)
        at = 0
        for line in lines:
            number += 1
            if isinstance(line, Rejection):
                yield Rejection(f"{name}:{number}", line.reason)
                continue
            at += 1
            for item in by_line.pop(f"{name}:{at}", []):
                yield _renamed(item, f"{name}:{number}")
        for rest in by_line.values():  # a reader failure named by the input's name alone
            yield from rest


def _renamed(item, source: str):
    if isinstance(item, Rejection):
        return Rejection(source, item.reason)
    item.source = source
    return item


def analyse(
    inputs: Iterable, settings: Settings, published: date | None = None, workers: int = 1,
    on_note: OnNote | None = None, on_result: OnResult | None = None, pipeline=None, name: str = ARTICLES_NAME,
) -> Iterator[Extraction | Rejection]:
    """Each input's Extraction, or a Rejection, in input order on `workers` processes, or in this
    process by `pipeline` when one is given (a server keeps one loaded). Raises ModelNotInstalled or
    WorkersFailing when nothing can be analysed at all."""
    from communique.parallel import analyse_in_order

    def read() -> Iterator[Article | Rejection]:
        for item in read_inputs(inputs, settings, published, name):
            if on_note and not isinstance(item, Rejection):
                for note in item.notes:
                    on_note(item.source, note)
            yield item

    if pipeline is None:
        results = analyse_in_order(read(), settings, workers)
    else:
        items = list(read())
        analysed = iter(pipeline.process([i for i in items if isinstance(i, Article)]))
        results = (next(analysed) if isinstance(i, Article) else i for i in items)
    for result in results:
        if on_result:
            on_result(result)
        yield result


def store_results(store, results: Iterable[Extraction | Rejection], bulk: bool = False) -> IngestSummary:
    """Store analysed results; the summary of what became of each."""
    from communique.store.ingest import ADDED, UNCHANGED, stored_article_id

    summary = IngestSummary()

    def record(item, outcome) -> None:
        if isinstance(item, Extraction) and outcome in (ADDED, UNCHANGED):
            (summary.added_ids if outcome == ADDED else summary.unchanged_ids).append(stored_article_id(item))
        source = item.source if isinstance(item, Rejection) else getattr(getattr(item, "article", None), "source", "")
        line = f"{outcome} {source}" + (f": {item.reason}" if isinstance(item, Rejection) else "")
        summary.lines.append(line)
        if outcome == ADDED:
            summary.stored += 1
        elif outcome == UNCHANGED or isinstance(item, Rejection):
            summary.skipped += 1

    report = (store.bulk_ingest if bulk else store.ingest)(results, on_item=record)
    summary.errors = list(report.errors) + [report.stopped or "not stored"] * report.unwritten
    summary.report = report
    return summary
