"""Event and quote fusion in the store, on SQLite and PostgreSQL (no spaCy: extractions are built
by hand in tests/fusion_fixtures.py)."""

from __future__ import annotations

from datetime import date


from communique.models import Event
from communique.query import Record
from communique.store import fusion
from fusion_fixtures import MARSH, NORWAY_GOV, OTIENO, SOUZA, call_reports, later_call, report

pytest_plugins = ["store_db"]  # the `store` fixture, on each backend


def fused(store) -> list[dict]:
    with store.engine.connect() as conn:
        from communique.query.export import iter_events

        return list(iter_events(conn))


def groups(store) -> list[set[str]]:
    """Each fused event as the set of publishers reporting it."""
    return sorted(({r["publisher"] for r in e["reports"]} for e in fused(store)), key=sorted)


# ---------------------------------------------------------------- pure rules


def test_report_windows_follow_the_precision():
    assert fusion.report_window("2024-03-05", "day", None) == (date(2024, 3, 5), date(2024, 3, 5))
    assert fusion.report_window("2024-03-04", "week", None) == (date(2024, 3, 4), date(2024, 3, 10))
    assert fusion.report_window("2024-02-01", "month", None) == (date(2024, 2, 1), date(2024, 2, 29))
    assert fusion.report_window("2024-01-01", "year", None) == (date(2024, 1, 1), date(2024, 12, 31))
    assert fusion.report_window("2024-03-07", "publication", None) == (date(2024, 3, 4), date(2024, 3, 7))
    assert fusion.report_window(None, "unknown", date(2024, 3, 7)) == (date(2024, 3, 4), date(2024, 3, 7))
    assert fusion.report_window(None, "unknown", None) is None
    assert fusion.report_window("garbage", "day", None) is None


def test_role_levels_come_from_the_data_file():
    assert fusion.role_level("foreign minister") == fusion.LEVEL_MINISTER
    assert fusion.role_level("prime minister") & fusion.LEVEL_LEADER
    assert fusion.role_level("president") == fusion.LEVEL_LEADER
    assert fusion.role_level("opposition leader") == 0
    assert fusion.role_level("spokeswoman") == 0
    assert fusion.role_level(None) == 0


def test_quote_similarity():
    assert fusion.quote_similarity("We want a fair deal,", "we want a FAIR deal!") == 100
    assert fusion.quote_similarity("We want a fair deal for coastal towns", "We want a fair deal for all towns") >= 80
    assert fusion.quote_similarity("We want a fair deal", "Talks have collapsed") < 60
    assert fusion.quote_similarity("", "anything") == 0


# ---------------------------------------------------------------- fusion in the store


def test_three_outlets_on_one_call_make_one_event_with_three_reports(store):
    report_ = store.ingest(call_reports())
    assert report_.errors == [] and report_.added == 3
    [event] = fused(store)
    assert event["type"] == "CONSULT" and event["report_count"] == 3
    assert {r["publisher"] for r in event["reports"]} == {"Harbour Gazette", "Coast Courier", "Fjord Daily"}
    # the most precise date wins; each report keeps its own
    assert (event["date"], event["date_precision"]) == ("2024-03-05", "day")
    assert {(r["date"], r["date_precision"]) for r in event["reports"]} == {
        ("2024-03-05", "day"),
        ("2024-03-04", "week"),
        ("2024-03-07", "publication"),
    }
    assert sorted(p["country"] for p in event["participants"]) == ["KEN", "NOR"]
    counts = store.count()
    assert counts["events"] == 1 and counts["event_reports"] == 3 and counts["event_participants"] == 2


def test_merge_reasons_explain_each_report(store):
    store.ingest(call_reports())
    with Record(store) as record:
        [event] = record.timeline("NOR", "KEN")
        detail = record.event(event["id"])
    reasons = [r["merge_reason"] for r in detail["reports"]]
    assert sum(reason.startswith("first report") for reason in reasons) == 1
    joined = [reason for reason in reasons if not reason.startswith("first report")]
    assert len(joined) == 2
    for reason in joined:
        assert "same type CONSULT" in reason and "overlap" in reason
        assert "Elena Marsh" in reason and "Daniel Otieno" in reason
        assert "2024-03-05 (day)" in reason


def test_two_calls_a_week_apart_stay_two_events(store):
    store.ingest(call_reports() + [later_call()])
    events = fused(store)
    assert [(e["date"], e["report_count"]) for e in events] == [("2024-03-05", 3), ("2024-03-12", 1)]


def test_two_different_days_never_fuse(store):
    one = report("Marsh called Otieno on Monday about fish.", "A Wire", "2024-03-06", MARSH, OTIENO, "2024-03-04")
    two = report("Marsh called Otieno on Tuesday about fish.", "B Wire", "2024-03-06", MARSH, OTIENO, "2024-03-05")
    store.ingest([one, two])
    assert groups(store) == [{"A Wire"}, {"B Wire"}]


def test_conflicting_details_are_kept_and_shown(store):
    phone = report("Marsh and Otieno talked on Tuesday.", "A Wire", "2024-03-06", MARSH, OTIENO, "2024-03-05", mode="phone")
    meeting = report(
        "Marsh and Otieno met, the ministry said.", "B Wire", "2024-03-07", OTIENO, MARSH, "2024-03-07",
        "publication", mode="meet",
    )
    store.ingest([meeting, phone])
    [event] = fused(store)
    assert (event["date"], event["date_precision"], event["mode"]) == ("2024-03-05", "day", "phone")
    conflicts = {c["field"]: c for c in event["conflicts"]}
    assert set(conflicts) == {"date", "mode"}
    assert {v["value"] for v in conflicts["date"]["values"]} == {"2024-03-05 (day)", "2024-03-07 (publication)"}
    assert conflicts["date"]["kept"] == "2024-03-05 (day)"
    assert {v["value"] for v in conflicts["mode"]["values"]} == {"phone", "meet"}


def test_a_day_within_a_reported_month_is_no_conflict(store):
    day = report("Marsh and Otieno talked on 5 March.", "A Wire", "2024-03-06", MARSH, OTIENO, "2024-03-05")
    month = report("Marsh and Otieno talked in March.", "B Wire", "2024-03-30", MARSH, OTIENO, "2024-03-01", "month")
    store.ingest([month, day])
    [event] = fused(store)
    assert event["report_count"] == 2 and event["conflicts"] == []
    assert (event["date"], event["date_precision"]) == ("2024-03-05", "day")


def test_other_types_statuses_and_people_do_not_fuse(store):
    base = dict(published="2024-03-06", actor=MARSH, recipient=OTIENO, date="2024-03-05")
    store.ingest(
        [
            report("Marsh phoned Otieno on Tuesday.", "A Wire", **base),
            report("Marsh criticised Otieno on Tuesday.", "B Wire", type="DISAPPROVE", mode=None, **base),
            report("Marsh will phone Otieno on Tuesday.", "C Wire", status="planned", **base),
            report("Marsh phoned Souza on Tuesday.", "D Wire", "2024-03-06", MARSH, SOUZA, "2024-03-05"),
        ]
    )
    assert groups(store) == [{"A Wire"}, {"B Wire"}, {"C Wire"}, {"D Wire"}]


def test_a_government_stands_for_its_country(store):
    minister = report("Marsh phoned Otieno on Tuesday.", "A Wire", "2024-03-06", MARSH, OTIENO, "2024-03-05")
    government = report(
        "The Norwegian government held a call with Daniel Otieno on Tuesday.", "B Wire", "2024-03-06",
        NORWAY_GOV, OTIENO, "2024-03-05",
    )
    store.ingest([minister, government])
    [event] = fused(store)
    assert event["report_count"] == 2
    assert any("Norwegian government~Elena Marsh (NOR)" in r["merge_reason"] for r in event["reports"])


def test_two_sentences_of_one_article_about_one_event_fuse(store):
    text = "Marsh phoned Otieno on Tuesday. The call between Marsh and Otieno lasted an hour."
    second = Event(
        id="e2", type="CONSULT", mode="phone", actors=["a0"], recipients=["a1"], date="2024-03-06",
        date_precision="publication", evidence="The call between Marsh and Otieno lasted an hour.",
        evidence_span=(32, 81),
    )
    item = report(text, "A Wire", "2024-03-06", MARSH, OTIENO, "2024-03-05", extra_events=[second])
    store.ingest([item])
    [event] = fused(store)
    assert event["report_count"] == 2 and {r["article_id"] for r in event["reports"]} == {event["reports"][0]["article_id"]}


def test_grouping_does_not_depend_on_ingest_order(store, tmp_path):
    from communique.store import Store

    items = call_reports() + [later_call()]
    store.ingest(items)
    forward = groups(store)
    with Store(f"sqlite:///{tmp_path / 'reverse.db'}") as other:
        other.migrate()
        other.ingest(list(reversed(items)))
        assert groups(other) == forward


def test_ingesting_again_changes_no_fused_event(store):
    store.ingest(call_reports())
    before = fused(store)
    store.ingest(call_reports())
    assert fused(store) == before


def test_undated_reports_are_not_fused(store):
    one = report("Marsh phoned Otieno.", "A Wire", None, MARSH, OTIENO, None, "unknown")
    two = report("Otieno phoned Marsh.", "B Wire", None, OTIENO, MARSH, None, "unknown")
    store.ingest([one, two])
    assert len(fused(store)) == 2
    assert all("not fused" in e["reports"][0]["merge_reason"] for e in fused(store))


# ---------------------------------------------------------------- quotes


def test_the_same_words_by_the_same_speaker_are_one_quote(store):
    store.ingest(call_reports())
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from communique.store.schema import quotes

        rows = conn.execute(select(quotes.c.id, quotes.c.group_id, quotes.c.group_reason)).all()
    assert len(rows) == 2
    assert len({r.group_id for r in rows}) == 1
    reasons = sorted(r.group_reason for r in rows)
    assert reasons[0] == "first report" and "similar to quote" in reasons[1]


def test_different_speakers_or_words_stay_apart(store):
    one = report('Marsh called Otieno. "The sea is ours," Otieno said.', "A Wire", "2024-03-06", MARSH, OTIENO,
                 "2024-03-05", quote=("The sea is ours,", OTIENO))
    two = report('Marsh called Otieno. "The sea is ours," Marsh said.', "B Wire", "2024-03-06", MARSH, OTIENO,
                 "2024-03-05", quote=("The sea is ours,", MARSH))
    three = report('Marsh called Otieno. "Nothing is agreed," Otieno said.', "C Wire", "2024-03-06", MARSH, OTIENO,
                   "2024-03-05", quote=("Nothing is agreed,", OTIENO))
    store.ingest([one, two, three])
    with store.engine.connect() as conn:
        from sqlalchemy import func, select

        from communique.store.schema import quotes

        assert conn.execute(select(func.count(func.distinct(quotes.c.group_id)))).scalar() == 3


def test_malformed_event_fields_do_not_break_fusion(store):
    odd = report("Marsh phoned Otieno.", "A Wire", "not a date", MARSH, OTIENO, "31/02/2024", "day")
    odd.events[0].actors = ["a0", "a0", "nobody-known"]
    odd.events[0].recipients = []
    weird = report("Marsh phoned Otieno on Tuesday.", "B Wire", "2024-03-06", MARSH, OTIENO, "2024-13-45", "week")
    result = store.ingest([odd, weird])
    assert result.errors == [] and result.added == 2
    assert store.count()["event_reports"] == 2
