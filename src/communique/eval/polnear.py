"""Score the attribution stage on a PolNeAR-layout folder (brat stand-off attributions).

Layout: `DIR/text/NAME.txt` and `DIR/attributions/NAME_ANNOTATOR.ann`, where an article may have
several annotators' files; `DIR/../metadata.tsv` (or `DIR/metadata.tsv`) gives publication dates.
Each `.ann` has `T` lines `Tn<TAB>Label START END[;START END...]<TAB>text` and `E` lines linking an
attribution's Source, Cue and Content. The texts are scored as read, not cleaned, so the offsets hold.

Two measures per role (source, cue, content), micro-averaged over the corpus:

* exact: a predicted span counts when a gold span of that role is identical to it, character for
  character after trimming surrounding whitespace; a discontinuous span (a quotation broken by its
  cue, or one running over paragraphs) is the set of its pieces, and our quotes that continue one
  another are joined into one such set. P = matches / predicted spans, R = matches / gold spans.
* overlap: token-level P/R/F1, as for sequence labelling: the text is split into word and
  punctuation tokens; a token is labelled with a role when it lies inside a span of that role.
  P = tokens labelled by both / tokens we labelled, R = tokens labelled by both / gold-labelled tokens.

An article with k annotators' files is scored against each, every count weighted 1/k, so each
article weighs the same whatever its number of annotators.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROLES = ("source", "cue", "content")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t?")
_E_LINE = re.compile(r"^(E\d+)\t(.*)$")
_ANN_NAME = re.compile(r"^(?P<name>.+)_(?P<annotator>[0-9a-f]{3,8})$")

Pieces = tuple[tuple[int, int], ...]


@dataclass
class Attribution:
    source: Pieces | None = None
    cue: Pieces | None = None
    content: Pieces | None = None

    def role(self, name: str) -> Pieces | None:
        return getattr(self, name)


@dataclass
class Document:
    name: str
    text: str
    published: date | None
    annotations: dict[str, list[Attribution]] = field(default_factory=dict)  # annotator -> attributions


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def pieces_of(text: str, ranges: list[tuple[int, int]]) -> Pieces:
    out = []
    for s, e in sorted(ranges):
        s, e = _trim(text, max(0, s), min(len(text), e))
        if e > s:
            out.append((s, e))
    return tuple(out)


def parse_ann(content: str, text: str) -> list[Attribution]:
    """The attributions of one brat file; lines that do not parse are skipped."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[dict[str, str]] = []
    for line in content.splitlines():
        m = _T_LINE.match(line)
        if m:
            try:
                ranges = [tuple(int(x) for x in part.split()) for part in m.group(3).strip().split(";")]
                spans[m.group(1)] = (m.group(2), [(r[0], r[1]) for r in ranges if len(r) == 2])
            except ValueError:
                continue
            continue
        m = _E_LINE.match(line)
        if m:
            args = {}
            for arg in m.group(2).split():
                if ":" in arg:
                    role, ref = arg.split(":", 1)
                    args[role] = ref
            events.append(args)
    out = []
    for args in events:
        item = Attribution()
        for role, ref in args.items():
            if ref not in spans:
                continue
            label, ranges = spans[ref]
            key = label.lower()
            if key in ROLES and role.lower() in ROLES:
                pieces = pieces_of(text, ranges)
                if pieces:
                    setattr(item, key, pieces)
        if item.source or item.cue or item.content:
            out.append(item)
    return out


def _metadata_dates(folder: Path) -> dict[str, date]:
    dates: dict[str, date] = {}
    for path in (folder / "metadata.tsv", folder.parent / "metadata.tsv"):
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                try:
                    dates[row["filename"]] = date.fromisoformat((row.get("publication_date") or "")[:10])
                except (KeyError, ValueError):
                    continue
        break
    return dates


def load_corpus(folder: Path, limit: int | None = None) -> list[Document]:
    """The documents of a PolNeAR-layout folder that have both a text and at least one annotation file."""
    folder = Path(folder)
    dates = _metadata_dates(folder)
    by_name: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for ann in sorted((folder / "attributions").glob("*.ann")):
        m = _ANN_NAME.match(ann.stem)
        name, annotator = (m.group("name"), m.group("annotator")) if m else (ann.stem, "-")
        if not (folder / "text" / f"{name}.txt").is_file() and (folder / "text" / f"{ann.stem}.txt").is_file():
            name, annotator = ann.stem, "-"
        by_name[name].append((annotator, ann))
    docs = []
    for name in sorted(by_name):
        text_path = folder / "text" / f"{name}.txt"
        if not text_path.is_file():
            continue
        text = text_path.read_text(encoding="utf-8")
        doc = Document(name=name, text=text, published=dates.get(name))
        for annotator, ann in by_name[name]:
            doc.annotations[annotator] = parse_ann(ann.read_text(encoding="utf-8"), text)
        docs.append(doc)
        if limit and len(docs) >= limit:
            break
    return docs


# ---------------------------------------------------------------- scoring


@dataclass
class Counts:
    tp: float = 0.0
    predicted: float = 0.0
    gold: float = 0.0

    def add(self, tp: float, predicted: float, gold: float, weight: float) -> None:
        self.tp += tp * weight
        self.predicted += predicted * weight
        self.gold += gold * weight

    def scores(self) -> dict[str, float]:
        p = self.tp / self.predicted if self.predicted else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(100 * p, 1), "recall": round(100 * r, 1), "f1": round(100 * f, 1)}


def _token_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


def _tokens_in(pieces_list: list[Pieces], token_starts: list[int], tokens: list[tuple[int, int]]) -> set[int]:
    from bisect import bisect_left

    out: set[int] = set()
    for pieces in pieces_list:
        for s, e in pieces:
            k = bisect_left(token_starts, s)
            if k > 0 and tokens[k - 1][1] > s:
                k -= 1
            while k < len(tokens) and tokens[k][0] < e:
                out.add(k)
                k += 1
    return out


def score(docs: list[Document], predictions: dict[str, list[Attribution]]) -> dict:
    exact = {r: Counts() for r in ROLES}
    overlap = {r: Counts() for r in ROLES}
    for doc in docs:
        predicted = predictions.get(doc.name, [])
        tokens = _token_spans(doc.text)
        starts = [t[0] for t in tokens]
        weight = 1.0 / max(1, len(doc.annotations))
        for gold in doc.annotations.values():
            for role in ROLES:
                g = {a.role(role) for a in gold if a.role(role)}
                p = {a.role(role) for a in predicted if a.role(role)}
                exact[role].add(len(g & p), len(p), len(g), weight)
                gt = _tokens_in(list(g), starts, tokens)
                pt = _tokens_in(list(p), starts, tokens)
                overlap[role].add(len(gt & pt), len(pt), len(gt), weight)
    return {
        "documents": len(docs),
        "annotation_files": sum(len(d.annotations) for d in docs),
        "gold_attributions": round(sum(len(a) / max(1, len(d.annotations)) for d in docs for a in d.annotations.values()), 1),
        "predicted_attributions": sum(len(predictions.get(d.name, [])) for d in docs),
        "exact": {r: exact[r].scores() for r in ROLES},
        "overlap": {r: overlap[r].scores() for r in ROLES},
    }


def predict(docs: list[Document], pipeline) -> dict[str, list[Attribution]]:
    """Run the actor and attribution stages over the raw texts; quotes that continue one another are joined."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.models import Article, Segment
    from communique.nlp import AnnotatedDoc

    articles = [
        Article(text=d.text, source=d.name, body=d.text, segments=[Segment(0, 0, len(d.text))], published=d.published)
        for d in docs
    ]
    out: dict[str, list[Attribution]] = {}
    pairs = ((a.body, a) for a in articles)
    for spacy_doc, article in pipeline.nlp.pipe(pairs, as_tuples=True, batch_size=8):
        annotated = AnnotatedDoc(article=article, doc=spacy_doc)
        try:
            actors = resolve_actors(annotated, pipeline.kb)
            quotes = extract_quotes(annotated, actors, statements_only=False)  # PolNeAR annotates stances too
        except Exception:
            quotes = []
        out[article.source] = quotes_to_attributions(quotes, article.text)
    return out


def quotes_to_attributions(quotes, text: str) -> list[Attribution]:
    """Quotes as PolNeAR attributions: a chain of continuing quotes becomes one discontinuous content."""
    roots: dict[str, Attribution] = {}
    contents: dict[str, list[tuple[int, int]]] = {}
    order = []
    ids = {q.id for q in quotes}
    # the quotes that continue no other first: a continuation may come before its parent in the text
    for q in sorted(quotes, key=lambda q: getattr(q, "continues", None) in ids):
        parent = getattr(q, "continues", None)
        key = parent if parent in roots else q.id
        if key not in roots:
            roots[key] = Attribution(
                source=pieces_of(text, [tuple(q.source_span)]) if q.source_span else None,
                cue=pieces_of(text, [tuple(q.cue_span)]) if q.cue_span else None,
            )
            contents[key] = []
            order.append(key)
        if q.content_span:
            contents[key].append(tuple(q.content_span))
    out = []
    for key in order:
        item = roots[key]
        item.content = pieces_of(text, contents[key]) or None
        for role in ROLES:
            if item.role(role) == ():
                setattr(item, role, None)
        out.append(item)
    return out


def evaluate(folder: Path, pipeline=None, limit: int | None = None) -> dict:
    if pipeline is None:
        from communique.pipeline import Pipeline

        pipeline = Pipeline()
    docs = load_corpus(folder, limit=limit)
    result = score(docs, predict(docs, pipeline))
    result["folder"] = str(folder)
    result["tagger"] = tagger_description()
    return result


def tagger_description() -> str:
    """What the attribution stage ran with: the rules alone, or the rules with the shipped tagger."""
    from communique.attribution.tagger import enabled, load_tagger, model_path

    if not enabled():
        return "off (COMMUNIQUE_ATTRIBUTION_TAGGER=0): rules only"
    if load_tagger(str(model_path())) is None:
        return f"no tagger model at {model_path()}: rules only"
    return f"rules combined with the tagger at {model_path()}"
