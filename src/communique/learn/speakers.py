"""Training of the speaker model (`communique.attribution.speaker_choice`) on a real-news gold file:
each gold quote the pipeline found (its content covers at least half of the gold content and the
gold half of it, as the scorer asks) gives one choice among that quote's candidate speakers, the
right ones being those whose name or mentions share a word with the gold speaker."""

from __future__ import annotations

from collections.abc import Iterable

from communique.attribution.speaker_choice import quote_candidates
from communique.choice import ChoiceModel
from communique.learn.choice import Group, fit


def _hull(span) -> tuple[int, int]:
    if span and isinstance(span[0], (list, tuple)):
        return min(s for s, _ in span), max(e for _, e in span)
    return tuple(span) if span else (0, 0)


def speaker_groups(article) -> list[tuple[Group, str]]:
    """(choice, article id) for each gold quote of an analysed article the pipeline found; the
    article's quotes must be the rules' (extract_quotes with speaker_model=False)."""
    from communique.events.learn.corpus import find, name_words

    text = article.gold["text"]
    found = quote_candidates(article.annotated, article.actors, article.quotes)
    actors = {a.id: a for a in article.actors.actors}
    used: set[int] = set()
    out: list[tuple[Group, str]] = []
    for g in article.gold.get("quotes") or []:
        where = find(text, g.get("content"))
        if where is None:
            continue
        gold_words = name_words(g.get("speaker"))
        for k, (quote, cands) in enumerate(found):
            s, e = _hull(quote.content_span)
            shared = min(e, where[1]) - max(s, where[0])
            if k in used or shared < 0.5 * (where[1] - where[0]) or shared < 0.5 * max(1, e - s):
                continue
            used.add(k)
            if cands and gold_words:
                ids = list(cands)
                labels = []
                for aid in ids:
                    a = actors[aid]
                    words = name_words(a.name)
                    for ms, me in a.mentions:
                        words |= name_words(text[ms:me])
                    labels.append(int(bool(words & gold_words)))
                out.append((Group([cands[i] for i in ids], {"speaker": labels}), article.id))
            break
    return out


def train(groups: Iterable[Group], l2: float = 1.0) -> ChoiceModel:
    return fit(list(groups), ["speaker"], l2=l2)


def speaker_accuracy(model: ChoiceModel, groups: Iterable[Group]) -> tuple[float, float]:
    """(the model's accuracy, the rules' accuracy): the share of choices whose pick names the gold
    speaker (the rules' pick is the candidate with a `|rule` feature; none counts as wrong)."""
    groups = list(groups)
    right = rules = 0
    for g in groups:
        probs, nobody = model.probabilities("speaker", g.features)
        best = max(range(len(probs)), key=lambda k: probs[k])
        rule = next((k for k, f in enumerate(g.features) if any(n.endswith("|rule") for n in f)), None)
        pick = best if probs[best] > nobody else rule
        right += g.labels["speaker"][pick] if pick is not None else 0
        rules += g.labels["speaker"][rule] if rule is not None else 0
    return right / max(1, len(groups)), rules / max(1, len(groups))
