"""A real-news gold file (`realnews-dev/PROTOCOL.md`) read through the pipeline, as training examples.

Each gold article is prepared, parsed and resolved exactly as `communique extract` does it (actors,
quotes, the dictionary's event candidates), and the gold annotation is laid over the result:

* a sentence states the gold events whose evidence overlaps it most (an evidence that runs over two
  sentences belongs to the one holding most of it): the detector's labels;
* an event's candidate participants are the actors named in its sentence and the two before
  (`events.arguments.candidates`), each labelled actor / recipient when it names a gold actor /
  recipient of the event (a shared name word, or for a gold entity the text names by no name of its
  own, the same country): the argument model's labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from communique.eval.realnews import find, name_words  # the scorer's matching: the labels agree with it
from communique.events.learn.detector import Example

@dataclass
class AnalysedArticle:
    """One gold article with the pipeline's analysis of it."""

    gold: dict
    annotated: object  # AnnotatedDoc
    actors: object  # ActorTable
    quotes: list
    sents: list = field(default_factory=list)  # spaCy sentence spans
    spans: list[tuple[int, int]] = field(default_factory=list)  # the same, as article.text spans

    @property
    def id(self) -> str:
        return str(self.gold.get("id"))

    def sentence_of(self, span: tuple[int, int]) -> int | None:
        """The sentence that holds most of a text span."""
        best, most = None, 0
        for i, (s, e) in enumerate(self.spans):
            shared = min(e, span[1]) - max(s, span[0])
            if shared > most:
                best, most = i, shared
        return best

    def gold_events_by_sentence(self) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        for event in self.gold.get("events") or []:
            where = find(self.gold["text"], event.get("evidence"))
            i = self.sentence_of(where) if where else None
            if i is not None:
                out.setdefault(i, []).append(event)
        return out


def analyse(gold: Iterable[dict], pipeline) -> Iterator[AnalysedArticle]:
    """Each gold article analysed by `pipeline` (a communique.pipeline.Pipeline) up to the events."""
    from communique.actors import resolve_actors
    from communique.attribution import extract_quotes
    from communique.models import Article
    from communique.nlp import annotate
    from communique.pipeline import prepare

    items = list(gold)
    articles = []
    for g in items:
        published = date.fromisoformat(g["published"]) if g.get("published") else None
        articles.append(prepare(Article(text=g["text"], source=str(g.get("id")), external_id=str(g.get("id"))), published))
    for g, annotated in zip(items, annotate(articles, pipeline.nlp)):
        table = resolve_actors(annotated, pipeline.kb)
        quotes = extract_quotes(annotated, table, speaker_model=False)  # see learn.realnews.reresolve
        sents = list(annotated.doc.sents)
        yield AnalysedArticle(g, annotated, table, quotes, sents, [annotated.span(s) for s in sents])


def sentence_examples(article: AnalysedArticle) -> list[Example]:
    """The detector's examples of one article: each sentence with the one before and its gold types."""
    from communique.events.learned import sentence_pairs

    by_sentence = article.gold_events_by_sentence()
    out = []
    for i, (sentence, previous) in enumerate(sentence_pairs(article.sents)):  # exactly what inference reads
        types = frozenset(ev["type"] for ev in by_sentence.get(i, []))
        out.append(Example(sentence, previous, types, article.id))
    return out


@dataclass
class ArgumentRow:
    """One candidate of one gold event: its features and whether it is a gold actor / recipient."""

    features: dict[str, float]
    actor: int
    recipient: int
    group: str  # the article
    event: int  # the event's index in the article's gold events
    name: str = ""  # the candidate actor's name (for reading errors)
    country: str | None = None


def _matches(gold_roles: Sequence[dict], actor, text: str, everyone: Sequence) -> int:
    """1 when the candidate names a gold role entity: by a shared name word; a gold entity no
    candidate shares a word with is matched by its country."""
    words = name_words(actor.name)
    for s, e in actor.mentions:
        words |= name_words(text[s:e])
    for g in gold_roles:
        if name_words(g.get("name")) & words:
            return 1
    for g in gold_roles:
        country = (g.get("country") or "").upper()
        if not country or any(name_words(g.get("name")) & _all_words(a, text) for a in everyone):
            continue
        if (actor.country or "").upper() == country:
            return 1
    return 0


def _all_words(actor, text: str) -> set[str]:
    words = name_words(actor.name)
    for s, e in actor.mentions:
        words |= name_words(text[s:e])
    return words


def argument_rows(article: AnalysedArticle) -> list[ArgumentRow]:
    """The argument model's examples of one article: for every gold event, each candidate participant
    of its sentence with features computed as at inference (`events.learned.for_sentence`)."""
    from communique.events.extract import rule_candidates
    from communique.events.learned import anchor_token, participant_rows
    from communique.events.lexicon import load_lexicon
    from communique.events.roles import ArticleContext

    ctx = ArticleContext(article.annotated, article.actors, article.quotes, load_lexicon())
    by_sentence = article.gold_events_by_sentence()
    rules = rule_candidates(ctx, article.sents, set(by_sentence))
    text = article.gold["text"]
    index = {id(e): k for k, e in enumerate(article.gold.get("events") or [])}
    rows: list[ArgumentRow] = []
    for i, events in sorted(by_sentence.items()):
        for event in events:
            anchor = anchor_token(ctx, article.sents[i], rules.get(i, []), event["type"])
            found = participant_rows(ctx, article.sents, i, event["type"], anchor, rules.get(i, []))
            everyone = [c.actor for c, _ in found]
            for cand, feats in found:
                rows.append(ArgumentRow(
                    feats,
                    _matches(event.get("actors") or [], cand.actor, text, everyone),
                    _matches(event.get("recipients") or [], cand.actor, text, everyone),
                    article.id, index[id(event)], cand.actor.name, cand.actor.country,
                ))
    return rows
