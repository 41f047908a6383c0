"""Every span the pipeline reports points into `article.text` and covers the text it names."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from communique.config import Settings
from communique.models import Rejection
from communique.readers import load_articles


def demo_extractions(pipeline):
    corpus = Path(str(resources.files("communique") / "demo" / "articles"))
    articles = [a for a in load_articles([str(corpus)], Settings()) if not isinstance(a, Rejection)]
    assert len(articles) >= 7
    return list(pipeline.extract(articles))


@pytest.fixture(scope="module")
def extractions(pipeline):
    return demo_extractions(pipeline)


def _inside(span, text):
    start, end = span
    return 0 <= start <= end <= len(text)


def test_actor_mentions_are_non_empty_stretches_of_text(extractions):
    for x in extractions:
        text = x.article.text
        for actor in x.actors:
            for span in actor.mentions:
                assert _inside(span, text)
                mention = text[span[0] : span[1]]
                assert mention.strip() == mention and mention, (actor.name, mention)


def test_quote_spans_match_their_texts(extractions):
    seen = 0
    for x in extractions:
        text = x.article.text
        for quote in x.quotes:
            seen += 1
            assert quote.content_span and _inside(quote.content_span, text)
            if quote.source_span:
                assert text[quote.source_span[0] : quote.source_span[1]] == quote.speaker_text
            if quote.cue_span and quote.cue:
                assert text[quote.cue_span[0] : quote.cue_span[1]].lower() == quote.cue.lower()
    assert seen >= 5


def test_event_evidence_is_the_text_at_its_span(extractions):
    seen = 0
    for x in extractions:
        text = x.article.text
        ids = {a.id for a in x.actors}
        for event in x.events:
            seen += 1
            assert event.evidence_span and text[event.evidence_span[0] : event.evidence_span[1]] == event.evidence
            assert set(event.actors) <= ids and set(event.recipients) <= ids
    assert seen >= 5
