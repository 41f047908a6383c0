"""The word lists speaker resolution reads: which noun phrases can speak, which name documents, which
pronouns stand for whom (data/attribution/speakers.yaml), with the knowledge base's role words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from communique.datafile import load_yaml


DATA = Path(__file__).resolve().parents[1] / "data" / "attribution" / "speakers.yaml"


@dataclass(frozen=True)
class SpeakerWords:
    speaker_nouns: frozenset[str]
    not_speakers: frozenset[str]
    needs_name: frozenset[str]
    document_nouns: frozenset[str]
    inside_quote_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    plural_pronouns: frozenset[str]
    quantifier_pronouns: frozenset[str]
    organisation_pronouns: frozenset[str]
    role_words: frozenset[str] = frozenset()  # the knowledge base's role and institution words
    female: frozenset[str] = frozenset()
    male: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_speaker_words() -> SpeakerWords:
    raw = load_yaml(DATA.read_text(encoding="utf-8")) or {}

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key) or [])

    role_words: set[str] = set()
    female: set[str] = set()
    male: set[str] = set()
    try:
        from communique.actors.kb import load_kb

        kb = load_kb()
        kb.build()
        for key in kb.roles:
            role_words.add(" ".join(key))
            role_words.add(key[-1])
        honorifics = kb.lexicon.get("honorifics", {}) or {}
        female = {str(w).lower() for w in kb.lexicon.get("female_role_words", [])}
        female |= {str(w).lower().rstrip(".") for w in honorifics.get("f", []) or []}
        male = {str(w).lower() for w in kb.lexicon.get("male_role_words", [])}
        male |= {str(w).lower().rstrip(".") for w in honorifics.get("m", []) or []}
    except Exception:  # the speaker lists still work without the knowledge base
        logging.getLogger(__name__).debug("no knowledge-base role words for speakers", exc_info=True)
    return SpeakerWords(
        speaker_nouns=words("speaker_nouns"), not_speakers=words("not_speakers"), needs_name=words("needs_name"), document_nouns=words("document_nouns"),
        inside_quote_pronouns=words("inside_quote_pronouns"), relative_pronouns=words("relative_pronouns"),
        plural_pronouns=words("plural_pronouns"), quantifier_pronouns=words("quantifier_pronouns"),
        organisation_pronouns=words("organisation_pronouns"),
        role_words=frozenset(role_words), female=frozenset(female), male=frozenset(male),
    )
