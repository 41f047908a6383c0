"""`communique train events` and `communique eval realnews --cv` end to end on a tiny gold file of
six articles written for the tests (tests/fixtures/realnews/tiny_gold.jsonl): one epoch, two folds.
It proves the recipe runs and that what it writes is a model the pipeline loads and uses; the
figures themselves mean nothing at this size. It needs the train extra (torch, transformers and the
base model); CI installs it for this file (`.ci/run`)."""

import json
from pathlib import Path

import pytest

GOLD = Path(__file__).parent / "fixtures" / "realnews" / "tiny_gold.jsonl"
TRAINING = ["--epochs", "1", "--freeze", "4", "--max-tokens", "64", "--threads", "2"]


def _require_training():
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    pytest.importorskip("transformers", reason="training needs the train extra (transformers)")
    from communique.events.learn.detector import require

    try:
        require()
    except Exception as err:  # the base model package is missing
        pytest.skip(f"training needs the train extra: {err}")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    _require_training()
    from typer.testing import CliRunner

    from communique.cli import app

    root = tmp_path_factory.mktemp("train")
    out, work = root / "detector", root / "work"
    result = CliRunner().invoke(app, ["train", "events", str(GOLD), "--out", str(out), "--dev", str(GOLD),
                                      "--cv", "2", "--workdir", str(work), *TRAINING])
    assert result.exit_code == 0, result.output
    return out, work, result.output


def test_train_events_writes_every_model_with_its_provenance(trained):
    from communique.provenance import file_sha256

    out, _, _ = trained
    for name in ("model.onnx", "tokenizer.json", "meta.json", "arguments.json", "dates.json", "decider.json",
                 "country.json"):
        assert (out / name).is_file(), name
    meta = json.loads((out / "meta.json").read_text())
    assert meta["trained_on"]["sha256"] == file_sha256(GOLD)
    assert meta["trained_on"]["articles"] == 6
    assert meta["settings"]["detector"]["epochs"] == 1
    assert meta["cross_validation"]["cv"]["folds"] == 2
    assert meta["dev"]["articles"] == 6
    assert 0 < meta["threshold"] < 1
    assert "communique train events tiny_gold.jsonl" in meta["reproduce"]


def test_the_trained_models_run_in_the_pipeline(trained):
    """The exported detector is loaded with onnxruntime alone and the pipeline extracts with it."""
    from datetime import date

    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.events import extract_events
    from communique.events.learned import load_event_models
    from communique.models import Article
    from communique.nlp import annotate
    from communique.pipeline import Pipeline, prepare

    out, _, _ = trained
    models = load_event_models(str(out))
    assert models is not None and models.decider is not None and models.arguments is not None
    scores = models.detector([("Peru accused Chile of spying on its navy.", "")])[0]
    assert set(scores) == set(models.detector.labels) and all(0 <= p <= 1 for p in scores.values())
    pipeline = Pipeline()
    article = prepare(Article(text="Peru accused Chile of spying on its navy on Monday.", source="t"), date(2024, 5, 2))
    annotated = next(iter(annotate([article], pipeline.nlp)))
    actors = resolve_actors(annotated, pipeline.kb)
    events = extract_events(annotated, actors, extract_quotes(annotated, actors), models=models)
    assert all(e.type in models.detector.labels for e in events)


def test_a_second_run_reuses_the_fold_models(trained):
    _require_training()
    from typer.testing import CliRunner

    from communique.cli import app

    out, work, _ = trained
    stamps = sorted(p.stat().st_mtime for p in work.glob("*/detector.pt"))
    result = CliRunner().invoke(app, ["eval", "realnews", str(GOLD), "--cv", "2", "--workdir", str(work),
                                      *TRAINING, "--json"])
    assert result.exit_code == 0, result.output
    assert "reusing" in result.output
    assert sorted(p.stat().st_mtime for p in work.glob("*/detector.pt")) == stamps
    report, _ = json.JSONDecoder().raw_decode(result.stdout[result.stdout.index("{"):])  # a summary line follows
    assert report["articles"] == 6 and len(report["events_full_prf"]) == 3


def test_train_speakers_end_to_end(tmp_path):
    """`communique train speakers` on the tiny gold file: cross-validation against the rules, the dev
    figures, provenance, and a model the attribution stage loads and uses."""
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    from typer.testing import CliRunner

    from communique.attribution.speaker_links import load_speaker_model
    from communique.cli import app
    from communique.provenance import file_sha256

    out = tmp_path / "speakers.json"
    result = CliRunner().invoke(app, ["train", "speakers", str(GOLD), "--out", str(out), "--cv", "2", "--dev", str(GOLD)])
    assert result.exit_code == 0, result.output
    model = json.loads(out.read_text())
    assert model["trained_on"]["sha256"] == file_sha256(GOLD) and model["trained_on"]["articles"] == 6
    assert model["quotes_with_candidates"] > 0 and model["weights"]["speaker"]
    for key in ("cv_speaker_prf", "cv_rules_speaker_prf", "dev_speaker_prf", "dev_rules_speaker_prf"):
        assert len(model[key]) == 3 and all(0 <= v <= 100 for v in model[key])
    assert "communique train speakers realnews/tiny_gold.jsonl" in model["reproduce"]
    assert load_speaker_model(str(out)) is not None


def test_train_statements_end_to_end(tmp_path):
    """`communique train statements` on the tiny gold file: a threshold chosen by cross-validation,
    the rules' figures beside the model's, provenance, and a model the attribution stage loads."""
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    from typer.testing import CliRunner

    from communique.attribution.statement_choice import load_statement_model
    from communique.cli import app
    from communique.provenance import file_sha256

    out = tmp_path / "statements.json"
    result = CliRunner().invoke(app, ["train", "statements", str(GOLD), "--out", str(out), "--cv", "2", "--dev", str(GOLD)])
    assert result.exit_code == 0, result.output
    model = json.loads(out.read_text())
    assert model["trained_on"]["sha256"] == file_sha256(GOLD)
    assert model["attributions"] >= model["quotes"] > 0
    assert model["thresholds"]["keep"] == model["cv_best_threshold"]
    assert set(model["cv_sweep"]) == {"0.3", "0.4", "0.5", "0.6"}
    assert "content_prf" in model["cv_rules"] and "content_prf" in model["dev_rules"]
    assert load_statement_model(str(out)) is not None
