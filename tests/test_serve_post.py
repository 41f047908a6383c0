"""POST /api/articles: only with a configured token and `Authorization: Bearer <token>`; a body over
the limit, bad JSON or an article that cannot be ingested is refused whole, and nothing is stored."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from communique.serve import create_app

pytest_plugins = ["store_db"]

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

ARTICLE = {
    "id": "post-test-1",
    "publisher": "Test Wire",
    "published": "2024-05-02",
    "headline": "Ministers talk by phone",
    "text": "Norway's foreign minister Espen Barth Eide held a phone call with Kenyan Foreign Minister "
    "Musalia Mudavadi on Wednesday, officials in Oslo said. The two ministers discussed a trade visit planned "
    "for June.",
}
SECOND = {
    "id": "post-test-2",
    "publisher": "Test Wire",
    "published": "2024-05-03",
    "headline": "Aid pledge",
    "text": "Kenya's President William Ruto thanked Norway on Thursday for a new pledge of drought aid, "
    "his spokesman said in a statement.",
}


def _articles(store) -> int:
    return store.count()["articles"]


@pytest.fixture
def no_token_client(store):
    with TestClient(create_app(store, token="")) as c:
        yield c


@pytest.fixture
def client(store, request):
    # the pipeline is loaded only by the tests that reach it
    with TestClient(
        create_app(store, token=TOKEN, max_body=4000, pipeline_factory=lambda: request.getfixturevalue("pipeline"))
    ) as c:
        yield c


def test_posting_is_off_without_a_configured_token(no_token_client, store, monkeypatch):
    monkeypatch.delenv("COMMUNIQUE_API_TOKEN", raising=False)
    got = no_token_client.post("/api/articles", json=ARTICLE, headers=AUTH)
    assert got.status_code == 405 and "COMMUNIQUE_API_TOKEN" in got.json()["detail"]
    assert got.headers["allow"] == "GET"
    assert _articles(store) == 0


def test_the_token_comes_from_the_environment(store, monkeypatch):
    monkeypatch.setenv("COMMUNIQUE_API_TOKEN", TOKEN)
    with TestClient(create_app(store)) as c:
        assert c.post("/api/articles", json=ARTICLE).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": ""}, {"Authorization": "Bearer"},
     {"Authorization": "Bearer "}, {"Authorization": "   "}, {"Authorization": "Bearer \xff\xfe".encode("latin-1")},
     {"Authorization": "x" * 5000}],
    ids=["missing", "wrong", "no-scheme", "basic", "longer", "empty", "scheme-only", "scheme-space", "blank",
         "latin-1", "huge"],
)
def test_a_missing_or_wrong_token_gets_401(client, store, headers):
    got = client.post("/api/articles", json=ARTICLE, headers=headers)
    assert got.status_code == 401 and got.headers["www-authenticate"] == "Bearer"
    assert set(got.json()) == {"detail", "errors"}
    assert _articles(store) == 0


def test_a_body_over_the_limit_gets_413(client, store):
    big = dict(ARTICLE, text=ARTICLE["text"] * 40)
    got = client.post("/api/articles", content=json.dumps(big), headers=AUTH)
    assert got.status_code == 413 and "4000 bytes" in got.json()["detail"]
    assert _articles(store) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"[1, 2]", "array"),
        (b"\xff\xfe not utf-8", "UTF-8"),
        (json.dumps(ARTICLE).encode() + b"\n{broken", "line 2: invalid JSON"),
        (json.dumps(ARTICLE).encode() + b"\n" + json.dumps({"id": "x", "text": ""}).encode(), "line 2: empty text"),
        (json.dumps({"id": "x"}).encode(), "neither 'text' nor 'html'"),
        (json.dumps(dict(ARTICLE, headline="a" * 2100)).encode(), "'headline' is longer than 2048"),
        (b"[" * 3000, "invalid JSON"),
        (b"{}\n" * 1001, "more than 1000 articles"),
        (json.dumps({"text": "Der Minister sprach am Montag lange mit seinem Amtskollegen über den Handel."}).encode(),
         "not English"),
    ],
    ids=["empty", "array", "not-utf8", "bad-json-line", "empty-text-line", "no-text", "long-headline", "deep", "many",
         "german"],
)
def test_bad_json_gets_422_with_the_reason_and_nothing_is_stored(client, store, body, reason):
    got = client.post("/api/articles", content=body, headers=AUTH)
    assert got.status_code == 422, got.text
    assert any(reason in e["msg"] for e in got.json()["errors"]) and reason in got.json()["detail"], got.json()
    assert _articles(store) == 0


def _extract_like_the_cli(obj: dict, pipeline, tmp_path):
    """What `communique ingest FILE.jsonl` would analyse for this article."""
    from communique.config import Settings
    from communique.readers import load_articles

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(obj) + "\n", encoding="utf-8")
    [extraction] = list(pipeline.process(load_articles([str(path)], Settings())))
    return extraction


def test_an_article_with_the_token_is_ingested_like_the_cli(client, store, pipeline, tmp_path):
    expected = _extract_like_the_cli(ARTICLE, pipeline, tmp_path)
    got = client.post("/api/articles", json=ARTICLE, headers=AUTH)
    assert got.status_code == 201, got.text
    [article_id] = got.json()["added"]
    stored = client.get(f"/api/articles/{article_id}").json()
    assert stored["article"]["external_id"] == "post-test-1"
    assert stored["article"]["published"] == "2024-05-02"
    assert {a["country"] for a in stored["actors"]} >= {"NOR", "KEN"}
    assert stored["article"]["text"] == expected.article.text
    assert "CONSULT" in [e["type"] for e in stored["events"]]  # the call (what the CLI gives is checked next)
    assert [(e["type"], e["evidence"]) for e in stored["events"]] == [(e.type, e.evidence) for e in expected.events]
    assert [q["text"] for q in stored["quotes"]] == [q.text for q in expected.quotes]
    again = client.post("/api/articles", json=ARTICLE, headers=AUTH)
    assert again.status_code == 200 and again.json()["already_stored"] == [article_id]
    jsonl = (json.dumps(ARTICLE) + "\n\n" + json.dumps(SECOND) + "\n").encode()
    both = client.post("/api/articles", content=jsonl, headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert both.status_code == 201 and len(both.json()["added"]) == 1 and both.json()["already_stored"] == [article_id]
    assert _articles(store) == 2


def test_a_stored_source_names_the_request_not_a_server_path(client, store):
    got = client.post("/api/articles", json=ARTICLE, headers=AUTH)
    assert got.status_code == 201, got.text
    [article_id] = got.json()["added"]
    source = client.get(f"/api/articles/{article_id}").json()["article"]["source"]
    assert re.fullmatch(r"api:\d{8}T\d{6}Z-[0-9a-f]{6}:1", source), source
    assert "/" not in source and "communique-post" not in source


def test_a_lone_surrogate_is_replaced_as_in_a_jsonl_file_not_a_server_error(client, store):
    body = json.dumps(dict(ARTICLE, id="surrogate", headline="Talks \ud800 by phone"))  # the escape, as JSON allows
    assert "\\ud800" in body
    got = client.post("/api/articles", content=body.encode(), headers=AUTH)
    assert got.status_code == 201, got.text
    [article_id] = got.json()["added"]
    assert client.get(f"/api/articles/{article_id}").json()["article"]["headline"] == "Talks \ufffd by phone"
    jsonl = json.dumps(dict(SECOND, headline="Aid \udfff pledge")) + "\n"
    got = client.post("/api/articles", content=jsonl.encode(), headers=AUTH)
    assert got.status_code == 201, got.text


def test_a_line_separator_inside_a_string_does_not_split_the_article(client, store):
    body = json.dumps(dict(ARTICLE, headline="Ministers\u2028talk"), ensure_ascii=False) + "\n"
    got = client.post("/api/articles", content=body.encode(), headers=AUTH)
    assert got.status_code == 201, got.text


def test_an_article_that_cannot_be_stored_is_a_500_without_internal_detail(store, caplog):
    from types import SimpleNamespace

    from store_fixtures import harbour_gazette

    class FakePipeline:
        def process(self, items):
            return [harbour_gazette() for _ in items]

    app = create_app(store, token=TOKEN, pipeline_factory=FakePipeline)
    secret = "/var/lib/secret/communique.db: (sqlite3.IntegrityError) INSERT INTO articles VALUES (?)"

    def failing_ingest(items, on_item=None):
        return SimpleNamespace(errors=[secret for _ in items], unwritten=0, stopped=None)

    app.state.reader.ingest = failing_ingest
    with TestClient(app) as client, caplog.at_level("ERROR", logger="communique.serve"):
        got = client.post("/api/articles", json=ARTICLE, headers=AUTH)
    assert got.status_code == 500
    body = got.json()
    assert body["not_stored"] == 1 and "could not be stored" in body["detail"] and isinstance(body["errors"], list)
    assert "secret" not in got.text and "INSERT" not in got.text and "sqlite" not in got.text
    assert secret in caplog.text  # the operator reads why in the server log


def test_readers_are_answered_while_many_posts_wait_to_be_written(store):
    """Posted articles are written one request at a time on the ingester's own thread: 60 requests
    waiting their turn hold none of the threads that answer readers (the pool has 40)."""
    import asyncio
    import threading
    import time

    import httpx

    from store_fixtures import harbour_gazette

    release = threading.Event()

    class SlowPipeline:
        def process(self, items):
            release.wait(timeout=30)  # the first request holds the writer until the readers are done
            return [harbour_gazette() for _ in items]

    app = create_app(store, token=TOKEN, pipeline_factory=SlowPipeline)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            posts = [asyncio.create_task(client.post("/api/articles", json=dict(ARTICLE, id=f"p{i}"), headers=AUTH))
                     for i in range(60)]
            await asyncio.sleep(0.5)  # every POST has been read and is waiting for the writer
            latencies = []
            try:
                for path in ["/api/articles", "/articles", "/", "/api/actors", "/search?q=talks"] * 2:
                    started = time.perf_counter()
                    got = await asyncio.wait_for(client.get(path), timeout=5)
                    latencies.append(time.perf_counter() - started)
                    assert got.status_code == 200, path
            finally:
                release.set()
            answers = await asyncio.gather(*posts)
        return latencies, answers

    latencies, answers = asyncio.run(scenario())
    print(f"reader latency during 60 waiting POSTs: max {max(latencies):.3f} s")
    assert max(latencies) < 1.0
    assert {a.status_code for a in answers} <= {200, 201}
