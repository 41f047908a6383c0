"""`communique` commands for the actors stage (registered on communique.cli.app)."""

from __future__ import annotations

from communique.cli.app import app, eval_app, train_app  # noqa: F401
