"""The attribution lexicons (cue verbs, "according to" phrases, channel words), read from data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml


DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "attribution"


@dataclass(frozen=True)
class Lexicon:
    cue_lemmas: frozenset[str]  # one-word cue verbs, by lemma
    phrasal_cues: frozenset[tuple[str, str]]  # (verb lemma, particle or complement): point out, make clear
    np_cue_lemmas: frozenset[str]  # cue verbs whose noun-phrase object counts as content
    according_to: tuple[tuple[str, ...], ...]
    relay_verbs: frozenset[str]
    personal_pronouns: frozenset[str]
    channel_phrases: tuple[tuple[tuple[str, ...], str], ...]  # longest phrase first
    cue_verb_channels: dict[str, str] = field(default_factory=dict)
    # verbs of thinking: cues only with a that-clause or bare clause, not "knows how" / "wonders if"
    clause_only_lemmas: frozenset[str] = frozenset()

    def is_cue_lemma(self, lemma: str) -> bool:
        return lemma in self.cue_lemmas or lemma in self.np_cue_lemmas


def _load_yaml(name: str) -> dict:
    path = DATA_DIR / name
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    cues = _load_yaml("cues.yaml")
    channels = _load_yaml("channels.yaml")
    groups: dict[str, list[str]] = cues.get("groups", {})
    enabled = set(cues.get("enabled_groups", []))
    single, phrasal = set(), set()
    for group in enabled:
        for entry in groups.get(group, []):
            words = str(entry).lower().split()
            if len(words) == 1:
                single.add(words[0])
            elif len(words) == 2:
                phrasal.add((words[0], words[1]))
    np_cues = {str(w).lower() for w in groups.get("attitude_np", [])} if "attitude_np" in enabled else set()
    phrases = []
    for channel, words in (channels.get("channels") or {}).items():
        for phrase in words:
            phrases.append((tuple(str(phrase).lower().split()), str(channel)))
    phrases.sort(key=lambda p: -len(p[0]))
    return Lexicon(
        cue_lemmas=frozenset(single),
        phrasal_cues=frozenset(phrasal),
        np_cue_lemmas=frozenset(np_cues),
        according_to=tuple(tuple(str(w).lower() for w in p) for p in cues.get("according_to", [])),
        relay_verbs=frozenset(str(w).lower() for w in cues.get("relay_verbs", [])),
        personal_pronouns=frozenset(str(w).lower() for w in cues.get("personal_pronouns", [])),
        channel_phrases=tuple(phrases),
        clause_only_lemmas=frozenset(
            w for g in cues.get("clause_only_groups", []) for w in (str(x).lower() for x in groups.get(g, []))
        ),
        cue_verb_channels={str(k).lower(): str(v) for k, v in (channels.get("cue_verbs") or {}).items()},
    )
