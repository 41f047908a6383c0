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
import re
from datetime import date, timedelta

from spacy.tokens import Doc, Token

from communique.actors import ActorTable
from communique.attribution.lexicon import Lexicon, load_lexicon
from communique.attribution.rules import Found, Rules
from communique.attribution.tagger import refine as refine_with_tagger
from communique.models import Actor, Quote, content_id
from communique.nlp import AnnotatedDoc

log = logging.getLogger(__name__)

__all__ = ["extract_quotes", "find_attributions", "Found"]

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NAME_DEPS = {"compound", "flat", "nmod", "amod", "poss", "det", "nummod"}


def find_attributions(doc: Doc, lexicon: Lexicon | None = None) -> list[Found]:
    """The attributions of a Doc in Doc terms (no actors); [] on any failure."""
    try:
        return Rules(doc, lexicon or load_lexicon()).run()
    except Exception:  # a malformed parse must cost quotes, never the article
        log.debug("attribution rules failed", exc_info=True)
        return []


def extract_quotes(annotated: AnnotatedDoc, actors: ActorTable) -> list[Quote]:
    lexicon = load_lexicon()
    found = find_attributions(annotated.doc, lexicon)
    found = refine_with_tagger(annotated.doc, found)
    quotes: list[Quote] = []
    by_item: dict[int, Quote] = {}
    speakers: list[tuple[int, Actor]] = []  # (doc char, speaker) in text order, for pronoun fallback
    # attributions first, then the quotations that continue them (one may precede its parent)
    for item in sorted(found, key=lambda f: f.continues is not None):
        try:
            if item.continues is not None:
                parent = by_item.get(id(item.continues))
                quote = _continuation(annotated, item, parent) if parent is not None else None
            else:
                quote = _to_quote(annotated, actors, lexicon, item, speakers)
        except Exception:
            log.debug("attribution dropped", exc_info=True)
            continue
        if quote is not None:
            by_item[id(item)] = quote
            quotes.append(quote)
    quotes.sort(key=lambda q: q.content_span or (0, 0))
    return quotes


def _to_quote(annotated: AnnotatedDoc, actors: ActorTable, lex: Lexicon, item: Found,
              speakers: list[tuple[int, Actor]]) -> Quote | None:
    doc = annotated.doc
    content_span = annotated.span(item.content)
    text = annotated.text_of(content_span)
    if not text.strip():
        return None
    speaker: Actor | None = None
    if item.source is not None:
        speaker = _resolve_speaker(annotated, actors, lex, item, speakers)
    via = [_resolve_np(annotated, actors, lex, doc[head], None) for head in item.via_heads]
    via = [v for v in via if v is not None and (speaker is None or v.id != speaker.id)]
    channel = item.channel or _channel(doc, lex, item)
    when = _date(doc, item, annotated.article.published)
    source_span = annotated.span(item.source) if item.source else None
    cue_span = annotated.span(item.cue)
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
    if speaker is not None:
        speakers.append((item.source[0], speaker))
    return quote


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


# ---------------------------------------------------------------- speakers and relays


def _name_chunk(tok: Token) -> tuple[int, int]:
    """The head word with its name-forming modifiers (compound, flat): Doc char range."""
    lo = tok.i
    # extend left over the proper-noun parts of the name ("Dmytro Kuleba"), not over titles
    while lo > 0:
        prev = tok.doc[lo - 1]
        if prev.head.i == tok.i and prev.dep_ in ("compound", "flat") and (prev.pos_ == "PROPN") == (tok.pos_ == "PROPN"):
            lo -= 1
        else:
            break
    start = tok.doc[lo].idx
    return start, tok.idx + len(tok.text)


def _descriptor(tok: Token) -> tuple[str, int, int]:
    """An ad hoc actor's name from its head word and left modifiers, without the article."""
    lo = tok.i
    for child in tok.children:
        if child.i < tok.i and child.dep_ in _NAME_DEPS:
            lo = min(lo, min(t.i for t in child.subtree))
    while lo < tok.i and tok.doc[lo].dep_ == "det" and tok.doc[lo].lower_ in ("a", "an", "the"):
        lo += 1
    start = tok.doc[lo].idx
    end = tok.idx + len(tok.text)
    return tok.doc.text[start:end], start, end


def _modifier_actor(actors: ActorTable, tok: Token) -> Actor | None:
    """An actor named by a modifier of the head: 'Chinese' in 'a senior Chinese diplomat'."""
    for child in tok.children:
        if child.i < tok.i and child.dep_ in _NAME_DEPS and child.dep_ != "det":
            found = actors.actor_at(child.idx, child.idx + len(child.text))
            if found is not None and found.country:
                return found
    return None


def _resolve_speaker(annotated: AnnotatedDoc, actors: ActorTable, lex: Lexicon, item: Found,
                     speakers: list[tuple[int, Actor]]) -> Actor | None:
    doc = annotated.doc
    head = doc[item.source_head] if item.source_head is not None else None
    if head is None:
        s, e = item.source
        return actors.actor_at(s, e) or actors.ad_hoc(doc.text[s:e], s, e)
    return _resolve_np(annotated, actors, lex, head, speakers)


def _resolve_np(annotated: AnnotatedDoc, actors: ActorTable, lex: Lexicon, head: Token,
                speakers: list[tuple[int, Actor]] | None) -> Actor:
    doc = annotated.doc
    if head.pos_ == "NOUN":
        # "the state news agency Tass", "her spokesman, Ali Reza": the name in apposition
        named = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
        if named:
            head = named[0]
    chunk = _name_chunk(head)
    found = actors.actor_at(head.idx, head.idx + len(head.text))
    if found is not None and head.pos_ == "PROPN" and len(found.name.split()) == 1:
        # a bare surname the actor stage left on its own: the full name mentioned earlier, if any
        fuller = _full_name(actors, found.name)
        if fuller is not None:
            actors.add_mention(fuller, chunk[0], chunk[1])
            return fuller
    if found is not None:
        return found
    if head.pos_ == "PRON":
        if speakers is not None and head.lower_ in lex.personal_pronouns:
            earlier = [a for at, a in speakers if at < head.idx and a.kind in ("person", "other")]
            if earlier:
                actor = earlier[-1]
                actors.add_mention(actor, head.idx, head.idx + len(head.text))
                return actor
            person = _last_person(actors, head.idx)
            if person is not None:
                actors.add_mention(person, head.idx, head.idx + len(head.text))
                return person
        return actors.ad_hoc(head.text, head.idx, head.idx + len(head.text), kind="other")
    if head.pos_ == "PROPN":
        # a bare surname: the actor whose full name ends with it
        name = doc.text[chunk[0] : chunk[1]]
        fuller = _full_name(actors, name)
        if fuller is not None:
            actors.add_mention(fuller, chunk[0], chunk[1])
            return fuller
        return actors.ad_hoc(name, chunk[0], chunk[1], kind="person" if head.ent_type_ == "PERSON" else "other")
    name, start, end = _descriptor(head)
    modifier = _modifier_actor(actors, head)
    fields = {"kind": "group" if head.tag_ in ("NNS", "NNPS") else "person"}
    if modifier is not None:
        fields["country"] = modifier.country
    return actors.ad_hoc(name, start, end, **fields)


def _full_name(actors: ActorTable, surname: str) -> Actor | None:
    """The actor whose multi-word name ends with this word (a person's surname)."""
    people = [a for a in actors.actors if len(a.name.split()) > 1 and a.kind in ("person", "other")]
    for actor in people:
        if actor.name.split()[-1] == surname:
            return actor
    for actor in people:  # family name first (Chinese, Korean, Hungarian names)
        if actor.name.split()[0] == surname and actor.kind == "person":
            return actor
    return None


def _last_person(actors: ActorTable, before: int) -> Actor | None:
    best = None
    for start, _end, actor in actors.mentions():
        if start >= before:
            break
        if actor.kind == "person":
            best = actor
    return best


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
    return resolve_day(phrase, published)


def resolve_day(phrase: str, published: date | None) -> str | None:
    """A day named relative to the publication date, as an ISO date; None if it names no single day."""
    low = phrase.lower().strip()
    low = re.sub(r"^(on|last|this|early|late)\s+", "", low)
    if published is None:
        if re.search(r"\b\d{4}\b", low):
            return _dateparse(phrase, None)
        return None
    if low in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return published.isoformat()
    if low in ("yesterday", "last night"):
        return (published - timedelta(days=1)).isoformat()
    for n, day in enumerate(WEEKDAYS):
        if low == day or low.startswith(day + " ") and not re.search(r"\d", low):
            back = (published.weekday() - n) % 7
            return (published - timedelta(days=back)).isoformat()
    if re.search(r"\d", low) and re.search(r"[a-z]", low):
        return _dateparse(phrase, published)
    return None


def _dateparse(phrase: str, published: date | None) -> str | None:
    try:
        import dateparser
        from datetime import datetime

        settings = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month"]}
        if published is not None:
            settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
        parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
        return parsed.date().isoformat() if parsed else None
    except Exception:
        return None
