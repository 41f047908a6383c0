"""The learned attribution tagger: the shipped model, its combination with the rules, its training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.attribution import find_attributions
from communique.attribution.tagger import (
    Combination,
    Tagged,
    combine,
    default_model_path,
    kind_of,
    load_tagger,
    refine,
    tag,
)
from communique.attribution.training import files_digest, to_docs

shipped = pytest.mark.skipif(not (default_model_path() / "config.cfg").is_file(), reason="no tagger model shipped")


def _labelled(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in tag(text):
        out.setdefault(t.label, []).append(text[t.start : t.end])
    return out


@shipped
def test_shipped_tagger_labels_warned_that():
    text = "Opposition lawmakers warned that the budget could collapse next week.\n"
    spans = _labelled(text)
    assert spans.get("SOURCE") == ["Opposition lawmakers"]
    assert spans.get("CUE") == ["warned"]
    assert spans.get("CONTENT") in (["that the budget could collapse next week"], ["the budget could collapse next week"])


@shipped
def test_shipped_tagger_labels_a_direct_quote_with_the_speaker_after():
    text = "\u201cWe will not sign this agreement in its present form,\u201d the trade envoy told reporters.\n"
    spans = _labelled(text)
    assert spans.get("SOURCE") == ["the trade envoy"]
    assert spans.get("CUE") and spans["CUE"][0].startswith("told")
    assert any("We will not sign this agreement" in c for c in spans.get("CONTENT", []))


@shipped
def test_shipped_meta_records_provenance():
    meta = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))["communique"]
    assert meta["labels"] == ["SOURCE", "CUE", "CONTENT"]
    assert meta["training"]["folder"] == "train" and len(meta["training"]["files"]) > 1000
    assert meta["vectors"] is None or "MIT" in meta["vectors"]["source"]
    assert meta["polnear_dev"]["combined"]["exact"]["content"]["f1"] > 0


def _architecture(model_dir) -> dict:
    """The network sizes a trained model's own config.cfg says it was built with."""
    from spacy.util import load_config

    components = load_config(model_dir / "config.cfg")["components"]
    encode = components["tok2vec"]["model"]["encode"]
    return {"width": encode["width"], "depth": encode["depth"], "window": encode["window_size"],
            "hidden_width": components["ner"]["model"]["hidden_width"]}


@shipped
def test_shipped_meta_names_the_hyper_parameters_the_model_was_built_with():
    # `communique train attribution` takes every one of these as an option, so the meta is a recipe
    hyper = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))["communique"]["hyper_parameters"]
    assert _architecture(default_model_path()) == {k: hyper[k] for k in ("width", "depth", "window", "hidden_width")}


@shipped
def test_shipped_meta_hashes_match_the_training_files(shared_dir):
    train = shared_dir / "data" / "polnear" / "train"
    if not train.is_dir():
        pytest.skip("PolNeAR train is absent")
    meta = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))["communique"]
    digest = files_digest(train)
    assert digest["folder_sha256"] == meta["training"]["folder_sha256"]
    assert digest["files"] == meta["training"]["files"]


def test_kind_of():
    assert kind_of("\u201cThe roads are shut.\u201d") == "direct"
    assert kind_of("the plan was \u201cdead on arrival\u201d") == "mixed"
    assert kind_of("the plan was dead") == "indirect"


def test_combine_takes_tagged_content_boundaries_and_adds_missed_attributions(nlp):
    text = ("The minister said that the bridge, which was damaged in May, would be rebuilt.\n"
            "Farmers are furious over the new tariffs.\n")
    doc = nlp(text)
    found = find_attributions(doc)
    assert found, "the rules find the first attribution"

    def at(fragment: str, label: str) -> Tagged:
        i = text.index(fragment)
        return Tagged(label, i, i + len(fragment))

    tagged = [
        at("The minister", "SOURCE"), at("said", "CUE"),
        at("the bridge, which was damaged in May, would be rebuilt", "CONTENT"),
        at("Farmers", "SOURCE"), at("are furious over", "CUE"), at("the new tariffs", "CONTENT"),
    ]
    out = combine(doc, found, tagged, Combination(content_boundaries=True, add_tagged=True))
    contents = sorted(text[f.content[0] : f.content[1]] for f in out)
    assert "the bridge, which was damaged in May, would be rebuilt" in contents
    added = [f for f in out if text[f.content[0] : f.content[1]] == "the new tariffs"]
    assert len(added) == 1
    item = added[0]
    assert text[item.source[0] : item.source[1]] == "Farmers" and doc[item.source_head].text == "Farmers"
    assert text[item.cue[0] : item.cue[1]] == "are furious over" and item.kind == "indirect"
    # without additions, only the rules' attributions remain
    out = combine(doc, find_attributions(doc), tagged, Combination(add_tagged=False))
    assert all(text[f.content[0] : f.content[1]] != "the new tariffs" for f in out)


def test_tagger_switch_off(nlp, monkeypatch):
    doc = nlp("The envoy said the talks had failed.\n")
    found = find_attributions(doc)
    monkeypatch.setenv("COMMUNIQUE_ATTRIBUTION_TAGGER", "0")
    assert refine(doc, found) is found


def test_no_model_means_rules_only(tmp_path):
    assert load_tagger(str(tmp_path)) is None


# ---------------------------------------------------------------- training on a tiny sample

ARTICLES = {
    "wire_2021-02-03_ports": [
        ("The harbour master", "said", "the port would stay closed until the storm passed"),
        ("Union leaders", "warned", "that a strike could begin on Monday"),
    ],
    "wire_2021-02-04_grain": [
        ("A ministry spokeswoman", "told reporters", "the grain convoy had crossed the border"),
        ("The importers", "argued", "that the new fees were illegal"),
    ],
    "wire_2021-02-05_vote": [
        ("The electoral commission", "announced", "that turnout had reached 61 percent"),
    ],
}


def _tiny_polnear(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, rows in ARTICLES.items():
        text, ann, n = "", [], 0
        for source, cue, content in rows:
            sentence = f"{source} {cue} {content}.\n"
            base = len(text)
            text += sentence
            for label, frag in (("Source", source), ("Cue", cue), ("Content", content)):
                i = base + sentence.index(frag)
                n += 1
                ann.append(f"T{n}\t{label} {i} {i + len(frag)}\t{frag}")
            ann.append(f"E{n}\tAttribution:T{n - 1} Source:T{n - 2} Cue:T{n - 1} Content:T{n}")
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"{name}_ab12.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    return root


def test_to_docs_reads_the_spans(tmp_path):
    docs = to_docs(_tiny_polnear(tmp_path / "tiny"))
    assert len(docs) == 3
    first = docs[0]
    assert [(e.label_, e.text) for e in first.ents][:3] == [
        ("SOURCE", "The harbour master"), ("CUE", "said"),
        ("CONTENT", "the port would stay closed until the storm passed"),
    ]


def test_train_attribution_on_a_tiny_sample(tmp_path):
    from communique.cli import app

    corpus = _tiny_polnear(tmp_path / "tiny")
    out = tmp_path / "model"
    result = CliRunner().invoke(app, ["train", "attribution", str(corpus), "--out", str(out), "--epochs", "1",
                                      "--vectors-keys", "0", "--work-dir", str(tmp_path / "work"),
                                      "--width", "32", "--depth", "2", "--window", "1", "--hidden-width", "16"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))["communique"]
    assert meta["training"] == {"folder": "tiny", "limit": None, "annotator": meta["training"]["annotator"],
                                **files_digest(corpus)}
    assert meta["hyper_parameters"]["max_epochs"] == 1 and meta["vectors"] is None
    assert _architecture(out) == {"width": 32, "depth": 2, "window": 1, "hidden_width": 16}
    # the trained model loads and runs (one epoch on five sentences learns little)
    nlp = load_tagger(str(out))
    assert nlp is not None and nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"SOURCE", "CUE", "CONTENT"}
    tag("The mayor said the roads were open.", nlp)


def test_train_attribution_refuses_a_folder_without_polnear_layout(tmp_path):
    from communique.cli import app

    result = CliRunner().invoke(app, ["train", "attribution", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "no text/ and attributions/" in result.output


def test_combination_of_reads_the_model_meta(tmp_path):
    from communique.attribution.tagger import COMBINE, combination_of

    named = tmp_path / "named"
    named.mkdir()
    (named / "meta.json").write_text(json.dumps({"communique": {"combination": {
        "source_boundaries": True, "add_tagged": True, "drop_unsupported": True, "unknown_switch": True}}}))
    assert combination_of(str(named)) == Combination(source_boundaries=True, add_tagged=True, drop_unsupported=True)
    silent = tmp_path / "silent"
    silent.mkdir()
    (silent / "meta.json").write_text(json.dumps({"communique": {}}))
    assert combination_of(str(silent)) == COMBINE
    assert combination_of(str(tmp_path / "missing")) == COMBINE


def test_best_combination_is_the_highest_sum_then_the_fewest_switches():
    from communique.eval.polnear_combinations import Scored, best

    def scored(how, source, cue, content):
        f1 = {"source": {"f1": source}, "cue": {"f1": cue}, "content": {"f1": content}}
        return Scored(how, f1, f1)

    few = Combination(source_boundaries=True, add_tagged=True)
    many = Combination(source_boundaries=True, content_boundaries=True, add_tagged=True)
    worse = Combination(add_tagged=True)
    ranked = [scored(many, 70.0, 60.0, 50.2), scored(few, 70.0, 60.2, 50.0), scored(worse, 69.0, 60.0, 50.0)]
    assert best(ranked, keep_rules=False).combination == few
    assert best([scored(few, 70.0, 60.0, 50.0), scored(many, 70.0, 60.0, 50.5)], keep_rules=False).combination == many
    # by default only a combination that leaves the rules' attributions as they are may win
    assert best(ranked).combination == worse


@shipped
def test_shipped_combination_is_the_best_of_those_its_meta_records():
    from dataclasses import asdict

    from communique.attribution.tagger import combination_of
    from communique.eval.polnear_combinations import Scored, best

    meta = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))["communique"]
    tried = [Scored(Combination(**row["combination"]), {r: {"f1": v} for r, v in row["exact_f1"].items()}, {})
             for row in meta["combinations"]["tried"]]
    assert len(tried) == 2 ** len(asdict(Combination()))
    assert asdict(best(tried).combination) == meta["combination"]
    assert meta["combinations"]["best_of_all"]["combination"] == asdict(best(tried, keep_rules=False).combination)
    assert combination_of(str(default_model_path())) == best(tried).combination
