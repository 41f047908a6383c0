"""communique eval plover: token-overlap F1, scoring with YIELD, and the command on PLV data."""

from __future__ import annotations

import csv

import pytest

from communique.eval.plover import NO_EVENT, Prediction, predict_sentences, score, token_f1
from communique.events.classifier import LabelledSentence, folds, read_plv


def test_token_f1():
    assert token_f1("the Kenyan police", "Kenyan police") == pytest.approx(0.8)
    assert token_f1("", "") == 1.0
    assert token_f1("Iran", "") == 0.0
    assert token_f1("U.S. officials", "US officials") == 1.0  # abbreviation stops are dropped
    assert token_f1("Iran", "Iraq") == 0.0


def test_score_counts_concede_and_retreat_as_yield():
    rows = [LabelledSentence("a", "YIELD", "x", "y"), LabelledSentence("b", "ACCUSE", "p", "q")]
    preds = [Prediction("YIELD", "x", "y"), Prediction(NO_EVENT, "", "")]
    report = score(rows, preds)
    assert report["per_type"]["YIELD"]["f1"] == 100.0
    assert report["per_type"]["ACCUSE"]["f1"] == 0.0
    assert report["macro_f1"] == 50.0
    assert report["source_f1"] == 50.0
    assert report["no_event"] == 1


def test_folds_partition_the_rows():
    parts = folds(23, 5)
    assert sorted(i for p in parts for i in p) == list(range(23))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_read_plv_skips_bad_rows(tmp_path):
    path = tmp_path / "mini.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "source", "target"])
        w.writerow(["Kenya thanked Japan for the loan.", "support", "Kenya", "Japan"])
        w.writerow(["", "AGREE", "", ""])
        w.writerow(["No label here.", "", "", ""])
    rows = read_plv(path)
    assert rows == [LabelledSentence("Kenya thanked Japan for the loan.", "SUPPORT", "Kenya", "Japan")]


def test_main_event_of_a_written_sentence(pipeline):
    preds = predict_sentences(pipeline, ["Iran accused Israel of sabotaging its nuclear plant."], False)
    assert preds[0].label == "ACCUSE"
    assert "Iran" in preds[0].source_text and "Israel" in preds[0].target_text
    # CONCEDE / RETREAT are scored as PLV's YIELD
    preds = predict_sentences(pipeline, ["Russian troops withdrew from the town of Izium."], False)
    assert preds[0].label == "YIELD"


@pytest.mark.usefixtures("dictionary_events")  # the command's scoring, on the path PLV's --cv retrains
def test_eval_command_on_a_small_csv(tmp_path):
    from typer.testing import CliRunner

    from communique.cli import app

    path = tmp_path / "mini.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "source", "target"])
        w.writerow(["Iran accused Israel of sabotaging its nuclear plant.", "ACCUSE", "Iran", "Israel"])
        w.writerow(["North Korea threatened South Korea with military action.", "THREATEN", "North Korea", "South Korea"])
    result = CliRunner().invoke(app, ["eval", "plover", str(path), "--json", "--cv", "0"])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.stdout)
    assert report["n"] == 2 and report["macro_f1"] == 100.0


@pytest.mark.slow
def test_cross_validated_plv_figures(shared_dir):
    """5-fold CV on PLV train (a few minutes): macro-F1 must stay well above UniversalPetrarch's 46.3."""
    pytest.importorskip("torch", reason="cross-validation retrains the classifier (the train extra)")
    from communique.eval.plover import evaluate

    path = shared_dir / "data" / "plover" / "plv_train.csv"
    if not path.exists():
        pytest.skip("plv_train.csv is absent")
    report = evaluate(path, folds=5)
    assert report["macro_f1"] > 50.0
