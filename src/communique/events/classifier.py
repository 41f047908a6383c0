"""The sentence classifier for PLOVER event types: a spaCy `textcat` trained on PLV-layout CSVs.

The model is a small stand-alone spaCy pipeline (blank English tokenizer + one exclusive `textcat`),
so it runs on spaCy's own runtime with no torch. It is trained by `communique train events FILE --out DIR`
and shipped under `communique/data/models/events/`. Its labels are PLV's: CONCEDE and RETREAT are one
label there (YIELD); the event stage splits YIELD back with the verb dictionary.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

MODEL_DIR_NAME = "models/events"

# Architectures tried for the textcat. "ensemble" = bag-of-ngrams + a small CNN over hashed embeddings.
ARCHITECTURES: dict[str, dict] = {
    "bow": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 32768,
    },
    "ensemble": {
        "@architectures": "spacy.TextCatEnsemble.v2",
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {
                "@architectures": "spacy.MultiHashEmbed.v2",
                "width": 64,
                "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                "rows": [5000, 1000, 2500, 2500],
                "include_static_vectors": False,
            },
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": 64,
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 2,
            },
        },
        "linear_model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": True,
            "ngram_size": 2,
            "no_output_layer": False,
            "length": 32768,
        },
    },
}


@dataclass(frozen=True)
class LabelledSentence:
    """One row of a PLV-layout CSV: text, label, source, target."""

    text: str
    label: str
    source: str = ""
    target: str = ""


def read_plv(path: str | Path) -> list[LabelledSentence]:
    """Rows of a CSV with columns text,label[,source,target]; rows without text or label are skipped."""
    rows: list[LabelledSentence] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            text = (rec.get("text") or "").strip()
            label = (rec.get("label") or "").strip().upper()
            if text and label:
                rows.append(
                    LabelledSentence(text, label, (rec.get("source") or "").strip(), (rec.get("target") or "").strip())
                )
    return rows


def build(labels: Sequence[str], architecture: str = "ensemble") -> Language:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": ARCHITECTURES[architecture]})
    for label in sorted(set(labels)):
        textcat.add_label(label)
    return nlp


def train(
    rows: Sequence[LabelledSentence],
    architecture: str = "ensemble",
    epochs: int = 12,
    seed: int = 0,
    dropout: float = 0.2,
    log=None,
) -> Language:
    """Train a textcat pipeline on the rows. Deterministic for a given seed (single thread)."""
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    labels = sorted({r.label for r in rows})
    nlp = build(labels, architecture)
    examples = []
    for row in rows:
        doc = nlp.make_doc(row.text)
        examples.append(Example.from_dict(doc, {"cats": {lab: float(lab == row.label) for lab in labels}}))
    optimizer = nlp.initialize(lambda: examples)
    for epoch in range(epochs):
        random.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
        if log:
            log(f"epoch {epoch + 1}/{epochs} loss {losses.get('textcat', 0.0):.3f}")
    return nlp


def predict(nlp: Language, texts: Iterable[str]) -> list[dict[str, float]]:
    return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=64)]


def folds(n: int, k: int, seed: int = 0) -> list[list[int]]:
    """K disjoint index folds covering range(n), shuffled with a fixed seed."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_val_predict(
    rows: Sequence[LabelledSentence], k: int = 5, architecture: str = "ensemble", epochs: int = 12, seed: int = 0, log=None
) -> list[dict[str, float]]:
    """Per-row class scores from a model that never saw that row (K-fold)."""
    out: list[dict[str, float]] = [{} for _ in rows]
    for i, fold in enumerate(folds(len(rows), k, seed)):
        held = set(fold)
        model = train([r for j, r in enumerate(rows) if j not in held], architecture, epochs, seed)
        for j, cats in zip(fold, predict(model, [rows[j].text for j in fold])):
            out[j] = cats
        if log:
            log(f"fold {i + 1}/{k} done")
    return out


def default_model_path() -> Path:
    return Path(str(resources.files("communique") / "data" / MODEL_DIR_NAME))


@lru_cache(maxsize=2)
def load_classifier(path: str | None = None) -> Language | None:
    """The shipped event-type classifier, or None when it is missing or unreadable (events then come
    from the verb dictionary alone)."""
    target = Path(path) if path else default_model_path()
    if not (target / "config.cfg").exists():
        return None
    try:
        return spacy.load(target)
    except Exception:  # a damaged model must not take the pipeline down
        return None
