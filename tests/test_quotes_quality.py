"""What the record keeps as a quote (issue 11, failure classes 2 and 3): no junk quotes from cues
with no speech content, one quote for a long or running quotation. Sentences written for these
tests."""

from __future__ import annotations

from datetime import date

import pytest


def _texts(extraction):
    return [q.text for q in extraction.quotes]


@pytest.mark.parametrize("text", [
    "The minister posted a message on Facebook on Friday.",
    "The group seeks to retake control of the capital.",
    "The talks are expected to resume next week.",
    "One witness, a shopkeeper, recalled the \"chaos\" of the night.",
    "The senator has long supported lower taxes for farmers.",
])
def test_cues_with_no_speech_content_make_no_quote(extract_text, text):
    assert _texts(extract_text(text)) == []


def test_a_stance_is_still_an_attribution_for_polnear_scoring(nlp):
    from communique.actors import ActorTable
    from communique.attribution import extract_quotes
    from communique.models import Article, Segment
    from communique.nlp import AnnotatedDoc

    text = "The group seeks to retake control of the capital."
    article = Article(text=text, source="<t>", body=text, segments=[Segment(0, 0, len(text))])
    annotated = AnnotatedDoc(article=article, doc=nlp(text))
    table = ActorTable(annotated)
    assert extract_quotes(annotated, table) == []
    every = extract_quotes(annotated, table, statements_only=False)
    assert [q.text for q in every] == ["to retake control of the capital"]


def test_a_closed_quotation_ends_the_content(extract_text):
    ex = extract_text('Health Minister Jan Kowal said "We could not win," and the city flag flew at half-mast.')
    assert _texts(ex) == ['"We could not win,"']


def test_paragraph_long_statement_quotation_is_one_quote(extract_text):
    body = ('"Our forces repelled an attack near the border village overnight. Two soldiers were wounded and '
            'taken to hospital. The attackers lost three vehicles and withdrew to their positions. We remain '
            'ready to respond to any further provocation."')
    ex = extract_text("The defence ministry said in a statement on Sunday:\n\n" + body)
    assert len(ex.quotes) == 1
    quote = ex.quotes[0]
    assert quote.text == body and quote.kind == "direct"
    speaker = next(a for a in ex.actors if a.id == quote.speaker)
    assert "ministry" in speaker.name.lower()


def test_quotation_running_over_paragraphs_is_one_quote(extract_text):
    text = ("Officials met on Monday.\n\n"
            "\"The first part of the plan is ready, and we will publish it soon.\n\n"
            "\"The second part will follow in May,\" the finance minister, Anna Berg, said.")
    ex = extract_text(text)
    assert len(ex.quotes) == 1
    quote = ex.quotes[0]
    assert quote.text.startswith('"The first part') and quote.text.endswith('May,"')
    speaker = next(a for a in ex.actors if a.id == quote.speaker)
    assert speaker.name == "Anna Berg"
    body = ex.article.text
    assert body[quote.content_span[0] : quote.content_span[1]] == quote.text


def test_separate_quotations_stay_separate(extract_text):
    text = ('"We will not resign," the minister, Anna Berg, said on Monday. "The budget passes this week."\n\n'
            '"Nothing has been decided," said the opposition leader, Tom Smith.')
    ex = extract_text(text, published=date(2024, 3, 6))
    texts = _texts(ex)
    assert any("We will not resign" in t and "Nothing has been decided" not in t for t in texts)
    assert any(t.startswith('"Nothing has been decided') for t in texts)
