"""Speaker resolution: the actor a quote's source phrase means.

The attribution stage finds a source phrase ("he", "the minister", "Police, who", "a statement from
the ministry") and calls `SpeakerResolver.speaker` once per quote; relays ("according to Xinhua")
go through `SpeakerResolver.relay`. The resolver reads the actor table the actor stage built and
adds the mentions it resolves, so later stages see them.

How a source phrase resolves, by its head word:
- a name: the actor the actor stage gave it; a bare surname goes to the full name mentioned earlier.
- a description ("the minister", "the El Paso mayor", "the spokeswoman"): a name in apposition,
  else, when definite and singular, the most recent named person whose role or title matches,
  else the actor the actor stage made of the description.
- "he" / "she": the actor stage's antecedent; failing that the last compatible speaker (gender
  where known), else the last person named.
- "they": the most recent group named as such ("the three foreign ministers"), else the people
  named together just before ("Greece, Cyprus and Egypt's ministers"), else a government or
  organisation; never one person or one country picked out of a plural.
- "we" / "I" inside a quotation: the speaker of that quotation.
- a relative pronoun ("who", "which"): the noun the clause hangs off, resolved in turn.
- a document ("a statement from the ministry"): its author; with none named, no speaker.
- a common noun that names no one who can speak ("the rules", "no evidence", "a think tank"
  without a name): no speaker.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Token

from communique.actors import ActorTable
from communique.actors.speaker_pronouns import PERSONAL, PronounSources
from communique.actors.speaker_words import SpeakerWords, load_speaker_words
from communique.models import Actor

_NAME_DEPS = {"compound", "flat", "nmod", "amod", "poss", "det", "nummod"}
_DEFINITE = {"the", "this", "that", "his", "her", "its", "their"}
# How far back "the mayor" looks for the named person who holds the role: several screens of a news
# article; beyond that, a role word is more likely a new, unnamed holder than a callback.
ROLE_LOOKBACK = 20_000


@dataclass
class SpeakerResolver(PronounSources):
    """Resolves the source phrases of one article's quotes, in text order of the calls."""

    actors: ActorTable
    words: SpeakerWords = field(default_factory=load_speaker_words)
    # (doc char of the source, speaker) in the order quotes were resolved
    speakers: list[tuple[int, Actor]] = field(default_factory=list)
    # (content start, content end, speaker): who speaks inside each quotation
    quotations: list[tuple[int, int, Actor]] = field(default_factory=list)

    # the words before each mention start, asked for again and again by the gender and title checks
    _titles: dict[int, set[str]] = field(default_factory=dict)

    @property
    def doc(self):
        return self.actors.annotated.doc

    @cached_property
    def doc_text(self) -> str:
        return self.doc.text  # made once: `Doc.text` rebuilds the whole text on every call

    @cached_property
    def _token_starts(self) -> list[int]:
        return [t.idx for t in self.doc]

    @cached_property
    def _sents(self) -> list:
        """The Doc's sentences, with their first tokens and first characters, for bisection."""
        doc = self.doc
        return list(doc.sents) if doc.has_annotation("SENT_START") else []

    @cached_property
    def _sent_token_starts(self) -> list[int]:
        return [s.start for s in self._sents]

    @cached_property
    def _sent_char_starts(self) -> list[int]:
        return [s.start_char for s in self._sents]

    # ------------------------------------------------------------ the service

    def speaker(self, source: tuple[int, int] | None, head: int | None,
                content: tuple[int, int] | None = None) -> Actor | None:
        """The actor a quote's source phrase means, or None when it names no one who can speak."""
        if source is None:
            return None
        if head is None:
            s, e = source
            return self.actors.actor_at(s, e) or self.actors.ad_hoc(self.doc_text[s:e], s, e)
        actor = self._resolve(self.doc[head], pronouns=True, depth=0)
        if actor is not None:
            self.speakers.append((source[0], actor))
            if content is not None:
                self.quotations.append((content[0], content[1], actor))
        return actor

    @property
    def sentence_char_starts(self) -> list[int]:
        """The Doc character where each sentence starts, for bisection."""
        return self._sent_char_starts

    @property
    def token_starts(self) -> list[int]:
        return self._token_starts

    def gender_agrees(self, actor: Actor, pronoun: str) -> bool | None:
        """Whether a gendered pronoun ("he", "she") fits what the text says of the actor's gender;
        None when the pronoun or the actor has none."""
        gender = PERSONAL.get(pronoun.lower())
        known = self._stated_gender(actor) if gender else None
        return None if known is None else known == gender

    def relinked(self, actor: Actor, head: int, content: tuple[int, int] | None, replaces: bool) -> None:
        """The last quote is said by `actor` after all (the speaker linking model overruled the rules;
        `replaces`: the rules had named someone): later pronouns and "we" inside that quotation follow
        it, and the source word becomes one of its mentions."""
        tok = self.doc[head]
        if replaces and self.speakers:
            self.speakers.pop()
            if content is not None and self.quotations:
                self.quotations.pop()
        self.speakers.append((tok.idx, actor))
        if content is not None:
            self.quotations.append((content[0], content[1], actor))
        self.actors.add_mention(actor, tok.idx, tok.idx + len(tok.text))

    def names_no_speaker(self, head: int | None) -> bool:
        """The source phrase is a thing, not someone who can speak ("the rules", "video footage",
        "a banner"), and names no author either."""
        if head is None:
            return False
        tok = self.doc[head]
        if tok.lower_ in self.words.not_speakers and tok.pos_ != "PROPN" and not self._quantifier_antecedent(tok):
            return True  # "not everyone agreed", "several said" with no group named before
        if tok.pos_ != "NOUN" or self._looks_like_name(tok) or self._named_beside(tok) is not None:
            return False
        phrase = self._noun_phrase(tok)
        if self._is_document(tok, phrase):
            return self._author(tok) is None
        if self._needs_name(tok, phrase) and not self._has_name_modifier(tok):
            return True  # "a think tank said": no one in particular (resolved ones never get here)
        return not self._can_speak(tok, phrase)

    def is_document(self, head: int | None) -> bool:
        """The source phrase is a document ("the summary", "a statement")."""
        if head is None:
            return False
        tok = self.doc[head]
        return tok.pos_ == "NOUN" and self._is_document(tok, self._noun_phrase(tok))

    def relay(self, head: int) -> Actor | None:
        """An intermediary ("according to Xinhua", "told Reuters"): names and descriptions only."""
        return self._resolve(self.doc[head], pronouns=False, depth=0)

    # ------------------------------------------------------------ by head word

    def _resolve(self, head: Token, pronouns: bool, depth: int) -> Actor | None:
        if depth > 4:
            return None
        low = head.lower_
        if head.pos_ == "PRON" or head.tag_ in ("WDT", "WP", "PRP"):
            if low in self.words.relative_pronouns and head.tag_ in ("WDT", "WP"):
                return self._relative(head, pronouns, depth)
            if not pronouns:
                return None
            return self._pronoun(head)
        if low in self.words.quantifier_pronouns and head.pos_ != "PROPN" and pronouns:
            return self._pronoun(head)
        if self._looks_like_name(head):
            return self._name(head)
        common = head.pos_ == "NOUN" or head.pos_ == "PROPN" and head.text[:1].islower()  # "the minister" tagged NNP
        if common or (head.pos_ != "PROPN" and head.ent_type_ not in ("PERSON", "ORG", "GPE", "NORP")):
            named = self._named_beside(head)
            if named is not None:
                head = named
            else:
                return self._description(head, pronouns, depth)
        return self._name(head)

    def _looks_like_name(self, head: Token) -> bool:
        """A capitalised word the tagger took for a common noun ("Mijares claimed"): a name when it is
        not the first word of its sentence, or the actor stage made a person or organisation of it."""
        if head.pos_ == "PROPN" or not head.text[:1].isupper() or head.is_upper and len(head.text) <= 3:
            return False
        if head.lower_ in self.words.document_nouns or head.lemma_.lower() in self.words.role_words:
            return False
        found = self.actors.actor_at(head.idx, head.idx + len(head.text))
        if found is not None and found.kind in ("person", "organisation", "outlet", "government"):
            return True
        if self._full_name(head.text) is not None:
            return True  # the surname of someone named earlier
        return head.i != head.sent.start and head.ent_type_ in ("PERSON", "ORG", "")

    def _name(self, head: Token) -> Actor:
        chunk = _name_chunk(head)
        found = self.actors.actor_at(head.idx, head.idx + len(head.text))
        if found is not None and len(found.name.split()) == 1:
            # a bare surname the actor stage left on its own: the full name mentioned earlier, if any
            fuller = self._full_name(found.name)
            if fuller is not None:
                self.actors.add_mention(fuller, chunk[0], chunk[1])
                return fuller
        if found is not None:
            return found
        name = self.doc_text[chunk[0] : chunk[1]]
        fuller = self._full_name(name)
        if fuller is not None:
            self.actors.add_mention(fuller, chunk[0], chunk[1])
            return fuller
        return self.actors.ad_hoc(name, chunk[0], chunk[1], kind="person" if head.ent_type_ == "PERSON" else "other")

    def _named_beside(self, head: Token) -> Token | None:
        """A name in apposition to a description: "the state news agency Tass", "her spokesman, Ali
        Reza", "the El Paso mayor, Dee Margo," (however the parser attached the name)."""
        for child in head.children:
            if child.dep_ == "appos" and child.pos_ == "PROPN":
                return child
        doc = self.doc
        i = head.i + 1
        if i < len(doc) and doc[i].text == ",":
            i += 1
        if i < len(doc) and doc[i].ent_type_ == "PERSON" and doc[i].ent_iob_ == "B" and head.tag_ in ("NN", "NNP"):
            ent = next((e for e in doc.ents if e.start == i), None)
            if ent is not None and (ent.end == len(doc) or doc[ent.end].text in (",", ")", ";") or doc[ent.end].pos_ == "VERB"):
                return ent.root
        return None

    def _description(self, head: Token, pronouns: bool, depth: int) -> Actor | None:
        lemma, low = head.lemma_.lower(), head.lower_
        phrase = self._noun_phrase(head)
        if self._is_document(head, phrase):
            author = self._author(head)
            return self._resolve(author, pronouns, depth + 1) if author is not None else None
        found = self.actors.actor_at(head.idx, head.idx + len(head.text))
        if not self._can_speak(head, phrase):
            return None
        plural = head.tag_ in ("NNS", "NNPS")
        definite = any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in head.children)
        if self._needs_name(head, phrase):
            if self._has_name_modifier(head) and found is not None:
                return found
            if not definite:
                return None  # "a think tank", "some groups": no one in particular
            earlier = self._recent(head.idx, lambda a: a.kind in ("organisation", "outlet", "government", "group"))
            return earlier or None
        if definite and not plural and not self._has_name_modifier(head):
            # "the minister said": the person of that role the article named most recently
            person = self._recent_person_with_role(head, lemma, low)
            if person is not None:
                self.actors.add_mention(person, head.idx, head.idx + len(head.text))
                return person
        if found is not None:
            return found
        name, start, end = _descriptor(head, self.doc_text)
        modifier = _modifier_actor(self.actors, head)
        fields = {"kind": "group" if plural else "person"}
        if modifier is not None:
            fields["country"] = modifier.country
        return self.actors.ad_hoc(name, start, end, **fields)

    # ------------------------------------------------------------ what a noun names

    def _noun_phrase(self, head: Token) -> str:
        left = [t for t in head.lefts if t.dep_ == "compound"]
        words = [t.lower_ for t in left] + [head.lower_]
        return " ".join(words)

    def _is_document(self, head: Token, phrase: str) -> bool:
        return head.lower_ in self.words.document_nouns or head.lemma_.lower() in self.words.document_nouns

    def _author(self, head: Token) -> Token | None:
        """Who issued a document: "the court's summary", "a statement from the ministry", "estimates
        by organizers", or the subject of the verb it is the object of ("they released a statement")."""
        for child in head.children:
            if child.dep_ == "poss":
                return child
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in ("of", "by", "from"):
                objs = [g for g in child.children if g.dep_ == "pobj"]
                # "a statement from the ministry", "estimates by organizers"; not "footage from the scene"
                if objs and (objs[0].pos_ == "PROPN" or objs[0].ent_type_ in ("ORG", "PERSON", "NORP", "GPE")
                             or self._is_known_speaker(objs[0], self._noun_phrase(objs[0]))
                             or self._is_document(objs[0], objs[0].lower_)):
                    return objs[0]
        for child in head.children:
            if child.dep_ == "compound" and (child.ent_type_ in ("ORG", "PERSON", "NORP") or child.pos_ == "PROPN"
                                             or self._is_known_speaker(child, child.lower_)):
                return child  # "a Reuters report", "eyewitness reports"
        verb = head.head
        if head.dep_ in ("dobj", "nsubjpass") and verb.pos_ in ("VERB", "AUX"):
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "agent")), None)
            if subj is not None and subj.dep_ == "agent":
                subj = next((g for g in subj.children if g.dep_ == "pobj"), None)
            return subj
        return None

    def _can_speak(self, head: Token, phrase: str) -> bool:
        """A common noun names someone who can speak unless it is on the list of things, or negated
        ("no evidence")."""
        w = self.words
        lemma, low = head.lemma_.lower(), head.lower_
        if any(c.dep_ == "det" and c.lower_ == "no" for c in head.children):
            return False
        if self._is_known_speaker(head, phrase):
            return True
        return not (low in w.not_speakers or lemma in w.not_speakers or low in w.document_nouns or lemma in w.document_nouns)

    def _is_known_speaker(self, head: Token, phrase: str) -> bool:
        """A role or institution word of the knowledge base, or a listed noun for people."""
        w = self.words
        lemma, low = head.lemma_.lower(), head.lower_
        if phrase in w.role_words or low in w.role_words or lemma in w.role_words:
            return True
        return low in w.speaker_nouns or lemma in w.speaker_nouns or phrase in w.needs_name

    def _needs_name(self, head: Token, phrase: str) -> bool:
        return phrase in self.words.needs_name or head.lower_ in self.words.needs_name or head.lemma_.lower() in self.words.needs_name

    def _has_name_modifier(self, head: Token) -> bool:
        return any(c.i < head.i and (c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "GPE", "ORG")) for c in head.children
                   if c.dep_ in ("compound", "amod", "nmod", "poss"))

    def _recent_person_with_role(self, head: Token, lemma: str, low: str) -> Actor | None:
        """The most recent named person whose role or title has this head word ("the mayor" after
        "Mayor Dee Margo"; "the spokeswoman" after "spokeswoman Jane Roe")."""
        want = {lemma, low}
        gender = "f" if low in self.words.female else "m" if low in self.words.male else None


        def fits(actor: Actor, start: int) -> bool:
            if actor.kind != "person" or len(actor.name.split()) < 2:
                return False
            role_words = set((actor.role or "").lower().split())
            if not (want & role_words or want & self._title_before(start)):
                return False
            return self._gender_ok(actor, gender)  # the costliest test last

        # the last fitting mention before the head: searched backwards, so the search stops at it, and
        # no further back than ROLE_LOOKBACK characters, so a role nobody holds costs the same in a long
        # article as in a short one
        for s, _e, actor in self.actors.mentions_backwards(head.idx):
            if s < head.idx - ROLE_LOOKBACK:
                break
            if fits(actor, s):
                return actor
        return None

    def _title_before(self, start: int) -> set[str]:
        """The lower-case words right before a mention, up to four, within its sentence."""
        if start in self._titles:
            return self._titles[start]
        doc = self.doc
        i = bisect_right(self._token_starts, start) - 1
        if i < 0:
            self._titles[start] = set()
            return self._titles[start]
        out = set()
        for j in range(i - 1, max(-1, i - 5), -1):
            t = doc[j]
            if t.is_punct or t.is_space or t.sent.start != doc[i].sent.start:
                break
            out.add(t.lower_)
            out.add(t.lemma_.lower())
        self._titles[start] = out
        return out

    # ------------------------------------------------------------ helpers

    def _gender_ok(self, actor: Actor, gender: str | None) -> bool:
        """False only when the text says otherwise: a gendered role ("spokeswoman") or honorific ("Mr")
        in the actor's role or right before one of its mentions."""
        if gender is None:
            return True
        known = self._stated_gender(actor)
        return known is None or known == gender

    def _stated_gender(self, actor: Actor) -> str | None:
        words = set((actor.role or "").lower().split())
        for s in self.actors.mention_starts(actor.id):
            words |= {w.rstrip(".") for w in self._title_before(s)}
        if words & self.words.female and not words & self.words.male:
            return "f"
        if words & self.words.male and not words & self.words.female:
            return "m"
        return None

    def _window_start(self, head: Token) -> int:
        """The first character of the sentence three sentences back: how far a pronoun looks."""
        if not self.doc.has_annotation("SENT_START"):
            return 0
        count = bisect_right(self._sent_char_starts, head.idx)  # the sentences starting at or before the head
        return self._sent_char_starts[max(0, count - 4)] if count else 0

    def _recent(self, before: int, test, since: int = 0) -> Actor | None:
        return self.actors.last_before(before, test, since)

    def _last_mention(self, actor: Actor) -> int:
        starts = self.actors.mention_starts(actor.id)
        return starts[-1] if starts else -1

    def _full_name(self, surname: str) -> Actor | None:
        """The actor whose multi-word name ends with this word (a person's surname)."""
        people = [a for a in self.actors.actors if len(a.name.split()) > 1 and a.kind in ("person", "other")]
        for actor in people:
            if actor.name.split()[-1] == surname:
                return actor
        for actor in people:  # family name first (Chinese, Korean, Hungarian names)
            if actor.name.split()[0] == surname and actor.kind == "person":
                return actor
        return None


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
    return tok.doc[lo].idx, tok.idx + len(tok.text)


def _descriptor(tok: Token, text: str) -> tuple[str, int, int]:
    """An ad hoc actor's name from its head word and left modifiers, without the article."""
    lo = tok.i
    for child in tok.children:
        if child.i < tok.i and child.dep_ in _NAME_DEPS:
            lo = min(lo, min(t.i for t in child.subtree))
    while lo < tok.i and tok.doc[lo].dep_ == "det" and tok.doc[lo].lower_ in ("a", "an", "the"):
        lo += 1
    start = tok.doc[lo].idx
    end = tok.idx + len(tok.text)
    return text[start:end], start, end


def _modifier_actor(actors: ActorTable, tok: Token) -> Actor | None:
    """An actor named by a modifier of the head: 'Chinese' in 'a senior Chinese diplomat'."""
    for child in tok.children:
        if child.i < tok.i and child.dep_ in _NAME_DEPS and child.dep_ != "det":
            found = actors.actor_at(child.idx, child.idx + len(child.text))
            if found is not None and found.country:
                return found
    return None
