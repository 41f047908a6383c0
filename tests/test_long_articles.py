"""Long articles cost time in proportion to their length, on text with as many different people as real
news holds: the actor table's trials journal their changes instead of copying the table, and the
short-form pass looks up each capitalised word among the surnames that begin with it.

The fast tests check the two pieces on their own; the `slow` one runs the whole pipeline on real news
paragraphs (PolNeAR from ../shared, else written varied paragraphs: bench/long_text.py) of two
lengths. `python bench/long_article_bench.py` gives the numbers beside bare spaCy."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from communique.actors import ActorTable
from communique.models import Actor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


class _Spans:
    """The AnnotatedDoc of a table that maps Doc offsets to text offsets one for one."""

    def span(self, chars):
        return tuple(chars)


def _table(actors: int) -> ActorTable:
    table = ActorTable(_Spans())
    for i in range(actors):
        table.add_mention(Actor(id=f"a{i}", name=f"Person {i}", notes=[f"note {i}"]), i * 10, i * 10 + 6)
    return table


def _state(table: ActorTable):
    return ([a.model_dump() for a in table.actors], table.mentions(), dict(table._starts_by_id), table._longest)


def _seconds_per_trial(table: ActorTable, trials: int = 300) -> float:
    someone = table.actors[len(table.actors) // 2]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(trials):
            with table.trial():
                table.ad_hoc("Zembla Holdings", 5, 9, id="probe", kind="other")
                table.add_mention(someone, 1, 400)
                table.set_country(someone, "NOR", "probe")
        best = min(best, time.perf_counter() - started)
    return best / trials


def test_a_trial_costs_what_it_changes_not_the_size_of_the_table():
    small, large = _table(30), _table(3000)
    before = _state(large)
    ratio = _seconds_per_trial(large) / _seconds_per_trial(small)
    assert _state(large) == before  # every change undone
    assert ratio < 20, f"a trial on 100 times the actors took {ratio:.0f} times as long"


def test_a_trial_undoes_changes_to_actors_added_before_it_only():
    table = _table(3)
    kept = table.actors[0]
    with table.trial():
        table.add_mention(kept, 100, 104)
        table.set_country(kept, "KEN", "a guess")
        with table.trial():
            table.ad_hoc("Northwind Freight", 200, 210, id="inner", kind="other")
        assert table.get("inner") is None and kept.country == "KEN"
        outer = table.ad_hoc("Southwind Freight", 300, 310, id="outer", kind="other")
        assert table.actor_at(300, 310) is outer
    assert kept.country is None and kept.notes == ["note 0"] and kept.mentions == [(0, 6)]
    assert table.get("outer") is None and table.actor_at(300, 310) is None
    assert table.mention_starts("outer") == [] and table._longest == 6


@pytest.mark.slow
def test_the_pipeline_is_linear_in_the_length_of_real_text(pipeline):
    from long_text import real_article

    from communique.cleaning import clean
    from communique.models import Article

    def cpu_seconds(chars: int) -> float:
        text, _origin = real_article(chars)
        started = time.process_time()
        (result,) = list(pipeline.process([clean(Article(text=text, source="long"))]))
        assert len(result.actors) > chars / 1000  # real text: hundreds of different actors
        return time.process_time() - started

    cpu_seconds(5_000)  # warm-up
    short, long = cpu_seconds(50_000), cpu_seconds(200_000)
    print(f"long articles: 50k chars {short:.1f} CPU s, 200k chars {long:.1f} CPU s, ratio {long / short:.2f}")
    assert long / short < 4 * 1.35, "four times the text took more than 1.35 times four times as long"
