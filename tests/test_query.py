"""The query API and its commands over a fused record: timelines, last contact, claim checks,
full-text search, one event's detail. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from communique.models import Event
from communique.query import Record, to_dataframe
from fusion_fixtures import KARIUKI, MARSH, OTIENO, SOLBERG, call_reports, later_call, report

pytest_plugins = ["store_db"]

EXTRACT_EVENT_FIELDS = {
    "id", "type", "mode", "actors", "recipients", "date", "date_precision", "location", "evidence",
    "evidence_span", "reported_by",
}


def summit() -> object:
    """Leaders of Norway and Kenya meet in late February (leader level)."""
    return report(
        "Prime Minister Ivar Lunde met President Ruth Kariuki in Nairobi on 20 February.",
        "Summit News", "2024-02-21", SOLBERG, KARIUKI, "2024-02-20", mode="meet",
    )


def claim_article(since: str, claimed: str) -> object:
    """An article claiming its call is the first between the two countries since `since`."""
    text = (
        f"Elena Marsh spoke with Daniel Otieno on Tuesday. It was the first call between the two countries "
        f"since {since}, officials said."
    )
    past = Event(
        id="e2", type="CONSULT", actors=["a0"], recipients=["a1"], date=claimed, date_precision="day",
        evidence=f"It was the first call between the two countries since {since}, officials said.",
        evidence_span=(text.index("It was"), len(text)), refers_to_past=True,
    )
    return report(text, "Claims Weekly", "2024-03-06", MARSH, OTIENO, "2024-03-05", extra_events=[past])


@pytest.fixture
def record(store):
    store.ingest(call_reports() + [later_call(), summit()])
    with Record(store) as r:
        yield r


def test_dyad_timeline_in_date_order_with_the_extract_fields(record):
    found = record.timeline("NOR", "KEN")
    assert [e["date"] for e in found] == ["2024-02-20", "2024-03-05", "2024-03-12"]
    for event in found:
        assert EXTRACT_EVENT_FIELDS <= set(event)
        assert event["report_count"] == len(event["reports"])
        assert {"article_id", "evidence", "reported_by"} <= set(event["reports"][0])
    assert found[1]["report_count"] == 3
    assert record.timeline("KEN", "NOR") == found  # either order


def test_timeline_filters(record):
    assert [e["date"] for e in record.timeline("NOR", "KEN", type="consult", since=date(2024, 3, 1))] == [
        "2024-03-05",
        "2024-03-12",
    ]
    assert [e["date"] for e in record.timeline("NOR", "KEN", until=date(2024, 3, 1))] == ["2024-02-20"]
    assert [e["date"] for e in record.timeline("NOR", "KEN", limit=1)] == ["2024-03-12"]
    assert record.timeline("NOR", "BRA") == []
    assert record.timeline("NOR", "KEN", type="ASSAULT") == []


def test_timeline_pages_back_in_time_by_offset_cursor_or_date(record, store):
    # a second event on the day of the last call, so that a page boundary falls inside one date
    store.ingest([
        report(
            "Elena Marsh and Daniel Otieno signed a fisheries accord on Tuesday after their call.",
            "Coast Courier", "2024-03-13", MARSH, OTIENO, "2024-03-12", type="AGREE", mode=None,
        )
    ])
    everything = record.timeline("NOR", "KEN")
    assert [e["date"] for e in everything] == ["2024-02-20", "2024-03-05", "2024-03-12", "2024-03-12"]
    pages, cursor = [], None
    while True:
        page = record.timeline("NOR", "KEN", limit=1, before=cursor)
        if not page:
            break
        pages.append(page[0])
        cursor = page[0]["id"]  # the first event of a page is the cursor of the next, older one
    assert pages[::-1] == everything
    assert record.timeline("NOR", "KEN", limit=2, offset=1) == everything[1:3]
    assert record.timeline("NOR", "KEN", offset=3) == everything[:1]
    assert record.timeline("NOR", "KEN", before=date(2024, 3, 12)) == everything[:2]
    assert record.timeline("NOR", "KEN", before="no-such-event") == []
    page = record.timeline("NOR", "KEN", limit=2)
    assert page == everything[2:] and all(e["report_count"] == len(e["reports"]) for e in page)


def test_timeline_by_actor_names_and_mixed_sides(record):
    by_name = record.timeline("Marsh", "Otieno")
    assert [e["date"] for e in by_name] == ["2024-03-05", "2024-03-12"]
    assert [e["date"] for e in record.timeline("Kariuki", "NOR")] == ["2024-02-20"]
    assert len(record.timeline("KEN")) == 3


def test_last_contact_before_a_date_and_by_level(record):
    assert record.last_contact("NOR", "KEN")["date"] == "2024-03-12"
    assert record.last_contact("NOR", "KEN", before=date(2024, 3, 12))["date"] == "2024-03-05"
    assert record.last_contact("NOR", "KEN", before=date(2024, 3, 5))["date"] == "2024-02-20"
    assert record.last_contact("NOR", "KEN", before=date(2024, 2, 20)) is None
    assert record.last_contact("NOR", "KEN", level="leader")["date"] == "2024-02-20"
    assert record.last_contact("NOR", "KEN", level="minister")["date"] == "2024-03-12"
    assert record.last_contact("Marsh", "Otieno", before=date(2024, 3, 12))["date"] == "2024-03-05"
    assert record.last_contact("NOR", "BRA") is None


def test_event_detail_by_event_or_report_id(record):
    event = record.timeline("NOR", "KEN")[1]
    detail = record.event(event["id"])
    assert detail["id"] == event["id"] and len(detail["reports"]) == 3
    assert record.event(detail["reports"][-1]["id"])["id"] == event["id"]
    assert record.event("no-such-event") is None


def test_a_claim_the_record_supports_agrees(record, store):
    store.ingest([claim_article("February 20", "2024-02-20")])
    [claim] = record.check_claims(store.article_ids(_claims_article_id(store))[0])
    assert claim["verdict"] == "agree", claim
    assert claim["countries"] == ["KEN", "NOR"]
    assert (claim["claimed_date"], claim["reference_date"]) == ("2024-02-20", "2024-03-05")


def test_a_claim_the_record_contradicts(store):
    store.ingest(call_reports() + [summit()])
    store.ingest([claim_article("January 10", "2024-01-10")])
    with Record(store) as record:
        [claim] = record.check_claims(_claims_article_id(store))
    assert claim["verdict"] == "contradicted"
    assert [e["date"] for e in claim["contradicting"]] == ["2024-02-20"]


def test_a_claim_with_nothing_else_in_the_record_has_no_data(store):
    store.ingest([claim_article("January 10", "2024-01-10")])
    with Record(store) as record:
        [claim] = record.check_claims()
    assert claim["verdict"] == "no data"


def test_a_first_in_n_weeks_claim_is_read_from_the_evidence(store):
    gap = report(
        "Marsh and Otieno spoke on Tuesday, their first contact in three weeks.",
        "Gap Post", "2024-03-13", MARSH, OTIENO, "2024-03-12",
    )
    store.ingest(call_reports() + [gap])
    with Record(store) as record:
        [claim] = record.check_claims()
    assert claim["source"] == "pattern" and claim["claimed_date"] == "2024-02-20"
    assert claim["verdict"] == "contradicted"  # the 5 March call was a week before


def _claims_article_id(store) -> str:
    return next(a["id"] for a in store.articles() if a["publisher"] == "Claims Weekly")


def test_full_text_search_over_quotes_and_evidence(record):
    hits = record.search("coastal towns")
    assert {h["kind"] for h in hits} == {"quote"} and len(hits) == 2
    assert all("coastal towns" in h["text"] for h in hits)
    events = record.search("Nairobi")
    assert [h["kind"] for h in events] == ["event"] and events[0]["event_id"]
    assert record.search("fishing quotas telephone")[0]["publisher"] == "Fjord Daily"
    assert record.search("") == [] and record.search("zebra") == []
    assert record.search('" OR *') == []  # query syntax is taken as words, never an error


def test_search_stems_words(record):
    # "spoke" / "speaks" differ, but "calls" and "call" share a stem on both backends
    assert record.search("calls")


def test_to_dataframe_needs_pandas(record):
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install"):
            to_dataframe(record.timeline("NOR"))
    else:
        assert len(to_dataframe(record.timeline("NOR"))) == 3


# ---------------------------------------------------------------- the commands


def _run(*args: str):
    from communique.cli import app

    return CliRunner().invoke(app, list(args))


def test_commands_print_json(record, store):
    db = store.url
    out = _run("timeline", "NOR", "KEN", "--type", "CONSULT", "--json", "--db", db)
    assert out.exit_code == 0, out.output
    listing = json.loads(out.stdout)
    assert set(listing) == {"items", "next"} and listing["next"] is None
    events = listing["items"]
    assert [e["date"] for e in events] == ["2024-02-20", "2024-03-05", "2024-03-12"]

    out = _run("timeline", "NOR", "KEN", "--limit", "2", "--json", "--db", db)
    page = json.loads(out.stdout)
    assert [e["date"] for e in page["items"]] == ["2024-03-05", "2024-03-12"]
    out = _run("timeline", "NOR", "KEN", "--limit", "2", "--before", page["next"], "--json", "--db", db)
    assert [e["date"] for e in json.loads(out.stdout)["items"]] == ["2024-02-20"]
    out = _run("timeline", "NOR", "KEN", "--before", "2024-03-05", "--json", "--db", db)
    assert [e["date"] for e in json.loads(out.stdout)["items"]] == ["2024-02-20"]

    # a single answer is the object itself
    out = _run("last-contact", "NOR", "KEN", "--before", "2024-03-12", "--level", "minister", "--json", "--db", db)
    assert out.exit_code == 0 and json.loads(out.stdout)["date"] == "2024-03-05"
    out = _run("event", events[1]["id"], "--json", "--db", db)
    assert json.loads(out.stdout)["id"] == events[1]["id"]

    out = _run("event", events[1]["id"], "--db", db)
    assert out.exit_code == 0 and "why: same type CONSULT" in out.stdout

    out = _run("search", "coastal", "--json", "--db", db)
    assert len(json.loads(out.stdout)["items"]) == 2

    out = _run("check-claims", "--json", "--db", db)
    assert json.loads(out.stdout) == {"items": [], "next": None}

    for kind in ("actors", "quotes", "events"):
        out = _run(kind, "--json", "--db", db)
        assert out.exit_code == 0 and set(json.loads(out.stdout)) == {"items", "next"}, kind
    out = _run("events", "--limit", "1", "--json", "--db", db)
    first = json.loads(out.stdout)
    out = _run("events", "--limit", "1", "--offset", first["next"], "--json", "--db", db)
    assert json.loads(out.stdout)["items"][0]["date"] > first["items"][0]["date"]

    # no answer: exit 1 with or without --json (which prints null)
    assert _run("last-contact", "NOR", "BRA", "--db", db).exit_code == 1
    none = _run("last-contact", "NOR", "BRA", "--json", "--db", db)
    assert none.exit_code == 1 and json.loads(none.stdout) is None
    assert _run("last-contact", "NOR", "KEN", "--level", "emperor", "--db", db).exit_code == 2
    assert _run("last-contact", "NOR", "KEN", "--level", "Leader", "--db", db).exit_code == 0
    assert _run("timeline", "NOR", "--since", "yesterday", "--db", db).exit_code != 0


def test_record_answers_with_the_arguments_of_the_commands(record, store):
    """Record.events takes Store.events' filters and gives typed events; actors and quotes too."""
    from communique.query import Actor, Event, Quote

    typed = record.events(dyad=("NOR", "KEN"), type="consult", since=date(2024, 3, 1))
    assert all(isinstance(e, Event) for e in typed)
    assert [e.date for e in typed] == [date(2024, 3, 5), date(2024, 3, 12)]
    assert [e.id for e in typed] == [e["id"] for e in store.events(dyad=("NOR", "KEN"), type="CONSULT",
                                                                   since=date(2024, 3, 1))]
    assert [e.id for e in record.events(actor="Kariuki")] == [e["id"] for e in store.events(actor="Kariuki")]
    assert record.events(limit=1, offset=1)[0].id == record.events()[1].id
    # one EventFilter, passed whole, means what its keywords mean (an empty dyad side is no dyad)
    from communique.store.filters import EventFilter

    where = EventFilter(dyad=("NOR", "KEN"), type="consult", since=date(2024, 3, 1))
    assert where.type == "CONSULT" and where.dated_only and not where.without_dates().dated_only
    assert [e.id for e in record.events(where)] == [e.id for e in typed] == [e["id"] for e in store.events(where)]
    assert EventFilter(dyad=("NOR", ""), actor="").dyad is None and EventFilter(actor="").actor is None
    with pytest.raises(TypeError):
        record.events(where, type="ASSAULT")  # a filter and keywords: which one is meant is unclear
    call = typed[0]
    assert call.quad_code == 1 and call.quad_class == "verbal cooperation"
    assert {p.country for p in call.participants} == {"NOR", "KEN"}
    assert call.report_count == len(call.reports) == 3 and call.first_seen <= call.reports[-1].published

    actors = record.actors(country="KEN")
    assert actors and all(isinstance(a, Actor) and a.country == "KEN" for a in actors)
    assert any("Kariuki" in a.name for a in record.actors(name="kariuki"))
    quotes = record.quotes(search="coastal")
    assert len(quotes) == 2 and all(isinstance(q, Quote) and "coastal" in q.text for q in quotes)
    assert all(isinstance(q.published, date) for q in quotes)
    assert isinstance(record.last_contact("NOR", "KEN"), Event)
    with pytest.raises(ValueError, match="level"):
        record.last_contact("NOR", "KEN", level="emperor")


def test_results_become_flat_dataframes(record):
    import pandas as pd  # a test extra: the round trips must run, never skip
    frame = record.events().to_dataframe()
    assert len(frame) == 3
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert str(frame["report_count"].dtype) == "Int64" and str(frame["quad_code"].dtype) == "Int64"
    row = frame[frame["report_count"] == 3].iloc[0]
    assert isinstance(row["actor_countries"], list) and set(row["actor_countries"] + row["recipient_countries"]) == {
        "NOR", "KEN"}
    assert set(row["publishers"]) == {"Harbour Gazette", "Coast Courier", "Fjord Daily"}
    quotes = record.quotes().to_dataframe()
    assert pd.api.types.is_datetime64_any_dtype(quotes["published"]) and isinstance(quotes["via"].iloc[0], list)
    assert list(record.search("zebra").to_dataframe().columns)  # empty results keep their columns
    assert str(record.actors().to_dataframe()["mention_count"].dtype) == "Int64"
