"""The sentence classifier for PLOVER events: a fine-tuned MiniLM sentence encoder run with ONNX
Runtime.

The model (`communique/data/models/events/`: `model.onnx`, int8-quantised, `tokenizer.json`,
`meta.json`) maps a sentence to softmax scores over PLV's 15 labels and NONE ("no event"); what the
event stage makes of them is in `communique.events.detect`. It runs with onnxruntime and tokenizers
only, no torch; it is trained by `communique train events FILE --negatives-from DIR --out DIR`
(`communique.events.training`, which needs the `train` extra). Its labels are PLV's: CONCEDE and
RETREAT are one label there (YIELD); the event stage splits YIELD back with the verb dictionary.
The event stage asks it only about the sentences whose events depend on it (`sentence_scores.SentenceScores`),
in one call per article where it can, in batches of similar length.
"""

from __future__ import annotations

import csv
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_DIR_NAME = "models/events"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"
# Word pieces kept per sentence when meta.json does not say (it does: the model's training length);
# news sentences longer than this keep their first pieces, where the main verb usually is.
MAX_TOKENS = 96
# Sentences per onnxruntime call, sorted by length so little is padded. onnxruntime fuses each of the
# model's DequantizeLinear + MatMul pairs (events/quantize.py) into a MatMulNBits kernel which, at
# ACCURACY_LEVEL 4, multiplies in int8 with each row's activations quantized on their own (blocks of
# 32): a sentence scores exactly the same alone or in a batch (the older export quantized a whole
# batch at one scale and changed the top label of 31 of 1,212 PolNeAR dev sentences when batched).
# Batches of 8 were about 13 % faster than single calls on realnews-dev sentences, larger ones no faster.
BATCH = 8
# One onnxruntime thread: the pipeline gets its parallelism from worker processes (one per core). On
# the shared 2-core machine, 1 thread scored 1,212 sentences in 4.1 s against 13.9 s with 2 threads.
THREADS = 1
# Pinned, as every figure in meta.json was measured with it: 4 is onnxruntime's default (1.32) and
# about twice as fast here as float products (level 1), which move scores by up to 0.03.
ACCURACY_LEVEL = "4"


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


def folds(n: int, k: int, seed: int = 0) -> list[list[int]]:
    """K disjoint index folds covering range(n), shuffled with a fixed seed."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def onnx_session(path: Path):
    """An onnxruntime session for a shipped int8 model: THREADS threads, and the int8 MatMul
    accuracy level pinned (see quantize.py), so a sentence scores the same alone and in a batch."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.qdq_matmulnbits_accuracy_level", ACCURACY_LEVEL)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class EventClassifier:
    """Callable: a list of sentences -> a list of {label: probability} dicts, one onnxruntime call per
    batch of up to BATCH sentences."""

    def __init__(self, directory: str | Path):
        from tokenizers import Tokenizer

        directory = Path(directory)
        self.meta: dict = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        self.labels: list[str] = list(self.meta["labels"])
        self.session = onnx_session(directory / MODEL_FILE)
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(int(self.meta.get("max_tokens", MAX_TOKENS)))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def __call__(self, texts: Sequence[str]) -> list[dict[str, float]]:
        import numpy as np

        texts = [t if isinstance(t, str) else "" for t in texts]
        out: list[dict[str, float]] = []
        # similar lengths in a batch waste less padding
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        scores: dict[int, dict[str, float]] = {}
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            enc = self.tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            (probs,) = self.session.run(["probs"], {"input_ids": ids, "attention_mask": mask})
            for i, row in zip(idx, probs.tolist()):
                scores[i] = {lab: float(p) for lab, p in zip(self.labels, row)}
        out = [scores[i] for i in range(len(texts))]
        return out


def default_model_path() -> Path:
    return Path(str(resources.files("communique") / "data" / MODEL_DIR_NAME))


@lru_cache(maxsize=2)
def load_classifier(path: str | None = None) -> EventClassifier | None:
    """The shipped event-type classifier, or None when it is missing or unreadable (events then come
    from the verb dictionary alone)."""
    target = Path(path) if path else default_model_path()
    if not (target / MODEL_FILE).exists() or not (target / META_FILE).exists():
        return None
    try:
        return EventClassifier(target)
    except Exception:  # a damaged model (or a missing onnxruntime) must not take the pipeline down
        log.warning("could not load the event classifier from %s", target, exc_info=True)
        return None
