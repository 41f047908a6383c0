"""The sentence event detector: which PLOVER event types a sentence states, read with the sentence
before it, learned from whole articles annotated by the record's own protocol.

The model (`communique/data/models/detector/`: `model.onnx` with int8 weights, `tokenizer.json`,
`meta.json`) is all-MiniLM-L6-v2 fine-tuned on realnews-train (`communique train events`, in
`communique.events.learn`). Its input is a pair, the sentence then the sentence before it:
`[CLS] sentence [SEP] previous [SEP]`, cut to the model's length with the sentence kept whole where it
can be (`pair_ids`, used by training and inference alike). The sentence's own word pieces are pooled
(the previous sentence is context, read through attention only) and a linear head gives a softmax
over "no event" (NONE) and the 16 types; every type whose probability clears its threshold is an
event of the sentence, so a sentence can state an accusation and a demand at once.

`meta.json` holds the labels, the length and each type's decision threshold, chosen by
cross-validation on the training articles, so thresholds live with the model they were tuned for.
It runs on onnxruntime and tokenizers only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_DIR_NAME = "models/detector"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"
# A sentence keeps at least this many of its own word pieces before the context is cut.
MIN_CONTEXT = 16
BATCH = 8


def pair_ids(tokenizer, sentence: str, previous: str, max_tokens: int) -> tuple[list[int], list[int]]:
    """(input ids, segment ids) of `[CLS] sentence [SEP] previous [SEP]` within max_tokens.

    The sentence keeps its pieces first; the previous sentence gets what is left (at least MIN_CONTEXT
    pieces when the sentence itself is long, then the sentence is cut)."""
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    own = tokenizer.encode(sentence or " ", add_special_tokens=False).ids
    context = tokenizer.encode(previous, add_special_tokens=False).ids if previous else []
    room = max_tokens - 3
    if len(own) + len(context) > room:
        keep_context = min(len(context), max(MIN_CONTEXT, room - len(own)))
        own = own[: room - keep_context]
        context = context[-keep_context:] if keep_context else []  # the end of the previous sentence is nearest
    ids = [cls_id, *own, sep_id, *context, sep_id]
    segments = [0] * (len(own) + 2) + [1] * (len(context) + 1)
    return ids, segments


@dataclass(frozen=True)
class DetectorMeta:
    labels: list[str]
    thresholds: dict[str, float]
    max_tokens: int


class SentenceDetector:
    """Callable: a list of (sentence, previous sentence) pairs -> one {type: probability} per pair."""

    def __init__(self, directory: str | Path):
        from tokenizers import Tokenizer

        from communique.events.classifier import onnx_session

        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        labels = list(meta["labels"])
        self.meta = DetectorMeta(labels, {k: float(v) for k, v in meta["thresholds"].items()}, int(meta["max_tokens"]))
        self.info = meta
        self.session = onnx_session(directory / MODEL_FILE)
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    def threshold(self, label: str) -> float:
        return self.meta.thresholds.get(label, 0.5)

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        import numpy as np

        encoded = [pair_ids(self.tokenizer, s, p, self.meta.max_tokens) for s, p in pairs]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        out: dict[int, dict[str, float]] = {}
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            width = max(len(encoded[i][0]) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            segs = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                a, b = encoded[i]
                ids[row, : len(a)], segs[row, : len(b)], mask[row, : len(a)] = a, b, 1
            (probs,) = self.session.run(["probs"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": segs})
            for i, row in zip(idx, probs.tolist()):
                out[i] = dict(zip(self.labels, map(float, row)))
        return [out[i] for i in range(len(encoded))]


def default_model_path() -> Path:
    return Path(str(resources.files("communique") / "data" / MODEL_DIR_NAME))


@lru_cache(maxsize=2)
def load_detector(path: str | None = None) -> SentenceDetector | None:
    """The shipped detector, or None when it is missing or unreadable (events then come from the
    dictionary alone, as before the detector existed)."""
    target = Path(path) if path else default_model_path()
    if not (target / MODEL_FILE).exists() or not (target / META_FILE).exists():
        return None
    try:
        return SentenceDetector(target)
    except Exception:  # a damaged model must not take the pipeline down
        log.warning("could not load the event detector from %s", target, exc_info=True)
        return None
