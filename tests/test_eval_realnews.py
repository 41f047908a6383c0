"""`communique eval realnews`: the whole-article measures on a tiny gold file written for this test, the
same figures as the project's acceptance scorer, per-type figures, worst misses, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.eval.realnews import score, scoring_type, worst_misses

TEXT = (
    "Chile accused Peru of spying on Monday. "
    "The Peruvian president denied the claim. "
    "Bolivia withdrew its ambassador from Lima. "
    'Peru\'s foreign minister Ana Gervasi said "we will not be intimidated".'
)


def _span(piece: str) -> list[int]:
    start = TEXT.index(piece)
    return [start, start + len(piece)]


GOLD = [
    {
        "id": "t1",
        "published": "2023-05-10",
        "text": TEXT,
        "events": [
            {"type": "ACCUSE", "actors": [{"name": "Chile", "country": "CHL"}], "recipients": [{"name": "Peru", "country": "PER"}],
             "date": "2023-05-08", "date_precision": "day", "evidence": "Chile accused Peru of spying on Monday."},
            {"type": "REJECT", "actors": [{"name": "Peruvian president", "country": "PER"}], "recipients": [{"name": "Chile", "country": "CHL"}],
             "date": None, "date_precision": "unknown", "evidence": "The Peruvian president denied the claim."},
            {"type": "RETREAT", "actors": [{"name": "Bolivia", "country": "BOL"}], "recipients": [],
             "date": None, "date_precision": "unknown", "evidence": "Bolivia withdrew its ambassador from Lima."},
        ],
        "quotes": [{"speaker": "Ana Gervasi", "speaker_country": "PER", "content": "we will not be intimidated", "kind": "direct", "via": []}],
        "actors": [
            {"name": "Chile", "country": "CHL", "mention": "Chile"},
            {"name": "Bolivia", "country": "BOL", "mention": "Bolivia"},
        ],
    }
]

PRED = [
    {
        "article": {"id": "t1"},
        "actors": [
            {"id": "a-chl", "name": "Chile", "country": "CHL", "mentions": [_span("Chile")]},
            {"id": "a-per", "name": "Peru", "country": "PER", "mentions": [_span("Peru of")[:1] + [_span("Peru of")[0] + 4]]},
            {"id": "a-bol", "name": "Bolivia", "country": "ARG", "mentions": [_span("Bolivia")]},
            {"id": "a-ana", "name": "Ana Gervasi", "country": "PER", "mentions": [_span("Ana Gervasi")]},
        ],
        "quotes": [{"speaker": "a-ana", "speaker_text": "Ana Gervasi", "content_span": _span("we will not be intimidated")}],
        "events": [
            # full match, right date
            {"type": "ACCUSE", "actors": ["a-chl"], "recipients": ["a-per"], "date": "2023-05-08", "evidence_span": _span("Chile accused Peru of spying on Monday.")},
            # CONCEDE counts as the gold RETREAT (both YIELD); actor's country wrong: typed, not full
            {"type": "CONCEDE", "actors": ["a-bol"], "recipients": [], "date": None, "evidence_span": _span("Bolivia withdrew its ambassador from Lima.")},
            # spurious
            {"type": "CONSULT", "actors": ["a-ana"], "recipients": [], "date": None, "evidence_span": _span("Peru's foreign minister")},
        ],
    }
]


def test_scores_by_hand():
    r = score(GOLD, PRED)
    assert (r["ev_gold"], r["ev_pred"], r["ev_typed"], r["ev_full"]) == (3, 3, 2, 1)
    assert r["events_typed_prf"] == [66.7, 66.7, 66.7]
    assert r["events_full_prf"] == [33.3, 33.3, 33.3]
    assert (r["date_n"], r["date_ok"], r["event_date_acc"]) == (1, 1, 100.0)
    assert r["quotes_speaker_prf"] == [100.0, 100.0, 100.0]
    assert (r["actors_found"], r["actors_country"]) == (100.0, 50.0)
    assert r["per_type"]["YIELD"]["typed_recall"] == 100.0 and r["per_type"]["YIELD"]["full_recall"] == 0.0
    assert r["per_type"]["CONSULT"]["typed_precision"] == 0.0
    assert r["misses"] == {"missed": 1, "spurious": 1, "roles": 1}
    kinds = {(m["kind"], m["type"]) for m in r["worst_misses"]}
    assert kinds == {("missed", "REJECT"), ("spurious", "CONSULT"), ("roles", "YIELD")}
    missed = next(m for m in r["worst_misses"] if m["kind"] == "missed")
    assert missed["sentence"] == "The Peruvian president denied the claim."


def test_yield_family_and_misses_order():
    assert scoring_type("concede") == scoring_type("RETREAT") == "YIELD"
    r = score(GOLD, PRED, n_misses=1)
    assert len(r["worst_misses"]) == 1 and r["worst_misses"][0]["kind"] != "roles"
    assert worst_misses([], 10) == []


def test_an_article_without_prediction_scores_zero_recall():
    r = score(GOLD, [])
    assert r["ev_typed"] == 0 and r["events_typed_prf"][1] == 0.0 and r["misses"]["missed"] == 3


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_cli_prints_per_type_table_misses_and_summary(tmp_path):
    gold, pred = _write(tmp_path, "gold.jsonl", GOLD), _write(tmp_path, "pred.jsonl", PRED)
    result = CliRunner().invoke(app, ["eval", "realnews", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert "YIELD" in result.output and "spurious" in result.output
    assert "events full P/R/F1 33.3/33.3/33.3 typed 66.7/66.7/66.7 date 100.0" in result.output


def test_cli_json(tmp_path):
    gold, pred = _write(tmp_path, "gold.jsonl", GOLD), _write(tmp_path, "pred.jsonl", PRED)
    result = CliRunner().invoke(app, ["eval", "realnews", str(gold), "--pred", str(pred), "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output[: result.output.rindex("}") + 1])
    assert report["events_full_prf"] == [33.3, 33.3, 33.3]


def test_cli_bad_gold_line_is_one_clear_error(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD[0]) + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "realnews", str(gold), "--pred", str(gold)])
    assert result.exit_code == 2
    assert "gold.jsonl:2" in result.output and "Traceback" not in result.output


def test_same_figures_as_the_acceptance_scorer(tmp_path, shared_dir):
    scorer = shared_dir / "acceptance" / "score_realnews.py"
    if not scorer.exists():
        pytest.skip("no acceptance scorer in ../shared")
    gold, pred = _write(tmp_path, "gold.jsonl", GOLD), _write(tmp_path, "pred.jsonl", PRED)
    done = subprocess.run([sys.executable, str(scorer), str(gold), "--pred", str(pred), "--json"], capture_output=True, text=True, timeout=120)
    theirs = json.loads(done.stdout[: done.stdout.rindex("}") + 1])
    ours = score(GOLD, PRED)
    for key in ("ev_pred", "ev_gold", "ev_typed", "ev_full", "date_ok", "date_n", "q_content", "q_speaker", "a_found", "a_country",
                "events_typed_prf", "events_full_prf", "event_date_acc", "quotes_speaker_prf", "actors_country"):
        assert ours[key] == theirs[key], key
