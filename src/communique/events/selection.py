"""Which of a sentence's candidate events become events: the checks that drop a candidate (a
refusable act only denied, an interview that is no meeting, an entry without its complement), the
folds that merge two into one (coordinated harm verbs) or make one of another (a harm a speaker
reports without its doer is that speaker's accusation), and `kept`, the last pass over an article."""

from __future__ import annotations

from communique.events.lexicon import load_lexicon
from communique.events.roles import ArticleContext
from communique.events.statements import reporting_verb
from communique.events.triggers import Candidate


# Types whose negation ("did not accept", "would not endorse") is itself an act: refusing (PLOVER REJECT)
REFUSABLE = frozenset({"AGREE", "SUPPORT"})
_COMPLEMENT_DEPS = frozenset({"dobj", "xcomp", "ccomp", "prep", "dative", "attr", "oprd"})


def has_required_complement(cand: Candidate) -> bool:
    """Whether an entry that asks for an object or a complement ("signed a treaty", "agreed to talk")
    has one; "X agreed, saying ..." and "signed a decree" are no agreement."""
    entry = cand.entry
    if entry is None or cand.token.pos_ != "VERB":
        return True
    children = list(cand.token.children)
    # the object may be misparsed ("signed a fisheries deal": "deal" as a clause): look right of the verb
    if entry.objects and not any(t.lemma_.lower() in entry.objects or t.lower_ in entry.objects
                                 for right in cand.token.rights for t in right.subtree):
        return False
    if entry.needs_complement and not any(c.dep_ in _COMPLEMENT_DEPS for c in children):
        return len(cand.participants) >= 2
    return True


def interview_only(ctx: ArticleContext, cand: Candidate) -> bool:
    """"Speaking to Reuters, the minister said": a speech verb whose only counterpart is an outlet (or
    nobody) is how a statement was made, not a meeting."""
    if cand.type != "CONSULT" or cand.token.lemma_.lower() not in ctx.lex.interview_verbs:
        return False
    sides = []
    for actor_id in cand.participants:
        actor = ctx.actors.get(actor_id)
        if actor is not None and (actor.kind == "outlet" or actor.sector == "MED"):
            continue
        sides.append(actor_id)
    return len(sides) < 2


_HARM_TYPES = frozenset({"ASSAULT", "COERCE"})


def fold_coordinated_harm(cands: list[Candidate]) -> None:
    """"Two people were killed and eight were injured in the bombing": one attack told by coordinated
    harm verbs is one event, its victims together."""
    by_token = {c.token.i: c for c in cands}
    for cand in cands:
        head = by_token.get(cand.token.head.i) if cand.token.dep_ == "conj" else None
        if head is None or head.folded or cand.type not in _HARM_TYPES or head.type != cand.type:
            continue
        if cand.actors and head.actors and not set(cand.actors) & set(head.actors):
            continue  # different doers: different deeds
        head.actors += [x for x in cand.actors if x not in head.actors]
        head.recipients += [x for x in cand.recipients if x not in head.recipients and x not in head.actors]
        cand.folded = True


def reported_harm(ctx: ArticleContext, cands: list[Candidate]) -> list[Candidate]:
    """"Berlin says the opposition leader was poisoned": a speaker who reports a harm nobody is named
    as doing makes an accusation. One ACCUSE per reporting verb, with the speaker as actor and the
    victim as recipient."""
    out: list[Candidate] = []
    seen: set[int] = set()
    neutral = ctx.lex.factuality.get("neutral_governors", ())
    for cand in cands:
        if cand.type not in _HARM_TYPES or cand.actors or cand.token.pos_ != "VERB" or cand.status != "occurred":
            continue
        victims = [c for c in cand.token.children if c.dep_ == "nsubjpass"]
        if not victims or not cand.recipients or any(c.dep_ == "nummod" or c.pos_ == "NUM" for v in victims for c in [v, *v.children]):
            continue  # only a named victim of an unnamed doer; "90 civilians were wounded" is a casualty count
        reporter = reporting_verb(cand.token, neutral)
        if reporter is None or reporter.i in seen:
            continue
        agents, _ = ctx.subject_tokens(reporter)
        speakers = [x for a in agents for x in ctx.actors_of(a)]
        if not speakers:
            continue
        seen.add(reporter.i)
        out.append(
            Candidate(
                token=reporter, sent=cand.sent, type="ACCUSE", mode="allege", actors=speakers,
                recipients=[], depth=cand.depth, source="dictionary",
            )
        )
    return out


def kept(cands: list[Candidate]) -> list[Candidate]:
    """The candidates that become events: with participants, not folded, not duplicates."""
    out: list[Candidate] = []
    seen: set[tuple] = set()
    seen_keys: set[tuple] = set()  # the keys of `seen`, so that an undated repeat is found without a scan
    requires_recipient = load_lexicon().requires_recipient
    for cand in cands:
        if cand.folded or cand.suppressed or not cand.participants or not cand.type:
            continue
        if cand.token.pos_ == "NOUN" and not cand.actors:  # "the war against X": nobody named as doing it
            continue
        if cand.type == "CONSULT" and len(cand.participants) < 2:  # a meeting takes two sides
            continue
        if cand.type in requires_recipient and not cand.recipients and not is_ruling(cand):
            continue  # a sanction on nobody; a court's ruling stands without the deed's author
        key = (cand.type, frozenset(cand.actors), frozenset(cand.recipients), cand.refers_to_past, cand.status)
        dated = cand.date_precision not in ("publication", "unknown")
        if (key, cand.date if dated else None) in seen or (not dated and key in seen_keys):
            continue
        seen.add((key, cand.date if dated else None))
        seen_keys.add(key)
        out.append(cand)
    return out


def is_ruling(cand: Candidate) -> bool:
    return cand.entry is not None and cand.entry.frame == "ruling"
