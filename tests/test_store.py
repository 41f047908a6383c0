"""The store on SQLite and PostgreSQL: idempotent ingest, global actor identity, and the queries.

PostgreSQL runs when COMMUNIQUE_TEST_PG is set (see tests/store_fixtures.py)."""

from __future__ import annotations

from datetime import date

import pytest

from communique.models import Actor, Event, Extraction, Quote, Rejection
from communique.store import Store
from store_fixtures import (
    REJECTIONS,
    border_wire,
    coast_courier,
    corpus,
    harbour_gazette,
    make_article,
    numbered,
    span_of,
)

pytest_plugins = ["store_db"]  # the `store` fixture, on each backend


def actor_named(store, name: str) -> dict:
    found = [a for a in store.actors() if a["name"] == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


# ---------------------------------------------------------------- schema and ingest


def test_migrate_is_idempotent(store):
    store.migrate()
    store.migrate()
    assert store.revision() == store.head() is not None
    assert set(store.count().values()) == {0}


def test_ingest_stores_everything_once(store):
    report = store.ingest(corpus() + REJECTIONS)
    assert (report.added, report.unchanged, report.rejected, report.errors) == (3, 0, 2, [])
    counts = store.count()
    assert counts["articles"] == 3
    assert counts["quotes"] == 5
    assert counts["events"] == counts["event_reports"] == 3
    assert counts["rejected"] == 2
    # Otieno and Marsh appear in two articles each but are one actor each: 7 distinct actors in all
    assert counts["actors"] == 7
    assert len(report.added_ids) == 3 and len(set(report.added_ids)) == 3


def test_ingesting_again_changes_nothing(store):
    first = store.ingest(corpus())
    before = store.count()
    actor_ids = sorted(a["id"] for a in store.actors())
    article_ids = sorted(a["id"] for a in store.articles())

    again = store.ingest(corpus() + corpus(), batch_size=2)
    assert (again.added, again.unchanged, again.errors) == (0, 6, [])
    assert store.count() == before
    assert sorted(a["id"] for a in store.actors()) == actor_ids
    assert sorted(a["id"] for a in store.articles()) == article_ids == sorted(first.added_ids)


def test_same_body_with_different_spacing_and_case_is_the_same_article(store):
    original = harbour_gazette()
    copy = harbour_gazette()
    respaced = "  " + original.article.text.replace(" ", "  ").upper()
    copy.article = make_article(respaced, "mirror.txt", "Mirror Site", "2024-03-07")
    report = store.ingest([original, copy])
    assert (report.added, report.unchanged) == (1, 1)
    assert store.count()["articles"] == 1


def test_article_id_is_the_body_hash_and_external_id_is_kept(store):
    from communique.models import content_id

    store.ingest([coast_courier()])
    [summary] = store.articles()
    assert summary["id"] == content_id(coast_courier().article.body)
    assert summary["external_id"] == "cc-2024-0308-17"
    assert store.article("cc-2024-0308-17")["article"]["id"] == summary["id"]


def test_rejections_are_recorded_once(store):
    report = store.ingest(REJECTIONS + REJECTIONS + [Rejection("broken.html", "another reason")])
    assert report.rejected == 5
    rows = store.rejections()
    assert sorted((r["source"], r["reason"]) for r in rows) == sorted(
        [
            ("broken.html", "no article text found"),
            ("huge.warc", "larger than 20 MB"),
            ("broken.html", "another reason"),
        ]
    )
    store.ingest(REJECTIONS)
    assert store.count()["rejected"] == 3


def test_extract_json_dicts_are_accepted(store):
    report = store.ingest([x.to_json_dict() for x in corpus()])
    assert report.added == 3 and not report.errors


def test_bad_items_are_reported_and_the_rest_of_the_batch_is_stored(store):
    items = [harbour_gazette(), 42, {"article": {"no": "text"}}, border_wire()]
    seen = []
    report = store.ingest(items, batch_size=10, on_item=lambda item, outcome: seen.append(outcome))
    assert report.added == 2
    assert len(report.errors) == 2
    assert seen == ["added", "error", "error", "added"]
    assert store.count()["articles"] == 2


def test_on_item_reports_each_outcome(store):
    store.ingest([harbour_gazette()])
    seen = []
    store.ingest(
        [harbour_gazette(), coast_courier(), REJECTIONS[0]],
        on_item=lambda item, outcome: seen.append(outcome),
    )
    assert seen == ["unchanged", "added", "rejected"]


# ---------------------------------------------------------------- interrupted ingests


def failing_after(items, n):
    """Yield the first `n` items, then fail the way a crashing reader would."""
    for i, item in enumerate(items):
        if i == n:
            raise RuntimeError("reader crashed")
        yield item


def expected_counts(n: int) -> dict[str, int]:
    """Row counts after ingesting `numbered(n)` (three shared actors, one quote and event each)."""
    return {
        "articles": n,
        "rejected": 0,
        "actors": 3,
        "actor_keys": 3,
        "article_actors": 3 * n,
        "actor_mentions": 3 * n,
        "quotes": n,
        "events": n,
        "event_participants": 2 * n,
        "event_reports": n,
        "event_dyads": 2 * n,  # NOR-EU and EU-NOR per event
    }


def test_ingest_interrupted_by_an_exception_completes_on_rerun(store):
    items = numbered(10)
    with pytest.raises(RuntimeError, match="reader crashed"):
        store.ingest(failing_after(items, 7), batch_size=3)  # fails in the middle of the third batch
    stored = store.count()["articles"]
    assert stored == 7  # the items read before the failure are kept

    report = store.ingest(numbered(10), batch_size=3)
    assert (report.added, report.unchanged, report.errors) == (10 - stored, stored, [])
    assert store.count() == expected_counts(10)


KILLER = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
import communique.store.core as core
from communique.store import Store
from store_fixtures import numbered

calls = 0
write = core.write_extraction

def write_then_die(*args):
    global calls
    calls += 1
    if calls == 8:  # the eighth item: seven committed (each item is its own transaction), one open
        os.kill(os.getpid(), signal.SIGKILL)
    return write(*args)

core.write_extraction = write_then_die
Store(sys.argv[1]).ingest(numbered(10), batch_size=3)
"""


def test_ingest_killed_mid_transaction_completes_on_rerun(store):
    import signal
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", KILLER, store.url, str(Path(__file__).parent)], check=False, timeout=120
    )
    assert done.returncode == -signal.SIGKILL
    assert store.count()["articles"] == 7  # the open item left nothing behind

    report = store.ingest(numbered(10), batch_size=3)
    assert (report.added, report.unchanged, report.errors) == (3, 7, [])
    assert store.count() == expected_counts(10)


def test_two_writers_at_once_store_each_article_once(store):
    from concurrent.futures import ThreadPoolExecutor

    def ingest(items):
        with Store(store.url) as other:
            return other.ingest(items, batch_size=2)

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(ingest, [numbered(12), numbered(12, start=6)]))
    assert [r.errors for r in reports] == [[], []]
    assert sum(r.added for r in reports) == 18
    assert sum(r.unchanged for r in reports) == 6
    assert store.count() == expected_counts(18)


# ---------------------------------------------------------------- malformed input


def test_malformed_extractions_are_stored_without_crashing(store):
    text = "Nul\x00byte and a lone \ud800 surrogate in a short text about envoy Ola Berg."
    weird = Extraction(
        article=make_article(text, "weird.txt", "Odd \x00 Press", "not a date", external_id="weird-1"),
        actors=[
            Actor(
                id="w1",
                name="Ola Berg",
                country="  swe ",
                kind="person",
                mentions=[(60, 68), (-5, 3), (50, 10**12), (10, 2)],
            ),
            Actor(id="w1", name="Someone Else", kind="person"),  # a repeated local id
            Actor(
                id="w" * 400,
                name="\ud800" * 3 + "x" * 5000,
                country="Z" * 40,
                sector="S" * 99,
                kb_id="k" * 900,
            ),
        ],
        quotes=[
            Quote(id="q", kind="direct", text="one", speaker="w1", via=["w1", "nobody", ""]),
            Quote(id="q", kind="direct", text="two", speaker="not-an-actor"),  # a repeated quote id
            Quote(id="x" * 300, kind="indirect", text="three", content_span=(2**40, 2**41)),
        ],
        events=[
            Event(
                id="e",
                type="t" * 100,
                mode="m" * 200,
                date="2024-13-45",
                actors=["w1", "ghost"],
                recipients=["w" * 400],
                evidence="",
                evidence_span=(-1, -1),
                reported_by=["", "w1"],
            ),
            Event(id="e", type="", date="2024-W10"),
        ],
    )
    report = store.ingest([weird])
    assert (report.added, report.errors) == (1, [])
    [summary] = store.articles()
    stored = store.article(summary["id"])
    Extraction.model_validate(stored)  # still the extract contract's shape
    assert len(stored["article"]["text"]) == len(text)  # offsets still line up
    assert [q["text"] for q in stored["quotes"]] == ["one", "two", "three"]
    assert len({q["id"] for q in stored["quotes"]}) == 3
    assert stored["quotes"][1]["speaker"] is None and stored["quotes"][1]["speaker_text"] == "not-an-actor"
    assert [e["date"] for e in store.events()] == ["2024-03-04", None]  # ISO week 10 starts on Monday 4 March
    assert actor_named(store, "Ola Berg")["country"] == "SWE"


# ---------------------------------------------------------------- actor identity across articles


def test_actors_are_shared_across_articles(store):
    store.ingest(corpus())
    otieno = actor_named(
        store, "Daniel Otieno"
    )  # no KB id: same normalised name and country ("ken" == "KEN")
    marsh = actor_named(store, "Elena Marsh")  # same KB id, name spelt with two spaces in the second article
    assert (otieno["article_count"], otieno["mention_count"]) == (2, 3)
    assert (marsh["article_count"], marsh["mention_count"]) == (2, 3)
    assert otieno["role"] == "top diplomat"  # filled in from the second article, which gave one


def test_kb_id_found_later_joins_the_actor_seen_without_it(store):
    base = harbour_gazette()
    base.actors[1].kb_id = None
    later = coast_courier()
    later.actors[0].kb_id = "KB:otieno"
    store.ingest([base])
    store.ingest([later])
    otieno = actor_named(store, "Daniel Otieno")
    assert otieno["kb_id"] == "KB:otieno" and otieno["article_count"] == 2


def test_different_kb_ids_keep_namesakes_apart(store):
    one, two = harbour_gazette(), coast_courier()
    one.actors[1].kb_id = "KB:otieno-minister"
    two.actors[0].kb_id = "KB:otieno-footballer"
    store.ingest([one, two])
    namesakes = store.actors(name="Daniel Otieno")
    assert sorted(a["kb_id"] for a in namesakes) == ["KB:otieno-footballer", "KB:otieno-minister"]


def test_local_actor_ids_become_global_ids(store):
    store.ingest(corpus())
    wanjiru = actor_named(store, "Grace Wanjiru")["id"]
    otieno = actor_named(store, "Daniel Otieno")["id"]
    article_id = store.article_ids("cc-2024-0308-17")[0]
    stored = store.article(article_id)
    ids = {a["id"] for a in stored["actors"]}
    assert otieno in ids and wanjiru in ids
    q1, q2 = stored["quotes"]
    assert q1["speaker"] == otieno and q1["via"] == [wanjiru]
    assert q2["via"] == ["a press office"]  # not a local actor id: kept as it was
    [event] = stored["events"]
    assert (
        event["actors"] == [otieno]
        and event["recipients"] == ["Norway"]
        and event["reported_by"] == [wanjiru]
    )


# ---------------------------------------------------------------- reading back


def test_article_round_trips_in_the_extract_shape(store):
    original = harbour_gazette()
    store.ingest([original])
    stored = store.article(store.articles()[0]["id"])
    parsed = Extraction.model_validate(stored)
    assert parsed.article.text == original.article.text and parsed.article.published == "2024-03-06"
    global_of = {a.name: a.id for a in parsed.actors}
    local_name = {a.id: a.name for a in original.actors}
    for got, want in zip(parsed.actors, original.actors):
        assert (got.name, got.country, sorted(got.mentions)) == (
            want.name,
            want.country,
            sorted(want.mentions),
        )
        for start, end in got.mentions:
            assert parsed.article.text[start:end] in want.name
    for got, want in zip(parsed.quotes, original.quotes):
        assert (got.kind, got.text, got.content_span, got.source_span, got.cue_span) == (
            want.kind,
            want.text,
            want.content_span,
            want.source_span,
            want.cue_span,
        )
        assert got.speaker == global_of[local_name[want.speaker]]
        assert got.via == [global_of[local_name[v]] for v in want.via]
    [got_event], [want_event] = parsed.events, original.events
    assert (got_event.type, got_event.date, got_event.evidence_span) == (
        "CONSULT",
        "2024-03-05",
        want_event.evidence_span,
    )


def test_article_lookup_by_prefix(store):
    store.ingest(corpus())
    ids = [a["id"] for a in store.articles()]
    for article_id in ids:
        prefix = next(
            article_id[:n] for n in range(1, 17) if sum(i.startswith(article_id[:n]) for i in ids) == 1
        )
        assert store.article(prefix)["article"]["id"] == article_id
    assert store.article("") is None
    assert store.article("zz-no-such-article") is None
    assert store.article("%") is None  # LIKE wildcards are taken literally
    assert len(store.article_ids("%")) == 0


def test_articles_are_listed_newest_first_with_counts(store):
    store.ingest(corpus())
    listed = store.articles()
    assert [a["publisher"] for a in listed] == ["Coast Courier", "The Harbour Gazette", "Border Wire"]
    assert [(a["actor_count"], a["quote_count"], a["event_count"]) for a in listed] == [
        (3, 2, 1),
        (3, 2, 1),
        (3, 1, 1),
    ]
    assert [a["publisher"] for a in store.articles(limit=1, offset=1)] == ["The Harbour Gazette"]
    assert listed[0]["ingested_at"].endswith("+00:00")


def test_actor_filters(store):
    store.ingest(corpus())
    assert sorted(a["name"] for a in store.actors(country="ken")) == ["Daniel Otieno", "Grace Wanjiru"]
    assert [a["name"] for a in store.actors(name="OTIENO")] == ["Daniel Otieno"]
    assert [a["name"] for a in store.actors(name="xbb", country="XBB")] == [
        "XBB border guards",
        "XBB defence ministry",
    ]
    assert store.actors(name="100%") == []
    most = store.actors()[0]
    assert most["article_count"] == 2


def test_name_filters_fold_case_beyond_ascii(store):
    text = "Minister Šárka Dvořáková met envoy Ølga Ås in the capital."
    store.ingest(
        [
            Extraction(
                article=make_article(text, "cz.txt", "Prague Letter", "2024-02-01"),
                actors=[
                    Actor(id="p1", name="Šárka Dvořáková", country="CZE", kind="person"),
                    Actor(id="p2", name="Ølga Ås", country="NOR", kind="person"),
                ],
                quotes=[Quote(id="q1", kind="indirect", text="MET ÅS TODAY", speaker="p1", via=["p2"])],
            )
        ]
    )
    assert [a["name"] for a in store.actors(name="ŠÁRKA")] == ["Šárka Dvořáková"]
    assert [q["text"] for q in store.quotes(speaker="dvořáková", via="ølga", search="ås")] == ["MET ÅS TODAY"]


def test_quote_filters(store):
    store.ingest(corpus())
    assert sorted(q["text"] for q in store.quotes(speaker="otieno")) == [
        "We want a fair deal for coastal communities,",
        "will travel to Oslo next month",
    ]
    assert [q["speaker_name"] for q in store.quotes(country="NOR")] == ["Elena Marsh"]
    assert [q["text"] for q in store.quotes(via="wanjiru")] == ["will travel to Oslo next month"]
    assert [q["text"] for q in store.quotes(via="press office")] == ["nothing has been signed yet"]
    assert [q["text"] for q in store.quotes(via="ministry")] == [
        "both sides had agreed to reopen talks on fishing rights"
    ]
    assert [q["text"] for q in store.quotes(search="FAIR DEAL")] == [
        "We want a fair deal for coastal communities,"
    ]
    assert store.quotes(speaker="otieno", country="NOR") == []
    assert len(store.quotes(limit=2)) == 2
    newest = store.quotes()[0]
    assert newest["article"]["publisher"] == "Coast Courier" and newest["via_names"] == ["Grace Wanjiru"]


def test_event_filters(store):
    store.ingest(corpus())
    dates = [e["date"] for e in store.events()]
    assert dates == sorted(dates) == ["2024-03-02", "2024-03-05", "2024-04-01"]

    [assault] = store.events(type="assault")
    assert [p["name"] for p in assault["actors"]] == ["XAA army"]
    assert [p["name"] for p in assault["recipients"]] == ["XBB border guards"]
    [report] = assault["reports"]
    assert report["publisher"] == "Border Wire" and report["reported_by_names"] == ["XBB defence ministry"]
    assert report["evidence"] == border_wire().events[0].evidence

    assert [e["type"] for e in store.events(actor="marsh")] == ["CONSULT"]
    assert len(store.events(actor="otieno")) == 2
    assert [e["date"] for e in store.events(actor="Norway")] == ["2024-04-01"]  # an unresolved participant
    assert [e["type"] for e in store.events(country="xbb")] == ["ASSAULT"]
    assert [e["mode"] for e in store.events(dyad=("XBB", "XAA"))] == ["artillery"]
    # the planned visit counts too: its unresolved recipient "Norway" contains "nor"
    assert [e["mode"] for e in store.events(dyad=("NOR", "KEN"))] == ["phone", "visit"]
    assert [e["mode"] for e in store.events(dyad=("Marsh", "KEN"))] == ["phone"]
    assert len(store.events(dyad=("Otieno", "Marsh"))) == 1  # either direction
    assert len(store.events(dyad=("Otieno", "Norway"))) == 1
    assert store.events(dyad=("Marsh", "Marsh")) == []  # a dyad needs two participants
    assert [e["date"] for e in store.events(since=date(2024, 3, 3))] == ["2024-03-05", "2024-04-01"]
    assert [e["date"] for e in store.events(until=date(2024, 3, 5))] == ["2024-03-02", "2024-03-05"]
    assert store.events(type="CONSULT", since=date(2024, 3, 6), until=date(2024, 3, 31)) == []


def test_undated_events_come_last(store):
    undated = border_wire()
    undated.events[0].date = None
    store.ingest([undated, harbour_gazette()])
    assert [e["date"] for e in store.events()] == ["2024-03-05", None]


def test_ingest_uses_no_local_state_between_stores(store):
    """A second Store on the same database sees what the first wrote and resolves actors to the same ids."""
    store.ingest([harbour_gazette()])
    with Store(store.url) as other:
        other.migrate()
        other.ingest([coast_courier()])
    assert actor_named(store, "Daniel Otieno")["article_count"] == 2


def test_span_helper_finds_words():
    assert span_of("a b c", "b") == (2, 3)
