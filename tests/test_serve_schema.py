"""Schemathesis against /openapi.json: requests generated for every operation, fitting the schema
and not, get no server error, and every answer is one the description documents (its status code,
its content type, its body's schema: errors in the one `Error` shape), on SQLite and PostgreSQL.

Kept small (eight examples per operation and mode) so the default run stays fast. POST
/api/articles runs with no token configured, so every generated body is refused (405) without
loading the pipeline; the token paths are tested in test_serve_post.py."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from communique.serve import create_app
from fusion_fixtures import call_reports, later_call
from store_fixtures import harbour_gazette

pytest_plugins = ["store_db"]

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_requests_get_no_server_error(store):
    store.ingest(call_reports() + [later_call(), harbour_gazette()])
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store, token=""))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    statuses: Counter[int] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                      database=None)
            def run(case):
                response = case.call()
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)

            run()
    print(f"schemathesis: {sum(statuses.values())} requests to {len(operations)} operations, statuses {dict(sorted(statuses.items()))}")
    assert not any(code >= 500 for code in statuses)
