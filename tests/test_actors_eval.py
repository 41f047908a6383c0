"""Slow measurements of the actor stage on ../shared corpora (run with -m slow)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_plv_actor_coverage(pipeline, shared_dir):
    from communique.actors.measure import plv_actor_coverage

    path = shared_dir / "data" / "plover" / "plv_train.csv"
    if not path.exists():
        pytest.skip("plv_train.csv is absent")
    report = plv_actor_coverage(path, pipeline=pipeline)
    assert report.gold > 0
    assert report.found / report.gold >= 0.8
    assert report.with_country / report.found >= 0.7


def test_polnear_pronoun_accuracy(pipeline, shared_dir):
    from communique.actors.measure import polnear_pronoun_accuracy

    folder = shared_dir / "data" / "polnear" / "dev"
    if not folder.exists():
        pytest.skip("PolNeAR dev is absent")
    result = polnear_pronoun_accuracy(folder, pipeline=pipeline).as_dict()
    assert result["pronoun_sources"] > 0
    assert result["lenient_accuracy"] >= 0.6
