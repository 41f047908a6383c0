"""The analysis a watcher keeps between rounds, and the clock that splits a round's time by stage.

`communique ingest` starts the pipeline (or its worker processes) once per command; a watcher runs
for hours, so it loads the pipeline once and keeps it (one process), or keeps one `WorkerPool`
(`--workers N`), for all its rounds. Articles go through exactly what `ingest` runs on them:
`readers.finish_article`, then `Pipeline.process`, in the caller's process or the pool's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator

from communique.config import Settings
from communique.models import Article

BATCH_ARTICLES = 4  # as communique.parallel.pool: the unit nlp.pipe gets


class Analyser:
    """Extractions (or Rejections) of articles, in order, with the pipeline loaded once."""

    def __init__(self, settings: Settings, workers: int = 1, pipeline=None):
        self.settings, self.workers = settings, max(1, workers)
        self._pipeline = pipeline
        self._pool = None

    def __call__(self, items: Iterable) -> Iterator:
        if self.workers > 1:
            if self._pool is None:
                from communique.parallel.pool import WorkerPool

                self._pool = WorkerPool(self.settings, self.workers)
            yield from self._pool.batches(items, BATCH_ARTICLES)
            return
        if self._pipeline is None:
            from communique.pipeline import Pipeline

            self._pipeline = Pipeline(self.settings)
        batch: list = []
        for item in items:
            batch.append(item)
            if sum(isinstance(i, Article) for i in batch) >= BATCH_ARTICLES:
                yield from self._process(batch)
                batch = []
        if batch:
            yield from self._process(batch)

    def _process(self, batch: list) -> Iterator:
        results = iter(self._pipeline.process([i for i in batch if isinstance(i, Article)]))
        return (next(results) if isinstance(i, Article) else i for i in batch)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.__exit__(None, None, None)
            self._pool = None


class StageClock:
    """Wall time per stage, each second counted once: time spent inside a stage's generator while
    it waits on an inner stage's generator counts for the inner stage."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = time.perf_counter()

    def _switch(self) -> None:
        now = time.perf_counter()
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._mark
        self._mark = now

    def enter(self, stage: str) -> None:
        self._switch()
        self._stack.append(stage)

    def leave(self) -> None:
        self._switch()
        self._stack.pop()

    def wrap(self, items: Iterable, stage: str) -> Iterator:
        iterator = iter(items)
        while True:
            self.enter(stage)
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                self.leave()
            yield item
