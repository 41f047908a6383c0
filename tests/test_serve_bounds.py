"""Bounded inputs on every route, pages and API alike: each parameter gets values past its bounds,
of the wrong kind, huge or odd, and the answer is a 4xx in the one error shape, never a 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from communique.serve import create_app
from communique.serve.api import MAX_LIMIT, MAX_OFFSET
from fusion_fixtures import call_reports, later_call

pytest_plugins = ["store_db"]

HOSTILE_VALUES = ["-1", "1e20", "100000000000000000000", str(2**63), str(-(2**63)), "abc", "", " ", "0x10",
                  "x" * 5000, "%ud800", "\udcff", "1;DROP TABLE articles", "../../etc/passwd", "2024-13-45"]
OUT_OF_RANGE = ["-1", str(MAX_OFFSET + 1), "100000000000000000000", str(2**63), "1e3", "abc"]


@pytest.fixture
def client(store):
    store.ingest(call_reports() + [later_call()])
    with TestClient(create_app(store, token=""), raise_server_exceptions=False) as c:
        yield c


def _routes(app) -> list[APIRoute]:
    """The GET routes of the API and the pages (the app lists its included routers, not their routes)."""
    from communique.serve import api, pages

    return [r for router in (api.router, pages.router) for r in router.routes
            if isinstance(r, APIRoute) and "GET" in r.methods]


def _fill(path: str, value: str = "NOR") -> str:
    return re.sub(r"\{[^}]+\}", quote(value, safe=""), path)


def test_no_parameter_value_gets_a_server_error_on_any_route(client):
    tried, codes = 0, set()
    for route in _routes(client.app):
        queries = [p.alias for p in route.dependant.query_params]
        for value in HOSTILE_VALUES:
            safe_value = value.encode("utf-8", "replace").decode("utf-8")
            answers = [client.get(_fill(route.path, safe_value))] if "{" in route.path else []
            answers += [client.get(_fill(route.path), params={name: safe_value}) for name in queries]
            for got in answers:
                tried += 1
                codes.add(got.status_code)
                assert got.status_code < 500, (route.path, value[:40], got.status_code, got.text[:200])
                if got.status_code >= 400 and got.headers["content-type"].startswith("application/json"):
                    assert set(got.json()) >= {"detail", "errors"} and isinstance(got.json()["detail"], str)
    print(f"bounds: {tried} requests to {len(_routes(client.app))} GET routes, statuses {sorted(codes)}")
    assert 422 in codes


@pytest.mark.parametrize("path", ["/articles", "/actors", "/api/articles", "/api/actors", "/api/quotes", "/api/events",
                                  "/api/search?q=call"])
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_an_offset_past_its_bound_is_422_on_pages_and_api(client, path, value):
    path, _, query = path.partition("?")
    given = dict([query.split("=")]) if query else {}
    got = client.get(path, params={**given, "offset": value})
    assert got.status_code == 422, (path, value, got.status_code)
    if path.startswith("/api/"):
        assert "offset" in got.json()["detail"]
    else:  # a page for people: an HTML page naming the parameter
        assert got.headers["content-type"].startswith("text/html") and "offset" in got.text
    assert client.get(path, params={**given, "offset": str(MAX_OFFSET)}).status_code == 200


@pytest.mark.parametrize("path", ["/api/articles", "/api/actors", "/api/events", "/timeline/NOR/KEN", "/api/timeline/NOR/KEN"])
def test_a_page_size_past_its_bound_is_422(client, path):
    assert client.get(path, params={"limit": str(10**6)}).status_code == 422
    assert client.get(path, params={"limit": "0"}).status_code == 422
    assert client.get(path, params={"limit": str(min(MAX_LIMIT, 500))}).status_code == 200


def test_a_url_over_its_bound_is_refused_whole(client):
    got = client.get("/search", params={"q": "x" * 9000})
    assert got.status_code == 414 and "8192" in got.json()["detail"]
    assert client.get("/article/" + "a" * 300).status_code == 422
