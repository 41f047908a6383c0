"""Court rulings as sanctions, labelled deeds that are not the labeller's, and paragraph breaks as
sentence ends: sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from test_events_roles import _events, _has, _of_type

PUBLISHED = date(2023, 10, 11)


@pytest.mark.parametrize(
    "text, court, target",
    [
        ("The Supreme Court of Chile found the governor's decree unlawful on Tuesday.", "Supreme Court", "governor"),
        ("A federal judge in Oregon ruled that the president's order was unconstitutional.", "judge", "president"),
        ("The appeals court declared the election law void.", "court", None),
    ],
)
def test_a_court_ruling_a_deed_unlawful_is_a_sanction(extract_text, text, court, target):
    events = _events(extract_text(text, published=PUBLISHED))
    sanctions = _of_type(events, "SANCTION")
    assert sanctions, events
    assert _has(sanctions[0]["actors"], court), sanctions
    assert sanctions[0]["mode"] == "ruling"
    if target:
        assert _has(sanctions[0]["recipients"], target), sanctions
    assert not _of_type(events, "ACCUSE"), events


@pytest.mark.parametrize(
    "text",
    [
        "The court found the defendant not guilty.",  # an acquittal sanctions nobody
        "The committee found the minister's claims unlawful.",  # a committee is no court
        "The court found that the contract was valid.",  # no adverse verdict
    ],
)
def test_no_sanction_without_a_court_and_an_adverse_verdict(extract_text, text):
    assert not _of_type(_events(extract_text(text, published=PUBLISHED)), "SANCTION")


def test_labelling_a_deed_does_not_make_the_labeller_its_doer(extract_text):
    events = _events(extract_text('Chile\'s interior minister Ana Rojas called the stabbing "an act of barbarity."',
                                  published=PUBLISHED))
    assert _of_type(events, "ACCUSE"), events
    assert not _of_type(events, "ASSAULT"), events


def test_a_light_verb_still_does_its_nouns_deed(extract_text):
    events = _of_type(_events(extract_text("Rebels launched an attack on the garrison town on Monday.",
                                           published=PUBLISHED)), "ASSAULT")
    assert events and _has(events[0]["actors"], "Rebels"), events


def test_a_paragraph_break_ends_a_sentence(pipeline):
    from communique.nlp import annotate
    from communique.models import Article

    text = "—A caption line without a full stop\n\nThe army moved into the capital on Monday."
    annotated = next(annotate([Article(text=text, body=text, segments=[], source="t")], pipeline.nlp))
    starts = [s.text.strip() for s in annotated.doc.sents if s.text.strip()]
    assert starts == ["—A caption line without a full stop", "The army moved into the capital on Monday."]


@pytest.mark.parametrize(
    "text, speaker, doer",
    [
        ("Georgia said Russia had violated the ceasefire overnight.", "Georgia", "Russia"),
        ("Russia violated the truce, Georgia said.", "Georgia", "Russia"),
        ('The opposition leader Ana Rojas said, "The government is breaking the law."', "Rojas", "government"),
    ],
)
def test_a_wrongdoing_said_of_someone_accuses_them(extract_text, text, speaker, doer):
    accusations = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accusations, text
    assert _has(accusations[0]["actors"], speaker) and _has(accusations[0]["recipients"], doer), accusations
    assert accusations[0]["mode"] == "allege"


@pytest.mark.parametrize(
    "text",
    [
        "Georgia said Russia had not violated the ceasefire.",  # negated
        "The minister said the rebels broke the news to the villagers.",  # "break" only with law, truce, ...
    ],
)
def test_no_accusation_without_a_wrongdoing(extract_text, text):
    assert not _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")


@pytest.mark.parametrize(
    "text, trigger, actor",
    [
        ("The Iraqi army said it had seized the oil fields near Kirkuk.", "seized", "army"),  # "it": the reporting body
        ("Japan is willing to provide a loan to Vietnam.", "loan", "Japan"),  # the copula's subject
        ("Rebel fighters have stepped up attacks on army posts in the north.", "attacks", "Rebel"),
    ],
)
def test_actors_through_reporting_bodies_adjectives_and_stepped_up_deeds(extract_text, text, trigger, actor):
    # the type is the classifier's to choose ("seized oil fields" is ASSAULT in PLV, "willing to
    # provide" AGREE): what is tested is who acts
    events = [e for e in _events(extract_text(text, published=PUBLISHED)) if e["trigger"] == trigger]
    assert events and _has(events[0]["actors"], actor), _events(extract_text(text, published=PUBLISHED))


def test_it_is_no_actor_outside_a_reported_clause(extract_text):
    events = _events(extract_text("It attacked the convoy near Kirkuk, the Iraqi army said.", published=PUBLISHED))
    assert all(not _has(e["actors"], "army") for e in _of_type(events, "ASSAULT")), events


def _typed_with(pipeline, text, scores):
    """The event types of `text` when the sentence classifier says `scores` of every sentence."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.events import extract_events
    from communique.models import Article
    from communique.nlp import annotate

    annotated = next(annotate([Article(text=text, body=text, segments=[], source="t")], pipeline.nlp))
    actors = resolve_actors(annotated, pipeline.kb)
    labels = ["ACCUSE", "AGREE", "AID", "ASSAULT", "COERCE", "CONSULT", "COOPERATE", "MOBILIZE", "NONE", "PROTEST",
              "REJECT", "REQUEST", "SANCTION", "SUPPORT", "THREATEN", "YIELD"]

    def classifier(sentences):
        return [{label: scores.get(label, 0.0) for label in labels} for _ in sentences]

    return [e.type for e in extract_events(annotated, actors, extract_quotes(annotated, actors), classifier)]


def test_a_sure_classifier_retypes_a_bare_trigger(pipeline):
    text = "Chile backed the Peruvian proposal on Monday."  # "back": a bare SUPPORT trigger
    assert _typed_with(pipeline, text, {"SUPPORT": 0.9, "AGREE": 0.1}) == ["SUPPORT"]
    assert _typed_with(pipeline, text, {"AGREE": 0.9, "SUPPORT": 0.1}) == ["AGREE"]
    assert _typed_with(pipeline, text, {"AGREE": 0.6, "SUPPORT": 0.4}) == ["SUPPORT"]  # not sure enough


@pytest.mark.parametrize(
    "text, type_",
    [
        ("France and Germany signed a trade agreement on Monday.", "AGREE"),  # bound to its object
        ("Russian troops withdrew from the border town on Monday.", "RETREAT"),  # an act the protocol names
        ("Chile condemned the Peruvian raid on Monday.", "ACCUSE"),  # firm
    ],
)
def test_a_sure_classifier_never_retypes_a_specific_trigger(pipeline, text, type_):
    assert type_ in _typed_with(pipeline, text, {"SUPPORT": 0.97, "AGREE": 0.01, "RETREAT": 0.01, "ACCUSE": 0.01})


# These are tests of the dictionary and parse rules (and the PLV classifier that runs with them when
# no detector is installed); the learned event stage is tested in test_events_learned.py.
pytestmark = pytest.mark.usefixtures("dictionary_events")
