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


def test_a_question_keeps_its_asker(extract_text):
    result = extract_text("The senator was asked by a radio host whether the embargo would hold.")
    speakers = {q.speaker_text for q in result.quotes if "embargo" in q.text}
    assert speakers and all("host" in (s or "") for s in speakers)


def test_a_negated_mention_is_not_a_quote(extract_text):
    result = extract_text("The president warned of grave consequences without naming the sanctions. "
                          "The minister said, without naming Russia, that foreign agents were behind the protests.")
    assert not any(q.text.startswith(("the sanctions", "Russia")) for q in result.quotes), result.quotes
    assert not any("without naming" in q.text for q in result.quotes)
    assert any("foreign agents were behind the protests" in q.text for q in result.quotes)
