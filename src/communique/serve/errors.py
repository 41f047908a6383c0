"""Errors: one JSON shape for programs, a page for people, and the OpenAPI description that says so.

A path under /api (and /openapi.json, /metrics, /static, downloads) answers JSON; any other path
gets an HTML page that says what went wrong in one sentence, naming the allowed values of a bad
parameter.

An error body is `{"detail": "<one line for people>", "errors": [{"loc": [...], "msg": "...",
"type": "..."}]}`: `detail` is always a string, `errors` always a list (one item per problem, `loc`
says where: `["query", "limit"]`, `["body", "line 2"]`). Nothing in it comes from inside the server:
no file path, no SQL, no traceback (an unexpected error is logged and answered "internal error").
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from communique.serve.security import SECURITY_HEADERS

log = logging.getLogger("communique.serve")

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in one line."},
        "errors": {
            "type": "array",
            "description": "One item per problem.",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
MACHINE_PATHS = ("/api/", "/openapi.json", "/metrics", "/static/")
TITLES = {404: "Page not found", 405: "Not allowed here", 422: "A parameter cannot be read"}
MAX_DETAIL = 600  # characters of `detail`; the items keep the rest


def error_body(detail: str, errors: list[dict] | None = None, type: str = "error") -> dict:
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    return {"detail": detail, "errors": errors if errors is not None else [{"loc": [], "msg": detail, "type": type}]}


def error_response(status: int, detail: str, errors: list[dict] | None = None, type: str = "error",
                   headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(detail, errors, type), status_code=status, headers=headers)


def for_machines(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith(MACHINE_PATHS) or "/download." in path


def _page(request: Request, status: int, problems: list[str]):
    from communique.serve.pages import render  # pages import the API's bounds, which import this module

    return render(request, "error.html", status=status, title=TITLES.get(status, "Something went wrong"),
                  problems=problems)


def _problem(error: dict) -> str:
    """One validation error as a sentence: the parameter, what is wrong, the allowed values."""
    where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "the request"
    message = error.get("msg") or "is not valid"
    allowed = (error.get("ctx") or {}).get("expected")
    return f"{where}: {message}" + (f" (allowed: {allowed})" if allowed and str(allowed) not in message else "")


def _where(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "header", "body", "cookie"):
        return f"{parts[0]} parameter {'.'.join(parts[1:])}" if len(parts) > 1 else parts[0]
    return ".".join(parts)


def _validation_items(exc: RequestValidationError) -> list[dict]:
    # pydantic's items also carry the input and its context: the input is left out (it may be huge)
    return [
        {"loc": list(item.get("loc") or []), "msg": str(item.get("msg") or "invalid"), "type": str(item.get("type") or "invalid")}
        for item in exc.errors()
    ]


async def _on_validation(request: Request, exc: RequestValidationError):
    if not for_machines(request):
        return _page(request, 422, [_problem(e) for e in exc.errors()])
    items = _validation_items(exc)
    detail = "; ".join(f"{_where(i['loc'])}: {i['msg']}" for i in items) or "invalid request"
    return error_response(422, detail, items)


_HTTP_TYPES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "too_large", 422: "invalid"}


async def _on_http(request: Request, exc: StarletteHTTPException):
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    if not for_machines(request):
        return _page(request, exc.status_code, [f"Nothing is at {request.url.path}." if exc.status_code == 404 else detail])
    return error_response(exc.status_code, detail, type=_HTTP_TYPES.get(exc.status_code, "error"),
                          headers=getattr(exc, "headers", None))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # answered by the outermost middleware, which the security headers' middleware does not wrap
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error: the server log has the details", type="internal",
                          headers=SECURITY_HEADERS)


def install(app: FastAPI) -> None:
    """The error handlers, and the OpenAPI document rewritten to the one error shape."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document_errors(original())
        return app.openapi_schema

    app.openapi = openapi


def document_errors(spec: dict) -> dict:
    """Every error response of `spec` in the one shape; 422 (any parameter, and the NUL check every
    route has) on every operation."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    for methods in spec.get("paths", {}).values():
        for op in methods.values():
            responses = op.setdefault("responses", {})
            responses.setdefault("422", {"description": "A parameter out of its bounds, malformed, or holding NUL"})
            responses.setdefault("414", {"description": "The URL is over 8192 characters"})
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
    return spec


__all__ = ["ERROR_SCHEMA", "error_body", "error_response", "install"]
