"""Learned speaker linking: which actor of the article a quote's source phrase means.

The rules of `communique.actors.speaker` give each source phrase one actor. They go wrong in ways a
reader of whole articles does not: "the Russian leader said" becomes an actor of its own although
the article named Vladimir Putin two paragraphs earlier; "he" goes to the last man named rather than
to the one who has been speaking; a spokeswoman's words go to the minister she speaks about.

This module puts every actor named near the quote (in its sentence and the eight before it) beside
the rules' choice, describes each with what a reader weighs (named in the source phrase, how far
back, spoke last, is a subject, is talked about inside the quotation, matches the description's role
word, nationality or the pronoun's gender) and lets a conditional logit
(`communique.choice.ChoiceModel`, role "speaker") choose. The rules' choice is one of the features,
so the model learns when to overrule it. The model is trained on realnews-train by
`communique train speakers` (`communique.learn.speakers`); without a model the rules decide.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from communique.choice import ChoiceModel, load_model_file
from communique.models import Actor

SHIPPED = ("models", "speakers", "speakers.json")
LOOKBACK_SENTENCES = 8  # how many sentences before the quote's own are searched for the speaker
SPEAKING_KINDS = {"person", "organisation", "government", "group", "outlet", "other"}
DEFAULT_MARGIN = 0.0  # how much likelier than the rules' choice another candidate must be


@dataclass
class Candidate:
    actor: Actor
    features: dict[str, float]


@dataclass
class SpeakerLinker:
    """Chooses among the candidates of one article's quotes, in text order."""

    resolver: object  # SpeakerResolver: the rules' reading of the same article
    model: ChoiceModel | None = None
    margin: float = DEFAULT_MARGIN
    spoken: list[str] = field(default_factory=list)  # speaker ids of the quotes so far, in order

    def candidates(self, item, rules_pick: Actor | None) -> list[Candidate]:
        """The actors that may have said `item` (a `Found`), each with its features."""
        resolver = self.resolver
        doc, table = resolver.doc, resolver.actors
        head = doc[item.source_head] if item.source_head is not None else None
        source_type = _source_type(head)
        seen = self._named_near(item, rules_pick)
        detail = _source_detail(head, source_type)
        head_class = self._head_class(head) if source_type == "desc" else None
        latest_person = self._latest(seen, "person")
        most_named = max(seen.values(), key=lambda i: (len(table.mention_starts(i["actor"].id)), -(i["before"] or 99)),
                         default=None)
        by_count = sorted(seen.values(), key=lambda i: -len(table.mention_starts(i["actor"].id)))
        rank = {i["actor"].id: k for k, i in enumerate(i for i in by_count if i["actor"].kind == "person")}
        describes = _description_words(head) if source_type == "desc" else set()
        nationality = self._nationalities(head) if source_type == "desc" else set()
        out = []
        for info in seen.values():
            actor = info["actor"]
            f: dict[str, float] = {}
            is_rules = rules_pick is not None and actor.id == rules_pick.id
            _put(f, source_type, "rules", is_rules)
            _put(f, source_type, "in_source", info["in_source"])
            _put(f, source_type, "in_content_only", info["in_content"] and info["before"] is None
                 and not info["in_source"])
            _put(f, source_type, "in_content", info["in_content"])
            _put(f, source_type, f"back={_bucket(info['before'])}", 1)
            _put(f, source_type, "after_cue", info["after"] and not info["in_source"])
            _put(f, source_type, f"kind={actor.kind}", 1)
            _put(f, detail, f"kind={actor.kind}", 1)
            _put(f, detail, "rules", is_rules)
            _put(f, detail, "spoke_last", bool(self.spoken) and self.spoken[-1] == actor.id)
            _put(f, detail, "latest_person", latest_person is not None and actor.id == latest_person)
            _put(f, detail, "most_named", most_named is not None and actor.id == most_named["actor"].id)
            _put(f, detail, f"back={_bucket(info['before'])}", 1)
            if head_class:
                _put(f, f"noun={head_class}", f"kind={actor.kind}", 1)
            _put(f, source_type, "subject", info["subject"])
            f["log_mentions"] = math.log1p(len(table.mention_starts(actor.id)))
            f["log_near"] = math.log1p(info["near"])
            _put(f, source_type, "spoke_last", bool(self.spoken) and self.spoken[-1] == actor.id)
            _put(f, source_type, "spoke_before", actor.id in self.spoken[-4:])
            if is_rules:
                _put(f, detail, "rules_ad_hoc", actor.kb_id is None and self._only_in(actor, item.source))
            if describes and not (is_rules and info["before"] is None):  # not the description's own actor
                _put(f, detail, "role_match", bool(describes & self._role_words(actor, item.source)))
            _put(f, detail, "salience=" + _salience(rank.get(actor.id)), 1)
            f["log_spoken"] = math.log1p(self.spoken.count(actor.id))
            if nationality:
                f["nationality_match"] = float(actor.country in nationality)
                f["nationality_other"] = float(actor.country is not None and actor.country not in nationality)
            if source_type == "pron" and head is not None:
                agrees = resolver.gender_agrees(actor, head.lower_)
                if agrees is not None:
                    f["gender_agrees" if agrees else "gender_differs"] = 1.0
            out.append(Candidate(actor, f))
        return out

    def _named_near(self, item, rules_pick: Actor | None) -> dict[str, dict]:
        """Each actor named in the quote's sentence and the LOOKBACK_SENTENCES before it (and the
        rules' pick), with where it is named: in the source phrase, inside the quotation, how many
        sentences before the cue (its latest mention, and whether that one is a subject), after it."""
        table = self.resolver.actors
        cue_sentence = self._sentence_of(item.cue[0])
        first_char = self._sentence_start(max(0, cue_sentence - LOOKBACK_SENTENCES))
        last_char = self._sentence_end(cue_sentence)
        seen: dict[str, dict] = {}
        for start, end, actor in table.mentions_backwards(last_char):
            if start < first_char:
                break
            if actor.kind not in SPEAKING_KINDS:
                continue
            info = seen.setdefault(actor.id, {"actor": actor, "in_source": 0, "in_content": 0,
                                              "before": None, "after": 0, "subject": 0, "near": 0})
            info["near"] += 1
            if item.source and start < item.source[1] and end > item.source[0]:
                info["in_source"] = 1
            elif item.content[0] <= start < item.content[1]:
                info["in_content"] = 1
            elif start < item.cue[0]:
                if info["before"] is None:  # the latest mention before the cue (mentions come last first)
                    info["before"] = cue_sentence - self._sentence_of(start)
                    info["subject"] = int(self._is_subject(start))
            else:
                info["after"] = 1
        if rules_pick is not None and rules_pick.id not in seen:
            seen[rules_pick.id] = {"actor": rules_pick, "in_source": int(bool(item.source)), "in_content": 0,
                                   "before": None, "after": 0, "subject": 0, "near": 0}
        return seen

    def choose(self, item, rules_pick: Actor | None) -> Actor | None:
        """The speaker of `item`: the model's choice when it may overrule the rules and is more
        confident than they are, else the rules'."""
        chosen = rules_pick
        if self.model is not None and item.source_head is not None:
            cands = self.candidates(item, rules_pick)
            if cands and _may_overrule(cands, rules_pick):
                probs, nobody = self.model.probabilities("speaker", [c.features for c in cands])
                best = max(range(len(cands)), key=lambda k: probs[k])
                rules_prob = next((p for c, p in zip(cands, probs) if rules_pick and c.actor.id == rules_pick.id), 0.0)
                if probs[best] > max(nobody, rules_prob + self.margin):
                    chosen = cands[best].actor
        self.spoken.append(chosen.id if chosen is not None else "")
        return chosen

    def _only_in(self, actor: Actor, source: tuple[int, int] | None) -> bool:
        """Whether the actor is made of the source phrase itself ("the veteran diplomat"): every
        mention lies in the phrase and no name in it is the actor's ("Spain's agriculture minister,
        Luis Planas," is Planas, named)."""
        if source is None:
            return False
        start, end = self.resolver.actors.annotated.span(source)
        if not all(start <= s and e <= end for s, e in actor.mentions):
            return False
        names = {t.text for t in self.resolver.doc.char_span(*source, alignment_mode="expand") or ()
                 if t.pos_ == "PROPN"}
        return not names & set(actor.name.split())

    def _latest(self, seen: dict[str, dict], kind: str) -> str | None:
        """The id of the candidate of `kind` named last before the cue."""
        named = [i for i in seen.values() if i["actor"].kind == kind and i["before"] is not None]
        return min(named, key=lambda i: i["before"])["actor"].id if named else None

    def _head_class(self, head) -> str:
        """What a description's head noun names: a person ("the senator"), an institution or outlet
        ("the paper", "the ministry"), a group of people ("officials"), or something else."""
        words = self.resolver.words
        lemma = head.lemma_.lower()
        if lemma in words.needs_name or lemma in words.document_nouns:
            return "institution"
        if head.tag_ in ("NNS", "NNPS"):
            return "people"
        if lemma in words.role_words or lemma in words.speaker_nouns:
            return "role"
        return "other"

    # ------------------------------------------------------------ positions in the Doc

    def _sentence_of(self, char: int) -> int:
        return max(0, bisect_right(self.resolver.sentence_char_starts, char) - 1)

    def _sentence_start(self, index: int) -> int:
        starts = self.resolver.sentence_char_starts
        return starts[index] if index < len(starts) else 0

    def _sentence_end(self, index: int) -> int:
        starts = self.resolver.sentence_char_starts
        return starts[index + 1] if index + 1 < len(starts) else len(self.resolver.doc_text)

    def _token_at(self, char: int):
        doc = self.resolver.doc
        at = bisect_right(self.resolver.token_starts, char) - 1
        return doc[max(0, at)]

    def _is_subject(self, char: int) -> bool:
        """Whether the mention starting at `char` is a subject: its first token, or the word a few
        tokens on that it hangs from ("Vladimir" -> "Putin", nsubj)."""
        tok = self._token_at(char)
        return any(t.dep_ in ("nsubj", "nsubjpass") for t in (tok, tok.head) if t.i <= tok.i + 3)

    def _role_words(self, actor: Actor, source: tuple[int, int] | None) -> set[str]:
        """The words that describe an actor: its role and the words right around its first and last
        mentions outside the source phrase ("Lou Jiwei, the finance minister"; "Russian President
        Vladimir Putin")."""
        words = {w.lower() for w in (actor.role or "").split()}
        doc = self.resolver.doc
        starts = [s for s in self.resolver.actors.mention_starts(actor.id)
                  if source is None or not source[0] <= s < source[1]]
        for start in {starts[0], starts[-1]} if starts else ():
            tok = self._token_at(start)
            for t in doc[max(0, tok.i - 3): min(len(doc), tok.i + 6)]:
                if t.sent == tok.sent:
                    words.add(t.lemma_.lower())
        return words

    def _nationalities(self, head) -> set[str]:
        from communique.actors.kb import load_kb

        kb = self.resolver.actors.kb or load_kb()
        codes = set()
        for t in head.lefts:
            if t.dep_ in ("amod", "compound", "poss") and t.text[:1].isupper():
                code = kb.country_of(t.text)
                if code:
                    codes.add(code)
        return codes


def _may_overrule(cands: list[Candidate], rules_pick: Actor | None) -> bool:
    """The model decides for pronouns and relative pronouns, and for descriptions the rules could
    only make an actor of their own ("the billionaire developer"); a name, or a description the rules
    tied to someone named ("the El Paso mayor, Dee Margo"), stays theirs. Cross-validation on
    realnews-train gains slightly more without this gate, but its errors there and on realnews-dev
    are the worst kind (a named speaker given to someone else)."""
    features = next((c.features for c in cands if rules_pick is not None and c.actor.id == rules_pick.id), {})
    if any(k.startswith(("pron|", "rel|")) for k in cands[0].features):
        return True
    return bool(features.get("rules_ad_hoc"))


def _put(f: dict[str, float], source_type: str, name: str, value) -> None:
    """A feature both on its own and crossed with the kind of source phrase: a surname in the source
    means much, a pronoun less, a description least."""
    if value:
        f[name] = float(value)
        f[f"{source_type}|{name}"] = float(value)


def _bucket(sentences_back: int | None) -> str:
    if sentences_back is None:
        return "none"
    if sentences_back <= 2:
        return str(sentences_back)
    return "3-5" if sentences_back <= 5 else "6+"


_INDEFINITE = {"a", "an", "some", "one", "another", "several", "many"}
_PRONOUN_CLASS = {"he": "he", "him": "he", "she": "she", "her": "she", "they": "they", "them": "they",
                  "it": "it", "we": "we", "i": "i"}


def _salience(rank: int | None) -> str:
    """How much the article is about a person: the most named, the second, or less."""
    return "none" if rank is None else str(rank) if rank < 2 else "low"


def _source_type(head) -> str:
    if head is None:
        return "none"
    if head.tag_ in ("WDT", "WP"):
        return "rel"
    if head.pos_ == "PRON" or head.tag_ == "PRP":
        return "pron"
    if head.pos_ == "PROPN" and head.text[:1].isupper():
        return "name"
    return "desc"


def _source_detail(head, source_type: str) -> str:
    """A finer class of the source phrase: which pronoun, or whether a description is definite
    ("the senator": someone named before) or not ("a senator": often someone new)."""
    if source_type == "pron":
        return "pron:" + _PRONOUN_CLASS.get(head.lower_, "other")
    if source_type == "desc":
        dets = {t.lower_ for t in head.lefts if t.dep_ in ("det", "poss", "nummod")}
        plural = head.tag_ in ("NNS", "NNPS")
        return "desc:" + ("indef" if dets & _INDEFINITE else "def" if dets else "bare") + (":pl" if plural else "")
    return source_type


def _description_words(head) -> set[str]:
    """The role words of a description: its head and the nouns and adjectives before it ("the
    Senate minority leader": senate, minority, leader)."""
    words = {head.lemma_.lower()}
    for t in head.lefts:
        if t.dep_ in ("amod", "compound") and t.pos_ in ("ADJ", "NOUN", "PROPN"):
            words.add(t.lemma_.lower())
    return words


@lru_cache(maxsize=4)
def load_speaker_model(path: str | None = None) -> ChoiceModel | None:
    """The speaker linking model at `path`, else the shipped one; None when there is none (read once)."""
    return load_model_file(path, SHIPPED, "speaker linking model")


def linker_for(resolver, model: ChoiceModel | None | bool = None) -> SpeakerLinker:
    """A linker over `resolver`'s article: `model` None = the shipped model, False = the rules
    alone, or a ChoiceModel (cross-validation passes its fold's)."""
    if model is False:
        return SpeakerLinker(resolver, None)
    chosen = model if isinstance(model, ChoiceModel) else load_speaker_model()
    margin = float((chosen.thresholds or {}).get("margin", DEFAULT_MARGIN)) if chosen else DEFAULT_MARGIN
    return SpeakerLinker(resolver, chosen, margin)

