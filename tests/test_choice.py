"""The conditional logit the learned stages share (communique.choice, communique.learn.choice)."""

import json
import random

import pytest

from communique.choice import ChoiceModel


def test_probabilities_share_one_with_nobody():
    model = ChoiceModel({"r": {"a": 2.0, "b": -1.0}}, {"r": 0.5})
    probs, nobody = model.probabilities("r", [{"a": 1.0}, {"b": 1.0}, {}])
    assert sum(probs) + nobody == pytest.approx(1.0)
    assert probs[0] > nobody > probs[2] > probs[1]  # scores 2.0 > 0.5 > 0.0 > -1.0


def test_save_and_load_round_trip(tmp_path):
    model = ChoiceModel({"r": {"x": 0.25}}, {"r": -1.0}, {"event": 0.4}, {"rows": 3})
    model.save(tmp_path / "m.json")
    again = ChoiceModel.load(tmp_path / "m.json")
    assert again.weights == model.weights and again.nobody == model.nobody
    assert again.thresholds == {"event": 0.4} and again.info["rows"] == 3
    assert json.loads((tmp_path / "m.json").read_text())["nobody"] == {"r": -1.0}


def test_fit_learns_which_candidate_holds_the_role():
    pytest.importorskip("torch", reason="fitting needs the train extra (torch)")
    from communique.learn.choice import Group, fit

    rng = random.Random(0)
    groups = []
    for _ in range(200):
        # three candidates; the one marked "subject" holds the role, except in a few noisy groups,
        # and in some groups nobody does (no candidate is marked)
        marked = rng.randrange(4)
        feats = [{"subject": 1.0} if k == marked else {"object": 1.0} for k in range(3)]
        labels = [int(k == marked) for k in range(3)]
        groups.append(Group(feats, {"role": labels}))
    model = fit(groups, ["role"], l2=0.1)
    assert model.weights["role"]["subject"] > model.weights["role"].get("object", 0.0) + 1.0
    probs, nobody = model.probabilities("role", [{"object": 1.0}, {"subject": 1.0}])
    assert probs[1] > 0.8
    probs, nobody = model.probabilities("role", [{"object": 1.0}, {"object": 1.0}, {"object": 1.0}])
    assert nobody > max(probs)  # groups with no marked candidate taught "nobody"
