"""Who acts and at whom: a learned choice among an event's candidate participants.

For an event the detector found in sentence i (anchored on a trigger token: the dictionary's trigger
of that type, or the sentence's main verb), every actor named in sentence i and the two before it is
a candidate. Each candidate gets features that say how the text ties it to the event:

* where it stands in the parse: subject, object, passive agent ("by"), the object of which
  preposition, possessor, coordinated with or apposed to such a word, relative to the anchor and to
  the sentence's main verb;
* what the dictionary rules made of it (`roles.py`: actor or recipient of a trigger of this type or
  of another type in the sentence);
* whether it speaks the sentence (the speaker of a quote that covers it);
* how far back it was named, how often, and what kind of actor it is (person, government, group,
  outlet, place; its PLOVER sector).

A conditional logit per role (actor, recipient), trained on realnews-train's events
(`communique.events.learn.arguments`) and shipped as a table of weights (`arguments.json` beside the
detector), shares each role's probability among the event's candidates and a "nobody" option; the
event takes the most likely actor, then the most likely recipient among the others when it beats
"nobody", and any further candidate whose probability is high (coordinated actors: "Egypt and
Greece condemned ...").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from communique.choice import ChoiceModel
from communique.models import Actor

# sentences before the event's own whose actors are candidates ("recipients named only in an earlier sentence")
WINDOW = 2
ROLES = ("actor", "recipient")
_PREPS = frozenset({"by", "with", "against", "to", "on", "for", "from", "of", "in", "at", "between", "over",
                    "about", "toward", "towards", "into", "after", "under", "among", "upon"})
_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "poss", "compound", "appos", "conj", "dative", "attr",
                   "npadvmod", "nmod", "amod", "ROOT", "csubj", "oprd"})
_SECTORS = frozenset({"GOV", "MIL", "MED", "REB", "OPP", "JUD", "LEG", "POL", "CVL", "BUS", "IGO", "NGO", "COP",
                      "EDU", "HLH", "REL", "SPY"})
# verbs of saying: their subject is the speaker of the clause below, the actor of a statement event
_SPEECH = frozenset({"say", "tell", "state", "announce", "add", "claim", "insist", "warn", "write", "report", "note",
                     "stress", "argue", "declare", "confirm", "explain", "suggest", "believe", "think", "tweet"})
# families of types, so that the model can learn that a statement's speaker acts while an attack's
# victim is its recipient without a weight per type for every feature
TYPE_FAMILY = {
    "ACCUSE": "verbal", "REJECT": "verbal", "REQUEST": "verbal", "SUPPORT": "verbal", "THREATEN": "verbal",
    "AGREE": "verbal", "CONCEDE": "verbal", "CONSULT": "meet", "COOPERATE": "meet", "AID": "material",
    "RETREAT": "material", "PROTEST": "material", "SANCTION": "material", "MOBILIZE": "material",
    "COERCE": "force", "ASSAULT": "force",
}
# features crossed with the type family
_CROSSED = ("dep", "anchor", "prep", "speaker", "rule", "passive", "first")


@dataclass
class Candidate:
    """An actor that may take part in an event, with its mentions (Doc character ranges) in the window."""

    actor: Actor
    mentions: list[tuple[int, int]] = field(default_factory=list)
    distance: int = 0  # sentences between its nearest mention and the event's sentence


def candidates(actors, sents: list[Span], i: int, window: int = WINDOW) -> list[Candidate]:
    """Every actor mentioned in sentence i and the `window` sentences before it, nearest first by
    first mention order. `actors` is the article's ActorTable (Doc character ranges)."""
    first = sents[max(0, i - window)]
    start, end = first.start_char, sents[i].end_char
    found: dict[str, Candidate] = {}
    bounds = [(s.start_char, s.end_char) for s in sents[max(0, i - window) : i + 1]]
    for s, e, actor in actors.mentions_near(start, end):
        if s < start or s >= end or actor.kind == "location" and not actor.country:
            continue
        k = next((j for j, (a, b) in enumerate(bounds) if a <= s < b), len(bounds) - 1)
        cand = found.setdefault(actor.id, Candidate(actor, distance=len(bounds) - 1 - k))
        cand.mentions.append((s, e))
        cand.distance = min(cand.distance, len(bounds) - 1 - k)
    return list(found.values())


def _head(doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _role_of(token: Token) -> tuple[str, str | None, Token]:
    """(dependency, preposition, governor) of an argument word, looking through coordination and
    apposition to the word it stands beside ("A, B and C" all take A's role)."""
    node = token
    for _ in range(4):
        if node.dep_ in ("conj", "appos") and node.head.i != node.i:
            node = node.head
        else:
            break
    dep = node.dep_
    if dep == "pobj" and node.head.i != node.i:
        prep = node.head
        governor = prep.head
        if prep.dep_ == "agent":
            return "agent", "by", governor
        return "pobj", prep.lower_ if prep.lower_ in _PREPS else "other", governor
    return (dep if dep in _DEPS else "other"), None, node.head


def _clause_verb(token: Token) -> Token:
    node = token
    for _ in range(8):
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            return node
        node = node.head
    return node


def _relation_to_anchor(token: Token, anchor: Token | None) -> str:
    """How an argument word hangs from the event's anchor: its subject, object, agent, the object of
    one of its prepositions, its possessor, below it, above it or apart."""
    if anchor is None:
        return "none"
    dep, prep, governor = _role_of(token)
    if governor.i == anchor.i:
        if dep == "pobj":
            return f"prep_{prep}"
        return dep
    # the anchor's noun object or clause carries the argument: "imposed sanctions on X", "said X did Y"
    if governor.head.i == anchor.i and governor.dep_ in ("dobj", "xcomp", "ccomp", "advcl", "prep", "attr"):
        return f"via_{governor.dep_}_{dep if dep != 'pobj' else 'prep_' + str(prep)}"
    if anchor.i in {a.i for a in token.ancestors}:
        return "below"
    if token.i in {a.i for a in anchor.ancestors}:
        return "above"
    return "apart"


def features(
    ctx, sent: Span, event_type: str, cand: Candidate, anchor: Token | None,
    rule_roles: Mapping[str, set[tuple[str, bool]]], speakers: set[str], n_candidates: int, order: Mapping[str, int],
) -> dict[str, float]:
    """The candidate's features for an event of `event_type` in `sent` (see the module's docstring).

    `rule_roles`: actor id -> {(role, same type)} from the dictionary's candidates of the sentence;
    `speakers`: ids of the speakers of quotes covering the sentence; `order`: actor id -> rank of its
    first mention in the sentence."""
    actor = cand.actor
    family = TYPE_FAMILY.get(event_type, "other")
    f: dict[str, float] = {
        "bias_type=" + event_type: 1.0,
        f"kind={actor.kind}": 1.0,
        f"sector={actor.sector if actor.sector in _SECTORS else 'other'}": 1.0,
        "has_country": float(bool(actor.country)),
        f"distance={min(cand.distance, 2)}": 1.0,
        "candidates": math.log1p(n_candidates),
    }
    own = [m for m in cand.mentions if sent.start_char <= m[0] < sent.end_char]
    f["mentions_in_sentence"] = math.log1p(len(own))
    crossed: list[str] = []
    if own:
        f["position"] = (min(m[0] for m in own) - sent.start_char) / max(1, sent.end_char - sent.start_char)
        rank = order.get(actor.id, 9)
        crossed.append(f"first={min(rank, 3)}")
        best: dict[str, float] = {}
        for start, end in own:
            head = _head(ctx.doc, start, end)
            if head is None:
                continue
            dep, prep, governor = _role_of(head)
            verb = _clause_verb(governor)
            names = [f"dep={dep}", f"anchor={_relation_to_anchor(head, anchor)}"]
            if prep:
                names.append(f"prep={prep}")
            if verb.lemma_.lower() in _SPEECH:
                names.append("dep_of_speech=" + dep)
            if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
                names.append("passive=" + dep)
            if any(c.dep_ == "neg" for c in verb.children):
                best["negated_clause"] = 1.0
            if verb.dep_ == "ROOT":
                best["main_clause"] = 1.0
            if head.i < sent.root.i:
                best["before_root"] = 1.0
            if ctx.quotes_covering(*ctx.annotated.span((start, end))):
                best["inside_quote"] = 1.0
            crossed.extend(names)
        f.update(best)
    if actor.id in speakers:
        crossed.append("speaker")
    for role, same in rule_roles.get(actor.id, ()):
        crossed.append(f"rule={role}_{'same' if same else 'other'}")
    for name in dict.fromkeys(crossed):
        f[name] = 1.0
        if name.split("=")[0] in _CROSSED or name == "speaker":
            f[f"{family}|{name}"] = 1.0
    return f


class ArgumentModel(ChoiceModel):
    """The argument model: a `ChoiceModel` over an event's candidates with roles "actor" and
    "recipient". `thresholds`: "more", the probability a further candidate needs to join the most
    likely one ("Egypt and Greece condemned ..."); "nobody_margin", how far "nobody" must beat the best
    recipient to leave the event without one."""

    def choose(self, rows: list[tuple[str, Mapping[str, float]]]) -> tuple[list[str], list[str]]:
        """(actor ids, recipient ids) from each candidate's (id, features)."""
        if not rows:
            return [], []
        more = self.thresholds.get("more", 0.35)
        ids = [i for i, _ in rows]
        feats = [f for _, f in rows]
        p_actor, _ = self.probabilities("actor", feats)
        order = sorted(range(len(ids)), key=lambda k: -p_actor[k])
        actors = [ids[order[0]]] + [ids[k] for k in order[1:] if p_actor[k] >= more]
        rest = [k for k in range(len(ids)) if ids[k] not in actors]
        recipients: list[str] = []
        if rest:
            p_rec, nobody = self.probabilities("recipient", [feats[k] for k in rest])
            ranked = sorted(range(len(rest)), key=lambda j: -p_rec[j])
            best = ranked[0]
            # "nobody" is learned from events without a recipient and from those whose recipient the
            # candidates miss: the best candidate is taken unless "nobody" beats it by the margin
            if nobody - p_rec[best] < self.thresholds.get("nobody_margin", 1.0):
                recipients = [ids[rest[best]]] + [ids[rest[j]] for j in ranked[1:] if p_rec[j] >= more]
        return actors, recipients


def rule_roles_of(rule_candidates: Iterable, event_type: str, scoring) -> dict[str, set[tuple[str, bool]]]:
    """actor id -> {(role, whether the rule's trigger has the event's type)} from the dictionary's
    candidates of a sentence (suppressed and folded ones included: their parse still says who did what)."""
    out: dict[str, set[tuple[str, bool]]] = {}
    for c in rule_candidates:
        same = scoring(c.type) == scoring(event_type)
        for role, ids in (("actor", c.actors), ("recipient", c.recipients)):
            for x in ids:
                out.setdefault(x, set()).add((role, same))
    return out
