"""The PolNeAR scorer: brat parsing, exact and token-overlap scores, several annotators, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.eval.polnear import Attribution, load_corpus, parse_ann, score

TEXT = "“Roads are closed,” the mayor said.\nThe council said it would meet on Monday.\n"


def _offsets(fragment: str, start: int = 0) -> str:
    i = TEXT.index(fragment, start)
    return f"{i} {i + len(fragment)}"


def _ann(with_second: bool = True) -> str:
    lines = [
        f"T1\tSource {_offsets('the mayor')}\tthe mayor",
        f"T2\tCue {_offsets('said')}\tsaid",
        f"T3\tContent {_offsets('“Roads are closed,”')}\t“Roads are closed,”",
        f"T4\tAttribution {_offsets('said')}\tsaid",
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
    ]
    if with_second:
        second = TEXT.index("The council")
        lines += [
            f"T5\tSource {_offsets('The council')}\tThe council",
            f"T6\tCue {_offsets('said', second)}\tsaid",
            f"T7\tContent {_offsets('it would meet on Monday')}\tit would meet on Monday",
            f"T8\tAttribution {_offsets('said', second)}\tsaid",
            "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
        ]
    lines.append("#1\tAnnotatorNotes T1\ta note that spans\nits own lines")
    return "\n".join(lines) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "paper_2020-01-01_roads.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "paper_2020-01-01_roads_ab12.ann").write_text(_ann(True), encoding="utf-8")
    (tmp_path / "attributions" / "paper_2020-01-01_roads_cd34.ann").write_text(_ann(False), encoding="utf-8")
    (tmp_path / "metadata.tsv").write_text(
        "compartment\tfilename\tpublication_date\ntrain\tpaper_2020-01-01_roads\t2020-01-01\n", encoding="utf-8"
    )
    return tmp_path


def test_parse_ann_discontinuous_and_junk_lines():
    text = "“One,” he said, “two.”"
    ann = "T1\tContent 0 6;16 22\t“One,” “two.”\nT2\tCue 10 14\tsaid\nT3\tSource 7 9\the\nnot a line\nE1\tContent:T1 Cue:T2 Source:T3\n"
    (item,) = parse_ann(ann, text)
    assert item.content == ((0, 6), (16, 22))
    assert item.cue == ((10, 14),) and item.source == ((7, 9),)


def test_load_corpus_groups_annotators(corpus):
    (doc,) = load_corpus(corpus)
    assert sorted(doc.annotations) == ["ab12", "cd34"]
    assert len(doc.annotations["ab12"]) == 2 and len(doc.annotations["cd34"]) == 1
    assert str(doc.published) == "2020-01-01"


def test_score_averages_over_annotators(corpus):
    (doc,) = load_corpus(corpus)
    perfect = doc.annotations["ab12"]
    result = score([doc], {doc.name: perfect})
    # against ab12 everything matches; against cd34 one of two predictions is spurious
    assert result["exact"]["cue"]["recall"] == 100.0
    assert result["exact"]["cue"]["precision"] == pytest.approx(100 * 1.5 / 2, abs=0.1)


def test_token_overlap_gives_partial_credit(corpus):
    (doc,) = load_corpus(corpus)
    gold = doc.annotations["ab12"][1]
    i = TEXT.index("would meet")
    partial = Attribution(source=gold.source, cue=gold.cue, content=((i, i + len("would meet")),))
    doc.annotations = {"ab12": [gold]}
    result = score([doc], {doc.name: [partial]})
    assert result["exact"]["content"]["f1"] == 0.0
    assert result["overlap"]["content"]["precision"] == 100.0
    assert 0 < result["overlap"]["content"]["recall"] < 100


def test_evaluate_end_to_end(pipeline, corpus):
    from communique.eval.polnear import evaluate

    result = evaluate(corpus, pipeline)
    assert result["documents"] == 1 and result["annotation_files"] == 2
    # the two plain attributions of the text are found exactly
    assert result["exact"]["source"]["recall"] == 100.0
    assert result["exact"]["cue"]["recall"] == 100.0


def test_cli_json(corpus):
    from communique.cli import app

    out = CliRunner().invoke(app, ["eval", "polnear", str(corpus), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data["exact"]) == {"source", "cue", "content"}


def test_cli_rejects_a_folder_without_the_layout(tmp_path):
    from communique.cli import app

    out = CliRunner().invoke(app, ["eval", "polnear", str(tmp_path)])
    assert out.exit_code == 2


@pytest.mark.slow
def test_polnear_dev_scores(shared_dir, pipeline):
    from communique.eval.polnear import evaluate

    folder = shared_dir / "data" / "polnear" / "dev"
    if not folder.is_dir():
        pytest.skip("PolNeAR dev split is absent")
    result = evaluate(folder, pipeline)
    # well above the CoreNLP baseline the PolNeAR paper reports (13.9 source / 17.5 content exact F1)
    assert result["exact"]["source"]["f1"] > 40
    assert result["exact"]["content"]["f1"] > 30
