"""Negatives for the event classifier: sentences that carry no PLOVER event (the NONE class).

Two sources, both recorded in the model's meta.json:
- `data/events/negatives.txt`: non-political sentences written by the team in the shapes that
  became spurious events on real news (deaths from illness, positive virus tests, obituaries,
  sport, weather, statistics, elections as a process, procedure). Shipped with the package.
- sentences of a news corpus (the PolNeAR training texts, `--negatives-from DIR`) picked by the rules
  of `data/events/negatives.yaml` (no event, reporting or conflict word, no quotation, at most one
  proper-name group), sampled with a fixed seed. The corpus may not be redistributed, so only the
  rules ship; the sentences are rebuilt from the corpus at training time and the corpus files' hash
  goes into meta.json (`corpus_sha256`), with the hash of the sentences picked (`sentences_sha256`).

No spaCy here: a regex sentence splitter and suffix rules keep the selection fast and independent
of the parser's version.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from communique.datafile import load_yaml


NONE_LABEL = "NONE"
RULES_FILE = "negatives.yaml"
WRITTEN_FILE = "negatives.txt"

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_QUOTES = re.compile("[\"\u201c\u201d\u2018]|(?:^|\\s)'|'(?:\\s|$)")
# a split after an abbreviation ("Mr.", "Sen.", "H.W.") leaves a fragment
_ABBREVIATION_END = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|Rev|Prof|No|vs|[A-Z])\.$")


def _data_path(name: str) -> Path:
    return Path(str(resources.files("communique").joinpath("data", "events", name)))


@dataclass(frozen=True)
class Rules:
    min_words: int
    max_words: int
    max_names: int
    per_file: int
    limit: int
    seed: int
    blocked: frozenset[str]  # lemmas whose presence rejects a sentence
    irregular: dict[str, str]
    calendar: frozenset[str]


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    raw = load_yaml(_data_path(RULES_FILE).read_text(encoding="utf-8"))
    blocked = {w.lower() for key in ("event_words", "reporting_words", "conflict_words") for w in raw[key]}
    return Rules(
        min_words=int(raw["min_words"]),
        max_words=int(raw["max_words"]),
        max_names=int(raw["max_names"]),
        per_file=int(raw["per_file"]),
        limit=int(raw["limit"]),
        seed=int(raw["seed"]),
        blocked=frozenset(blocked),
        irregular={k.lower(): v.lower() for k, v in (raw.get("irregular_forms") or {}).items()},
        calendar=frozenset(raw.get("calendar_words") or ()),
    )


def lemma_candidates(word: str, irregular: dict[str, str]) -> set[str]:
    """The word and the lemmas it may inflect from (over-generating is fine: it only rejects more)."""
    w = word.lower().strip("'-")
    out = {w, irregular.get(w, w)}
    for suffix in ("s", "es", "ed", "d", "ing", "ment", "er", "ers"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            stem = w[: -len(suffix)]
            out |= {stem, stem + "e"}
            if len(stem) >= 3 and stem[-1] == stem[-2]:  # "banned", "stopping"
                out.add(stem[:-1])
    for suffix in ("ies", "ied"):
        if w.endswith(suffix):
            out.add(w[: -len(suffix)] + "y")
    return out


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        out.extend(s.strip() for s in _SENTENCE_END.split(para.strip()) if s.strip())
    return out


def _name_groups(words: list[str], calendar: frozenset[str]) -> int:
    """Runs of capitalised words after the first word (the first is capitalised anyway)."""
    groups, inside = 0, False
    for w in words[1:]:
        cap = w[0].isupper() and w not in calendar
        if cap and not inside:
            groups += 1
        inside = cap
    return groups


def is_negative(sentence: str, rules: Rules | None = None) -> bool:
    """Whether the rules keep the sentence as a no-event example."""
    rules = rules or load_rules()
    if _QUOTES.search(sentence) or not sentence[:1].isupper() or sentence[-1:] not in ".!?":
        return False
    if _ABBREVIATION_END.search(sentence):
        return False
    words = _WORD.findall(sentence)
    if not rules.min_words <= len(words) <= rules.max_words:
        return False
    if any(lemma_candidates(w, rules.irregular) & rules.blocked for w in words):
        return False
    return _name_groups(words, rules.calendar) <= rules.max_names


def corpus_files(directory: str | Path) -> list[Path]:
    """The corpus's text files in a fixed order (a `text/` folder inside DIR is used when present)."""
    directory = Path(directory)
    if (directory / "text").is_dir():
        directory = directory / "text"
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == ".txt")


def corpus_sha256(files: list[Path]) -> str:
    """One hash over the files' names and bytes, in order."""
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def corpus_negatives(directory: str | Path, rules: Rules | None = None, limit: int | None = None) -> list[str]:
    """Sentences of the corpus the rules keep: at most `per_file` a file, then `limit` in all, both
    sampled with the rules' seed (deterministic for the same files and rules)."""
    rules = rules or load_rules()
    rng = random.Random(rules.seed)
    seen: set[str] = set()
    picked: list[str] = []
    for path in corpus_files(directory):
        text = path.read_text(encoding="utf-8", errors="replace")
        kept = []
        for sentence in split_sentences(text):
            key = sentence.lower()
            if key not in seen and is_negative(sentence, rules):
                seen.add(key)
                kept.append(sentence)
        rng.shuffle(kept)
        picked.extend(kept[: rules.per_file])
    rng.shuffle(picked)
    return picked[: rules.limit if limit is None else limit]


def written_negatives() -> list[str]:
    """The team's own no-event sentences (one a line; '#' lines are comments)."""
    lines = _data_path(WRITTEN_FILE).read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]


def text_sha256(sentences: list[str]) -> str:
    return hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()


def build(corpus_dir: str | Path | None, written: bool = True) -> tuple[list[str], dict]:
    """All negatives (written ones first) and their provenance for meta.json."""
    written = written_negatives() if written else []
    info: dict = {
        "label": NONE_LABEL,
        "written": {"file": f"data/events/{WRITTEN_FILE}", "sentences": len(written), "sha256": text_sha256(written)},
        "rules": {"file": f"data/events/{RULES_FILE}", "sha256": hashlib.sha256(_data_path(RULES_FILE).read_bytes()).hexdigest()},
    }
    sentences = list(written)
    if corpus_dir is not None:
        files = corpus_files(corpus_dir)
        picked = corpus_negatives(corpus_dir)
        info["corpus"] = {
            "directory": "/".join(Path(corpus_dir).resolve().parts[-2:]),
            "files": len(files),
            "corpus_sha256": corpus_sha256(files),
            "sentences": len(picked),
            "sentences_sha256": text_sha256(picked),
        }
        sentences.extend(picked)
    return sentences, info
