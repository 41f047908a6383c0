"""The attribution lexicons (cue verbs, "according to" phrases, channel words), read from data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from communique.datafile import load_yaml


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
    # verbs that are cues only in some argument frames: lemma -> frame names (see frames.yaml)
    frames: dict[str, frozenset[str]] = field(default_factory=dict)
    # dependents of a cue verb, right after its noun-phrase content, that belong to that content
    content_argument_deps: frozenset[str] = frozenset()
    # prepositions whose phrase after the content is the speaker's circumstance, never the content
    content_preps_excluded: frozenset[str] = frozenset()
    # prepositions that carry the complement of "is seen as", "is known for", "was asked about"
    unsourced_preps: frozenset[str] = frozenset()
    # lemmas the tagger gets wrong, by lower-case word form ("hopes" -> "hop")
    lemma_fixes: dict[str, str] = field(default_factory=dict)
    # "said in a statement": preposition -> nouns whose phrase right after the verb joins the cue
    cue_channel_phrases: dict[str, frozenset[str]] = field(default_factory=dict)
    # adverbs right before a cue verb that stay out of its span ("however said", "then asked")
    cue_adverbs_excluded: frozenset[str] = frozenset()
    # verbs of asking: in the passive ("was asked whether") the question belongs to the asker
    question_cues: frozenset[str] = frozenset()

    def is_clause_cue(self, lemma: str) -> bool:
        """A verb that reports whatever clause it takes (say, believe), not only in its frames."""
        return lemma in self.cue_lemmas or lemma in self.np_cue_lemmas or lemma in self._phrasal_verbs

    @cached_property
    def _phrasal_verbs(self) -> frozenset[str]:
        return frozenset(p[0] for p in self.phrasal_cues)


def _load_yaml(name: str) -> dict:
    path = DATA_DIR / name
    return load_yaml(path.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    cues = _load_yaml("cues.yaml")
    channels = _load_yaml("channels.yaml")
    frame_data = _load_yaml("frames.yaml")
    frames: dict[str, set[str]] = {}
    for frame, lemmas in (frame_data.get("frames") or {}).items():
        for lemma in lemmas or []:
            frames.setdefault(str(lemma).lower(), set()).add(str(frame))
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
        frames={k: frozenset(v) for k, v in frames.items()},
        content_argument_deps=frozenset(str(w) for w in frame_data.get("content_argument_deps", [])),
        content_preps_excluded=frozenset(str(w).lower() for w in frame_data.get("content_preps_excluded", [])),
        unsourced_preps=frozenset(str(w).lower() for w in frame_data.get("unsourced_preps", [])),
        lemma_fixes={str(k).lower(): str(v).lower() for k, v in (frame_data.get("lemma_fixes") or {}).items()},
        cue_channel_phrases={
            str(k).lower(): frozenset(str(w).lower() for w in v)
            for k, v in (cues.get("cue_channel_phrases") or {}).items()
        },
        cue_adverbs_excluded=frozenset(str(w).lower() for w in cues.get("cue_adverbs_excluded", [])),
        question_cues=frozenset(str(w).lower() for w in cues.get("question_cues", [])),
        cue_verb_channels={str(k).lower(): str(v) for k, v in (channels.get("cue_verbs") or {}).items()},
    )
