"""Anaphoric arguments of an event: "the two countries", "both sides", "the leaders" stand for the
participants (or their countries) of the event told just before."""

from __future__ import annotations

from communique.events.places import country_name
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate


def _country_actors(ctx: ArticleContext, previous: Candidate, span: tuple[int, int]) -> list[str]:
    """The countries of the previous event's participants, as actor ids ("the two countries")."""
    out: list[str] = []
    for actor_id in previous.participants:
        actor = ctx.actors.get(actor_id)
        code = actor.country if actor else None
        if not code:
            continue
        existing = next(
            (a for a in ctx.actors.actors if a.country == code and a.kind in ("government", "location") and a.id not in previous.participants),
            None,
        )
        if existing is None:
            name = country_name(code) or code
            existing = ctx.actors.ad_hoc(name, span[0], span[1], country=code, kind="government")
        else:
            ctx.actors.add_mention(existing, span[0], span[1])
        if existing.id not in out:
            out.append(existing.id)
    return out


def resolve_anaphors(ctx: ArticleContext, cand: Candidate, previous: Candidate | None) -> None:
    """"the countries" / "the two sides" as arguments: the participants (or their countries) of the
    event just before."""
    if previous is None:
        return
    for token in cand.token.subtree:
        if token.dep_ != "pobj" or token.head.lower_ not in ("between", "with", "among"):
            continue
        forms = {token.lemma_.lower(), token.lower_}
        words = {t.lower_ for t in token.subtree}
        span = ctx.noun_phrase(token)
        if forms & ctx.lex.country_anaphors:
            ids = _country_actors(ctx, previous, span) or list(previous.participants)
        elif forms & ctx.lex.participant_anaphors or words & {"both", "two"}:
            ids = list(previous.participants)
        else:
            continue
        for x in ids:
            if x not in cand.actors:
                cand.actors.append(x)
