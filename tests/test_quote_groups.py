"""Quote groups do not depend on the order articles are stored in: a group is a connected set of
quotes of the same words by the same speaker within the window, named by its smallest quote id, and
a quote can join two groups (SQLite; no spaCy)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from communique.models import Actor, Extraction, Quote
from communique.store import Store
from communique.store.fusion import QUOTE_MIN_RATIO, same_words
from communique.store.schema import quotes
from fusion_fixtures import MARSH, OTIENO, article, fresh_store, migrated_template

# v0 ~ v1 and v1 ~ v2 are the same words; v0 and v2 are not (checked below); v3 is other words
WORDS = [
    "we will sign the fishing deal before the end of this year",
    "we will sign the fishing deal before the close of this year",
    "we shall sign the fishing pact before the close of this year",
    "nobody has agreed to anything on the coast",
]
SPEAKERS = [MARSH, OTIENO, "a ministry spokesman", "A Ministry Spokesman ", None]  # actors, names, none
START = date(2024, 5, 1)


def test_the_words_chain_as_the_tests_need():
    assert same_words(WORDS[0], WORDS[1]) >= QUOTE_MIN_RATIO <= same_words(WORDS[1], WORDS[2])
    assert same_words(WORDS[0], WORDS[2]) < QUOTE_MIN_RATIO > same_words(WORDS[0], WORDS[3])


def quoted(i: int, speaker, words: int, day: int) -> Extraction:
    """Article `i` quoting `speaker` (an actor dict, a name nobody resolved, or None)."""
    text = f'Article {i}. "{WORDS[words]}," the speaker said.'
    actors, local = [], None
    if isinstance(speaker, dict):
        actors, local = [Actor(id="s", mentions=[], **speaker)], "s"
    return Extraction(
        article=article(text, f"Wire {i}", (START + timedelta(days=day)).isoformat(), source=f"wire-{i}.txt"),
        actors=actors,
        quotes=[
            Quote(id="q1", kind="direct", text=WORDS[words], speaker=local,
                  speaker_text=speaker if isinstance(speaker, str) else None, cue="said")
        ],
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return migrated_template(tmp_path_factory.mktemp("quotes"))


_fresh = fresh_store


def groups(store: Store) -> dict[str, tuple[str, str]]:
    """quote id -> (group id, reason)."""
    with store.engine.connect() as conn:
        return {r.id: (r.group_id, r.group_reason) for r in conn.execute(select(quotes))}


def _members(found: dict) -> list[list[str]]:
    by_group: dict[str, list[str]] = {}
    for quote_id, (group_id, _) in found.items():
        by_group.setdefault(group_id, []).append(quote_id)
    return sorted(sorted(m) for m in by_group.values())


def test_a_quote_between_two_groups_joins_them_whatever_the_order(template, tmp_path):
    items = [quoted(0, MARSH, 0, 0), quoted(1, MARSH, 2, 1), quoted(2, MARSH, 1, 2), quoted(3, OTIENO, 1, 2)]
    seen = []
    for n, order in enumerate(([0, 1, 2, 3], [2, 1, 0, 3], [3, 1, 0, 2], [0, 3, 2, 1])):
        with _fresh(template, tmp_path, f"{n}.db") as store:
            store.ingest(items[:2] if n == 0 else [])
            if n == 0:  # before the bridge: the two texts are two groups
                assert len(_members(groups(store))) == 2
            assert store.ingest([items[i] for i in order]).errors == []
            seen.append(groups(store))
    assert all(found == seen[0] for found in seen)
    marsh, otieno = _members(seen[0])[0], _members(seen[0])[1]
    assert len(marsh) == 3 and len(otieno) == 1  # another speaker's same words stay apart
    assert {seen[0][q][0] for q in marsh} == {min(marsh)}  # named by the smallest id
    reasons = sorted(seen[0][q][1] for q in marsh)
    assert reasons[0] == "first report" and all("similar to quote" in r for r in reasons[1:])


def test_quotes_within_the_window_of_each_other_chain_into_one_group(template, tmp_path):
    items = [quoted(i, "a ministry spokesman", 0, day) for i, day in enumerate((0, 25, 50))]
    with _fresh(template, tmp_path, "chain.db") as store:
        store.ingest([items[0], items[2]])
        assert len(_members(groups(store))) == 2  # 50 days apart: two groups
        store.ingest([items[1]])
        assert len(_members(groups(store))) == 1  # 25 days from each: one group


spec = st.tuples(
    st.integers(0, len(SPEAKERS) - 1),
    st.integers(0, len(WORDS) - 1),
    st.sampled_from([0, 3, 20, 35, 60]),  # publication day
)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(spec, min_size=2, max_size=8), batch=st.integers(1, 5), data=st.data())
def test_quote_groups_do_not_depend_on_ingest_order(template, tmp_path, specs, batch, data):
    items = [quoted(i, SPEAKERS[who], words, day) for i, (who, words, day) in enumerate(specs)]
    with (
        _fresh(template, tmp_path, "a.db") as first,
        _fresh(template, tmp_path, "b.db") as second,
        _fresh(template, tmp_path, "c.db") as bulk,
    ):
        assert first.ingest(items).errors == []
        assert second.ingest(data.draw(st.permutations(items))).errors == []
        assert bulk.bulk_ingest(data.draw(st.permutations(items)), batch_size=batch).errors == []
        expected = groups(first)
        assert groups(second) == expected
        assert groups(bulk) == expected
        for members in _members(expected):
            group_id, reason = expected[min(members)]
            assert group_id == min(members) and reason.startswith("first report")
