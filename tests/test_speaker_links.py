"""Speaker linking (`communique.attribution.speaker_links`) on articles written for these tests.

The linker's mechanics are tested with small hand-set models, so that each test says which evidence
moves the choice; the shipped model is tested on what it must keep (a named speaker stays named).
"""

from __future__ import annotations

from datetime import date

import pytest

from communique.actors import resolve_actors
from communique.attribution import extract_quotes
from communique.choice import ChoiceModel
from communique.cleaning import clean
from communique.models import Article
from communique.nlp import annotate

CALLBACK = (
    "Ana Moreno, Portugal's foreign minister, met fishing crews in Peniche on Monday. "
    "Moreno said the quotas would be reviewed before the summer.\n\n"
    "The harbour was quiet. Boats stayed in port for a third day.\n\n"
    "\"We will not leave our fishermen alone,\" the veteran diplomat said."
)


@pytest.fixture
def analyse(pipeline):
    def run(text: str):
        article = clean(Article(text=text, source="<test>", published=date(2024, 5, 6)))
        annotated = next(annotate([article], pipeline.nlp))
        return annotated, resolve_actors(annotated, pipeline.kb)

    return run


def _speaker(table, quotes, fragment):
    hits = [q for q in quotes if fragment in q.text]
    assert hits, f"no quote holding {fragment!r}: {[q.text for q in quotes]}"
    actor = table.get(hits[0].speaker)
    return actor.name if actor else None


def _model(weights: dict[str, float], nobody: float = -5.0) -> ChoiceModel:
    return ChoiceModel({"speaker": weights}, {"speaker": nobody})


def test_without_a_model_a_description_is_an_actor_of_its_own(analyse):
    annotated, table = analyse(CALLBACK)
    quotes = extract_quotes(annotated, table, speaker_model=False)
    assert "Moreno" not in _speaker(table, quotes, "leave our fishermen")


def test_a_model_that_trusts_the_last_speaker_links_the_description_to_her(analyse):
    """'the veteran diplomat' said it: the rules make an ad hoc actor of the phrase; a model that
    weighs who spoke last gives the words to Ana Moreno, and the phrase becomes her mention."""
    annotated, table = analyse(CALLBACK)
    model = _model({"desc|spoke_last": 4.0, "rules": 0.5})
    quotes = extract_quotes(annotated, table, speaker_model=model)
    assert "Moreno" in _speaker(table, quotes, "leave our fishermen")
    moreno = next(a for a in table.actors if "Moreno" in a.name)
    assert any("veteran" in annotated.article.text[s - 20 : e] or "diplomat" in annotated.article.text[s:e]
               for s, e in moreno.mentions)


def test_a_named_source_is_never_overruled(analyse):
    """However strongly a model prefers the last speaker, "Vidal said" is Vidal's."""
    text = ("Clara Vidal, a ministry spokeswoman, said the talks would resume. "
            "Rui Sousa, the prime minister, said he was confident. "
            "Vidal said the delegation would travel on Friday.")
    annotated, table = analyse(text)
    quotes = extract_quotes(annotated, table, speaker_model=_model({"spoke_last": 9.0, "rules": -9.0}))
    assert _speaker(table, quotes, "delegation would travel") == "Clara Vidal"


def test_candidates_describe_what_a_reader_weighs(analyse):
    from communique.actors.speaker import SpeakerResolver
    from communique.attribution import find_attributions
    from communique.attribution.speaker_links import SpeakerLinker

    annotated, table = analyse(CALLBACK)
    found = [f for f in find_attributions(annotated.doc) if "fishermen" in annotated.doc_text[f.content[0]:f.content[1]]]
    resolver = SpeakerResolver(table)
    rules_pick = resolver.speaker(found[0].source, found[0].source_head, found[0].content)
    linker = SpeakerLinker(resolver, None, spoken=["x", next(a.id for a in table.actors if "Moreno" in a.name)])
    by_name = {c.actor.name: c.features for c in linker.candidates(found[0], rules_pick)}
    moreno = next(f for name, f in by_name.items() if "Moreno" in name)
    assert moreno.get("spoke_last") == 1.0 and "rules" not in moreno
    assert moreno.get("desc:def|back=3-5") == 1.0 or moreno.get("desc:def|back=6+") == 1.0
    assert by_name[rules_pick.name].get("rules") == 1.0


def test_shipped_model_keeps_named_speakers(extract_text):
    text = ("Foreign Minister Ana Moreno spoke to reporters in Lisbon on Tuesday. "
            "Moreno said the government would not accept new tariffs on its fishermen. "
            "Spain's agriculture minister, Luis Planas, said Madrid wanted a quick agreement.")
    result = extract_text(text)
    names = {a.id: a.name for a in result.actors}
    said = {names.get(q.speaker) for q in result.quotes}
    assert any("Moreno" in (n or "") for n in said) and any("Planas" in (n or "") for n in said)
