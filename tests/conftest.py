"""Shared fixtures: the spaCy pipeline (loaded once), the full communique pipeline, ../shared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "README.md").exists():
        pytest.skip(f"../shared is absent ({SHARED}); tests on the seed and the corpora are skipped")
    return SHARED


@pytest.fixture(scope="session")
def pipeline():
    from communique.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def nlp(pipeline):
    return pipeline.nlp


@pytest.fixture
def extract_text(pipeline):
    """Run the whole pipeline on a text written in a test; returns the Extraction."""
    from communique.cleaning import clean
    from communique.models import Article

    def run(text: str, published: date | None = date(2024, 3, 6)):
        article = clean(Article(text=text, source="<test>", published=published))
        return next(pipeline.run_stages([article]))  # the stages alone: odd test texts are not rejected

    return run
