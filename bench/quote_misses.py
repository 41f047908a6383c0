"""List quote misses against a real-news gold file, per article: error analysis for attribution.

    python bench/quote_misses.py GOLD.jsonl PRED.jsonl [ARTICLE_ID]

PRED.jsonl is `communique extract GOLD_INPUT --json` output. Matching follows the shared scorer
(../shared/acceptance/score_realnews.py): a predicted quote matches a gold one when their contents
overlap by half of each, and its speaker is right when they share a name word. Lines:
  MISS  a gold quote no prediction matches (with any partly overlapping predictions)
  SPKR  content matched, speaker wrong (gold vs predicted actor | source text)
  FP    a predicted quote matching no gold quote (with its cue)
"""

from __future__ import annotations

import json
import re
import sys

STOP = {"the", "of", "and", "a", "an", "in", "for", "to", "on", "s", "mr", "ms", "president", "minister",
        "prime", "foreign", "government", "officials", "official", "spokesperson", "spokesman"}


def words(s: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (s or "").lower()) if w not in STOP and len(w) > 2}


def overlap(a, b) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def hull(span):
    span = span or (0, 0)
    if isinstance(span[0], (list, tuple)):
        return (min(s for s, _ in span), max(e for _, e in span))
    return tuple(span)


def report(gold: dict, pred: dict) -> list[str]:
    text = gold["text"]
    actors = {a["id"]: a for a in pred.get("actors", [])}
    quotes = pred.get("quotes", [])

    def who(q):
        a = actors.get(q.get("speaker"), {})
        return f"{a.get('name')}|{q.get('speaker_text')}"

    def name_words(q):
        a = actors.get(q.get("speaker"), {})
        names = " ".join(text[s:e] for s, e in a.get("mentions") or []) + " " + (a.get("name") or "")
        return words(names) | words(q.get("speaker_text"))

    used, out = set(), []
    for g in gold.get("quotes", []):
        start = text.find(g["content"])
        if start < 0:
            continue
        gl = (start, start + len(g["content"]))
        hit = None
        for i, q in enumerate(quotes):
            span = hull(q.get("content_span"))
            ov = overlap(gl, span)
            if i not in used and ov >= 0.5 * (gl[1] - gl[0]) and ov >= 0.5 * max(1, span[1] - span[0]):
                hit = i
                break
        if hit is None:
            part = [(who(q), text[slice(*hull(q.get("content_span")))][:80]) for q in quotes
                    if overlap(gl, hull(q.get("content_span"))) > 0]
            out.append(f"  MISS  [{g['speaker']}] {g['content'][:110]!r}" + (f"\n        partial: {part}" if part else ""))
            continue
        used.add(hit)
        if not words(g["speaker"]) & name_words(quotes[hit]):
            out.append(f"  SPKR  gold[{g['speaker']}] pred[{who(quotes[hit])}] {g['content'][:90]!r}")
    for i, q in enumerate(quotes):
        if i not in used:
            out.append(f"  FP    [{who(q)}] cue={q.get('cue')!r} {text[slice(*hull(q.get('content_span')))][:110]!r}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        gold = [json.loads(x) for x in f if x.strip()]
    preds = {}
    with open(argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip().startswith("{"):
                d = json.loads(line)
                preds[str(d.get("id") or d.get("article", {}).get("id"))] = d
    only = argv[2] if len(argv) > 2 else None
    for art in gold:
        if only and art["id"] != only:
            continue
        lines = report(art, preds.get(art["id"], {}))
        if lines:
            print(f"== {art['id']} gold {len(art.get('quotes', []))} pred {len(preds.get(art['id'], {}).get('quotes', []))}")
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
