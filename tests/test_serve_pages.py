"""The analyst's pages of `communique serve` through FastAPI's test client, on SQLite and PostgreSQL:
sides typed as names, the last-contact page, the events and quotes pages with facets and downloads,
bad filters that name the allowed values, and HTML error pages off the API.

The record is the made-up Norway–Kenya calls of tests/fusion_fixtures.py (four articles on the call
of 5 March 2024, one on the call of 12 March) and the Harbour Gazette article of
tests/store_fixtures.py."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import unquote

from fastapi.testclient import TestClient

from communique.serve import counting, create_app
from fusion_fixtures import call_reports, later_call
from store_fixtures import harbour_gazette

pytest_plugins = ["store_db", "served_calls"]


def _event_links(html: str) -> set[str]:
    return {unquote(m) for m in re.findall(r'href="/event/([^"#]+)"', html)}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


# ---------------------------------------------------------------- sides by name


def test_a_side_may_be_a_country_name_or_demonym(client):
    by_code = client.get("/api/timeline/NOR/KEN").json()["items"]
    assert len(by_code) == 2
    for a, b in [("Norway", "Kenya"), ("norwegian", "Kenyan"), ("NOR", "Kenya")]:
        assert client.get(f"/api/timeline/{a}/{b}").json()["items"] == by_code
        page = client.get(f"/timeline/{a}/{b}")
        assert page.status_code == 200
        assert _event_links(page.text) == {e["id"] for e in by_code}
        assert re.search(r"<h1>Norway and Kenya</h1>", page.text)
    assert "“norwegian” is read as Norway (NOR)" in _text(client.get("/timeline/norwegian/Kenyan").text)
    listed = client.get("/api/events", params={"dyad": "NOR,KEN", "limit": 500}).json()["items"]
    assert client.get("/api/events", params={"dyad": "Norway,Kenyan", "limit": 500}).json()["items"] == listed
    assert client.get("/api/events", params={"dyad": "Marsh,Otieno", "limit": 500}).json()["items"] == listed
    kenyan = client.get("/api/events", params={"country": "Kenya", "limit": 500}).json()["items"]
    assert kenyan == client.get("/api/events", params={"country": "KEN", "limit": 500}).json()["items"] != []


def test_a_person_side_is_headed_by_the_persons_name(client):
    page = client.get("/timeline/Marsh/KEN").text
    assert "<h1>Elena Marsh and Kenya</h1>" in page
    assert len(_event_links(page)) == 2


def test_an_empty_answer_suggests_codes_and_keeps_the_spelling(client):
    page = client.get("/timeline/Norwey/KEN").text
    assert "<h1>Norwey and Kenya</h1>" in page  # as typed, not upper-cased as if it were a code
    assert 'id="no-events"' in page and 'href="/timeline/NOR/KEN"' in page
    contact = client.get("/last-contact/Norwey/KEN").text
    assert 'id="no-contact"' in contact and 'href="/last-contact/NOR/KEN"' in contact


# ---------------------------------------------------------------- last contact


def test_last_contact_page_answers_with_reports_statements_and_neighbours(client):
    page = client.get("/last-contact/Norway/Kenya", params={"before": "2024-03-10"})
    assert page.status_code == 200
    text = _text(page.text)
    assert "Last contact between Norway and Kenya before 10 March 2024" in text
    assert "5 March 2024" in text
    assert page.text.count('class="report"') == 4 and page.text.count('<mark class="evidence">') == 4
    assert "Source chain" in text and "first report" in text
    assert "4 reports in 4 articles from 4 outlets" in text or "4 reports, each from another outlet" in text
    # what each side said in the days around the call
    said = page.text[page.text.index('id="statements"'):]
    assert "fair deal for coastal towns" in said and "reopen talks on fishing rights" in said
    assert 'data-side="Norway"' in said and 'data-side="Kenya"' in said
    # no earlier contact; the later call of 12 March is linked, and it links back
    nxt = re.search(r'<a rel="next" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert 'rel="prev"' not in page.text
    later = client.get(nxt)
    assert "12 March 2024" in _text(later.text)
    back = re.search(r'<a rel="prev" href="([^"]+)"', later.text).group(1).replace("&amp;", "&")
    assert "5 March 2024" in _text(client.get(back).text)


def test_last_contact_form_and_levels(client):
    moved = client.get("/last-contact", params={"a": "Norway", "b": "Kenya", "before": "2024-03-10"}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/last-contact/Norway/Kenya?before=2024-03-10"
    assert "<form" in client.get("/last-contact").text
    bad = client.get("/last-contact/NOR/KEN", params={"level": "king"})
    assert bad.status_code == 422 and "any, minister, leader" in bad.text
    none = client.get("/last-contact/NOR/KEN", params={"before": "2024-01-01"})
    assert none.status_code == 200 and 'id="no-contact"' in none.text


def test_event_page_shows_each_participants_statements(client):
    call = next(e for e in client.get("/api/timeline/NOR/KEN").json()["items"] if e["date"] == "2024-03-05")
    page = client.get(f"/event/{call['id']}").text
    said = page[page.index('id="statements"'):]
    assert 'data-side="Daniel Otieno (Kenya)"' in said and "fair deal for coastal" in said
    assert 'data-side="Elena Marsh (Norway)"' in said and "reopen talks on fishing rights" in said
    # four reports, each its own article; "Harbour Gazette" and "The Harbour Gazette" are two names
    assert re.search(r'<dd id="reported">4 reports, each from another outlet</dd>', page)


# ---------------------------------------------------------------- events and quotes with facets


def _facet(html: str, name: str) -> dict[str, tuple[int, str]]:
    """{value: (count, href)} of one facet on a page."""
    block = re.search(rf'data-facet="{name}">(.*?)</section>', html, re.S).group(1)
    return {
        v: (int(n), href.replace("&amp;", "&"))
        for href, v, n in re.findall(r'<a href="([^"]+)"[^>]*data-value="([^"]+)">.*?</a> <span class="count">(\d+)</span>', block)
    }


def _total(html: str) -> int:
    return int(re.search(r'id="total">(\d+) ', html).group(1))


def test_event_facets_count_what_the_api_returns(client):
    page = client.get("/events").text
    every = client.get("/api/events", params={"limit": 500}).json()["items"]
    assert _total(page) == len(every)
    types = _facet(page, "type")
    assert types and sum(n for n, _ in types.values()) == len(every)
    for value, (n, href) in types.items():
        assert len(client.get("/api/events", params={"type": value, "limit": 500}).json()["items"]) == n
        assert _total(client.get(href).text) == n  # the link narrows the list to what it counted
    for value, (n, href) in _facet(page, "country").items():
        assert len(client.get("/api/events", params={"country": value, "limit": 500}).json()["items"]) == n
    outlets = _facet(page, "outlet")
    assert outlets["Fjord Daily"][0] == 1
    narrowed = client.get(outlets["Fjord Daily"][1]).text
    assert _total(narrowed) == 1 and 'aria-current="true"' in narrowed
    precision = _facet(page, "precision")
    assert set(precision) <= {"day", "week", "month", "year", "publication", "unknown"}


def test_kept_facets_follow_a_change_of_the_record(store, monkeypatch):
    from communique.serve import cache

    monkeypatch.setattr(cache, "KEEP_FROM", 0)  # keep every answer, as a large store's would be
    store.ingest(call_reports())
    with TestClient(create_app(store, token="")) as c:
        before = _facet(c.get("/events").text, "outlet")
        assert _facet(c.get("/events").text, "outlet") == before  # the kept answer
        store.ingest([later_call(), harbour_gazette()])
        after = _facet(c.get("/events").text, "outlet")
    assert after != before and after["Harbour Gazette"][0] == before["Harbour Gazette"][0] + 1


def test_filters_live_in_the_url_and_downloads_follow_them(client):
    page = client.get("/events", params={"type": "consult", "country": "Kenya"}).text
    n = _total(page)
    assert n == len(client.get("/api/events", params={"type": "CONSULT", "country": "KEN", "limit": 500}).json()["items"])
    links = dict(re.findall(r'<a href="(/events/download\.(\w+)[^"]*)"', page)[i][::-1] for i in range(3))
    assert set(links) == {"csv", "jsonl", "plover"}
    rows = list(csv.DictReader(io.StringIO(client.get(links["csv"].replace("&amp;", "&")).text)))
    assert len(rows) == n and {r["type"] for r in rows} == {"CONSULT"}
    lines = client.get(links["jsonl"].replace("&amp;", "&")).text.splitlines()
    assert len(lines) == n and all(json.loads(line)["type"] == "CONSULT" for line in lines)
    plover = client.get(links["plover"].replace("&amp;", "&"))
    assert plover.status_code == 200 and "attachment" in plover.headers["content-disposition"]
    assert client.get("/events/download.xml").status_code == 404


def test_quotes_page_with_facets_and_download(client):
    page = client.get("/quotes").text
    speakers = _facet(page, "speaker")
    assert speakers["Daniel Otieno"][0] == len(client.get("/api/quotes", params={"speaker": "Otieno"}).json()["items"])
    kenyan = client.get("/quotes", params={"country": "Kenya"}).text
    assert _total(kenyan) == speakers["Daniel Otieno"][0] and "Elena Marsh" not in _text(kenyan).split("Quotes", 2)[-1]
    data = client.get("/quotes/download.jsonl", params={"country": "KEN"}).text.splitlines()
    assert len(data) == _total(kenyan)


def test_a_bad_filter_names_the_allowed_values(client):
    for url in ("/events?type=FOO", "/timeline/NOR/KEN?type=FOO"):
        got = client.get(url)
        assert got.status_code == 422 and "FOO" in got.text and "CONSULT" in got.text and "ASSAULT" in got.text
    for url in ("/api/events?type=FOO", "/api/timeline/NOR/KEN?type=foo"):
        got = client.get(url)
        assert got.status_code == 422 and "CONSULT" in got.json()["detail"]
    assert client.get("/api/events", params={"type": "consult"}).json()["items"]
    got = client.get("/events", params={"precision": "hour"})
    assert got.status_code == 422 and "day, week, month, year, publication, unknown" in got.text
    got = client.get("/quotes", params={"since": "last tuesday"})
    assert got.status_code == 422 and "YYYY-MM-DD" in got.text


# ---------------------------------------------------------------- errors, favicon, claims


def test_errors_are_pages_off_the_api_and_json_on_it(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html") and "<h1>" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["detail"] == "Not Found" and api.json()["errors"]  # the one error shape
    bad = client.get("/articles", params={"offset": -1})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html") and "offset" in bad.text
    assert client.get("/api/articles", params={"offset": -1}).headers["content-type"] == "application/json"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")


def test_claims_check_is_a_page(client):
    article_id = client.get("/api/articles").json()["items"][0]["id"]
    article = client.get(f"/article/{article_id}").text
    assert f'href="/claims/{article_id}"' in article
    page = client.get(f"/claims/{article_id}")
    assert page.status_code == 200 and "Claims checked" in page.text
    missing = client.get("/claims/no-such-article")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- counting


def test_reports_articles_and_outlets_are_counted_apart():
    one_article = {"reports": [{"article_id": "x", "publisher": "Wire"}] * 4}
    assert counting.tally(one_article) == counting.Tally(4, 1, 1)
    assert counting.tally_text(counting.tally(one_article)) == "4 reports in 1 article from 1 outlet"
    two_outlets = {"reports": [{"article_id": "x", "publisher": "Wire"}, {"article_id": "y", "publisher": "Wire"},
                               {"article_id": "z", "publisher": None}]}
    assert counting.tally(two_outlets) == counting.Tally(3, 3, 2)
    assert counting.tally_text(counting.tally(two_outlets)) == "3 reports from 2 outlets"
