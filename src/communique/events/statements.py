"""Events a reported statement makes by what it calls someone.

"Police said the gunman was a terrorist", '"He was a dictator," the opposition leader said': saying
that someone *is* a condemning word (arguments.yaml: `condemnation_words`, `culprit_words`) accuses
them. The speaker (the reporting verb's subject, or the speaker of the quotation) is the actor and the
copula's subject the recipient. Praise the same way ('"He was an icon of liberation," the president
said', arguments.yaml: `praise_words`) is SUPPORT; plain descriptions ("the mayor is a lawyer") make
no event.

'"We are with you," the prime minister wrote': a speaker who says they are *with* someone declares
support for them (SUPPORT, the speaker to the one named).

"Kyiv said Moscow had violated the truce", '"The government is breaking the law," she said': a
wrongdoing (arguments.yaml: `wrongdoing_verbs`) that a speaker says someone did accuses them, as a
condemning word does.

"The court found the suspension unlawful", "judges ruled the decree was void": a court that rules a
deed unlawful (arguments.yaml: `ruling_verbs`, `verdict_words`, `court_words`) sanctions whoever did
it (SANCTION, mode "ruling"): the owner of the deed when the sentence names one ("Johnson's advice"),
else nobody, as the deed's author is often only in an earlier sentence.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from communique.events.factuality import assess
from communique.events.lexicon import TriggerEntry
from communique.events.roles import ArticleContext
from communique.events.triggers import Candidate, depth

# A labelling frame, so that a sentence the classifier calls "no event" keeps it (detect.unjudged)
_LABEL_FRAME = TriggerEntry(type="ACCUSE", pos="NOUN", head="", mode="disapprove", frame="label")
_WRONGDOING_FRAME = TriggerEntry(type="ACCUSE", pos="VERB", head="", mode="allege", frame="wrongdoing")
_PRAISE_FRAME = TriggerEntry(type="SUPPORT", pos="NOUN", head="", frame="label")
_SOLIDARITY_FRAME = TriggerEntry(type="SUPPORT", pos="VERB", head="be", extra=("with",), frame="solidarity")
_RULING_FRAME = TriggerEntry(type="SANCTION", pos="VERB", head="", mode="ruling", frame="ruling")
_FIRST_PERSON_SUBJECTS = frozenset({"we", "i"})
# where a ruling's verdict stands: "found it (to be) unlawful", "ruled (that) it was unlawful"
_VERDICT_DEPS = frozenset({"acomp", "attr", "oprd", "xcomp", "ccomp", "amod", "conj"})


def _label_words(token: Token) -> set[str]:
    """The predicate and its modifiers: "a ruthless dictator", "the suspected perpetrators"."""
    words = {token.lemma_.lower(), token.lower_}
    for child in token.children:
        if child.dep_ in ("amod", "compound", "advmod"):
            words |= {child.lemma_.lower(), child.lower_}
    return words


def reporting_verb(token: Token, neutral) -> Token | None:
    """The reporting verb ("said", "claimed": `neutral_governors`) whose complement clause holds the
    token, up through a few complement or conjoined clauses; None when the clause is reported by none."""
    node = token
    for _ in range(3):
        if node.dep_ not in ("ccomp", "conj") or node.head.i == node.i:
            break
        node = node.head
        if node.pos_ in ("VERB", "AUX") and node.lemma_.lower() in neutral:
            return node
    return None


def _speakers(ctx: ArticleContext, copula: Token, predicate: Token, neutral) -> list[str]:
    """Who says it: the subject of the reporting verb the clause is the complement of, else the
    speaker of the quotation it stands in."""
    reporter = reporting_verb(copula, neutral)
    if reporter is not None:
        agents, _ = ctx.subject_tokens(reporter)
        return [x for a in agents for x in ctx.actors_of(a)]
    speaker = ctx.speaker_of(predicate)
    return [speaker.id] if speaker is not None else []


def labelled_in_statements(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[Candidate]:
    """One ACCUSE per condemning predicate of the sentence (SUPPORT per praising one), when both its
    subject and its speaker are known and differ."""
    lex = ctx.lex
    condemning = lex.condemnation_words | lex.culprit_words
    neutral = lex.factuality.get("neutral_governors", ())
    taken = {c.token.i for c in cands}
    out: list[Candidate] = []
    for token in sent:
        copula = token.head
        if token.dep_ not in ("attr", "acomp") or copula.lemma_.lower() != "be" or token.i in taken:
            continue
        if any(c.dep_ == "neg" for c in copula.children):
            continue
        words = _label_words(token)
        # praise is the predicate itself ("an icon", "great"): "a great lawyer" describes a job
        praised = {token.lemma_.lower(), token.lower_} & lex.praise_words
        frame = _LABEL_FRAME if words & condemning else _PRAISE_FRAME if praised else None
        if frame is None:
            continue
        subjects = [c for c in copula.children if c.dep_ in ("nsubj", "nsubjpass")]
        recipients = [x for s in subjects for x in ctx.actors_of(s)]
        actors = [x for x in _speakers(ctx, copula, token, neutral) if x not in recipients]
        if not recipients or not actors:
            continue
        cand = Candidate(token=token, sent=sent, type=frame.type, entry=frame, actors=actors, recipients=recipients,
                         depth=depth(token), mode=frame.mode, source="dictionary")
        fact = assess(copula, lex)
        cand.status, cand.governor = fact.status, fact.governor
        out.append(cand)
    return out


def wrongdoing_in_statements(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[Candidate]:
    """One ACCUSE per wrongdoing verb of a reported statement, from its speaker to its doer."""
    lex = ctx.lex
    neutral = lex.factuality.get("neutral_governors", ())
    taken = {c.token.i for c in cands}
    out: list[Candidate] = []
    for verb in sent:
        objects = lex.wrongdoing_verbs.get(verb.lemma_.lower())
        if verb.pos_ != "VERB" or objects is None or verb.i in taken or any(c.dep_ == "neg" for c in verb.children):
            continue
        if objects and not any(c.dep_ == "dobj" and c.lemma_.lower() in objects for c in verb.children):
            continue
        agents, _ = ctx.subject_tokens(verb)
        recipients = [x for a in agents for x in ctx.actors_of(a)]
        actors = [x for x in _speakers(ctx, verb, verb, neutral) if x not in recipients]
        if not recipients or not actors:
            continue
        cand = Candidate(token=verb, sent=sent, type="ACCUSE", entry=_WRONGDOING_FRAME, actors=actors, recipients=recipients,
                         depth=depth(verb), mode="allege", source="dictionary")
        fact = assess(verb, lex)
        cand.status, cand.governor = fact.status, fact.governor
        out.append(cand)
    return out


def solidarity_in_statements(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[Candidate]:
    """One SUPPORT per "we are with X" / "I am with him" the sentence's speaker says."""
    taken = {c.token.i for c in cands}
    out: list[Candidate] = []
    for copula in sent:
        if copula.lemma_.lower() != "be" or copula.i in taken or any(c.dep_ == "neg" for c in copula.children):
            continue
        subjects = [c for c in copula.children if c.dep_ == "nsubj" and c.lower_ in _FIRST_PERSON_SUBJECTS]
        partners = [g for c in copula.children if c.dep_ == "prep" and c.lower_ == "with"
                    for g in c.children if g.dep_ == "pobj"]
        if not subjects or not partners:
            continue
        actors = [x for s in subjects for x in ctx.actors_of(s)]
        recipients = [x for p in partners for x in ctx.actors_of(p) if x not in actors]
        if not actors or not recipients:
            continue
        cand = Candidate(token=copula, sent=sent, type="SUPPORT", entry=_SOLIDARITY_FRAME, actors=actors,
                         recipients=recipients, depth=depth(copula), source="dictionary")
        fact = assess(copula, ctx.lex)
        cand.status, cand.governor = fact.status, fact.governor
        out.append(cand)
    return out


def _is_court(ctx: ArticleContext, subject: Token) -> bool:
    """"The court", "the Court of Session", "three judges": a subject headed or named by a court word."""
    words = ctx.lex.court_words
    if subject.lemma_.lower() in words or any(c.dep_ == "compound" and c.lemma_.lower() in words for c in subject.children):
        return True
    actors = (ctx.actors.get(x) for x in ctx.actors_of(subject))
    return any(w.lower() in words for actor in actors if actor is not None for w in actor.name.split())


def rulings(ctx: ArticleContext, sent: Span, cands: list[Candidate]) -> list[Candidate]:
    """One SANCTION per ruling verb whose subject is a court and whose complement holds an adverse
    verdict word; other events the sentence's parse made of the same verb, or accusations by the
    same court in the sentence, give way to it."""
    lex = ctx.lex
    out: list[Candidate] = []
    for verb in sent:
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in lex.ruling_verbs:
            continue
        agents, _ = ctx.subject_tokens(verb)
        courts = [a for a in agents if _is_court(ctx, a)]
        if not courts:
            continue
        # an adjective anywhere in the complement: the parser hangs "found X's advice to the Queen
        # unlawful" off the preposition
        verdict = next((t for t in verb.subtree if t.i > verb.i and t.lemma_.lower() in lex.verdict_words
                        and (t.dep_ in _VERDICT_DEPS or t.pos_ == "ADJ")), None)
        if verdict is None or any(c.dep_ == "neg" for c in (*verdict.children, *verdict.head.children)):
            continue  # "found him not guilty" acquits
        actors = [x for a in courts for x in ctx.actors_of(a)]
        if not actors:
            continue
        owners = [x for t in verb.subtree if verb.i < t.i < verdict.i and t.dep_ == "poss" for x in ctx.actors_of(t)]
        recipients = [x for x in dict.fromkeys(owners) if x not in actors]
        for other in cands:
            if other.token.i == verb.i or (other.type == "ACCUSE" and set(other.actors) & set(actors)):
                other.suppressed = True
        cand = Candidate(token=verb, sent=sent, type="SANCTION", entry=_RULING_FRAME, actors=actors,
                         recipients=recipients, depth=depth(verb), mode="ruling", source="dictionary")
        fact = assess(verb, lex)
        cand.status, cand.governor = fact.status, fact.governor
        out.append(cand)
    return out
