"""The data tables behind cleaning, read once from `communique/data/cleaning/*.yaml`.

The tables say *what* page furniture looks like (masthead names and slogans, UI strings, caption
credit and byline shapes); `communique.cleaning.lines` decides what a line is from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from communique.datafile import load_yaml


def _load(name: str) -> dict:
    text = resources.files("communique").joinpath("data").joinpath("cleaning").joinpath(name).read_text(encoding="utf-8")
    return load_yaml(text) or {}


def fold(text: str) -> str:
    """The comparison form of a short line: case-folded, curly apostrophes straightened, single spaces."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


@dataclass(frozen=True)
class Masthead:
    name: str
    aliases: tuple[str, ...] = ()
    taglines: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class MastheadMatch:
    masthead: Masthead
    spelling: str  # the alias the line opens with
    rest: str  # what follows it on the line


@dataclass
class Tables:
    mastheads: list[Masthead]
    ui_strings: frozenset[str]
    ui_patterns: list[re.Pattern]
    caption_endings: re.Pattern
    caption_openings: re.Pattern
    caption_max_words: int
    byline_openings: re.Pattern
    byline_titles: frozenset[str]
    name_particles: frozenset[str]
    byline_max_words: int
    contributor_notes: list[re.Pattern]
    date_line_words: frozenset[str]
    date_line_not_published: frozenset[str]
    months: dict[str, int]
    weekdays: frozenset[str]
    section_labels: frozenset[str]
    function_words: frozenset[str] = field(default_factory=frozenset)
    english_min_share: float = 0.2
    english_min_chars: int = 40
    language_sample_chars: int = 3000
    # spellings sorted longest first, so "The Times of India" wins over "The Times"
    _spellings: list[tuple[str, Masthead]] = field(default_factory=list)
    _domains: dict[str, Masthead] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pairs = [(fold(s), m) for m in self.mastheads for s in m.spellings]
        self._spellings = sorted(pairs, key=lambda p: -len(p[0]))
        self._domains = {d.lower(): m for m in self.mastheads for d in m.domains}

    # ------------------------------------------------------------------ mastheads

    def masthead_at_start(self, line: str) -> MastheadMatch | None:
        """The known masthead a line opens with, if any (longest spelling first)."""
        folded_line = line.replace("\u2019", "'").casefold()
        for spelling, masthead in self._spellings:
            if not folded_line.startswith(spelling):
                continue
            rest = line[len(spelling) :]
            if len(spelling) <= 3 and rest.strip():
                continue  # "AP", "FT", "DW" only as a line of their own
            # the name must end at a word boundary, or be glued to a capitalised slogan
            if rest and rest[0].isalnum() and not rest[0].isupper() and not rest[0].isdigit():
                continue
            return MastheadMatch(masthead, line[: len(spelling)], rest)
        return None

    def masthead_named(self, text: str) -> Masthead | None:
        """The masthead whose name or alias is exactly `text` (case-insensitive)."""
        key = fold(text.strip(" ,.|-–—"))
        for spelling, masthead in self._spellings:
            if spelling == key:
                return masthead
        return None

    def masthead_for_domain(self, host: str | None) -> Masthead | None:
        """The masthead of a host name ("www.washingtonpost.com"), matching parent domains too."""
        if not host:
            return None
        host = host.lower().strip().strip(".")
        if host.startswith("www."):
            host = host[4:]
        parts = host.split(".")
        for i in range(len(parts) - 1):
            masthead = self._domains.get(".".join(parts[i:]))
            if masthead:
                return masthead
        return None

    # ------------------------------------------------------------------ UI strings

    def is_ui(self, line: str) -> bool:
        key = fold(line).rstrip(" .:!…›»>")
        if not key:
            return False
        if key in self.ui_strings:
            return True
        return any(p.fullmatch(line.strip()) for p in self.ui_patterns)


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=1)
def tables() -> Tables:
    mastheads_yaml = _load("mastheads.yaml")
    ui_yaml = _load("page_ui.yaml")
    pat = _load("patterns.yaml")
    english = _load("english.yaml")
    mastheads = [
        Masthead(
            name=str(m["name"]),
            aliases=tuple(str(a) for a in m.get("aliases") or ()),
            taglines=tuple(str(t) for t in m.get("taglines") or ()),
            domains=tuple(str(d) for d in m.get("domains") or ()),
        )
        for m in mastheads_yaml.get("mastheads") or ()
    ]
    months = {}
    for number, names in enumerate(pat.get("months") or (), start=1):
        for name in names:
            months[str(name).lower()] = number
    openings = sorted((str(o) for o in pat.get("byline_openings") or ()), key=len, reverse=True)
    return Tables(
        mastheads=mastheads,
        ui_strings=frozenset(fold(s).rstrip(" .:!…›»>") for s in ui_yaml.get("strings") or ()),
        ui_patterns=[re.compile(p, re.IGNORECASE) for p in ui_yaml.get("patterns") or ()],
        caption_endings=re.compile(f"(?:{_alternation(pat.get('caption_credit_endings') or [])})\\s*$"),
        caption_openings=re.compile(f"^(?:{_alternation(pat.get('caption_openings') or [])})", re.IGNORECASE),
        caption_max_words=int(pat.get("caption_max_words", 80)),
        byline_openings=re.compile(
            "^(?:" + "|".join(re.escape(o) for o in openings) + r")\s*:?\s+(?P<rest>.+)$", re.IGNORECASE
        ),
        byline_titles=frozenset(fold(t) for t in pat.get("byline_titles") or ()),
        name_particles=frozenset(str(p) for p in pat.get("name_particles") or ()),
        byline_max_words=int(pat.get("byline_max_words", 16)),
        contributor_notes=[re.compile(p, re.IGNORECASE) for p in pat.get("contributor_notes") or ()],
        date_line_words=frozenset(fold(w) for w in pat.get("date_line_words") or ()),
        date_line_not_published=frozenset(fold(w) for w in pat.get("date_line_not_published") or ()),
        months=months,
        weekdays=frozenset(str(w).lower() for w in pat.get("weekdays") or ()),
        section_labels=frozenset(fold(s) for s in pat.get("section_labels") or ()),
        function_words=frozenset(str(w).lower() for w in english.get("function_words") or ()),
        english_min_share=float(english.get("min_share", 0.2)),
        english_min_chars=int(english.get("min_chars", 40)),
        language_sample_chars=int(english.get("sample_chars", 3000)),
    )
