"""`communique eval realnews`: whole-article scores against a real-news gold file.

The gold file has one article a line (`id`, `published`, `text`, `events`, `quotes`, `actors`), annotated
as `realnews-dev/PROTOCOL.md` describes. The measures are the ones a reader of the record judges by,
the same as the project's acceptance scorer:

* events, typed: same PLOVER type (CONCEDE, RETREAT and PLV's YIELD are one type) and the predicted
  evidence span overlaps the gold evidence; full: typed, one predicted actor matches a gold actor and,
  when the gold event has recipients, one predicted recipient matches a gold recipient. An actor matches
  by country code, or, when the gold country is null, by a shared name word. Predicted events whose
  status says they did not happen (denied, requested, hypothetical) are not counted: the protocol codes
  what happened or was announced.
* event date accuracy: among typed matches whose gold event has a date, the share with the same date.
* quotes, content: the predicted content covers at least half of the gold content and the gold content
  at least half of the predicted; speaker: content, and the speaker shares a name word with the gold one.
* actors: a predicted actor has a mention overlapping the gold mention (found), with the gold country.

Matching is one to one and greedy, in gold order, against predictions in their order. On top of the
totals the report gives per-type precision and recall (typed level) and the worst misses: gold events
no prediction matched, predictions no gold event matched, and typed matches with the wrong roles.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# CONCEDE and RETREAT are PLV's YIELD: the three are one type for scoring.
_YIELD_FAMILY = frozenset({"CONCEDE", "RETREAT", "YIELD"})
# Statuses of events that did not happen: the protocol does not code them, so they are not scored.
NOT_EVENTS = frozenset({"denied", "requested", "hypothetical"})
# Words too common in actor names to show two names are the same actor.
_NAME_STOPWORDS = frozenset(
    "the of and a an in for to on s mr ms president minister prime foreign government officials official "
    "spokesperson spokesman".split()
)


def scoring_type(label: str | None) -> str:
    label = (label or "").upper()
    return "YIELD" if label in _YIELD_FAMILY else label


def name_words(text: str | None) -> set[str]:
    """Lower-cased words of three letters or more that are not name stopwords."""
    return {w for w in re.findall(r"\w+", (text or "").lower()) if len(w) > 2 and w not in _NAME_STOPWORDS}


def _overlap(a: Sequence[int], b: Sequence[int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def contents_match(gold: Sequence[int], predicted: Sequence[int]) -> bool:
    """A predicted quote content matches a gold one when they overlap by half of each (the scorer's
    rule; the learners label their training rows by it too)."""
    shared = _overlap(gold, predicted)
    return shared >= 0.5 * (gold[1] - gold[0]) and shared >= 0.5 * max(1, predicted[1] - predicted[0])


def _prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = hits / predicted if predicted else 0.0
    r = hits / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def find(text: str, piece: str | None) -> tuple[int, int] | None:
    if not piece:
        return None
    at = text.find(piece)
    return (at, at + len(piece)) if at >= 0 else None


@dataclass
class Miss:
    """One error worth reading: what was expected or predicted, where, and why it failed."""

    kind: str  # "missed" (gold, no typed match) | "spurious" (predicted, no typed match) | "roles" (typed, roles wrong)
    article: str
    type: str
    sentence: str
    expected: str = ""  # gold actors -> recipients
    predicted: str = ""  # predicted actors -> recipients

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Counts:
    ev_pred: int = 0
    ev_gold: int = 0
    ev_typed: int = 0
    ev_full: int = 0
    date_ok: int = 0
    date_n: int = 0
    q_pred: int = 0
    q_gold: int = 0
    q_content: int = 0
    q_speaker: int = 0
    a_gold: int = 0
    a_found: int = 0
    a_country: int = 0
    # per scoring type: gold, predicted, typed hits, full hits
    per_type: dict[str, Counter] = field(default_factory=dict)

    def bump(self, label: str, key: str) -> None:
        self.per_type.setdefault(label, Counter())[key] += 1


class _Article:
    """One gold article with its prediction, and the helpers that compare the two."""

    def __init__(self, gold: dict, predicted: dict):
        self.gold = gold
        self.text: str = gold["text"]
        self.pred = predicted
        self.actors = {a.get("id"): a for a in predicted.get("actors") or []}

    def describe(self, ref) -> tuple[str, set[str]]:
        """(country, name words) of a predicted actor reference (an id, or an inline actor)."""
        actor = ref if isinstance(ref, dict) else self.actors.get(ref, {})
        mentions = " ".join(self.text[s:e] for s, e in actor.get("mentions") or [])
        return (actor.get("country") or "").upper(), name_words(mentions + " " + (actor.get("name") or ""))

    def agrees(self, gold_actors: list[dict], refs: Iterable) -> bool:
        predicted = [self.describe(r) for r in refs or []]
        for g in gold_actors:
            country, words = (g.get("country") or "").upper(), name_words(g.get("name"))
            for p_country, p_words in predicted:
                if (country and p_country == country) or (not country and words & p_words):
                    return True
        return False

    def roles_right(self, g: dict, p: dict) -> bool:
        if not self.agrees(g.get("actors") or [], p.get("actors")):
            return False
        return not g.get("recipients") or self.agrees(g["recipients"], p.get("recipients"))

    def names(self, refs: Iterable) -> str:
        out = []
        for r in refs or []:
            if isinstance(r, dict):
                out.append(f"{r.get('name')}/{r.get('country')}")
            else:
                a = self.actors.get(r, {})
                out.append(f"{a.get('name', r)}/{a.get('country')}")
        return ", ".join(out) or "-"

    def roles(self, event: dict) -> str:
        return f"{self.names(event.get('actors'))} -> {self.names(event.get('recipients'))}"

    def sentence_of(self, p: dict) -> str:
        span = p.get("evidence_span")
        return self.text[span[0] : span[1]] if span else (p.get("evidence") or "")


def _match_events(art: _Article, c: Counts, misses: list[Miss]) -> None:
    gold_events = art.gold.get("events") or []
    predicted = [p for p in art.pred.get("events") or [] if p.get("status") not in NOT_EVENTS]
    c.ev_pred += len(predicted)
    c.ev_gold += len(gold_events)
    for p in predicted:
        c.bump(scoring_type(p.get("type")), "pred")
    for g in gold_events:
        c.bump(scoring_type(g.get("type")), "gold")
    typed_pairs: dict[int, int] = {}  # gold index -> predicted index, typed level
    typed_used: set[int] = set()
    full_gold: set[int] = set()
    for level in ("typed", "full"):
        used: set[int] = set()
        for gi, g in enumerate(gold_events):
            where = find(art.text, g.get("evidence"))
            if where is None:
                continue
            label = scoring_type(g.get("type"))
            for pi, p in enumerate(predicted):
                if pi in used or scoring_type(p.get("type")) != label:
                    continue
                if _overlap(where, p.get("evidence_span") or (0, 0)) <= 0:
                    continue
                if level == "full" and not art.roles_right(g, p):
                    continue
                used.add(pi)
                if level == "typed":
                    c.ev_typed += 1
                    typed_pairs[gi] = pi
                    if g.get("date"):
                        c.date_n += 1
                        c.date_ok += p.get("date") == g["date"]
                else:
                    c.ev_full += 1
                    full_gold.add(gi)
                c.bump(label, level)
                break
        if level == "typed":
            typed_used = used
    art_id = str(art.gold.get("id"))
    for gi, g in enumerate(gold_events):
        if gi not in typed_pairs:
            misses.append(Miss("missed", art_id, scoring_type(g.get("type")), g.get("evidence") or "", art.roles(g)))
        elif gi not in full_gold:
            p = predicted[typed_pairs[gi]]
            misses.append(Miss("roles", art_id, scoring_type(g.get("type")), g.get("evidence") or "", art.roles(g), art.roles(p)))
    for pi, p in enumerate(predicted):
        if pi not in typed_used:
            misses.append(Miss("spurious", art_id, scoring_type(p.get("type")), art.sentence_of(p), "", art.roles(p)))


def _content_span(quote: dict) -> tuple[int, int]:
    span = quote.get("content_span") or (0, 0)
    if span and isinstance(span[0], (list, tuple)):  # a quote in several pieces: their hull
        return min(s for s, _ in span), max(e for _, e in span)
    return tuple(span)  # type: ignore[return-value]


def _match_quotes(art: _Article, c: Counts) -> None:
    gold_quotes = art.gold.get("quotes") or []
    predicted = art.pred.get("quotes") or []
    c.q_pred += len(predicted)
    c.q_gold += len(gold_quotes)
    for level in ("content", "speaker"):
        used: set[int] = set()
        for g in gold_quotes:
            where = find(art.text, g.get("content"))
            if where is None:
                continue
            for pi, p in enumerate(predicted):
                if pi in used:
                    continue
                if not contents_match(where, _content_span(p)):
                    continue
                if level == "speaker":
                    words = art.describe(p.get("speaker"))[1] | name_words(p.get("speaker_text"))
                    if not name_words(g.get("speaker")) & words:
                        continue
                used.add(pi)
                if level == "content":
                    c.q_content += 1
                else:
                    c.q_speaker += 1
                break


def _match_actors(art: _Article, c: Counts) -> None:
    for g in art.gold.get("actors") or []:
        where = find(art.text, g.get("mention"))
        if where is None:
            continue
        c.a_gold += 1
        covering = [a for a in art.pred.get("actors") or [] if any(_overlap(where, m) > 0 for m in a.get("mentions") or [])]
        if covering:
            c.a_found += 1
            country = (g.get("country") or "").upper()
            if any((a.get("country") or "").upper() == country for a in covering):
                c.a_country += 1


def _pct(values: Sequence[float]) -> list[float]:
    return [round(100 * v, 1) for v in values]


def worst_misses(misses: list[Miss], n: int = 10) -> list[Miss]:
    """The misses to read first: those of the types that lose the most, missed and spurious before
    role errors, in article order within a type."""
    cost = Counter(m.type for m in misses)
    rank = {"missed": 0, "spurious": 0, "roles": 1}
    ordered = sorted(enumerate(misses), key=lambda im: (rank[im[1].kind], -cost[im[1].type], im[0]))
    return [m for _, m in ordered[:n]]


def score(gold: list[dict], predictions: list[dict], n_misses: int = 10) -> dict:
    """All the measures for gold articles against predictions (extract JSON documents, keyed by
    `article.id` or a top-level `id`)."""
    by_id: dict[str, dict] = {}
    for doc in predictions:
        key = doc.get("id") or (doc.get("article") or {}).get("id")
        by_id[str(key)] = doc
    c = Counts()
    misses: list[Miss] = []
    for g in gold:
        art = _Article(g, by_id.get(str(g.get("id")), {}))
        _match_events(art, c, misses)
        _match_quotes(art, c)
        _match_actors(art, c)
    typed = _prf(c.ev_typed, c.ev_pred, c.ev_gold)
    full = _prf(c.ev_full, c.ev_pred, c.ev_gold)
    content = _prf(c.q_content, c.q_pred, c.q_gold)
    speaker = _prf(c.q_speaker, c.q_pred, c.q_gold)
    per_type = {}
    for label, k in sorted(c.per_type.items()):
        per_type[label] = {
            "gold": k["gold"],
            "predicted": k["pred"],
            "typed_precision": round(100 * k["typed"] / k["pred"], 1) if k["pred"] else None,
            "typed_recall": round(100 * k["typed"] / k["gold"], 1) if k["gold"] else None,
            "full_recall": round(100 * k["full"] / k["gold"], 1) if k["gold"] else None,
        }
    counts = {k: v for k, v in c.__dict__.items() if k != "per_type"}
    return {
        "articles": len(gold),
        **counts,
        "events_typed_prf": _pct(typed),
        "events_full_prf": _pct(full),
        "event_date_acc": round(100 * c.date_ok / c.date_n, 1) if c.date_n else None,
        "quotes_content_prf": _pct(content),
        "quotes_speaker_prf": _pct(speaker),
        "actors_found": round(100 * c.a_found / c.a_gold, 1) if c.a_gold else None,
        "actors_country": round(100 * c.a_country / c.a_gold, 1) if c.a_gold else None,
        "per_type": per_type,
        "misses": {kind: sum(m.kind == kind for m in misses) for kind in ("missed", "spurious", "roles")},
        "worst_misses": [m.as_dict() for m in worst_misses(misses, n_misses)],
    }


def read_jsonl(path: str | Path) -> list[dict]:
    """JSON objects of a JSONL file; a blank line is skipped, a broken one raises ValueError with its number."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON ({err.msg})") from None
    return out


def predict(gold: list[dict]) -> list[dict]:
    """Run the whole pipeline on the gold texts (as `communique extract` would, through the one
    ingest path's reading and analysis, `communique.intake`) and return the extract JSON documents.
    A text the pipeline rejects is one "rejected" line on stderr, as the command line prints it."""
    import sys

    from communique.config import Settings
    from communique.intake import analyse
    from communique.models import Extraction, Rejection

    def report(result) -> None:
        if isinstance(result, Rejection):
            print(f"rejected: {result}", file=sys.stderr)

    articles = [{"id": a["id"], "text": a["text"], "published": a.get("published")} for a in gold]
    return [item.with_record_dates().to_json_dict() for item in analyse(articles, Settings(), on_result=report)
            if isinstance(item, Extraction)]


def summary_line(report: dict) -> str:
    f, t, s = report["events_full_prf"], report["events_typed_prf"], report["quotes_speaker_prf"]
    return (
        f"realnews {report['articles']} articles: events full P/R/F1 {f[0]:.1f}/{f[1]:.1f}/{f[2]:.1f} "
        f"typed {t[0]:.1f}/{t[1]:.1f}/{t[2]:.1f} date {report['event_date_acc']}; "
        f"quotes speaker {s[0]:.1f}/{s[1]:.1f}/{s[2]:.1f} content F1 {report['quotes_content_prf'][2]:.1f}; "
        f"actor country {report['actors_country']}% (found {report['actors_found']}%)"
    )
