"""End to end on the reference article: the seed and the two demo articles about the same call fuse
into one CONSULT event; last contact and the seed's own claim are answered from the record.

Needs ../shared (skipped without it) and the whole pipeline (the `pipeline` fixture)."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from communique.query import Record
from communique.store import Store

SEED = "seeds/000_da059f79ecee6e87.txt"
PUBLISHED = date(2022, 4, 5)


@pytest.fixture(scope="module")
def seed_record(shared_dir, pipeline, tmp_path_factory):
    from communique.config import Settings
    from communique.readers import load_articles

    demo = Path(str(resources.files("communique") / "demo" / "articles"))
    paths = [str(shared_dir / SEED)] + sorted(str(p) for p in demo.glob("0[12]_*.txt"))
    articles = [a for a in load_articles(paths, Settings(), PUBLISHED) if hasattr(a, "body")]
    assert len(articles) == 3
    extractions = list(pipeline.extract(articles))
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.db'}")
    store.migrate()
    report = store.ingest(extractions)
    assert report.errors == [] and report.added == 3
    seed_id = next(e.article.id for e in extractions if "000_da059f79" in (e.article.source or ""))
    with Record(store) as record:
        yield record, seed_id
    store.close()


def test_the_call_is_one_event_with_three_reports(seed_record):
    record, _ = seed_record
    calls = record.timeline("CHN", "UKR", type="CONSULT", since=date(2022, 4, 4), until=date(2022, 4, 4))
    assert len(calls) == 1, [(e["date"], e["date_precision"], len(e["reports"])) for e in calls]
    [call] = calls
    assert (call["date"], call["date_precision"], call["mode"]) == ("2022-04-04", "day", "phone")
    assert len({r["article_id"] for r in call["reports"]}) == 3, call["reports"]


def test_last_contact_before_the_call_is_the_seeds_march_reference(seed_record):
    record, _ = seed_record
    last = record.last_contact("CHN", "UKR", before=date(2022, 4, 4))
    assert last is not None and last["date"] == "2022-03-01"


def test_the_seeds_claim_agrees_with_the_record(seed_record):
    record, seed_id = seed_record
    claims = record.check_claims(seed_id)
    assert claims, "no claim found in the seed"
    since_march = [c for c in claims if c["claimed_date"] == "2022-03-01"]
    assert since_march and all(c["verdict"] == "agree" for c in since_march), claims
