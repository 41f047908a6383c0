"""The event stage's data: the trigger dictionary, PLOVER modes, factuality and argument word lists.

Everything is read from `communique/data/events/*.yaml` once and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

from communique.datafile import load_yaml
from communique.vocabulary import PLOVER_TYPES

DATA_PACKAGE = "communique"
DATA_DIR = ("data", "events")


def _read_yaml(name: str) -> dict:
    path = resources.files(DATA_PACKAGE).joinpath(*DATA_DIR, name)
    return load_yaml(path.read_text(encoding="utf-8")) or {}


@dataclass(frozen=True)
class TriggerEntry:
    """One dictionary entry: a verb or noun (with its particle or modifier words) that signals a type."""

    type: str
    pos: str  # "VERB" or "NOUN"
    head: str  # the head lemma
    extra: tuple[str, ...] = ()  # verbs: particle / preposition; nouns: modifier words before the head
    mode: str | None = None
    preps: tuple[str, ...] = ()
    reciprocal: bool = False
    no_object: bool = False
    type_hint: str | None = None
    firm: bool = False  # unambiguous: the classifier may neither retype it nor veto it as "no event"
    # "label": only when the verb labels its object ("called the raid an outrage"); the frames the event
    # rules make themselves ("solidarity", "refusal", events/statements.py and extract.py) mark events
    # the sentence classifier cannot judge
    frame: str | None = None
    implied_actor: str | None = None  # "was convicted" with no agent: only a court convicts
    clause_recipient: bool = False
    needs_complement: bool = False  # "Hataman agreed, saying ...": agreeing with a view is no agreement
    objects: tuple[str, ...] = ()  # "signed a treaty", not "signed a decree": the objects that make it an event  # "alleged the government was hiding ...": the reported clause's subject is the target

    @property
    def specificity(self) -> int:
        # a frame that matched says more than any bare lemma ("called X Y" over "called X")
        return len(self.extra) + (2 if self.frame else 0)


@dataclass
class Lexicon:
    entries: dict[tuple[str, str], list[TriggerEntry]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)  # type -> allowed modes
    scoring_alias: dict[str, str] = field(default_factory=dict)
    requires_recipient: frozenset[str] = frozenset()
    mode_cues: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    factuality: dict[str, frozenset[str]] = field(default_factory=dict)
    group_nouns: frozenset[str] = frozenset()
    participant_anaphors: frozenset[str] = frozenset()
    country_anaphors: frozenset[str] = frozenset()
    light_verbs: frozenset[str] = frozenset()
    according_cues: frozenset[str] = frozenset()
    praise_words: frozenset[str] = frozenset()
    condemnation_words: frozenset[str] = frozenset()
    culprit_words: frozenset[str] = frozenset()
    wrongdoing_verbs: dict[str, frozenset[str]] = field(default_factory=dict)  # verb -> objects it needs (empty: any)
    ruling_verbs: frozenset[str] = frozenset()
    verdict_words: frozenset[str] = frozenset()
    court_words: frozenset[str] = frozenset()
    object_control: frozenset[str] = frozenset()
    life_events: frozenset[str] = frozenset()
    domestic_groups: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    interview_verbs: frozenset[str] = frozenset()

    def match(self, token: Token) -> TriggerEntry | None:
        """The most specific dictionary entry the token heads, or None."""
        pos = "VERB" if token.pos_ == "VERB" else "NOUN" if token.pos_ == "NOUN" else None
        if pos is None:
            return None
        lemma = token.lemma_.lower()
        candidates = self.entries.get((pos, lemma)) or self.entries.get((pos, token.text.lower()))
        if not candidates:
            return None
        if pos == "VERB":
            # "called on Monday" is no "call on": a preposition introducing a date attaches no phrase
            attached = {
                c.text.lower() for c in token.children
                if c.dep_ in ("prt", "prep", "dobj", "advmod") and not _introduces_date(c)
            }
            # "bring to justice": a preposition's object can be part of the pattern too
            attached |= {
                g.text.lower() for c in token.children if c.dep_ == "prep" and not _introduces_date(c)
                for g in c.children if g.dep_ == "pobj"
            }
            # "call on X" parsed with the preposition on the next token only
            nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
            if nxt is not None and not _introduces_date(nxt):
                attached.add(nxt.text.lower())
        else:
            attached = {c.lemma_.lower() for c in token.children if c.dep_ in ("compound", "amod", "nmod")}
            attached |= {c.text.lower() for c in token.children if c.dep_ in ("compound", "amod", "nmod", "prep")}
        best = None
        for entry in candidates:
            if entry.extra and not set(entry.extra) <= attached:
                continue
            if entry.frame == "label" and label_complement(token) is None:
                continue
            if best is None or entry.specificity > best.specificity:
                best = entry
        return best

    def plv_label(self, event_type: str) -> str:
        return self.scoring_alias.get(event_type, event_type)


def _introduces_date(prep: Token) -> bool:
    """Whether a preposition's object is a date ("on Monday"); particles ("step down today") never are."""
    if prep.pos_ != "ADP" or prep.dep_ == "prt":
        return False
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    if not objects and prep.i + 1 < len(prep.doc):
        objects = [prep.nbor(1)]
    return bool(objects) and all(o.ent_type_ in ("DATE", "TIME") for o in objects)


_QUOTE_MARKS = frozenset('"\u201c\u201d\'\u2018\u2019')


def label_complement(verb: Token) -> Token | None:
    """What a labelling verb calls its object, or None when it labels nothing: the object predicate of
    "called the raid an outrage" / "called it defensive", the "as" phrase of "described the attacks as
    a dastardly act", or a quoted word inside the object ("called the deal \"lousy\"")."""
    if verb.pos_ != "VERB":
        return None
    if not any(c.dep_ == "nsubj" for c in verb.children) and verb.dep_ not in ("advcl", "conj", "xcomp"):
        return None  # "has been termed Brexit": a name, nobody speaking
    for child in verb.children:
        if child.dep_ in ("oprd", "xcomp") and child.pos_ in ("NOUN", "ADJ", "PROPN"):
            return child
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    for holder in [verb, *objects]:
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ == "as":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        return obj
    for obj in objects:
        words = list(obj.subtree)
        quoted = [t for t in words if t.text in _QUOTE_MARKS]
        if quoted:
            inside = [t for t in words if t.pos_ in ("ADJ", "NOUN") and any(q.i < t.i for q in quoted) and t.i != obj.i]
            if inside:
                return inside[0]
        # "called the deal \"lousy\"" parsed with the closing mark on the verb
        nxt = obj.doc[obj.right_edge.i + 1] if obj.right_edge.i + 1 < len(obj.doc) else None
        if nxt is not None and nxt.text in _QUOTE_MARKS and any(t.text in _QUOTE_MARKS for t in words):
            return obj
    return None


def _word(value) -> str:
    """A YAML list item as a word: YAML 1.1 reads a bare `on` / `off` / `no` as a boolean."""
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value).lower()


def _entry(event_type: str, pos: str, raw, defaults: dict) -> TriggerEntry:
    spec = dict(defaults)
    spec.update(raw if isinstance(raw, dict) else {"lemma": raw})
    words = str(spec["lemma"]).lower().split()
    if pos == "VERB":
        head, extra = words[0], tuple(words[1:])
    else:
        head, extra = words[-1], tuple(words[:-1])
    return TriggerEntry(
        type=event_type,
        pos=pos,
        head=head,
        extra=extra,
        mode=spec.get("mode"),
        preps=tuple(_word(p) for p in spec.get("preps") or ()),
        reciprocal=bool(spec.get("reciprocal", False)),
        no_object=bool(spec.get("no_object", False)),
        type_hint=spec.get("type_hint"),
        firm=bool(spec.get("firm", False)),
        frame=spec.get("frame"),
        clause_recipient=bool(spec.get("clause_recipient", False)),
        implied_actor=spec.get("implied_actor"),
        needs_complement=bool(spec.get("needs_complement", False)),
        objects=tuple(str(o).lower() for o in spec.get("objects") or ()),
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    lex = Lexicon()
    for event_type, block in _read_yaml("verbs.yaml").items():
        defaults = block.get("defaults") or {}
        for pos, key in (("VERB", "verbs"), ("NOUN", "nouns")):
            for raw in block.get(key) or []:
                entry = _entry(event_type, pos, raw, defaults)
                lex.entries.setdefault((pos, entry.head), []).append(entry)
    modes = _read_yaml("modes.yaml")
    lex.types = {t.code: list(t.modes) for t in PLOVER_TYPES}
    lex.scoring_alias = dict(modes.get("scoring_alias") or {})
    lex.requires_recipient = frozenset(modes.get("requires_recipient") or [])
    lex.mode_cues = {
        t: {mode: frozenset(words) for mode, words in (cues or {}).items()} for t, cues in (modes.get("cues") or {}).items()
    }
    lex.factuality = {k: frozenset(_word(w) for w in v or []) for k, v in _read_yaml("factuality.yaml").items()}
    args = _read_yaml("arguments.yaml")
    lex.group_nouns = frozenset(args.get("group_nouns") or [])
    lex.participant_anaphors = frozenset(args.get("participant_anaphors") or [])
    lex.country_anaphors = frozenset(args.get("country_anaphors") or [])
    lex.light_verbs = frozenset(args.get("light_verbs") or [])
    lex.according_cues = frozenset(args.get("according_cues") or [])
    lex.praise_words = frozenset(args.get("praise_words") or [])
    lex.condemnation_words = frozenset(args.get("condemnation_words") or [])
    lex.culprit_words = frozenset(args.get("culprit_words") or [])
    lex.wrongdoing_verbs = {}
    for item in args.get("wrongdoing_verbs") or []:
        if isinstance(item, dict):
            lex.wrongdoing_verbs.update({verb: frozenset(objects or []) for verb, objects in item.items()})
        else:
            lex.wrongdoing_verbs[item] = frozenset()
    lex.ruling_verbs = frozenset(args.get("ruling_verbs") or [])
    lex.verdict_words = frozenset(args.get("verdict_words") or [])
    lex.court_words = frozenset(args.get("court_words") or [])
    lex.object_control = frozenset(args.get("object_control") or [])
    lex.life_events = frozenset(args.get("life_events") or [])
    lex.domestic_groups = frozenset(args.get("domestic_groups") or [])
    lex.platforms = frozenset(w.lower() for w in args.get("platforms") or [])
    lex.interview_verbs = frozenset(args.get("interview_verbs") or [])
    return lex
