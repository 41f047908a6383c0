"""The detector's input: a sentence and the one before it, cut to the model's length (the same
function serves training and inference, so the two never read different pieces)."""

import pytest

from communique.events.detector import MIN_CONTEXT, pair_ids


@pytest.fixture(scope="module")
def tokenizer():
    from communique.events.detector import default_model_path
    from tokenizers import Tokenizer

    path = default_model_path() / "tokenizer.json"
    if not path.exists():
        pytest.skip("no shipped detector tokenizer")
    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def test_sentence_first_then_context(tokenizer):
    ids, segments = pair_ids(tokenizer, "Ghana sent troops north.", "Clashes broke out.", 64)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    assert ids[0] == cls and ids[-1] == sep and ids.count(sep) == 2
    first_sep = ids.index(sep)
    assert set(segments[: first_sep + 1]) == {0} and set(segments[first_sep + 1 :]) == {1}
    assert tokenizer.decode(ids[1:first_sep]) == "ghana sent troops north."


def test_long_input_keeps_the_sentence_and_the_end_of_the_context(tokenizer):
    sentence = "The minister met her counterpart in Accra on Monday."
    previous = " ".join(["word"] * 200) + " finally ended"
    ids, segments = pair_ids(tokenizer, sentence, previous, 48)
    assert len(ids) == 48 and len(segments) == 48
    sep = tokenizer.token_to_id("[SEP]")
    own = ids[1 : ids.index(sep)]
    assert tokenizer.decode(own) == sentence.lower()  # the sentence is whole
    assert tokenizer.decode(ids[ids.index(sep) + 1 : -1]).endswith("finally ended")  # the nearest context


def test_a_very_long_sentence_still_gets_some_context(tokenizer):
    sentence = " ".join(["alpha"] * 300)
    ids, segments = pair_ids(tokenizer, sentence, "Before it came this.", 64)
    assert len(ids) <= 64
    assert segments.count(1) >= min(MIN_CONTEXT, 5)  # "before it came this." is five pieces, plus [SEP]
