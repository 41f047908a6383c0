"""The attribution stage on sentences written for these tests.

The actor table here is filled from spaCy's entities only (a stand-in for the actor stage), so these
tests pin down the attribution rules themselves: speakers are actor ids of that table.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communique.actors import ActorTable
from communique.attribution import extract_quotes, resolve_day
from communique.attribution.quotemarks import find_quoted
from communique.models import Actor, Article, Segment, content_id
from communique.nlp import AnnotatedDoc

_KIND = {"PERSON": "person", "ORG": "organisation", "GPE": "government", "NORP": "group"}


def _table(annotated: AnnotatedDoc) -> ActorTable:
    table = ActorTable(annotated)
    for ent in annotated.doc.ents:
        if ent.label_ in _KIND:
            actor = Actor(id=content_id(ent.text, "a-"), name=ent.text, kind=_KIND[ent.label_])
            table.add_mention(actor, ent.start_char, ent.end_char)
    return table


@pytest.fixture
def quotes_of(nlp):
    def run(text: str, published: date | None = date(2024, 3, 7)):
        article = Article(text=text, source="<test>", body=text, segments=[Segment(0, 0, len(text))],
                          published=published)
        annotated = AnnotatedDoc(article=article, doc=nlp(text))
        table = _table(annotated)
        return extract_quotes(annotated, table), table

    return run


def _find(quotes, fragment):
    hits = [q for q in quotes if fragment in q.text]
    assert hits, f"no quote containing {fragment!r} in {[q.text for q in quotes]}"
    return hits[0]


def _name(table, actor_id):
    actor = table.get(actor_id)
    return actor.name if actor else None


def test_direct_quote_with_speaker_after(quotes_of):
    text = "“The harvest was the best in ten years,” Maria Lopez said on Tuesday."
    quotes, table = quotes_of(text)
    q = _find(quotes, "best in ten years")
    assert q.kind == "direct"
    assert q.text.startswith("“") and q.text.endswith("”")
    assert _name(table, q.speaker) == "Maria Lopez"
    assert q.speaker_text == "Maria Lopez"
    assert text[q.cue_span[0] : q.cue_span[1]] == "said"
    assert text[q.content_span[0] : q.content_span[1]] == q.text
    # published on Thursday 2024-03-07: "Tuesday" is two days earlier
    assert q.date == "2024-03-05"


def test_indirect_speech_that_clause(quotes_of):
    quotes, table = quotes_of("The finance minister Olaf Brandt said that taxes would not rise next year.")
    q = _find(quotes, "taxes would not rise")
    assert q.kind == "indirect"
    assert q.text.startswith("that taxes")
    assert _name(table, q.speaker) == "Olaf Brandt"


def test_mixed_quote_keeps_the_fragment(quotes_of):
    text = "Kenji Sato said Monday that Tokyo would not stand by “while the region burns.”"
    quotes, table = quotes_of(text)
    q = _find(quotes, "while the region burns")
    assert q.kind == "mixed"
    assert _name(table, q.speaker) == "Kenji Sato"
    assert q.date == "2024-03-04"


def test_quote_after_colon(quotes_of):
    quotes, table = quotes_of("Senator Ruth Ames told reporters: “We have the votes and we will use them.”")
    q = _find(quotes, "We have the votes")
    assert q.kind == "direct"
    assert _name(table, q.speaker) == "Ruth Ames"


def test_according_to_as_source(quotes_of):
    text = "According to local officials, the bridge will reopen in May after repairs."
    quotes, table = quotes_of(text)
    q = _find(quotes, "the bridge will reopen")
    assert q.cue.lower() == "according to"
    assert q.speaker_text == "local officials"
    assert q.speaker is not None and _name(table, q.speaker) == "local officials"


def test_according_to_after_a_cue_is_an_intermediary(quotes_of):
    text = (
        "“We want the fighting to stop,” Ivan Petrov said, according to the state news agency Tass. "
        "“Our door stays open.”"
    )
    quotes, table = quotes_of(text)
    first = _find(quotes, "fighting to stop")
    assert _name(table, first.speaker) == "Ivan Petrov"
    assert [_name(table, v) for v in first.via] == ["Tass"]
    # the next sentence has no cue of its own: same speaker and relay
    second = _find(quotes, "Our door stays open")
    assert second.speaker == first.speaker and second.via == first.via
    assert second.continues == first.id


def test_continuation_in_next_paragraph(quotes_of):
    text = (
        "“The dam is safe,” said engineer Paula Grant.\n\n"
        "“We inspected every metre of it last week.”\n\n"
        "The river rose again on Sunday."
    )
    quotes, table = quotes_of(text)
    first = _find(quotes, "The dam is safe")
    nxt = _find(quotes, "inspected every metre")
    assert _name(table, first.speaker) == "Paula Grant"
    assert nxt.speaker == first.speaker


def test_quote_running_over_paragraphs(quotes_of):
    text = "“Nothing is settled yet.\n\n“We are still counting ballots,” the clerk said."
    quotes, _ = quotes_of(text)
    # a quotation running over paragraphs is one quote (news convention: only the last one closes)
    assert len(quotes) == 1
    quote = _find(quotes, "Nothing is settled yet")
    assert "still counting ballots" in quote.text and quote.speaker is not None


def test_speaker_in_an_aside(quotes_of):
    text = "Hugh Hill, a doctor at the city hospital, said the clinic would stay open."
    quotes, table = quotes_of(text)
    q = _find(quotes, "the clinic would stay open")
    assert _name(table, q.speaker) == "Hugh Hill"
    assert q.speaker_text.startswith("Hugh Hill, a doctor")


def test_pronoun_speaker_falls_back_to_last_speaker(quotes_of):
    text = (
        "Anna Berg said the shipment had left the port.\n\n"
        "“It will arrive before the winter,” she added."
    )
    quotes, table = quotes_of(text)
    q = _find(quotes, "arrive before the winter")
    assert q.speaker_text == "she"
    assert _name(table, q.speaker) == "Anna Berg"


def test_channel_from_the_cue_and_its_clause(quotes_of):
    quotes, _ = quotes_of(
        "Lena Vos tweeted that the border crossing had reopened. "
        "Omar Haddad said in a statement that the talks had failed. "
        "Carla Diaz told a news conference that aid was on its way."
    )
    assert _find(quotes, "border crossing").channel == "tweet"
    assert _find(quotes, "talks had failed").channel == "statement"
    assert _find(quotes, "aid was on its way").channel == "news conference"


def test_conjoined_cues_share_the_subject(quotes_of):
    text = "A senior Peruvian diplomat denied the mine was closing and added that exports would grow."
    quotes, table = quotes_of(text)
    denied = _find(quotes, "the mine was closing")
    added = _find(quotes, "exports would grow")
    assert denied.kind == "indirect" and added.kind == "indirect"
    assert denied.speaker == added.speaker
    assert "diplomat" in _name(table, denied.speaker)


def test_relay_reported_that_someone_said(quotes_of):
    text = "Reuters reported that Farid Nasser said the ceasefire would hold."
    quotes, table = quotes_of(text)
    inner = _find(quotes, "the ceasefire would hold")
    inner = [q for q in quotes if q.text.startswith("the ceasefire")][0]
    assert _name(table, inner.speaker) == "Farid Nasser"
    assert [_name(table, v) for v in inner.via] == ["Reuters"]


def test_nickname_is_not_a_quote(quotes_of):
    quotes, _ = quotes_of("Jimmy “The Hawk” Benson scored twice in the final.")
    assert quotes == []
    found = find_quoted("Jimmy “The Hawk” Benson scored.")
    assert len(found) == 1 and found[0].nickname


def test_straight_and_doubled_apostrophe_quotes(quotes_of):
    quotes, table = quotes_of("\"We will appeal,\" Tom Reed said. ''It is not over,'' Sara Kim said.")
    assert _name(table, _find(quotes, "We will appeal").speaker) == "Tom Reed"
    assert _name(table, _find(quotes, "It is not over").speaker) == "Sara Kim"


def test_dash_signed_quote(quotes_of):
    quotes, table = quotes_of("“Every child deserves a school.”\n—Amara Okafor, education minister\n")
    q = _find(quotes, "Every child deserves")
    assert q.speaker_text == "Amara Okafor"
    assert _name(table, q.speaker) == "Amara Okafor"


def test_odd_quote_marks_do_not_break_anything(quotes_of):
    quotes, _ = quotes_of("He said “this is odd, and \" then ” more ” marks “ here. “Unclosed at the end")
    for q in quotes:
        assert q.content_span[0] < q.content_span[1]


def test_every_quote_with_a_source_has_a_speaker(quotes_of):
    quotes, table = quotes_of(
        "Two aid workers said the road was blocked. Officials in the province say food is short. "
        "“We need trucks,” one driver said."
    )
    assert quotes
    for q in quotes:
        if q.source_span is not None:
            assert q.speaker is not None and table.get(q.speaker) is not None


def test_resolve_day():
    tuesday = date(2022, 4, 5)
    assert resolve_day("Tuesday", tuesday) == "2022-04-05"
    assert resolve_day("Monday", tuesday) == "2022-04-04"
    assert resolve_day("Wednesday", tuesday) == "2022-03-30"
    assert resolve_day("yesterday", tuesday) == "2022-04-04"
    assert resolve_day("last week", tuesday) is None
    assert resolve_day("Tuesday", None) is None


def test_find_quoted_paragraph_run_on():
    text = "“First part.\n“Second part,” she said. A stray ” mark."
    found = find_quoted(text)
    assert [text[q.start : q.end] for q in found] == ["“First part.", "“Second part,”"]
    assert found[0].runs_on and not found[0].closed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("ab said told “”\"'':,.—\n according to He she X Y"))
               | st.characters(blacklist_categories=("Cs",)), max_size=300))  # lone surrogates cannot be UTF-8 text
def test_random_text_never_raises(quotes_of, text):
    quotes, _ = quotes_of(text)
    for q in quotes:
        assert 0 <= q.content_span[0] <= q.content_span[1] <= len(text)
