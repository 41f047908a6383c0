"""The actor knowledge base (placeholder until the actor issue lands)."""

from __future__ import annotations

from pathlib import Path


class KnowledgeBase:
    pass


def load_kb(extra_paths: list[Path] | None = None) -> KnowledgeBase:
    return KnowledgeBase()
