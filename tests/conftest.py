"""Shared fixtures: the spaCy pipeline (loaded once), the full communique pipeline, ../shared.

Tests write only under temporary folders: before any test runs, HOME and the XDG folders point into
a folder of this run (so the default database, Ray's token, Playwright's and any other cache land
there, never in the user's home), and hypothesis keeps its example database there too instead of
`.hypothesis/` in the checkout. The folder is removed at the end of the run.

The summary lists skipped tests by reason, one line per reason with a count, instead of a line per
test (`-rs` still gives those).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_HOME_VARIABLES = ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "USERPROFILE")
_run_home: dict[str, object] = {}


def pytest_configure(config) -> None:
    home = Path(tempfile.mkdtemp(prefix="communique-tests-home-"))
    _run_home.update(path=home, saved={name: os.environ.get(name) for name in _HOME_VARIABLES})
    os.environ["HOME"] = os.environ["USERPROFILE"] = str(home)
    for name, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"),
                      ("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state")):  # fmt: skip
        os.environ[name] = str(home / sub)
    os.environ.pop("COMMUNIQUE_DB", None)  # the default database of a test is the run's, never the user's
    try:
        from hypothesis import settings
        from hypothesis.database import DirectoryBasedExampleDatabase

        settings.register_profile("communique-tests", database=DirectoryBasedExampleDatabase(str(home / "hypothesis")))
        settings.load_profile("communique-tests")
    except ImportError:  # pragma: no cover  (hypothesis comes with the test extra)
        pass


def pytest_unconfigure(config) -> None:
    home = _run_home.get("path")
    if home is None:
        return
    for name, value in _run_home["saved"].items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(home, ignore_errors=True)


def run_home() -> Path:
    """The folder that stands for HOME during this test run."""
    return Path(_run_home["path"])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Skipped tests grouped by reason: one line per reason, with how many tests it skipped."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section(f"{sum(reasons.values())} skipped, by reason", sep="-")
        for reason, count in reasons.most_common():
            terminalreporter.line(f"{count:5d}  {reason}")


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


@pytest.fixture
def dictionary_events(monkeypatch):
    """The event stage without the learned models: the trigger dictionary, the parse rules and the
    PLV sentence classifier (the path that runs when no detector is installed). Tests of those rules
    use it; the learned stage has its own tests (test_events_learned.py)."""
    from communique.events import extract

    monkeypatch.setattr(extract, "load_event_models", lambda path=None: None)
