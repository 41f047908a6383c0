"""The whole pipeline, one article at a time: Article -> AnnotatedDoc -> actors, quotes, events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from communique.actors import resolve_actors
from communique.actors.kb import load_kb
from communique.attribution import extract_quotes
from communique.config import Settings
from communique.events import extract_events
from communique.models import Article, ArticleOut, Extraction
from communique.nlp import AnnotatedDoc, annotate, load_nlp


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

    def extract(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        for annotated in annotate(articles, self.nlp):
            yield self.analyse(annotated)
