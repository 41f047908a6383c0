"""A pytest plugin: `client`, the web app over a store holding the fusion fixtures' phone calls, a
later call and a harbour report (five articles), for the tests of the served pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from communique.serve import create_app
from fusion_fixtures import call_reports, later_call
from store_fixtures import harbour_gazette


@pytest.fixture
def client(store):
    report = store.ingest(call_reports() + [later_call(), harbour_gazette()])
    assert report.errors == [] and report.added == 5
    with TestClient(create_app(store, token="")) as c:
        yield c
