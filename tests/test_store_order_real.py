"""The same record whatever the order: real-text articles (the demo corpus and the articles below,
written for this test) analysed once, then stored in several orders and batchings (one at a time
forward, reversed and shuffled, in bulk batches, by two writers at once), on SQLite and PostgreSQL:
every table of the store is the same each time.

The articles below are made up. They name the same people with different titles and case
("Judge"/"Governor", "Senator"/"senator") and report the same talks from several outlets, which is
where the stored actor's role, sector and name once depended on which article came first."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from communique.config import Settings
from communique.models import Article, Extraction

pytest_plugins = ["store_db"]

OWN_ARTICLES = [
    ("Harbour Gazette", "2024-05-02",
     "Judge Amara Velde of Norway met Kenyan Foreign Minister Daniel Otieno in Oslo on Tuesday to discuss "
     "a dispute over fishing rights. Velde said the court would hear the case in June. \"We want a fair "
     "ruling for the coastal towns,\" Otieno told reporters after the meeting."),
    ("Coast Courier", "2024-05-03",
     "Norway's Governor Amara Velde held talks with Daniel Otieno, Kenya's foreign minister, in Oslo this week. "
     "Officials said the two discussed fishing quotas and a planned trade visit. Otieno later said Kenya "
     "would send a delegation to Norway in June."),
    ("Fjord Daily", "2024-05-04",
     "Norwegian Senator Lars Brekke accused Kenya of breaking the fishing agreement on Wednesday, a charge Nairobi "
     "rejected. \"There is no truth in it,\" the Kenyan foreign ministry said in a statement. The senator "
     "said he would raise the matter in the Norwegian parliament."),
    ("Nairobi Wire", "2024-05-04",
     "senator Lars Brekke of Norway accused the Kenyan government of ignoring the fishing agreement. "
     "Kenya's President Ruth Kariuki dismissed the claim on Thursday and said her government remained "
     "committed to dialogue with Oslo. The Senator said Norway would not back down."),
    ("Lake Post", "2024-05-06",
     "Kenyan President Ruth Kariuki spoke by phone with Norway's Prime Minister Ivar Lunde on Friday. "
     "According to a statement from Nairobi, the two leaders agreed to resume talks on fishing rights "
     "and to meet in Geneva next month."),
    ("Harbour Gazette", "2024-05-07",
     "Prime Minister Ivar Lunde confirmed on Saturday that he had spoken with Kenya's leader Ruth Kariuki. "
     "Lunde said Norway was ready to extend the fishing truce, and urged both sides to avoid new "
     "accusations before the Geneva meeting."),
]


@pytest.fixture(scope="module")
def extractions(pipeline) -> list[Extraction]:
    from communique import demo
    from communique.readers import load_articles

    folder = Path(demo.__file__).parent / "articles"
    items = list(load_articles([str(folder)], Settings()))
    for i, (publisher, published, text) in enumerate(OWN_ARTICLES):
        from communique.readers import finish_article
        from communique.dates import iso_date as parse_date

        article = Article(text=text, source=f"own-{i}.txt", publisher=publisher, headline=text.split(".")[0],
                          published=parse_date(published))
        items.append(finish_article(article))
    out = [x for x in pipeline.process([i for i in items if isinstance(i, Article)]) if isinstance(x, Extraction)]
    assert len(out) >= 12
    return out


def _fresh(store, backend: str, tmp_path: Path, name: str):
    """An empty migrated store of the same backend."""
    from communique.store import Store
    from communique.store.schema import metadata

    if backend == "sqlite":
        s = Store(f"sqlite:///{tmp_path / name}.db")
        s.migrate()
        return s
    tables = ", ".join(f'"{t}"' for t in metadata.tables)
    with store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return store


def _two_writers(store, items):
    halves = [items[0::2], items[1::2]]
    reports = [None, None]

    def write(k):
        reports[k] = store.ingest(halves[k])

    threads = [threading.Thread(target=write, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return reports


def test_every_table_is_the_same_whatever_the_order_and_batching(store, backend, tmp_path, extractions):
    from store_dump import dump

    rng = random.Random(27)
    runs = {
        "reversed": lambda s: [s.ingest(extractions[::-1])],
        "shuffled": lambda s: [s.ingest(rng.sample(extractions, len(extractions)))],
        "shuffled again": lambda s: [s.ingest(rng.sample(extractions, len(extractions)))],
        "bulk batches of 3": lambda s: [s.bulk_ingest(rng.sample(extractions, len(extractions)), batch_size=3)],
        "two writers at once": lambda s: _two_writers(s, rng.sample(extractions, len(extractions))),
    }
    reference_store = _fresh(store, backend, tmp_path, "forward")
    assert reference_store.ingest(extractions).errors == []
    reference = dump(reference_store.engine)
    assert reference["events"] and reference["quotes"] and len(reference["actors"]) > 10
    differences = {}
    for name, run in runs.items():
        other = _fresh(store, backend, tmp_path, name.replace(" ", "-"))
        assert all(r.errors == [] for r in run(other)), name
        got = dump(other.engine)
        differences[name] = sorted(t for t in reference if got[t] != reference[t])
        if other is not store:
            other.close()
    print(f"order ({backend}): {len(runs) + 1} orders and batchings, {len(reference)} tables compared, "
          f"differences {differences}")
    assert differences == {name: [] for name in runs}
