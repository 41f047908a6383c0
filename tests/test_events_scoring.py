"""The sentence classifier runs only where an event depends on it, and looking for a fallback event's
actors leaves the article's actors as they were: sentences written for these tests."""

from __future__ import annotations

import pytest

LABELS = ["ACCUSE", "AGREE", "AID", "ASSAULT", "COERCE", "CONSULT", "COOPERATE", "MOBILIZE", "NONE", "PROTEST",
          "REJECT", "REQUEST", "SANCTION", "SUPPORT", "THREATEN", "YIELD"]

TEXT = (
    "Chile backed the Peruvian proposal on Monday.\n\n"
    "The weather in Lima was mild.\n\n"
    '"We are pleased with the outcome," the minister said.\n\n'
    "Peruvian farmers blocked the main road to the airport."
)


class RecordingClassifier:
    """Says the same scores of every sentence and remembers which sentences it was asked about."""

    def __init__(self, scores: dict[str, float]):
        self.scores, self.asked, self.calls = scores, [], 0

    def __call__(self, sentences):
        self.calls += 1
        self.asked += list(sentences)
        return [{label: self.scores.get(label, 0.0) for label in LABELS} for _ in sentences]


def _stages(pipeline, text):
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.models import Article
    from communique.nlp import annotate

    annotated = next(annotate([Article(text=text, body=text, segments=[], source="t")], pipeline.nlp))
    actors = resolve_actors(annotated, pipeline.kb)
    return annotated, actors, extract_quotes(annotated, actors)


def _events(pipeline, text, classifier):
    from communique.events import extract_events

    annotated, actors, quotes = _stages(pipeline, text)
    events = extract_events(annotated, actors, quotes, classifier)
    return [(e.type, e.evidence, tuple(e.actors), tuple(e.recipients)) for e in events], actors


def test_only_sentences_whose_events_depend_on_it_are_scored(pipeline):
    classifier = RecordingClassifier({"SUPPORT": 0.6, "PROTEST": 0.3, "NONE": 0.1})
    events, _ = _events(pipeline, TEXT, classifier)
    asked = {s.strip() for s in classifier.asked}
    assert "Chile backed the Peruvian proposal on Monday." in asked  # a trigger: the classifier picks the type
    assert "Peruvian farmers blocked the main road to the airport." in asked  # an acting verb with an actor
    assert not any("weather" in s for s in asked)  # no trigger, and the root verb has no actor
    assert not any("pleased" in s for s in asked)  # a verb of saying makes no fallback event
    assert len(classifier.asked) == len(asked)  # no sentence is scored twice
    assert classifier.calls == 1  # the sentences with a trigger go in one batch with the first asked for
    assert any(e[0] == "SUPPORT" for e in events), events


def test_scoring_every_sentence_gives_the_same_events(pipeline, monkeypatch):
    from communique.events import extract

    lazy, _ = _events(pipeline, TEXT, RecordingClassifier({"PROTEST": 0.7, "SUPPORT": 0.2, "NONE": 0.1}))
    monkeypatch.setattr(extract.SentenceScores, "__init__", _eager_init(extract.SentenceScores.__init__))
    eager_classifier = RecordingClassifier({"PROTEST": 0.7, "SUPPORT": 0.2, "NONE": 0.1})
    eager, _ = _events(pipeline, TEXT, eager_classifier)
    assert len(eager_classifier.asked) == 4  # every sentence was scored
    assert eager == lazy and lazy


def _eager_init(original):
    def init(self, classifier, sents, likely):
        original(self, classifier, sents, lambda _sent: True)

    return init


def test_a_sentence_the_classifier_calls_no_event_keeps_no_bare_trigger(pipeline):
    text = "Chile backed the Peruvian proposal on Monday."
    events, _ = _events(pipeline, text, RecordingClassifier({"NONE": 0.9, "SUPPORT": 0.1}))
    assert events == []


@pytest.mark.parametrize("scores", [{"NONE": 0.9, "ASSAULT": 0.1}, {"ASSAULT": 0.9, "NONE": 0.1}])
def test_looking_for_a_fallback_events_actors_adds_no_actor(pipeline, scores):
    # no trigger word; the root verb has no actor, and finding its arguments makes "St. Louis" an
    # ad-hoc actor, which must not stay behind when no event is made
    text = "After the miners objected, the case was moved to St. Louis."
    from communique.events import extract_events

    annotated, actors, quotes = _stages(pipeline, text)
    before = [a.model_dump() for a in actors.actors]
    events = extract_events(annotated, actors, quotes, RecordingClassifier(scores))
    assert events == []
    assert [a.model_dump() for a in actors.actors] == before


def test_a_trial_leaves_the_actor_table_as_it_was(pipeline):
    annotated, actors, _ = _stages(pipeline, "Officials in Chile met Peruvian diplomats in Lima on Monday.")
    before = [a.model_dump() for a in actors.actors]
    mentions = actors.mentions()
    existing = actors.actors[0]
    with actors.trial():
        added = actors.ad_hoc("Zembla Holdings", 0, 8, kind="other")
        assert added is not None and actors.get(added.id) is added
        actors.add_mention(existing, 20, 25)
        actors.set_country(existing, "XXA", "a note")
        with actors.trial():  # nested: undone with the outer one
            actors.add_mention(existing, 30, 34)
            actors.ad_hoc("Ruritania Mining", 0, 8, kind="other")
        assert existing.country == "XXA" and len(actors.mentions()) == len(mentions) + 2  # Zembla, and 20-25
    assert [a.model_dump() for a in actors.actors] == before
    assert actors.mentions() == mentions
    assert actors.get(added.id) is None
    assert actors.actor_at(0, 8) is None or actors.actor_at(0, 8).id != added.id


# These are tests of the dictionary and parse rules (and the PLV classifier that runs with them when
# no detector is installed); the learned event stage is tested in test_events_learned.py.
pytestmark = pytest.mark.usefixtures("dictionary_events")
