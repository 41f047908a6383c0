"""`--workers N`: the pipeline on several processes gives what one process gives, in the same order,
and a worker that dies costs only its own articles."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.config import Settings
from communique.models import Article, Rejection
from communique.parallel import analyse_in_order, default_workers
from communique.parallel.pool import WorkersFailing
from pool_tasks import always_die, echo_or_die

runner = CliRunner()


def _articles(texts: list[str]) -> list[Article]:
    return [Article(text=t, source=f"item{i}.txt") for i, t in enumerate(texts)]


def test_results_come_back_in_input_order_with_reader_rejections_in_place():
    items = _articles([f"text {i}" for i in range(9)])
    items.insert(3, Rejection("unreadable.bin", "not text"))
    out = list(analyse_in_order(items, Settings(), workers=2, batch_articles=2, task=echo_or_die))
    assert [r.source for r in out] == [i.source for i in items]
    assert out[3].reason == "not text"
    assert [r.reason for r in out if r.source != "unreadable.bin"] == [f"echo text {i}" for i in range(9)]


def test_a_dying_worker_costs_its_batch_only():
    items = _articles(["a", "b", "die", "c", "d", "e", "f"])
    out = list(analyse_in_order(items, Settings(), workers=2, batch_articles=1, task=echo_or_die))
    assert [r.source for r in out] == [i.source for i in items]
    assert out[2].reason.startswith("could not analyse (worker process died")
    assert [r.reason for i, r in enumerate(out) if i != 2] == ["echo " + t for t in "abcdef"]


def test_workers_that_always_die_stop_the_job_with_one_message():
    with pytest.raises(WorkersFailing, match="--workers 1"):
        list(analyse_in_order(_articles(list("abcdefgh")), Settings(), workers=2, batch_articles=1, task=always_die))


def test_default_workers_follow_the_environment(monkeypatch):
    monkeypatch.setenv("COMMUNIQUE_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("COMMUNIQUE_WORKERS")
    assert default_workers() >= 1


def _dump(db: str) -> dict:
    from communique.store import Store
    from store_dump import dump

    with Store.open(db) as store:
        return dump(store.engine)


def test_ingest_with_two_workers_stores_what_one_worker_stores(tmp_path, pipeline):
    from communique.cli.core import demo_corpus

    corpus = str(demo_corpus())
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    first = runner.invoke(app, ["ingest", corpus, "--db", one, "--workers", "1"])
    second = runner.invoke(app, ["ingest", corpus, "--db", two, "--workers", "2"])
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    stored = _dump(one)
    assert stored["articles"] and stored["events"]
    assert _dump(two) == stored


def test_extract_with_two_workers_prints_what_one_worker_prints(pipeline):
    from communique.cli.core import demo_corpus

    corpus = str(demo_corpus())
    one = runner.invoke(app, ["extract", corpus, "--json", "--workers", "1"])
    two = runner.invoke(app, ["extract", corpus, "--json", "--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0
    assert one.stdout.count("\n") >= 5 and two.stdout == one.stdout


def test_a_job_whose_worker_died_is_completed_by_running_it_again(tmp_path):
    """The articles of a dead worker's batch are rejected, not stored; running the job again
    stores them, and nothing twice: the store is the one a clean run gives."""
    from communique.store import Store
    from pool_tasks import ExtractOrDie
    from store_dump import dump

    texts = [f"Marsh phoned Otieno about item {i}{'!' * i}." for i in range(8)]
    clean = Store(f"sqlite:///{tmp_path / 'clean.db'}")
    clean.migrate()
    clean.ingest(analyse_in_order(_articles(texts), Settings(), 2, batch_articles=1, task=ExtractOrDie()))
    store = Store(f"sqlite:///{tmp_path / 'rerun.db'}")
    store.migrate()
    first = store.ingest(analyse_in_order(_articles(texts), Settings(), 2, batch_articles=1, task=ExtractOrDie(texts[3])))
    assert (first.added, first.rejected) == (7, 1)
    again = store.ingest(analyse_in_order(_articles(texts), Settings(), 2, batch_articles=1, task=ExtractOrDie()))
    assert (again.added, again.unchanged) == (1, 7)
    got, expected = dump(store.engine), dump(clean.engine)
    assert len(got.pop("rejected")) == 1 and expected.pop("rejected") == []
    assert got == expected
    store.close()
    clean.close()
