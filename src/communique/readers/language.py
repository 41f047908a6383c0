"""Language identification of an article body, tuned not to reject short English news text.

langdetect (with a fixed seed, so the answer is reproducible) labels short English sentences full of
foreign names as other languages ("Erdogan and Putin met in Sochi." comes out German). So a text is
called non-English only when langdetect says so *and* few of its words are English function words;
very short texts are taken to be English. The function words are counted first, so langdetect only
runs on text that may not be English.
"""

from __future__ import annotations

import re

from communique.cleaning.tables import tables

_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def english_share(text: str) -> float:
    """The share of a text's lower-case words that are English function words.

    Capitalised words are left out: names ("Wang Yi", "Kyiv") say nothing about the language of
    the sentence around them, and they fill short news sentences.
    """
    words = _WORDS.findall(text)
    lower = [w for w in words if w[0].islower()]
    words = [w.lower() for w in (lower or words)]
    if not words:
        return 0.0
    fw = tables().function_words
    return sum(1 for w in words if w in fw) / len(words)


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code: "en" for English (and for text too short to tell), else langdetect's answer.

    None when the text has no letters at all.
    """
    t = tables()
    sample = text[: t.language_sample_chars]
    if not _WORDS.search(sample):
        return None
    if len(sample.strip()) < t.english_min_chars:
        return "en"
    # English function words decide alone when there are enough of them (langdetect's answer could
    # not change the result): most English news never loads langdetect's 55 profiles (~0.3 s)
    if english_share(sample) >= t.english_min_share:
        return "en"
    try:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        guesses = detect_langs(sample)
    except LangDetectException:
        return "en"
    except Exception:  # noqa: BLE001 - a detector failure must not drop the article
        return "en"
    if not guesses:
        return "en"
    top = guesses[0].lang
    if top == "en":
        return "en"
    return top.split("-")[0]
