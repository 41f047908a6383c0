"""The actor knowledge base: countries, office holders with term dates, organisations, outlets, seats.

The data lives in YAML/CSV files under `communique/data/kb/` (see its README.md); users add or
override entries with their own files (`Settings.kb_paths`, env `COMMUNIQUE_KB`), merged over the
shipped ones by id. Everything the resolver needs per article is precomputed here once: alias
tables, the role lexicon, and one spaCy `PhraseMatcher` per vocabulary.
"""

from __future__ import annotations

import csv
import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import yaml

from communique.datafile import load_yaml

log = logging.getLogger(__name__)

ISO_ALPHA3 = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}


def is_org_code(code: str | None) -> bool:
    """True for an international-organisation code (EU, UN, NATO, ...), False for an ISO country."""
    return bool(code) and code not in ISO_ALPHA3


@lru_cache(maxsize=1 << 16)  # the same names are folded again and again within and across articles
def fold(text: str) -> str:
    """Lower case without accents and with straight apostrophes: the key of case-insensitive lookups."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Term:
    role: str
    start: date | None
    end: date | None  # None while in office
    country: str | None = None
    sector: str | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass
class Person:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    short: str | None = None
    country: str | None = None
    sector: str | None = None
    gender: str | None = None
    terms: list[Term] = field(default_factory=list)

    def term_on(self, day: date | None) -> Term | None:
        for term in self.terms:
            if term.valid_on(day):
                return term
        return None

    def last_term_before(self, day: date | None) -> Term | None:
        if day is None:
            return None
        past = [t for t in self.terms if t.end is not None and t.end <= day]
        return max(past, key=lambda t: t.end) if past else None


@dataclass
class Organisation:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    sector: str | None = None
    kind: str = "organisation"  # organisation | outlet
    state_owned: bool | str | None = None


@dataclass
class Country:
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    capitals: list[str] = field(default_factory=list)


@dataclass
class Seat:
    """A seat of government ("the Kremlin"); with an `id` it is an actor of its own, else its country's
    government (or `same_as` another entry)."""

    name: str
    country: str
    aliases: list[str] = field(default_factory=list)
    id: str | None = None
    sector: str | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class RoleEntry:
    role: str | None
    sector: str | None
    kind: str = "person"  # person | institution
    single: bool = False
    generic: bool = False


@dataclass(frozen=True)
class Hit:
    """What a phrase in the text names: ("person", id) / ("org", id) / ("country", code) / ("capital",
    code) / ("seat", name)."""

    type: str
    key: str


# ---------------------------------------------------------------- loading helpers


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        log.warning("knowledge base: %r is not a date; ignored", value)
        return None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    return [str(v) for v in value if v is not None and str(v).strip()]


def _term(raw: Any, person: dict) -> Term | None:
    try:
        if isinstance(raw, dict):
            return Term(
                role=str(raw["role"]),
                start=_as_date(raw.get("start")),
                end=_as_date(raw.get("end")),
                country=raw.get("country") or person.get("country"),
                sector=raw.get("sector") or person.get("sector"),
            )
        role, start, end = (list(raw) + [None, None])[:3]
        return Term(str(role), _as_date(start), _as_date(end), person.get("country"), person.get("sector"))
    except (KeyError, TypeError, ValueError):
        log.warning("knowledge base: bad term %r for %s; ignored", raw, person.get("id"))
        return None


def _shipped_dir():
    return resources.files("communique") / "data" / "kb"


# ---------------------------------------------------------------- the knowledge base


def _is_code(form: str) -> bool:
    """A short all-capitals alias such as "UK", "PRC" or "AS": a code, matched only as written."""
    return len(form) <= 4 and form.isalpha() and form.isupper()


class KnowledgeBase:
    """All KB entries plus the lookup tables built from them."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.organisations: dict[str, Organisation] = {}
        self.countries: dict[str, Country] = {}
        self.seats: dict[str, Seat] = {}  # by folded name
        self.regions: dict[str, str] = {}  # provinces and cities often in the news -> country code
        self.roles: dict[tuple[str, ...], RoleEntry] = {}
        self.lexicon: dict[str, Any] = {}
        self._matchers: dict[int, tuple[Any, Any]] = {}
        self._built = False

    # ---- merging data files

    def add_data(self, data: dict) -> None:
        """Merge one parsed YAML document (entries with the same id replace earlier ones)."""
        if not isinstance(data, dict):
            return
        for raw in data.get("people") or []:
            if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
                continue
            terms = [t for t in (_term(r, raw) for r in raw.get("terms") or []) if t]
            self.people[str(raw["id"])] = Person(
                id=str(raw["id"]), name=str(raw["name"]), aliases=_list(raw.get("aliases")),
                short=raw.get("short"), country=raw.get("country"), sector=raw.get("sector"),
                gender=raw.get("gender"), terms=terms,
            )
        for key, kind in (("organisations", "organisation"), ("outlets", "outlet")):
            for raw in data.get(key) or []:
                if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
                    continue
                self.organisations[str(raw["id"])] = Organisation(
                    id=str(raw["id"]), name=str(raw["name"]), aliases=_list(raw.get("aliases")),
                    country=raw.get("country"), sector=raw.get("sector") or ("MED" if kind == "outlet" else None),
                    kind=kind, state_owned=raw.get("state_owned"),
                )
        for raw in data.get("seats") or []:
            if isinstance(raw, dict) and raw.get("name") and raw.get("country"):
                seat = Seat(name=str(raw["name"]), country=str(raw["country"]), aliases=_list(raw.get("aliases")),
                            id=raw.get("id"), sector=raw.get("sector"), same_as=raw.get("same_as"))
                self.seats[fold(seat.name)] = seat
        for raw in data.get("countries") or []:
            if isinstance(raw, dict):
                self._add_country(raw)
        for raw in data.get("roles") or []:
            if not isinstance(raw, dict):
                continue
            entry = RoleEntry(role=raw.get("role"), sector=raw.get("sector"), kind=raw.get("kind", "person"),
                              single=bool(raw.get("single")), generic=bool(raw.get("generic")))
            for phrase in _list(raw.get("phrases")):
                self.roles[tuple(fold(phrase).split())] = entry
        for key, value in data.items():
            if key not in {"people", "organisations", "outlets", "seats", "countries", "roles"}:
                self.lexicon[key] = value
        self._built = False
        self._matchers.clear()

    def _add_country(self, raw: dict) -> None:
        code = str(raw.get("code") or "").strip().upper()
        if not code:
            return
        old = self.countries.get(code)
        name = (raw.get("name") or "").strip() or (old.name if old else code)
        country = Country(code=code, name=name, aliases=_list(raw.get("aliases")),
                          demonyms=_list(raw.get("demonyms")), capitals=_list(raw.get("capitals")))
        if old:  # a user row adds to the shipped one
            country.aliases = list(dict.fromkeys(old.aliases + country.aliases))
            country.demonyms = list(dict.fromkeys(old.demonyms + country.demonyms))
            country.capitals = list(dict.fromkeys(old.capitals + country.capitals))
        self.countries[code] = country

    def add_file(self, path: Path) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            log.warning("knowledge base file %s unreadable: %s", path, exc)
            return
        if str(path).lower().endswith(".csv"):
            for row in csv.DictReader(text.splitlines()):
                self._add_country(row)
            self._built = False
            self._matchers.clear()
            return
        try:
            self.add_data(load_yaml(text) or {})
        except yaml.YAMLError as exc:
            log.warning("knowledge base file %s is not valid YAML: %s", path, exc)

    def _add_pycountry(self) -> None:
        """Every ISO country, named as pycountry names it, under the hand-written rows."""
        for c in pycountry.countries:
            if c.alpha_3 in self.countries:
                continue
            name = getattr(c, "common_name", None) or c.name
            aliases = [n for n in {c.name, getattr(c, "official_name", None)} if n and n != name]
            self.countries[c.alpha_3] = Country(code=c.alpha_3, name=name, aliases=aliases)

    # ---- lookup tables

    def build(self) -> None:
        if self._built:
            return
        self.alias_hits: dict[str, list[Hit]] = {}  # exact surface form -> hits
        self.demonyms: dict[str, str] = {}  # folded demonym -> code
        self.country_names: dict[str, str] = {}  # folded name/alias -> code
        self.incumbents: dict[tuple[str, str], list[tuple[Term, Person]]] = {}
        self.surnames: dict[str, list[Person]] = {}  # last word / short form -> people
        for person in self.people.values():
            for form in [person.name, *person.aliases]:
                self._hit(form, Hit("person", person.id))
            for form in {person.name.split()[-1], *(a.split()[-1] for a in person.aliases), person.short or ""}:
                if form:
                    self.surnames.setdefault(form, []).append(person)
            for term in person.terms:
                if term.country:
                    self.incumbents.setdefault((term.country, term.role), []).append((term, person))
        for org in self.organisations.values():
            for form in [org.name, *org.aliases]:
                self._hit(form, Hit("org", org.id))
        self.country_codes: dict[str, str] = {}  # short capitalised codes ("UK", "PRC"), matched case-sensitively
        for country in self.countries.values():
            for form in [country.name, *country.aliases]:
                self._hit(form, Hit("country", country.code))
                if _is_code(form):
                    # "AS" (American Samoa), "CAR", "PR": as words ("As", "car") they are no country
                    self.country_codes[form] = country.code
                else:
                    self.country_names[fold(form)] = country.code
            for form in country.capitals:
                self._hit(form, Hit("capital", country.code))
            for form in country.demonyms:
                self.demonyms[fold(form)] = country.code
        # organisation codes are countries too ("EU officials")
        for org in self.organisations.values():
            if org.country and is_org_code(org.country):
                for form in [org.name, *org.aliases]:
                    self.country_names.setdefault(fold(form), org.country)
        for key, seat in self.seats.items():
            for form in [seat.name, *seat.aliases]:
                self._hit(form, Hit("seat", key))
        for name, code in self.regions.items():
            self._hit(name, Hit("region", code))
        # ISO 3166-2 subdivisions (states, provinces), used only for spans spaCy labels GPE
        alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        subdivisions: dict[str, set[str]] = {}
        for sub in pycountry.subdivisions:
            code = alpha3.get(sub.country_code)
            if code:
                subdivisions.setdefault(fold(sub.name), set()).add(code)
        self.subdivisions = {name: next(iter(codes)) for name, codes in subdivisions.items() if len(codes) == 1}
        self.family_name_first = set(self.lexicon.get("family_name_first") or [])
        self.max_role_len = max((len(k) for k in self.roles), default=1)
        self._built = True

    def _hit(self, form: str, hit: Hit) -> None:
        form = " ".join(form.split())
        if not form:
            return
        variants = {form} if _is_code(form) else {form, form[0].upper() + form[1:]}
        if form.lower().startswith("the "):
            variants.add("The " + form[4:])
        for variant in variants:
            hits = self.alias_hits.setdefault(variant, [])
            if hit not in hits:
                hits.append(hit)

    def matcher(self, nlp_or_vocab):
        """A PhraseMatcher over every KB surface form (case-sensitive), built once per vocabulary."""
        from spacy.matcher import PhraseMatcher

        self.build()
        vocab = getattr(nlp_or_vocab, "vocab", nlp_or_vocab)
        cached = self._matchers.get(id(vocab))
        if cached and cached[0] is vocab:
            return cached[1]
        if hasattr(nlp_or_vocab, "make_doc"):
            make_doc = nlp_or_vocab.make_doc
        else:  # only a vocabulary: English tokenisation rules, as the shipped model uses
            from spacy.lang.en import English

            make_doc = English(vocab=vocab).make_doc
        matcher = PhraseMatcher(vocab, attr="ORTH")
        for form in self.alias_hits:
            matcher.add(form, [make_doc(form)])
        self._matchers[id(vocab)] = (vocab, matcher)
        return matcher

    # ---- queries

    def country_of(self, text: str) -> str | None:
        """The code a country name, alias, demonym (also plural: "Israelis") or organisation name
        stands for."""
        self.build()
        code = self.country_codes.get(text.strip())
        if code:
            return code
        key = fold(text)
        code = self.country_names.get(key) or self.demonyms.get(key)
        if code is None and key.endswith("s") and len(key) > 4:
            code = self.demonyms.get(key[:-1])
        return code

    def place_country(self, text: str) -> str | None:
        """The country of a region or city (regions.csv, then unique ISO 3166-2 subdivision names)."""
        self.build()
        return self.regions.get(text) or self.subdivisions.get(fold(text))

    def country_name(self, code: str) -> str:
        country = self.countries.get(code)
        return country.name if country else code

    def role_entry(self, words: tuple[str, ...]) -> RoleEntry | None:
        return self.roles.get(words)

    def titled_person(self, surname: str, role: str, country: str | None, day: date | None) -> Person | None:
        """The person a title and surname mean ("Prime Minister Johnson"): someone of that surname who
        holds the office on the day, else the latest one who ever held it."""
        self.build()
        holders = [(t, p) for p in self.surnames.get(surname, []) for t in p.terms
                   if t.role == role and (country is None or t.country == country)]
        for term, person in holders:
            if term.valid_on(day):
                return person
        if day is not None:
            past = [(t, p) for t, p in holders if t.start is None or t.start <= day]
            if past:
                return max(past, key=lambda tp: tp[0].start or date.min)[1]
        return None

    def incumbent(self, country: str, role: str, day: date | None) -> Person | None:
        """Who held a single-holder office in a country on a day (the current holder when no day)."""
        self.build()
        for term, person in self.incumbents.get((country, role), []):
            if term.valid_on(day):
                return person
        return None


@lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> KnowledgeBase:
    kb = KnowledgeBase()
    shipped = _shipped_dir()
    # generated world files first: the hand-written ones merge over them (same code / id wins)
    for name in ("world_countries.csv", "countries.csv", "regions.csv", "world_people.yaml", "people.yaml",
                 "people_past.yaml", "organisations.yaml", "outlets.yaml", "roles.yaml", "non_actors.yaml"):
        resource = shipped / name
        try:
            text = resource.read_text(encoding="utf-8")
        except (OSError, FileNotFoundError):
            log.warning("shipped knowledge base file %s is missing", name)
            continue
        if name == "regions.csv":
            for row in csv.DictReader(text.splitlines()):
                if row.get("name") and (row.get("country") or "").strip():
                    kb.regions[row["name"].strip()] = row["country"].strip().upper()
        elif name.endswith(".csv"):
            for row in csv.DictReader(text.splitlines()):
                kb._add_country(row)
        else:
            kb.add_data(load_yaml(text) or {})
    kb._add_pycountry()
    for path in extra:
        p = Path(path)
        files = sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml")) + list(p.glob("*.csv"))) if p.is_dir() else [p]
        for f in files:
            kb.add_file(f)
    kb.build()
    return kb


def load_kb(extra_paths: list[Path] | None = None) -> KnowledgeBase:
    """The shipped knowledge base with the user's files (YAML or countries CSV, or folders of them)
    merged over it. Loaded once per distinct list of paths."""
    return _load(tuple(str(p) for p in (extra_paths or [])))
