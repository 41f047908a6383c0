"""Which attributions are statements of whom: questions and negated mentions, on sentences
written for these tests (the miss classes an independent reading of unseen articles found)."""

from __future__ import annotations



def test_a_question_put_to_a_spokeswoman_is_not_her_statement(extract_text):
    text = ("Asked whether Lisbon would retaliate, spokeswoman Clara Vidal said the ministry was "
            "studying its options.")
    result = extract_text(text)
    names = {a.id: a.name for a in result.actors}
    for q in result.quotes:
        if "retaliate" in q.text:
            assert names.get(q.speaker) != "Clara Vidal", q
    assert any("studying its options" in q.text and names.get(q.speaker) == "Clara Vidal" for q in result.quotes)


def test_a_question_keeps_its_asker(pipeline):
    """The rules give a passive question to its "by" agent; whether the record keeps it is the
    statement model's call, but it is never the words of the one asked."""
    text = "The senator was asked by a radio host whether the embargo would hold."
    asked = [q for q in _quotes(pipeline, text, statement_model=False) if "embargo" in q.text]
    assert asked and all("host" in (q.speaker_text or "") for q in asked)
    assert not any("senator" in (q.speaker_text or "").lower() for q in _quotes(pipeline, text))


def test_a_negated_mention_is_not_a_quote(extract_text):
    result = extract_text("The president warned of grave consequences without naming the sanctions. "
                          "The minister said, without naming Russia, that foreign agents were behind the protests.")
    assert not any(q.text.startswith(("the sanctions", "Russia")) for q in result.quotes), result.quotes
    assert not any("without naming" in q.text for q in result.quotes)
    assert any("foreign agents were behind the protests" in q.text for q in result.quotes)


# ---------------------------------------------------------------- the learned statement model

STANCE = ("President Emile Roux denounced the remarks as \"hurtful and humiliating\" on Friday. "
          "His foreign minister said the ambassador would be summoned.")


def _quotes(pipeline, text, **kwargs):
    from datetime import date

    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.cleaning import clean
    from communique.models import Article
    from communique.nlp import annotate

    article = clean(Article(text=text, source="<test>", published=date(2024, 5, 6)))
    annotated = next(annotate([article], pipeline.nlp))
    return extract_quotes(annotated, resolve_actors(annotated, pipeline.kb), speaker_model=False, **kwargs)


def test_the_rules_alone_drop_a_stance(pipeline):
    quotes = _quotes(pipeline, STANCE, statement_model=False)
    assert not any("hurtful" in q.text for q in quotes)
    assert any("ambassador would be summoned" in q.text for q in quotes)


def test_a_model_that_trusts_the_cue_keeps_the_stance(pipeline):
    """The model sees the rules' verdict as one feature: a cue it has learned annotators count as a
    quote ("denounced ... as '...'") outweighs it."""
    from communique.choice import ChoiceModel

    model = ChoiceModel({"quote": {"cue=denounced": 6.0, "rules": 6.0}}, {"quote": 3.0}, {"keep": 0.5})
    quotes = _quotes(pipeline, STANCE, statement_model=model)
    assert any("hurtful" in q.text for q in quotes)
    assert any("ambassador would be summoned" in q.text for q in quotes)


def test_training_rows_carry_the_rules_verdict(pipeline):
    rows: list = []
    _quotes(pipeline, STANCE, statement_model=False, statement_rows=rows)
    verdicts = {("hurtful" in STANCE[s:e] or "remarks" in STANCE[s:e], "rules" in f) for (s, e), f in rows}
    assert (True, False) in verdicts and (False, True) in verdicts
