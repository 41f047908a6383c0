"""Honest dates and counts on `communique serve`'s pages: precision in search answers, timeline marks
that show how vague a date is without stretching the axis, dot sizes by distinct outlets, counts by
month with a table behind the chart, the record's totals on the start page.

The record is the made-up Norway–Kenya calls of tests/fusion_fixtures.py; the chart tests use
event dicts written here."""

from __future__ import annotations

import re


from communique.serve import charts

pytest_plugins = ["store_db", "served_calls"]


def _event(ident: str, day: str, precision: str, outlets: list[str | None]) -> dict:
    return {
        "id": ident, "type": "CONSULT", "date": day, "date_precision": precision, "participants": [],
        "reports": [{"article_id": f"{ident}-{i}", "publisher": p} for i, p in enumerate(outlets)],
        "report_count": len(outlets),
    }


def test_one_year_only_event_does_not_stretch_the_axis():
    events = [
        _event("a", "2024-03-05", "day", ["Wire", "Wire", "Wire", "Wire"]),
        _event("b", "2024-03-20", "publication", ["Daily", "Courier"]),
        _event("c", "2010-01-01", "year", ["Wire"]),
        _event("d", "2024-03-01", "month", ["Wire"]),
    ]
    chart = charts.timeline_chart(events)
    ticks = [t["label"] for t in chart["ticks"]]
    assert ticks and all(re.fullmatch(r"\d+ (Feb|Mar)", t) for t in ticks)  # days of March 2024, not 14 years
    marks = {d["id"]: d for d in chart["dots"]}
    assert marks["a"]["shape"] == "dot" and not marks["a"]["hollow"]
    assert marks["b"]["shape"] == "dot" and marks["b"]["hollow"] and "the day it was reported" in marks["b"]["title"]
    assert marks["c"]["shape"] == "span" and marks["c"]["clipped"]  # drawn at the axis's start, marked as cut
    assert marks["d"]["shape"] == "span" and marks["d"]["width"] > 100  # the whole of March
    # four sentences of one outlet are one outlet: the smallest dot; two outlets a bigger one
    assert marks["a"]["r"] < marks["b"]["r"]
    assert "4 reports from 1 outlet" in marks["a"]["title"]


def test_timeline_page_draws_precision(client):
    page = client.get("/timeline/NOR/KEN").text
    precisions = set(re.findall(r'data-precision="(\w+)"', page))
    assert precisions and precisions <= {"day", "week", "month", "year", "publication"}


def test_search_answers_carry_the_dates_precision(client):
    hits = client.get("/api/search", params={"q": "quotas"}).json()["items"]
    [evidence] = [h for h in hits if h["kind"] == "event"]
    assert evidence["date"] == "2024-03-07" and evidence["date_precision"] == "publication"
    page = client.get("/search", params={"q": "quotas"}).text
    assert "reported 7 March 2024" in page
    week = [h for h in client.get("/api/search", params={"q": "fisheries"}).json()["items"] if h["kind"] == "event"]
    assert week and week[0]["date_precision"] == "week"


def test_counts_by_month_match_the_events(client):
    dated = [e for e in client.get("/api/events", params={"dyad": "NOR,KEN", "limit": 500}).json()["items"] if e["date"]]
    page = client.get("/counts/Norway/Kenya")
    assert page.status_code == 200 and 'id="counts-chart"' in page.text and "<title>" in page.text
    table = page.text[page.text.index('id="counts-table"'):]
    rows = re.findall(r'<tr><td class="nowrap">([^<]+)</td>.*?<td class="n">(\d+)</td></tr>', table)
    assert sum(int(n) for _, n in rows) == len(dated)
    assert dict(rows).get("Mar 2024") == str(sum(e["date"].startswith("2024-03") for e in dated))
    everything = client.get("/counts").text
    assert 'id="counts-table"' in everything
    assert client.get("/counts/Marsh/KEN").status_code == 422


def test_start_page_shows_the_records_totals(client):
    page = client.get("/").text
    totals = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong>([a-z ]+)</div>", page))
    assert totals["events"] == len(client.get("/api/events", params={"limit": 500}).json()["items"])
    assert totals["articles"] == 5 and totals["outlets"] == 4  # four names, one of them twice
