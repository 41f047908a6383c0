"""The whole pipeline, one article at a time: Article -> AnnotatedDoc -> actors, quotes, events.

Each article is analysed inside its own guard: `process` turns an article that any stage fails on
into a `Rejection` with a one-line reason and goes on with the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date

from communique.actors import resolve_actors
from communique.actors.kb import load_kb
from communique.attribution import extract_quotes
from communique.config import Settings
from communique.events import extract_events
from communique.models import Article, ArticleOut, Extraction, Rejection
from communique.nlp import AnnotatedDoc, NlpFailure, annotate, annotate_each, load_nlp

log = logging.getLogger(__name__)

# A reason line names the error, not the whole of a long message.
_REASON_CHARS = 200


def failure_reason(exc: BaseException) -> str:
    """`could not analyse (Type: first line of the message)`, short enough for one line."""
    message = " ".join(str(exc).split())
    if len(message) > _REASON_CHARS:
        message = message[: _REASON_CHARS - 1] + "\u2026"
    return f"could not analyse ({type(exc).__name__}{': ' + message if message else ''})"


class NotAnalysed(ValueError):
    """An input the readers reject (empty, not English, no article text): `reason` is the one-line why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source, self.reason = source, reason


def prepare(article: Article, published: date | None = None) -> Article:
    """The article repaired, cleaned, dated and checked to be English, exactly as the readers do for
    `communique extract` and `ingest` (`readers.finish_article`); NotAnalysed when it is rejected."""
    from communique.readers import finish_article

    finished = finish_article(article, published)
    if isinstance(finished, Rejection):
        raise NotAnalysed(finished.source, finished.reason)
    return finished


class Pipeline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.nlp = load_nlp(self.settings.spacy_model)
        self.kb = load_kb(self.settings.kb_paths)

    def analyse(self, annotated: AnnotatedDoc) -> Extraction:
        actors = resolve_actors(annotated, self.kb)
        quotes = extract_quotes(annotated, actors)
        events = extract_events(annotated, actors, quotes)
        return Extraction(
            article=ArticleOut.from_article(annotated.article),
            actors=actors.actors,
            quotes=quotes,
            events=events,
        )

    def run_stages(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        """The analysis stages alone on articles taken as they are (no cleaning, no language check):
        for tests and evaluations of the stages on text that is already clean. Use `extract`."""
        for annotated in annotate(articles, self.nlp):
            yield self.analyse(annotated)

    def extract(self, articles: Iterable[Article], published: date | None = None) -> Iterator[Extraction]:
        """Extractions in order. Each article first goes through `prepare` (cleaning, the date,
        the language check), as on the command line; raises NotAnalysed for an article the readers
        would reject, and the error of an article that cannot be analysed."""
        yield from self.run_stages(prepare(a, published) for a in articles)

    def process(self, articles: Iterable[Article]) -> Iterator[Extraction | Rejection]:
        """An Extraction per article in order, or a Rejection for one that cannot be analysed."""
        for item in annotate_each(articles, self.nlp):
            if isinstance(item, NlpFailure):
                yield Rejection(item.article.source, failure_reason(item.error))
                continue
            try:
                yield self.analyse(item)
            except Exception as exc:
                log.debug("analysis failed on %s", item.article.source, exc_info=True)
                yield Rejection(item.article.source, failure_reason(exc))
