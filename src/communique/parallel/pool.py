"""The pipeline on every core: worker processes, each loading the pipeline once, fed batches of
articles; results come back in input order, so the output (and every id, which is derived from
content) is the same as with one process.

Workers are started with `forkserver` where the platform has it (else `spawn`): never `fork`, which
would copy a parent that may hold database connections and threads. At most `workers * AHEAD`
batches are in flight, so memory stays flat in the corpus size. One writer (the caller) consumes
the results.

Every worker watches the process that started it and ends when that process is gone (killed with
-9, say): no worker outlives its job. An article a worker cannot analyse comes back as a Rejection, as in one process. A worker that dies
(killed, out of memory) takes its batch with it: each article of that batch becomes a Rejection
naming the cause, a fresh pool is started, and the batches that were in flight are sent again.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Self

from communique.config import Settings
from communique.models import Article, Rejection
from communique.nlp import ModelNotInstalled

BATCH_ARTICLES = 4  # articles per task: small enough to balance the workers, large enough for nlp.pipe
AHEAD = 2  # batches queued per worker beyond the one it is analysing
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
MAX_LOST_IN_A_ROW = 3  # batches lost to dying workers one after the other: the workers cannot run here


class WorkersFailing(RuntimeError):
    """Worker processes die whatever they are given (they cannot start, or memory is short)."""

_pipeline = None  # the worker's Pipeline, loaded once by `_start_worker`
_start_error: BaseException | None = None  # why it could not be loaded (raised with the first batch)


def default_workers() -> int:
    """COMMUNIQUE_WORKERS when set, else the cores this process may run on."""
    from communique.config import Settings

    configured = Settings().workers
    if configured:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


WATCH_SECONDS = 1.0  # how often a worker checks that the process that started it is still there


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (not Linux): kill(0) said enough
        return True
    return state not in (b"Z", b"X")


def _watch_parent(pid: int) -> None:
    """End this worker when the process that started the pool is gone (killed with -9, say): no one
    is left to read its results, and nothing else would stop it."""
    while _alive(pid):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _start_worker(parent: int, settings: Settings, load: bool) -> None:
    global _pipeline, _start_error
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="communique-watch-parent").start()
    if not load:
        return
    from communique.nlp import ModelNotInstalled
    from communique.pipeline import Pipeline

    try:
        _pipeline = Pipeline(settings)
    except ModelNotInstalled as exc:  # told to the caller, not a dead pool
        _start_error = exc


def _analyse_batch(batch: list) -> list:
    """The batch with each Article replaced by its Extraction or Rejection (other items pass)."""
    if _start_error is not None:
        raise _start_error
    articles = [item for item in batch if isinstance(item, Article)]
    results = iter(_pipeline.process(articles))
    return [next(results) if isinstance(item, Article) else item for item in batch]


def _lost(batch: list, exc: BaseException) -> list:
    why = "worker process died" if isinstance(exc, BrokenProcessPool) else "result lost"
    reason = f"could not analyse ({why}: {type(exc).__name__})"
    return [Rejection(item.source, reason) if isinstance(item, Article) else item for item in batch]


MAX_PASSING = 256  # items other than articles (rejections) in one batch: they go on without waiting


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """`items` cut into batches of `size` articles; a run of rejections is cut every MAX_PASSING
    items, so that it streams out (and is reported) at the rate it is read, whatever its length."""
    batch: list = []
    articles = 0
    for item in items:
        batch.append(item)
        if isinstance(item, Article):
            articles += 1
        if articles >= size or len(batch) - articles >= MAX_PASSING:
            yield batch
            batch, articles = [], 0
    if batch:
        yield batch


def _has_articles(batch: list) -> bool:
    return any(isinstance(item, Article) for item in batch)


def _passed_on(batch: list) -> Future:
    """A batch with no article to analyse, as the finished future of its own items."""
    done: Future = Future()
    done.set_result(batch)
    return done


def analyse_in_order(
    items: Iterable, settings: Settings, workers: int, batch_articles: int = BATCH_ARTICLES, task=None
) -> Iterator:
    """Each item of `items` in order, an Article replaced by its Extraction (or a Rejection when it
    cannot be analysed), other items (rejections from reading) passed through.

    With one worker, or an input that fills no more than one batch, the pipeline runs in this
    process (no start-up cost); otherwise in `workers` processes. `task` replaces the function a
    worker runs on a batch (a module-level function: workers import it; no pipeline is loaded)."""
    batches = _batches(items, max(1, batch_articles))
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None) if workers > 1 else None
    if second is None and task is None:
        from communique.pipeline import Pipeline

        pipeline = None  # loaded for the first batch that holds an article
        for batch in ([first] if workers > 1 else _chain(first, None, batches)):
            if not _has_articles(batch):
                yield from batch
                continue
            pipeline = pipeline or Pipeline(settings)
            results = iter(pipeline.process([i for i in batch if isinstance(i, Article)]))
            yield from (next(results) if isinstance(i, Article) else i for i in batch)
        return
    chained = _chain(first, second, batches) if second is not None else iter([first])
    with WorkerPool(settings, workers, task) as pool:
        yield from pool.run(chained)


def _chain(first, second, rest) -> Iterator[list]:
    yield first
    if second is not None:
        yield second
    yield from rest


def _ready() -> bool:
    return True


class WorkerPool:
    """`workers` processes, each with the pipeline loaded once (unless `task` is given), that analyse
    batches in order. `warm()` waits until every worker has loaded it (for timing steady work)."""

    def __init__(self, settings: Settings, workers: int, task=None):
        # one thread per worker for the numerical libraries: the workers are the parallelism, and N
        # workers each starting a thread per core would fight over the cores (set before the
        # forkserver starts: it passes this environment on; a user's own setting wins)
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, "1")
        self.settings, self.workers = settings, max(1, workers)
        self.task = task or _analyse_batch
        self._load = self.task is _analyse_batch  # a given task needs no pipeline
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=_context(), initializer=_start_worker,
            initargs=(os.getpid(), self.settings, self._load),
        )

    def _renew(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def warm(self) -> None:
        """Start every worker (each loads the pipeline) and wait for them."""
        for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
            future.result()

    def pids(self) -> list[int]:
        return sorted(self._pool._processes or {})

    def batches(self, items: Iterable, batch_articles: int = BATCH_ARTICLES) -> Iterator:
        """`run` over `items` cut into batches."""
        return self.run(_batches(items, max(1, batch_articles)))

    def _submit(self, batch: list) -> Future:
        return self._pool.submit(self.task, batch) if _has_articles(batch) else _passed_on(batch)

    def run(self, batches: Iterator[list]) -> Iterator:
        """The items of every batch in order, analysed (see `analyse_in_order`)."""
        in_flight: deque[tuple[list, Future]] = deque()
        lost_in_a_row = 0
        while True:
            while len(in_flight) < self.workers * (1 + AHEAD):
                batch = next(batches, None)
                if batch is None:
                    break
                in_flight.append((batch, self._submit(batch)))
            if not in_flight:
                return
            batch, future = in_flight.popleft()
            try:
                results = future.result()
                lost_in_a_row = 0
                yield from results
                continue
            except BrokenProcessPool:
                pass
            except ModelNotInstalled:
                raise
            except Exception as exc:  # noqa: BLE001  (a result that cannot come back, unpicklable: the batch is lost)
                yield from _lost(batch, exc)
                continue
            # A worker died, and every batch in flight with it. The one that killed it is not known:
            # try this batch again alone, then send the others again.
            self._renew()
            try:
                results = self._pool.submit(self.task, batch).result()
                lost_in_a_row = 0
                yield from results
            except Exception as exc:  # it died again: this batch is the cause
                lost_in_a_row += 1
                if lost_in_a_row >= MAX_LOST_IN_A_ROW:
                    raise WorkersFailing(
                        f"worker processes died on {lost_in_a_row} batches in a row "
                        f"({type(exc).__name__}); try --workers 1"
                    ) from exc
                yield from _lost(batch, exc)
                self._renew()
            in_flight = deque((b, self._submit(b)) for b, _ in in_flight)
