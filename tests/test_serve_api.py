"""`communique serve`'s JSON API and pages through FastAPI's test client, on SQLite and PostgreSQL.

The record is the made-up Norway–Kenya calls of tests/fusion_fixtures.py (three outlets on one call,
a later call) and the articles of tests/store_fixtures.py (no spaCy needed)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from communique.query import Record
from communique.query.records import jsonable
from communique.serve import create_app
from fusion_fixtures import call_reports, later_call
from store_fixtures import harbour_gazette

pytest_plugins = ["store_db"]


@pytest.fixture
def stored(store):
    report = store.ingest(call_reports() + [later_call(), harbour_gazette()])
    assert report.errors == [] and report.added == 5
    return store


@pytest.fixture
def client(stored):
    with TestClient(create_app(stored, token="")) as c:
        yield c


def _call(client) -> dict:
    """The fused call of 5 March that four articles reported."""
    events = client.get("/api/timeline/NOR/KEN").json()["items"]
    return next(e for e in events if e["date"] == "2024-03-05")


def test_articles_are_paged_newest_first(client):
    first = client.get("/api/articles", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next"] == "2"
    published = [a["published"] for a in first["items"]]
    assert published == sorted(published, reverse=True)
    rest = client.get("/api/articles", params={"limit": 10, "offset": 2}).json()
    assert len(rest["items"]) == 3 and rest["next"] is None
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in rest["items"]}
    assert client.get("/api/articles", params={"limit": 0}).status_code == 422


def test_one_article_is_the_extract_contract_like_show_json(client, stored):
    some = client.get("/api/articles").json()["items"][0]
    got = client.get(f"/api/articles/{some['id']}")
    assert got.status_code == 200
    body = got.json()
    assert set(body) == {"article", "actors", "quotes", "events"}
    assert body == stored.article(some["id"])  # what `communique show ID --json` prints
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_actors_filter_by_country_and_name_and_show_one_actor(client):
    norwegians = client.get("/api/actors", params={"country": "nor"}).json()["items"]
    assert norwegians and {a["country"] for a in norwegians} == {"NOR"}
    [marsh] = client.get("/api/actors", params={"q": "Marsh"}).json()["items"]
    detail = client.get(f"/api/actors/{marsh['id']}").json()
    assert detail["actor"]["name"] == "Elena Marsh"
    assert {m["article_id"] for m in detail["mentions"]} and all(m["spans"] for m in detail["mentions"])
    assert {q["text"] for q in detail["quotes"]} == {"both sides had agreed to reopen talks on fishing rights"}
    assert len(detail["events"]) >= 2 and all(e["type"] == "CONSULT" for e in detail["events"])
    assert detail["events"][0]["date"] >= detail["events"][-1]["date"]  # newest first
    otieno = next(c for c in detail["contacts"] if c["name"] == "Daniel Otieno")
    assert otieno["events"] >= 2 and otieno["country"] == "KEN"
    assert client.get("/api/actors/nobody").status_code == 404


def test_quotes_by_speaker_intermediary_and_words(client):
    by_speaker = client.get("/api/quotes", params={"speaker": "Otieno"}).json()["items"]
    assert by_speaker and all(q["speaker_name"] == "Daniel Otieno" for q in by_speaker)
    [via] = client.get("/api/quotes", params={"via": "ministry"}).json()["items"]
    assert via["speaker_name"] == "Elena Marsh"
    worded = client.get("/api/quotes", params={"q": "coastal towns"}).json()["items"]
    assert len(worded) == 2
    paged = client.get("/api/quotes", params={"limit": 1}).json()
    assert len(paged["items"]) == 1 and paged["next"] == "1"


def test_events_by_dyad_type_and_dates(client):
    found = client.get("/api/events", params={"dyad": "NOR,KEN", "type": "consult"}).json()["items"]
    assert [e["date"] for e in found] == ["2024-03-05", "2024-03-12"]
    assert [len(e["reports"]) for e in found] == [4, 1]
    later = client.get("/api/events", params={"dyad": "NOR,KEN", "since": "2024-03-10"}).json()["items"]
    assert [e["date"] for e in later] == ["2024-03-12"]
    assert client.get("/api/events", params={"dyad": "NOR,BRA"}).json()["items"] == []
    bad = client.get("/api/events", params={"dyad": "NOR"})
    assert bad.status_code == 422 and "comma" in bad.json()["detail"]
    assert client.get("/api/events", params={"since": "yesterday"}).status_code == 422


def test_timeline_is_the_records_timeline_and_pages_back(client, stored):
    body = client.get("/api/timeline/NOR/KEN").json()
    with Record(stored) as record:
        assert body["items"] == jsonable(record.timeline("NOR", "KEN", limit=100))
    assert [e["date"] for e in body["items"]] == ["2024-03-05", "2024-03-12"]
    assert body["next"] is None
    latest = client.get("/api/timeline/KEN/NOR", params={"limit": 1}).json()
    assert [e["date"] for e in latest["items"]] == ["2024-03-12"] and latest["next"]
    older = client.get("/api/timeline/KEN/NOR", params={"limit": 1, "before": latest["next"]}).json()
    assert [e["date"] for e in older["items"]] == ["2024-03-05"]
    by_date = client.get("/api/timeline/KEN/NOR", params={"before": "2024-03-10"}).json()
    assert [e["date"] for e in by_date["items"]] == ["2024-03-05"]


def test_last_contact_before_a_date_and_level(client):
    last = client.get("/api/last-contact/NOR/KEN", params={"before": "2024-03-10"}).json()["last_contact"]
    assert last["date"] == "2024-03-05"
    minister = client.get("/api/last-contact/NOR/KEN", params={"level": "minister"}).json()["last_contact"]
    assert minister["date"] == "2024-03-12"
    none = client.get("/api/last-contact/NOR/KEN", params={"before": "2024-01-01"})
    assert none.status_code == 200 and none.json() == {"last_contact": None, "undated_contacts": 0}
    assert client.get("/api/last-contact/NOR/KEN", params={"level": "king"}).status_code == 422


def test_one_event_with_its_reports_and_merge_reasons(client):
    call = _call(client)
    detail = client.get(f"/api/events/{call['id']}").json()
    assert len(detail["reports"]) == 4
    assert {r["publisher"] for r in detail["reports"]} == {
        "Harbour Gazette", "Coast Courier", "Fjord Daily", "The Harbour Gazette"
    }
    reasons = [r["merge_reason"] for r in detail["reports"]]
    assert sum(reason == "first report" for reason in reasons) == 1 and all(reasons)
    by_report = client.get(f"/api/events/{detail['reports'][1]['id']}").json()
    assert by_report["id"] == call["id"]
    assert client.get("/api/events/no-such-event").status_code == 404


def test_search_and_check_claims(client):
    hits = client.get("/api/search", params={"q": "fishing"}).json()["items"]
    assert {h["kind"] for h in hits} == {"quote", "event"}
    assert client.get("/api/search").status_code == 422
    article_id = client.get("/api/articles").json()["items"][0]["id"]
    claims = client.get(f"/api/check-claims/{article_id}")
    assert claims.status_code == 200 and claims.json() == {"claims": []}
    assert client.get("/api/check-claims/unknown-article").status_code == 404


def test_a_nul_character_is_refused_in_one_line(client):
    got = client.get("/api/quotes", params={"speaker": "a\x00b"})
    assert got.status_code == 422 and "NUL" in got.json()["detail"]


def test_openapi_and_docs_are_served(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/timeline/{a}/{b}", "/api/last-contact/{a}/{b}", "/api/articles", "/api/search"} <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/articles"]
    assert client.get("/docs").status_code == 200


# ---------------------------------------------------------------- pages


def test_pages_show_names_dates_and_links(client):
    home = client.get("/").text
    assert "Norway and Kenya" in home or "Kenya and Norway" in home
    timeline = client.get("/timeline/NOR/KEN").text
    call = _call(client)
    assert "<svg" in timeline and f'/event/{call["id"].replace(":", "%3A")}' in timeline
    assert "5 March 2024" in timeline and "Talks or meeting" in timeline
    event = client.get(f"/event/{call['id']}").text
    assert event.count('class="report"') == 4 and event.count('<mark class="evidence">') == 4
    assert "Fjord Daily" in event and "first report" in event
    article_id = call["reports"][0]["article_id"]
    article = client.get(f"/article/{article_id}").text
    assert 'class="actor"' in article and 'class="event"' in article and "/actor/" in article
    marsh = client.get("/api/actors", params={"q": "Marsh"}).json()["items"][0]
    actor = client.get(f"/actor/{marsh['id']}").text
    assert "Daniel Otieno" in actor and "<svg" in actor and "Norway" in actor
    found = client.get("/search", params={"q": "coastal"}).text
    assert "coastal" in found and "Quote" in found
    assert client.get("/timeline", params={"a": "NOR", "b": "KEN"}, follow_redirects=False).status_code == 303


def test_pages_say_what_to_do_when_there_is_nothing(store):
    with TestClient(create_app(store, token="")) as empty:
        assert "communique demo" in empty.get("/").text
        assert "No events between" in empty.get("/timeline/NOR/KEN").text
        assert "Nothing in the record" in empty.get("/search", params={"q": "x"}).text
        missing = empty.get("/event/nothing")
        assert missing.status_code == 404 and "Open a timeline" in missing.text


def test_the_api_pages_events_as_the_command_line_prints_them(client, store):
    """GET /api/events and `communique events --json` give the same items and the same `next`, page
    after page, for the same filter."""
    from typer.testing import CliRunner

    from communique.cli import app

    path = store.url.split("///", 1)[1] if store.url.startswith("sqlite") else store.url
    offset, pages = 0, 0
    while True:
        api = client.get("/api/events", params={"limit": 1, "offset": offset}).json()
        cli = CliRunner().invoke(app, ["events", "--limit", "1", "--offset", str(offset), "--json", "--db", path])
        assert cli.exit_code == 0, cli.output
        printed = json.loads(cli.stdout)
        assert api["items"] == printed["items"] and api["next"] == printed["next"]
        pages += 1
        if api["next"] is None:
            break
        offset = int(api["next"])
    assert pages >= 2
