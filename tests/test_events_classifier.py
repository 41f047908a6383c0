"""The shipped PLOVER event-type classifier (int8 ONNX, run with onnxruntime, no torch): it loads,
scores sentences written for these tests sensibly, batches consistently and survives odd input."""

from __future__ import annotations

import json

import pytest

from communique.events.classifier import EventClassifier, default_model_path, load_classifier


@pytest.fixture(scope="module")
def classifier():
    model = load_classifier()
    assert model is not None, "the shipped event classifier failed to load"
    return model


def test_shipped_model_is_small_and_described():
    directory = default_model_path()
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    assert size < 30_000_000
    meta = json.loads((directory / "meta.json").read_text())
    assert "YIELD" in meta["labels"] and "CONCEDE" not in meta["labels"]
    assert meta["base_model"]["licence"] == "Apache-2.0"
    assert len(meta["train_sha256"]) == 64


@pytest.mark.parametrize(
    "sentence, label",
    [
        ("Government aircraft bombed rebel positions outside the city overnight, killing nine fighters.", "ASSAULT"),
        ("Thousands of students marched through the capital demanding the minister's resignation.", "PROTEST"),
        ("The prime minister accused the opposition of plotting a coup with foreign help.", "ACCUSE"),
        ("The two foreign ministers held talks in Geneva on Thursday about the border dispute.", "CONSULT"),
        ("Japan pledged $40 million in emergency relief to the flood-hit country.", "AID"),
        ("The rebels rejected the government's offer of a ceasefire.", "REJECT"),
    ],
)
def test_classifies_written_sentences(classifier, sentence, label):
    scores = classifier([sentence])[0]
    assert set(scores) == set(classifier.labels)
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(scores, key=scores.get) == label, sorted(scores.items(), key=lambda kv: -kv[1])[:3]


def test_batch_matches_single_sentences(classifier):
    """Scores in float: a sentence scores the same alone and batched with longer ones and their padding."""
    from communique.events import classifier as module

    texts = [
        "Rebels fired rockets at the airport.",
        "The president rejected calls for early elections, saying the vote would go ahead as planned next spring.",
        "Ministers met.",
    ] * 4 + ["The envoy said both sides had agreed to extend the truce by another month, pending a vote."]
    assert len(texts) > module.BATCH > 1
    together = classifier(texts)
    for text, scores in zip(texts, together):
        alone = classifier([text])[0]
        for label in scores:
            assert scores[label] == pytest.approx(alone[label], abs=1e-5)


def test_shipped_model_quantizes_no_activations():
    """int8 weights, float arithmetic (events/quantize.py): no run-time activation quantization, whose
    results depend on the batch and the CPU."""
    onnx = pytest.importorskip("onnx")
    graph = onnx.load(str(default_model_path() / "model.onnx")).graph
    ops = {node.op_type for node in graph.node}
    assert "DequantizeLinear" in ops and "MatMul" in ops
    assert not ops & {"DynamicQuantizeLinear", "MatMulInteger"}
    assert any(init.data_type == onnx.TensorProto.INT8 for init in graph.initializer)


@pytest.mark.parametrize("junk", ["", " ", "\x00\x01", "word " * 3000, "???"])
def test_odd_input_gives_scores(classifier, junk):
    (scores,) = classifier([junk])
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert classifier([]) == []


def test_missing_or_damaged_model_gives_none(tmp_path):
    assert load_classifier(str(tmp_path)) is None
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "meta.json").write_text('{"labels": ["A", "B"]}')
    assert load_classifier(str(tmp_path)) is None
    with pytest.raises(Exception):
        EventClassifier(tmp_path)


def test_train_command_names_the_extra_when_torch_is_missing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from communique.cli import app
    from communique.events import training

    def missing():
        raise training.TrainingUnavailable("no torch")

    monkeypatch.setattr(training, "check_available", missing)
    path = tmp_path / "mini.csv"
    path.write_text("text,label\nRebels shelled the town.,ASSAULT\nThe envoy met the king.,CONSULT\n")
    result = CliRunner().invoke(app, ["train", "plv-classifier", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "pip install 'communique[train]'" in result.output
    result = CliRunner().invoke(app, ["eval", "plover", str(path), "--cv", "2"])
    assert result.exit_code == 2
    assert "pip install 'communique[train]'" in result.output


def test_training_exports_int8_weights_with_float_arithmetic(tmp_path):
    """A tiny run of the shipped recipe (one epoch, a handful of sentences): the export holds int8
    weights, quantizes no activations, and scores a sentence the same alone and batched."""
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    pytest.importorskip("transformers", reason="training needs the train extra (transformers)")
    from communique.events.classifier import LabelledSentence
    from communique.events.training import HyperParameters, export, train

    rows = [
        LabelledSentence("Chile accused Peru of spying on its navy.", "ACCUSE"),
        LabelledSentence("The envoy accused the rebels of breaking the truce.", "ACCUSE"),
        LabelledSentence("Peru and Chile signed a fisheries treaty.", "AGREE"),
        LabelledSentence("The two ministers agreed to reopen the border.", "AGREE"),
    ]
    model = train(rows, HyperParameters(epochs=1, batch_size=2, max_tokens=24), negatives=["It rained all day."])
    export(model, tmp_path)
    onnx = pytest.importorskip("onnx")
    ops = {node.op_type for node in onnx.load(str(tmp_path / "model.onnx")).graph.node}
    assert "DequantizeLinear" in ops and not ops & {"DynamicQuantizeLinear", "MatMulInteger"}
    scorer = EventClassifier(tmp_path)
    texts = [r.text for r in rows] * 3
    together = scorer(texts)
    for text, scores in zip(texts, together):
        alone = scorer([text])[0]
        assert all(scores[k] == pytest.approx(alone[k], abs=1e-5) for k in scores)
