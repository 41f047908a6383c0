"""The sentence classifier's scores of an article's sentences, asked for only where events depend on
them (`SentenceScores`); `classify_sentences` is the one call into `classifier.py`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Span

from communique.events import detect

log = logging.getLogger(__name__)


def classify_sentences(classifier, sents: list[Span]) -> list[dict[str, float]]:
    """Class scores per sentence from the classifier: any callable that maps a list of texts to a list
    of {label: score} dicts (the shipped ONNX model, a fold model under cross-validation), or a spaCy
    textcat pipeline."""
    if classifier is None or not sents:
        return [{} for _ in sents]
    try:
        if not isinstance(classifier, Language) and callable(classifier):
            return [dict(c) for c in classifier([s.text for s in sents])]
        return [dict(d.cats) for d in classifier.pipe([s.text for s in sents], batch_size=64)]
    except Exception:  # pragma: no cover - a broken model leaves the dictionary in charge
        log.exception("event classifier failed")
        return [{} for _ in sents]


class SentenceScores:
    """The classifier's scores of an article's sentences, computed only for the sentences whose events
    depend on them. Most sentences of a news article hold no trigger and no actor-bearing main verb,
    and the classifier (a transformer) costs more per sentence than all the rest of the pipeline.

    The first sentence asked for is scored in one batch with every sentence `likely` (given a
    sentence's index) says will be asked for (those with a dictionary trigger); any other is scored alone when asked for. The
    model scores a sentence the same alone or in a batch (`classifier.py`), so which sentences share
    a batch never changes a score."""

    def __init__(self, classifier, sents: list[Span], likely: Callable[[int], bool]):
        self.classifier, self.sents, self.likely = classifier, sents, likely
        self._raw: dict[int, dict[str, float]] = {}
        self._prefetched = False

    def __bool__(self) -> bool:
        return self.classifier is not None

    def raw(self, i: int) -> dict[str, float]:
        """All the classifier's scores of sentence i, NONE included ({} without a classifier)."""
        if i not in self._raw:
            wanted = [i]
            if not self._prefetched:
                self._prefetched = True
                wanted += [j for j in range(len(self.sents)) if j != i and j not in self._raw and self.likely(j)]
            for j, scores in zip(wanted, classify_sentences(self.classifier, [self.sents[j] for j in wanted])):
                self._raw[j] = scores
        return self._raw[i]

    def types(self, i: int) -> dict[str, float]:
        """The 15 type scores of sentence i, given that it holds an event (`detect.type_scores`)."""
        return detect.type_scores(self.raw(i))
