"""Core commands: extract, ingest, articles, show, demo."""

from __future__ import annotations

from communique.cli.app import app  # noqa: F401
