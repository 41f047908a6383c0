"""Errors as pages for people and as JSON for programs: a path under /api (and /openapi.json,
/metrics) keeps FastAPI's JSON answers; any other path gets an HTML page that says what went wrong
in one sentence, naming the allowed values of a bad parameter."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from communique.serve.pages import render

MACHINE_PATHS = ("/api/", "/openapi.json", "/metrics", "/static/")
TITLES = {404: "Page not found", 405: "Not allowed here", 422: "A parameter cannot be read"}


def for_machines(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith(MACHINE_PATHS) or "/download." in path


def _problem(error: dict) -> str:
    """One validation error as a sentence: the parameter, what is wrong, the allowed values."""
    where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "the request"
    message = error.get("msg") or "is not valid"
    allowed = (error.get("ctx") or {}).get("expected")
    return f"{where}: {message}" + (f" (allowed: {allowed})" if allowed and str(allowed) not in message else "")


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if for_machines(request):
            return await http_exception_handler(request, exc)
        if exc.status_code == 404:
            detail = f"Nothing is at {request.url.path}."
        else:
            detail = str(exc.detail)
        return render(request, "error.html", status=exc.status_code, title=TITLES.get(exc.status_code, "Something went wrong"),
                      problems=[detail])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if for_machines(request):
            return await request_validation_exception_handler(request, exc)
        return render(request, "error.html", status=422, title=TITLES[422], problems=[_problem(e) for e in exc.errors()])
