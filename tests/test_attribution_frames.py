"""Attribution constructions beyond verbs of saying: cue spans with auxiliaries, verbs that report in
certain frames ("called for", "urged X to", "described X as Y"), judgements with no source ("appears
to", "is expected to"), "as X said", a cue in mid-sentence, and the misparse of a nested clause.

Every sentence here is written for these tests.
"""

from __future__ import annotations

from datetime import date

import pytest

from communique.actors import ActorTable
from communique.attribution import extract_quotes
from communique.eval.polnear import quotes_to_attributions
from communique.models import Actor, Article, Segment, content_id
from communique.nlp import AnnotatedDoc

_KIND = {"PERSON": "person", "ORG": "organisation", "GPE": "government", "NORP": "group"}


@pytest.fixture
def quotes_in(nlp):
    def run(text: str):
        article = Article(text=text, source="<test>", body=text, segments=[Segment(0, 0, len(text))],
                          published=date(2024, 5, 2))
        annotated = AnnotatedDoc(article=article, doc=nlp(text))
        table = ActorTable(annotated)
        for ent in annotated.doc.ents:
            if ent.label_ in _KIND:
                table.add_mention(Actor(id=content_id(ent.text, "a-"), name=ent.text, kind=_KIND[ent.label_]),
                                  ent.start_char, ent.end_char)
        # the frame rules as PolNeAR scores them: stances and unsourced judgements included
        return extract_quotes(annotated, table, statements_only=False)

    return run


def _by_cue(quotes, text, cue):
    hits = [q for q in quotes if text[q.cue_span[0] : q.cue_span[1]] == cue and getattr(q, "continues", None) is None]
    assert hits, f"no quote with cue {cue!r}: {[(q.cue, q.text) for q in quotes]}"
    return hits[0]


def _span(text, span):
    return text[span[0] : span[1]] if span else None


def test_cue_span_takes_auxiliaries_negation_and_adverbs(quotes_in):
    text = "The governor has also said that the plant will close."
    q = _by_cue(quotes_in(text), text, "has also said")
    assert q.text == "that the plant will close"
    assert q.speaker_text == "The governor"
    text = "The prime minister did not deny that the talks had stalled."
    q = _by_cue(quotes_in(text), text, "did not deny")
    assert q.text == "that the talks had stalled"


def test_connective_adverb_stays_out_of_the_cue(quotes_in):
    text = "The mayor then said the road would reopen."
    q = _by_cue(quotes_in(text), text, "said")
    assert q.text == "the road would reopen"


def test_said_in_a_statement_is_one_cue(quotes_in):
    text = "The foreign minister said in a statement that the embassy would reopen."
    q = _by_cue(quotes_in(text), text, "said in a statement")
    assert q.text == "that the embassy would reopen"
    assert q.channel == "statement"


def test_called_for_takes_its_object_as_content(quotes_in):
    text = "The senator called for an inquiry into the contract."
    q = _by_cue(quotes_in(text), text, "called for")
    assert q.text == "an inquiry into the contract"
    assert q.speaker_text == "The senator"


def test_called_x_y_takes_object_and_complement(quotes_in):
    text = "The union leader called the offer an insult."
    q = _by_cue(quotes_in(text), text, "called")
    assert q.text == "the offer an insult"
    assert q.speaker_text == "The union leader"


def test_urged_object_to_infinitive(quotes_in):
    text = "The envoy urged both sides to return to the table."
    q = _by_cue(quotes_in(text), text, "urged")
    assert q.text == "both sides to return to the table"
    assert q.speaker_text == "The envoy"


def test_declined_to_takes_the_infinitive(quotes_in):
    text = "The ministry declined to comment on the report."
    q = _by_cue(quotes_in(text), text, "declined")
    assert q.text == "to comment on the report"


def test_described_as_and_criticized_for_keep_the_rest_of_the_frame(quotes_in):
    text = "She described the agreement as a turning point."
    assert _by_cue(quotes_in(text), text, "described").text == "the agreement as a turning point"
    text = "The opposition criticized the government for its slow response."
    assert _by_cue(quotes_in(text), text, "criticized").text == "the government for its slow response"


def test_hopes_is_a_cue_despite_the_lemmatiser(quotes_in):
    text = "The coach hopes the new stadium will open next year."
    q = _by_cue(quotes_in(text), text, "hopes")
    assert q.text == "the new stadium will open next year"
    assert q.speaker_text == "The coach"


@pytest.mark.parametrize("text, cue, subject, rest", [
    ("The ceasefire appears to be holding.", "appears", "The ceasefire", "to be holding"),
    ("The talks are expected to resume next week.", "are expected", "The talks", "to resume next week"),
])
def test_judgement_without_a_source_has_subject_and_complement(quotes_in, text, cue, subject, rest):
    quotes = quotes_in(text)
    main = _by_cue(quotes, text, cue)
    assert main.speaker is None and main.source_span is None
    assert main.text == rest
    pieces = [q for q in quotes if getattr(q, "continues", None) == main.id]
    assert [p.text for p in pieces] == [subject]
    assert pieces[0].kind == main.kind == "indirect"
    # the scorer sees one attribution with a two-piece content
    attributions = quotes_to_attributions(quotes, text)
    joined = [a for a in attributions if a.cue and _span(text, a.cue[0]) == cue]
    assert len(joined) == 1
    assert [_span(text, p) for p in joined[0].content] == [subject, rest]


def test_asked_about_takes_the_topic_alone(quotes_in):
    text = "The minister was asked about the leak."
    quotes = quotes_in(text)
    q = _by_cue(quotes, text, "was asked about")
    assert q.text == "the leak"
    assert not [p for p in quotes if getattr(p, "continues", None) == q.id]


def test_as_the_spokesman_said(quotes_in):
    text = "As the spokesman said on Monday, the border will stay closed."
    q = _by_cue(quotes_in(text), text, "said")
    assert q.text == "the border will stay closed"
    assert q.speaker_text == "the spokesman"


def test_cue_in_mid_sentence_gives_both_pieces(quotes_in):
    text = "The new tariffs, the trade minister said, will take effect in June."
    quotes = quotes_in(text)
    q = _by_cue(quotes, text, "said")
    assert q.text == "The new tariffs"
    rest = [p for p in quotes if getattr(p, "continues", None) == q.id]
    assert [p.text for p in rest] == ["will take effect in June"]
    assert rest[0].speaker_text == "the trade minister"


def test_participle_after_preposition_inherits_the_subject(quotes_in):
    text = "The auditor closed the meeting by pointing out that the accounts were sound."
    q = _by_cue(quotes_in(text), text, "pointing out")
    assert q.text == "that the accounts were sound"
    assert q.speaker_text == "The auditor"


def test_subjectless_clause_hanging_off_the_verb_is_not_a_quote(quotes_in):
    text = ("Officials said the premier asked the general to delay the parade until the rains "
            "— which flooded the capital — were over.")
    quotes = quotes_in(text)
    assert not [q for q in quotes if q.text.strip() == "were over"]
    asked = _by_cue(quotes, text, "asked")
    assert asked.text.startswith("the general to delay the parade")
    said = _by_cue(quotes, text, "said")
    assert said.speaker_text == "Officials"
    assert said.text.startswith("the premier asked the general")


def test_content_does_not_run_over_a_paragraph(quotes_in):
    text = "The statement was read aloud and the council said\n\nRoads in the north will close on Friday."
    quotes = quotes_in(text)
    assert not [q for q in quotes if q.kind == "indirect" and "Roads in the north" in q.text]


def test_odd_inputs_do_not_raise(quotes_in):
    for text in ["called", "appears to", "As said,", "was asked about", "— were over —", "urged to to to"]:
        quotes_in(text)


def test_colon_after_the_cue_joins_it(quotes_in):
    text = 'The minister said: "We will not sign this treaty."'
    q = _by_cue(quotes_in(text), text, "said:")
    assert q.kind == "direct"
    assert q.text == '"We will not sign this treaty."'
    assert q.speaker_text == "The minister"


def test_infinitive_marker_joins_the_cue(quotes_in):
    text = "The party voted to endorse the new budget."
    q = _by_cue(quotes_in(text), text, "to endorse")
    assert q.text == "the new budget"
    assert q.speaker_text == "The party"
