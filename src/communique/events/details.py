"""An event's mode, place and provenance (who reported it), read around its trigger."""

from __future__ import annotations

from spacy.tokens import Token

from communique.events.places import lookup_place
from communique.events.roles import REPORTING_DEPS, ArticleContext
from communique.events.triggers import Candidate


def choose_mode(ctx: ArticleContext, cand: Candidate) -> None:
    allowed = ctx.lex.types.get(cand.type, [])
    mode = cand.entry.mode if cand.entry and cand.entry.type == cand.type else None
    if mode not in allowed:
        mode = None
    if mode is None:
        lemmas = {t.lemma_.lower() for t in cand.token.subtree} | {cand.token.lemma_.lower()}
        if cand.governor is not None:
            lemmas.add(cand.governor.lemma_.lower())
        for candidate_mode, words in ctx.lex.mode_cues.get(cand.type, {}).items():
            if candidate_mode in allowed and lemmas & words:
                mode = candidate_mode
                break
    if cand.type == "CONSULT" and mode is None and len(cand.participants) >= 3:
        mode = "multilateral"
    cand.mode = mode

def find_location(ctx: ArticleContext, cand: Candidate) -> None:
    sources = [cand.token]
    if cand.token.pos_ == "NOUN" and cand.token.head.lemma_.lower() in ctx.lex.light_verbs:
        sources.append(cand.token.head)
    for src in sources:
        objects = ctx.prep_objects(src, {"in", "at", "near", "outside", "inside"})
        # one level down: "at the summit in Brussels"
        objects += [g for o in list(objects) for g in ctx.prep_objects(o, {"in", "at"})]
        for obj in objects:
            if obj.ent_type_ not in ("GPE", "LOC", "FAC") and lookup_place(obj.text) is None:
                continue
            start, end = _entity_range(ctx, obj)
            name = ctx.text[start:end]
            place = lookup_place(name)
            if place is None:
                actor = ctx.actors.actor_at(start, end)
                label = f"{name}, {actor.country}" if actor and actor.country else name
            else:
                label = place.label
            cand.location = label
            cand.location_span = ctx.annotated.span((start, end))
            return

def _entity_range(ctx: ArticleContext, token: Token) -> tuple[int, int]:
    ent = ctx.entity_of(token)
    if ent is not None:
        start, end = ent.start_char, ent.end_char
        if ent[0].lower_ == "the":
            start = ent[1].idx if len(ent) > 1 else start
        return start, end
    return token.idx, token.idx + len(token.text)

def provenance(ctx: ArticleContext, cand: Candidate) -> None:
    chain: list[str] = []
    # the speaker of a reporting verb that governs the trigger ("Kuleba tweeted that he had spoken")
    node, steps = cand.token, 0
    while node.dep_ in REPORTING_DEPS | {"dobj", "pobj", "attr", "nsubj"} and node.head.i != node.i and steps < 6:
        steps += 1
        governor = node.head
        if governor.pos_ in ("VERB", "AUX") and governor.lemma_.lower() in ctx.lex.factuality.get("neutral_governors", ()):
            agents, _ = ctx.subject_tokens(governor)
            for a in agents:
                chain += [x for x in ctx.actors_of(a) if x not in chain and x not in cand.actors]
            break
        node = governor
    span = ctx.annotated.span(cand.token)
    for quote in ctx.quotes_covering(span[0], span[1]):
        for ref in [quote.speaker or quote.speaker_text, *quote.via]:
            if ref and ref not in chain:
                chain.append(ref)
    for token in cand.sent:
        if token.lower_ in ctx.lex.according_cues:
            for to in token.children:
                if to.lower_ == "to":
                    for obj in to.children:
                        if obj.dep_ == "pobj":
                            chain += [x for x in ctx.actors_of(obj) if x not in chain]
    cand.reported_by = chain

