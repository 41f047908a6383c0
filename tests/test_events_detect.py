"""Event detection with a "no event" answer (issue 10, item 1): the shipped classifier's NONE class on
non-political sentences written for these tests, real types on clear political ones, the detection
hook in the event stage, the negatives' selection rules, the model's meta.json and the train command."""

from __future__ import annotations

import csv
from dataclasses import replace
import hashlib
import json

import pytest

from communique.events import detect
from communique.events import negatives as negs
from communique.events.classifier import default_model_path, load_classifier


@pytest.fixture(scope="module")
def classifier():
    model = load_classifier()
    assert model is not None, "the shipped event classifier failed to load"
    return model


@pytest.fixture(scope="module")
def meta():
    return json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the shipped model

NON_POLITICAL = [
    "The country's longest-serving foreign minister died in hospital on Monday at the age of 83 after a short illness.",
    "The interior minister said on Twitter that she had tested positive for the coronavirus and felt well.",
    "The visiting team won the cup final 2-0 with two goals in the second half.",
    "Snow closed several mountain roads and schools in the north on Thursday.",
    "The retired general, who is survived by two daughters, will be buried in his native village.",
]

POLITICAL = [
    ("Fighter jets bombed militant hideouts near the border overnight, killing at least twelve people.", "ASSAULT"),
    ("The foreign minister accused the neighbouring government of funding the rebels.", "ACCUSE"),
    pytest.param(
        "Tens of thousands of people marched through the capital to demand the president's resignation.", "PROTEST",
        # a known miss of the shipped model, kept visible: scored in float it says NONE 0.78, PROTEST 0.10
        # (the pipeline still gives the sentence a REQUEST from "demand"); strict, so a model that gets it
        # right makes this test ask to be updated
        marks=pytest.mark.xfail(strict=True, reason="the shipped model calls this march NONE"),
    ),
    ("The Indian prime minister met the visiting Chinese foreign minister in Delhi to discuss trade.", "CONSULT"),
    ("The two countries agreed on Friday to restore diplomatic relations.", "AGREE"),
]


def test_model_has_a_none_label(classifier):
    assert detect.NONE_LABEL in classifier.labels
    assert len(classifier.labels) == 16


@pytest.mark.parametrize("sentence", NON_POLITICAL)
def test_non_political_sentences_are_no_event(classifier, sentence):
    (scores,) = classifier([sentence])
    assert not detect.is_event(scores), sorted(scores.items(), key=lambda kv: -kv[1])[:3]


@pytest.mark.parametrize("sentence, label", POLITICAL)
def test_clear_political_sentences_get_their_type(classifier, sentence, label):
    (scores,) = classifier([sentence])
    assert detect.is_event(scores), scores
    types = detect.type_scores(scores)
    assert max(types, key=types.get) == label, sorted(types.items(), key=lambda kv: -kv[1])[:3]


def test_non_political_article_gives_no_events_but_political_one_does(extract_text):
    quiet = extract_text(" ".join(NON_POLITICAL[:3]))
    assert quiet.events == []
    loud = extract_text(POLITICAL[0][0] + " " + POLITICAL[1][0])
    assert {e.type for e in loud.events} >= {"ASSAULT"}


# ---------------------------------------------------------------- the hook, with a stand-in classifier


def _fake_classifier(none: float, top: str = "ACCUSE"):
    def score(texts):
        rest = (1.0 - none) / 15
        out = []
        for _ in texts:
            cats = {lab: rest * 0.2 for lab in ("AGREE", "ACCUSE", "ASSAULT", "CONSULT")}
            cats[top] = (1.0 - none) - rest * 0.2 * 3
            cats[detect.NONE_LABEL] = none
            out.append(cats)
        return out

    return score


def test_hook_drops_sentences_the_classifier_calls_no_event(extract_text, monkeypatch):
    from communique.events import extract

    # "criticised" is a bare trigger word: the classifier's "no event" vetoes it
    text = "The prime minister criticised the opposition leader for lying to parliament."
    monkeypatch.setattr(extract, "load_classifier", lambda: _fake_classifier(none=0.9))
    assert extract_text(text).events == []
    monkeypatch.setattr(extract, "load_classifier", lambda: _fake_classifier(none=0.05))
    assert [e.type for e in extract_text(text).events] == ["ACCUSE"]


def test_no_event_does_not_veto_a_firm_or_specific_trigger(extract_text, monkeypatch):
    from communique.events import extract

    monkeypatch.setattr(extract, "load_classifier", lambda: _fake_classifier(none=0.9))
    firm = "The prime minister accused the opposition leader of lying to parliament."  # accuse: firm
    assert [e.type for e in extract_text(firm).events] == ["ACCUSE"]
    framed = "The governor described the shelling as a war crime."  # "described X as Y": a frame
    assert "ACCUSE" in [e.type for e in extract_text(framed).events]


def test_confident_classifier_type_wins_over_the_dictionary(extract_text, monkeypatch):
    from communique.events import extract

    # "slammed" is an ACCUSE trigger; a classifier sure of REJECT retypes it, an unsure one does not
    text = "The interior minister slammed the union's proposal."
    shipped = detect.thresholds()
    assert shipped.type_confidence < 1  # the shipped model lets a sure classifier retype a bare trigger
    monkeypatch.setattr(extract, "load_classifier", lambda: _fake_classifier(none=0.01, top="REJECT"))
    assert [e.type for e in extract_text(text).events] == ["REJECT"]
    monkeypatch.setattr(detect, "thresholds", lambda: replace(shipped, type_confidence=1.01))  # the override off
    assert [e.type for e in extract_text(text).events] == ["ACCUSE"]


def test_scores_helpers():
    assert detect.is_event({})  # no model: nothing changes
    assert detect.is_event({"ACCUSE": 0.9, "AGREE": 0.1})  # an old model without NONE never abstains
    assert not detect.is_event({"ACCUSE": 0.3, detect.NONE_LABEL: 0.7}, threshold=0.5)
    assert detect.is_event({"ACCUSE": 0.3, detect.NONE_LABEL: 0.7}, threshold=0.8)
    types = detect.type_scores({"ACCUSE": 0.3, "AGREE": 0.1, detect.NONE_LABEL: 0.6})
    assert set(types) == {"ACCUSE", "AGREE"} and types["ACCUSE"] == pytest.approx(0.75)
    assert detect.confident_type({"ACCUSE": 0.3, "AGREE": 0.1, detect.NONE_LABEL: 0.6}, confidence=0.7) == "ACCUSE"
    assert detect.confident_type({"ACCUSE": 0.2, "AGREE": 0.2, detect.NONE_LABEL: 0.6}, confidence=0.7) is None


# ---------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "sentence, keep",
    [
        ("Light rain is expected across the northern valleys for most of the coming week.", True),
        ("The minister criticised the governor for the delays in the new budget.", False),  # trigger
        ("The committee said the cost of the new stadium had risen by a third.", False),  # reporting verb
        ("Senator Jones and Governor Smith have both been in office for more than ten years.", False),  # two names
        ("Water levels in the reservoir rose sharply.", False),  # too short
        ("\u201cWe will see what happens after the summer,\u201d one aide told reporters afterwards.", False),  # quotation
    ],
)
def test_negative_rules(sentence, keep):
    assert negs.is_negative(sentence) is keep


def test_sentence_split_keeps_abbreviations_out():
    parts = negs.split_sentences("It rained all day. The match was called off by Mr. Brown at noon. Fans went home.")
    assert parts[0] == "It rained all day."
    assert not any(negs.is_negative(p) for p in parts if p.endswith("Mr."))


def test_written_negatives_are_many_and_unique():
    written = negs.written_negatives()
    assert len(written) >= 80
    assert len(set(written)) == len(written)


def test_corpus_negatives_are_deterministic(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Light rain is expected across the northern valleys for most of the coming week. "
        "The senator attacked the governor over the budget in a long speech on Tuesday.\n"
        "The new library will open its doors to readers at the start of the autumn term.",
        encoding="utf-8",
    )
    first = negs.corpus_negatives(tmp_path)
    assert first == negs.corpus_negatives(tmp_path)
    assert all("attacked" not in s for s in first) and len(first) == 2


# ---------------------------------------------------------------- meta.json


def test_meta_records_training_data_and_recipe(meta, shared_dir):
    assert meta["none_label"] == detect.NONE_LABEL
    hp = meta["hyper_parameters"]
    assert (hp["epochs"], hp["lr"], hp["batch_size"], hp["max_tokens"]) == (5, 8e-5, 16, 96)
    plv = shared_dir / "data" / "plover" / meta["train_file"]
    assert hashlib.sha256(plv.read_bytes()).hexdigest() == meta["train_sha256"]
    neg = meta["negatives"]
    assert neg["written"]["sha256"] == negs.text_sha256(negs.written_negatives())
    rules = default_model_path().parents[1] / "events" / negs.RULES_FILE
    assert neg["rules"]["sha256"] == hashlib.sha256(rules.read_bytes()).hexdigest()
    corpus = shared_dir / "data" / "polnear" / "train"
    assert neg["corpus"]["corpus_sha256"] == negs.corpus_sha256(negs.corpus_files(corpus))
    assert {"detection", "cv"} <= set(meta)


# ---------------------------------------------------------------- the train command


@pytest.mark.slow
def test_train_command_on_a_tiny_sample(tmp_path):
    pytest.importorskip("torch", reason="training needs the train extra")
    from typer.testing import CliRunner

    from communique.cli import app
    from communique.events.classifier import EventClassifier

    path = tmp_path / "tiny.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "source", "target"])
        w.writerow(["Rebels shelled the town overnight.", "ASSAULT", "Rebels", "town"])
        w.writerow(["Artillery hit the village.", "ASSAULT", "Artillery", "village"])
        w.writerow(["The envoy met the king in the palace.", "CONSULT", "envoy", "king"])
        w.writerow(["Ministers held talks in Vienna.", "CONSULT", "Ministers", ""])
    out = tmp_path / "model"
    result = CliRunner().invoke(
        app, ["train", "plv-classifier", str(path), "--out", str(out), "--epochs", "1", "--max-tokens", "16"]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["labels"] == ["ASSAULT", "CONSULT", "NONE"]
    assert meta["train_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["negatives"]["written"]["sentences"] == len(negs.written_negatives())
    (scores,) = EventClassifier(out)(["Troops fired on the crowd."])
    assert set(scores) == {"ASSAULT", "CONSULT", "NONE"} and sum(scores.values()) == pytest.approx(1.0, abs=1e-3)


def test_train_command_needs_out_so_it_never_writes_into_the_package():
    import inspect

    from communique.cli.events import train_plv_classifier

    out_option = inspect.signature(train_plv_classifier).parameters["out"].default
    assert out_option.default is ...  # required: the installed model is replaced only when named


# These are tests of the dictionary and parse rules (and the PLV classifier that runs with them when
# no detector is installed); the learned event stage is tested in test_events_learned.py.
pytestmark = pytest.mark.usefixtures("dictionary_events")
