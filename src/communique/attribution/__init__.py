"""The attribution stage: direct, indirect and mixed quotes with speaker, cue and intermediaries.

`extract_quotes(annotated, actors)` finds attributions with the dependency rules of
`communique.attribution.rules`, combines them with the spans of the learned tagger
(`communique.attribution.tagger.refine`: PolNeAR boundaries, attributions the rules missed), then resolves each source and relay to an actor of the
`ActorTable` (creating an ad hoc actor when none covers it), and reads the channel and the day the
statement was made from the cue's own clause. Quotes that continue an earlier one carry its id in
an extra `continues` field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc

from communique.actors import ActorTable
from communique.actors.speaker import SpeakerResolver
from communique.attribution.lexicon import Lexicon, load_lexicon
from communique.attribution.quality import drop_nested_repeats, join_running_quotes, reports_statement
from communique.attribution.rules import Found, Rules
from communique.attribution.speaker_links import SpeakerLinker, linker_for
from communique.attribution.statement_choice import StatementFilter, statement_features, statement_filter
from communique.attribution.tagger import refine as refine_with_tagger
from communique.dates import narrative_year, resolve_day  # the one date resolver, shared with events
from communique.models import Actor, Quote, content_id
from communique.nlp import AnnotatedDoc

log = logging.getLogger(__name__)

__all__ = ["Found", "extract_quotes", "find_attributions", "resolve_day"]


def find_attributions(doc: Doc, lexicon: Lexicon | None = None) -> list[Found]:
    """The attributions of a Doc in Doc terms (no actors); [] on any failure."""
    try:
        return Rules(doc, lexicon or load_lexicon()).run()
    except Exception:  # a malformed parse must cost quotes, never the article
        log.debug("attribution rules failed", exc_info=True)
        return []


@dataclass
class _Reading:
    """What reading one article's attributions needs at each one."""

    annotated: AnnotatedDoc
    lexicon: Lexicon
    resolver: SpeakerResolver
    linker: SpeakerLinker
    statements: StatementFilter
    statements_only: bool
    collect: list | None = None  # speaker linking rows
    statement_rows: list | None = None  # statement model rows

    @property
    def judged(self) -> bool:
        """The statement model (or its training) decides which attributions are quotes."""
        return self.statements_only and (self.statements.model is not None or self.statement_rows is not None)


def extract_quotes(annotated: AnnotatedDoc, actors: ActorTable, *, statements_only: bool = True,
                   speaker_model=None, collect: list | None = None, statement_model=None,
                   statement_rows: list | None = None) -> list[Quote]:
    """The quotes of an article. With `statements_only` (the record's default) attributions that
    report no statement are left out (see `communique.attribution.quality`); PolNeAR scoring asks
    for every attribution, stances and unsourced judgements included.

    `speaker_model`: None = the shipped speaker linking model, False = the rules' speakers alone, or
    a ChoiceModel (see `communique.attribution.speaker_links`). `collect`, when given, receives one
    (content span, candidates) pair per quote with a source phrase: the training rows.
    `statement_model` likewise chooses the model that decides which attributions are quotes
    (`communique.attribution.statement_choice`); `statement_rows` receives one (content span,
    features) pair per attribution it weighed."""
    lexicon = load_lexicon()
    found = find_attributions(annotated.doc, lexicon)
    found = refine_with_tagger(annotated.doc, found)
    resolver = SpeakerResolver(actors)
    reading = _Reading(annotated, lexicon, resolver, linker_for(resolver, speaker_model),
                       statement_filter(statement_model), statements_only, collect, statement_rows)
    quotes: list[Quote] = []
    by_item: dict[int, Quote] = {}
    # attributions first, then the quotations that continue them (one may precede its parent)
    for item in sorted(found, key=lambda f: (f.continues is not None, f.content[0])):
        try:
            if item.continues is not None:
                parent = by_item.get(id(item.continues))
                quote = _continuation(annotated, item, parent) if parent is not None else None
            else:
                quote = _to_quote(reading, item)
        except Exception:
            log.debug("attribution dropped", exc_info=True)
            continue
        if quote is not None:
            by_item[id(item)] = quote
            quotes.append(quote)
    quotes.sort(key=lambda q: q.content_span or (0, 0))
    if statements_only:
        quotes = join_running_quotes(annotated, drop_nested_repeats(quotes))
    return quotes


def _to_quote(reading: _Reading, item: Found) -> Quote | None:
    annotated, resolver, lex = reading.annotated, reading.resolver, reading.lexicon
    doc = annotated.doc
    statements_only = reading.statements_only
    content_span = annotated.span(item.content)
    text = annotated.text_of(content_span)
    if not text.strip():
        return None
    # the Doc's text and token starts, made once by the resolver (`Doc.text` rebuilds the text on every call)
    cue_span = annotated.span(item.cue)
    rules_keep = not statements_only or reports_statement(doc, lex, item, text=resolver.doc_text,
                                                          token_starts=resolver.token_starts)
    if not rules_keep and not reading.judged:
        return None
    speaker: Actor | None = None
    if item.source is not None:
        speaker = resolver.speaker(item.source, item.source_head, item.content)
        if speaker is None and statements_only and resolver.names_no_speaker(item.source_head) and not (
            item.kind == "direct" and resolver.is_document(item.source_head)
        ):
            # "the rules say ...", "video footage shows ...": no one is quoted; the words of a document
            # whose author goes unnamed ("the summary read: '...'") stay, with no speaker
            return None
        speaker = _link(annotated, resolver, reading.linker, item, speaker, content_span, reading.collect)
    if reading.judged:
        features = statement_features(text, item.kind, annotated.text_of(cue_span), speaker, rules_keep)
        if reading.statement_rows is not None:
            reading.statement_rows.append((content_span, features))
        if not reading.statements.keep(features, rules_keep):
            return None
    via = [resolver.relay(head) for head in item.via_heads]
    via = [v for v in via if v is not None and (speaker is None or v.id != speaker.id)]
    channel = item.channel or _channel(doc, lex, item)
    when = _date(doc, item, annotated.article.published)
    source_span = annotated.span(item.source) if item.source else None
    quote = Quote(
        id=content_id(f"{annotated.article.id}|{content_span}|{cue_span}", "q-"),
        kind=item.kind,
        text=text,
        speaker=speaker.id if speaker else None,
        speaker_text=annotated.text_of(source_span) if source_span else None,
        cue=annotated.text_of(cue_span),
        via=[v.id for v in _unique(via)],
        channel=channel,
        date=when,
        content_span=content_span,
        source_span=source_span,
        cue_span=cue_span,
    )
    return quote


def _link(annotated: AnnotatedDoc, resolver: SpeakerResolver, linker: SpeakerLinker, item: Found,
          rules_pick: Actor | None, content_span, collect: list | None) -> Actor | None:
    """The speaker the linking model chooses among the actors near the quote (the rules' pick when
    there is no model or it is not confident)."""
    if item.source_head is None:
        return rules_pick
    if collect is not None:
        collect.append((content_span, linker.candidates(item, rules_pick)))
    chosen = linker.choose(item, rules_pick)
    if chosen is not None and (rules_pick is None or chosen.id != rules_pick.id):
        resolver.relinked(chosen, item.source_head, item.content, replaces=rules_pick is not None)
    return chosen


def _continuation(annotated: AnnotatedDoc, item: Found, parent: Quote) -> Quote | None:
    """A quotation with no cue of its own: the speaker, relays, channel and date of the one it continues."""
    content_span = annotated.span(item.content)
    text = annotated.text_of(content_span)
    if not text.strip():
        return None
    return parent.model_copy(update={
        "id": content_id(f"{annotated.article.id}|{content_span}|{parent.id}", "q-"),
        "kind": item.kind,
        "text": text,
        "content_span": content_span,
        "continues": parent.id,
        "via": list(parent.via),
    })


def _unique(actors: list[Actor]) -> list[Actor]:
    seen, out = set(), []
    for a in actors:
        if a.id not in seen:
            seen.add(a.id)
            out.append(a)
    return out


# ---------------------------------------------------------------- channel and date


def _channel(doc: Doc, lex: Lexicon, item: Found) -> str | None:
    if item.cue_token is not None:
        cue = doc[item.cue_token]
        channel = lex.cue_verb_channels.get(cue.lemma_.lower())
        if channel:
            return channel
    scope = sorted(item.scope)
    lemmas = [doc[i].lemma_.lower() for i in scope]
    words = [doc[i].lower_ for i in scope]
    for phrase, channel in lex.channel_phrases:
        n = len(phrase)
        for k in range(len(scope) - n + 1):
            if tuple(lemmas[k : k + n]) == phrase or tuple(words[k : k + n]) == phrase:
                if n == 1 and doc[scope[k]].pos_ == "VERB":
                    continue
                return channel
    return None


def _date(doc: Doc, item: Found, published: date | None) -> str | None:
    tokens = [doc[i] for i in sorted(item.scope) if doc[i].ent_type_ in ("DATE", "TIME")]
    if not tokens:
        return None
    phrase = " ".join(t.text for t in tokens if t.ent_type_ == "DATE").strip()
    if not phrase:
        return published.isoformat() if published and any(t.lower_ in ("today", "tonight") for t in tokens) else None
    return resolve_day(phrase, published, narrative_year(doc, tokens[0].idx))
