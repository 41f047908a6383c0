"""Measurements of the actor stage on annotated corpora.

`plv_actor_coverage(csv_path)`: for each PLOVER sentence (columns text, label, source, target), is
the gold source / target actor text found as an actor mention, and does that actor get a country?
A gold actor counts as *found* when some actor mention overlaps the gold text's span in the
sentence by at least one word character; the actor with the largest overlap is the one scored.
Misses are classed: the gold text is not in the sentence verbatim; spaCy saw an entity there but no
actor came of it; spaCy saw no entity there (a common-noun phrase or a name the model missed).

`polnear_pronoun_accuracy(folder)`: for PolNeAR attributions whose source is a personal pronoun,
does the actor the resolver gives the pronoun share a name word with the nearest earlier
non-pronoun gold source of the article (strict), or with one of the three earlier ones (lenient)?
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from communique.models import Article

PRONOUN_SOURCES = {"he", "she", "they", "it"}
_STOP = {"the", "a", "an", "of", "'s", "’s", "and", "mr", "mr.", "mrs", "ms", "mrs.", "ms.", "dr", "dr."}


@dataclass
class CoverageReport:
    rows: int = 0
    gold: int = 0
    found: int = 0
    with_country: int = 0
    classes: Counter = field(default_factory=Counter)
    by_slot: dict = field(default_factory=dict)  # "source"/"target" -> Counter of classes

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "gold_actor_texts": self.gold, "found": self.found,
            "found_rate": round(self.found / self.gold, 4) if self.gold else 0.0,
            "with_country": self.with_country,
            "country_rate_of_found": round(self.with_country / self.found, 4) if self.found else 0.0,
            "classes": dict(self.classes), "by_slot": {k: dict(v) for k, v in self.by_slot.items()},
        }


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w'’.-]+", text.lower()) if w not in _STOP and len(w) > 1}


def _pipeline_parts(pipeline=None):
    if pipeline is not None:
        return pipeline.nlp, pipeline.kb
    from communique.actors.kb import load_kb
    from communique.config import Settings
    from communique.nlp import load_nlp

    settings = Settings()
    return load_nlp(settings.spacy_model), load_kb(settings.kb_paths)


def plv_actor_coverage(csv_path: str | Path, limit: int | None = None, pipeline=None) -> CoverageReport:
    from communique.actors import resolve_actors
    from communique.nlp import annotate

    nlp, kb = _pipeline_parts(pipeline)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if limit:
        rows = rows[:limit]
    report = CoverageReport(rows=len(rows), by_slot={"source": Counter(), "target": Counter()})
    articles = [Article(text=r.get("text") or "", source=f"{csv_path}:{i + 2}", body=r.get("text") or "")
                for i, r in enumerate(rows)]
    for row, annotated in zip(rows, annotate(articles, nlp, batch_size=64)):
        table = resolve_actors(annotated, kb)
        text = annotated.article.text
        for slot in ("source", "target"):
            gold = (row.get(slot) or "").strip()
            if not gold:
                continue
            report.gold += 1
            start = text.find(gold)
            if start < 0:
                start = text.lower().find(gold.lower())
            if start < 0:
                cls = "gold text not in sentence"
            else:
                end = start + len(gold)
                best, best_overlap = None, 0
                for s, e, actor in table.mentions():
                    overlap = text[max(s, start) : min(e, end)]
                    if any(c.isalnum() for c in overlap) and len(overlap) > best_overlap:
                        best, best_overlap = actor, len(overlap)
                if best is not None:
                    report.found += 1
                    if best.country:
                        report.with_country += 1
                        cls = "found, country assigned"
                    else:
                        cls = "found, no country"
                elif any(ent.start_char < end and start < ent.end_char for ent in annotated.doc.ents
                         if ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "FAC"}):
                    cls = "missed: spaCy entity, no actor"
                elif gold.lower() in PRONOUN_SOURCES:
                    cls = "missed: pronoun"
                else:
                    cls = "missed: no spaCy entity"
            report.classes[cls] += 1
            report.by_slot[slot][cls] += 1
    return report


# ---------------------------------------------------------------- PolNeAR pronouns


@dataclass
class PronounReport:
    articles: int = 0
    pronoun_sources: int = 0
    resolved: int = 0
    strict: int = 0
    lenient: int = 0
    no_antecedent: int = 0  # no earlier non-pronoun gold source to compare with

    def as_dict(self) -> dict:
        scored = self.pronoun_sources - self.no_antecedent
        return {
            "articles": self.articles, "pronoun_sources": self.pronoun_sources,
            "with_gold_antecedent": scored, "resolved": self.resolved,
            "strict_correct": self.strict, "lenient_correct": self.lenient,
            "strict_accuracy": round(self.strict / scored, 4) if scored else 0.0,
            "lenient_accuracy": round(self.lenient / scored, 4) if scored else 0.0,
        }


def _sources(ann: str) -> list[tuple[int, int, str]]:
    out = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].startswith("T") or not parts[1].startswith("Source "):
            continue
        try:
            offsets = parts[1].split(" ", 1)[1]
            first, last = offsets.split(";")[0], offsets.split(";")[-1]
            out.append((int(first.split()[0]), int(last.split()[-1]), parts[2]))
        except (IndexError, ValueError):
            continue
    return sorted(set(out))


def _dates(folder: Path) -> dict[str, date]:
    meta = folder.parent / "metadata.tsv"
    out: dict[str, date] = {}
    if meta.exists():
        for row in csv.DictReader(meta.read_text(encoding="utf-8").splitlines(), delimiter="\t"):
            try:
                out[row["filename"]] = date.fromisoformat(row["publication_date"])
            except (KeyError, ValueError):
                pass
    return out


def polnear_pronoun_accuracy(folder: str | Path, limit: int | None = None, pipeline=None) -> PronounReport:
    """`folder` is a PolNeAR split (with text/ and attributions/)."""
    from communique.actors import resolve_actors
    from communique.nlp import annotate

    folder = Path(folder)
    nlp, kb = _pipeline_parts(pipeline)
    dates = _dates(folder)
    pairs = []
    for ann_path in sorted((folder / "attributions").glob("*.ann")):
        stem = ann_path.stem.rsplit("_", 1)[0]
        text_path = folder / "text" / f"{stem}.txt"
        if text_path.exists():
            pairs.append((text_path, ann_path, stem))
    if limit:
        pairs = pairs[:limit]
    report = PronounReport(articles=len(pairs))
    articles = []
    for text_path, _, stem in pairs:
        text = text_path.read_text(encoding="utf-8")
        articles.append(Article(text=text, body=text, source=str(text_path), published=dates.get(stem)))
    for (text_path, ann_path, _), annotated in zip(pairs, annotate(articles, nlp)):
        table = resolve_actors(annotated, kb)
        sources = _sources(ann_path.read_text(encoding="utf-8"))
        named = [(s, e, t) for s, e, t in sources if t.strip().lower() not in PRONOUN_SOURCES]
        for s, e, t in sources:
            if t.strip().lower() not in PRONOUN_SOURCES:
                continue
            report.pronoun_sources += 1
            before = [n for n in named if n[1] <= s]
            if not before:
                report.no_antecedent += 1
                continue
            actor = table.actor_at(s, e)
            if actor is None:
                continue
            report.resolved += 1
            names = _words(" ".join([actor.name, *actor.aliases]))
            if names & _words(before[-1][2]):
                report.strict += 1
            if any(names & _words(n[2]) for n in before[-3:]):
                report.lenient += 1
    return report
