"""What one line of a scraped page is: masthead, UI string, caption, byline, date line, title or body.

Each test looks at a whole line on its own; cleaning decides from where the line sits (top of page,
between paragraphs, bottom) which of them apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from communique.cleaning.tables import Masthead, Tables, fold

_SEPARATORS = " \t|-–—:·•,/"
CLOSERS = "\"'”’»)]}"
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*", re.UNICODE)
_NAME_TOKEN = re.compile(r"^(?:[^\W\d_][\w'’\-]*\.?|[^\W\d_]\.(?:[^\W\d_]\.)*)$", re.UNICODE)
_DOMAIN_LINE = re.compile(r"^(?:https?://)?(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})(?:/\S*)?$", re.IGNORECASE)


def words(text: str) -> list[str]:
    return text.split()


def _is_capitalised(token: str) -> bool:
    for ch in token:
        if ch.isalpha():
            return ch.isupper()
    return False


# ---------------------------------------------------------------- mastheads and section labels


def masthead_line(line: str, t: Tables) -> Masthead | None:
    """The masthead a page's site-name line shows: the name alone, or followed by its slogan or a
    section label ("The Washington PostDemocracy Dies in Darkness", "Reuters | World")."""
    domain = _DOMAIN_LINE.match(line.strip())
    if domain:
        return t.masthead_for_domain(domain.group("host"))
    match = t.masthead_at_start(line.strip())
    if match is None:
        return None
    glued = bool(match.rest) and match.rest[0].isupper()
    rest = match.rest.strip(_SEPARATORS)
    if not rest:
        return match.masthead
    key = fold(rest).rstrip(".")
    if key in {fold(tagline).rstrip(".") for tagline in match.masthead.taglines}:
        return match.masthead
    if key in t.section_labels:
        return match.masthead
    # An unknown slogan glued to the name (no space between): a site header, not a sentence.
    if glued and len(words(rest)) <= 8 and not rest.rstrip(CLOSERS).endswith((".", ",", ";")):
        return match.masthead
    return None


def is_domain_line(line: str) -> bool:
    return bool(_DOMAIN_LINE.match(line.strip()))


def is_section_label(line: str, t: Tables) -> bool:
    return fold(line).strip(_SEPARATORS + ".") in t.section_labels


# ---------------------------------------------------------------- captions


def is_caption(line: str, t: Tables) -> bool:
    """A photo caption or credit line: "... in Beijing on March 7. (Jane Roe/Agency)"."""
    stripped = line.strip()
    if not stripped or len(words(stripped)) > t.caption_max_words:
        return False
    return bool(t.caption_endings.search(stripped) or t.caption_openings.match(stripped))


# ---------------------------------------------------------------- bylines


def _is_person_name(part: str, t: Tables) -> bool:
    tokens = part.split()
    if not 2 <= len(tokens) <= 5:
        return False
    if not _is_capitalised(tokens[0]) or not _is_capitalised(tokens[-1]):
        return False
    for token in tokens:
        if token in t.name_particles:
            continue
        if not _NAME_TOKEN.match(token) or not _is_capitalised(token):
            return False
        if token.lower().rstrip(".") in t.months or token.lower().rstrip(".") in t.weekdays:
            return False
    return True


def _is_byline_extra(part: str, t: Tables) -> bool:
    """A part of a byline after the names: an agency or a job title."""
    return t.masthead_named(part) is not None or fold(part).strip(" .") in t.byline_titles


def _names_in(part: str, t: Tables) -> list[str] | None:
    names = [n.strip() for n in re.split(r"\s+(?:and|&)\s+", part) if n.strip()]
    if names and all(_is_person_name(n, t) or t.masthead_named(n) is not None for n in names):
        return names
    return None


_IN_PLACE = re.compile(r"^(?P<names>.+?)\s+in\s+[^\W\d_][\w'’.\-]*(?:\s+[^\W\d_][\w'’.\-]*){0,2}$", re.UNICODE)


def byline_of(line: str, t: Tables) -> str | None:
    """The byline a line states ("By Jane Doe and John Roe", "Jane Doe, Reuters"), without "By"."""
    stripped = line.strip()
    if not stripped or len(words(stripped)) > t.byline_max_words:
        return None
    opening = t.byline_openings.match(stripped)
    rest = opening.group("rest") if opening else stripped
    names_part = rest
    if opening:  # "By Jane Doe in Warsaw": the reporter's location may follow
        located = _IN_PLACE.match(rest)
        if located:
            names_part = located.group("names")
    parts = [p.strip() for p in re.split(r"\s*(?:,|\||\s[-–—]\s)\s*", names_part) if p.strip()]
    if not parts:
        return None
    found_name = False
    for i, part in enumerate(parts):
        if _names_in(part, t):
            found_name = True
            continue
        if i > 0 and _is_byline_extra(part, t):
            continue
        return None
    if not found_name:
        return None
    if not opening:
        # Without "By", only "Name, Agency" / "Name | Staff writer" shapes count.
        if len(parts) < 2 or not _is_byline_extra(parts[-1], t):
            return None
    return rest.strip()


# ---------------------------------------------------------------- date lines


@dataclass(frozen=True)
class DateLine:
    published: date | None  # the first date on the line that is not an "Updated" date


def _date_pattern(t: Tables) -> re.Pattern:
    month = "|".join(sorted((re.escape(m) for m in t.months), key=len, reverse=True))
    return re.compile(
        rf"(?P<mdy>\b(?P<m1>{month})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})\b)"
        rf"|(?P<dmy>\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{month})\.?,?\s+(?P<y2>\d{{4}})\b)"
        r"|(?P<iso>\b(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)",
        re.IGNORECASE,
    )


_DATE_PATTERNS: dict[int, re.Pattern] = {}
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\b|\b\d+\b")


def _to_date(m: re.Match, t: Tables) -> date | None:
    try:
        if m.group("mdy"):
            return date(int(m.group("y1")), t.months[m.group("m1").lower()], int(m.group("d1")))
        if m.group("dmy"):
            return date(int(m.group("y2")), t.months[m.group("m2").lower()], int(m.group("d2")))
        return date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
    except (ValueError, KeyError):
        return None


def date_line(line: str, t: Tables) -> DateLine | None:
    """A line that is only a date (with "Published"/"Updated", a weekday, a time and a zone)."""
    stripped = line.strip()
    if not stripped or len(words(stripped)) > 20:
        return None
    pattern = _DATE_PATTERNS.setdefault(id(t), _date_pattern(t))
    matches = list(pattern.finditer(stripped))
    if not matches:
        return None
    residue = pattern.sub(" ", stripped)
    residue = _TIME.sub(" ", residue)
    allowed = t.date_line_words | t.weekdays | set(t.months)
    folded = fold(residue)
    for phrase in sorted(t.date_line_words, key=len, reverse=True):
        if " " in phrase:
            folded = folded.replace(phrase, " ")
    for word in re.findall(r"[^\W\d_]+(?:\.[^\W\d_]+)*", folded):
        if word.rstrip(".") not in allowed:
            return None
    published = None
    previous_end = 0
    for m in matches:
        before = fold(stripped[previous_end : m.start()])
        previous_end = m.end()
        if any(re.search(rf"\b{re.escape(w)}\b", before) for w in t.date_line_not_published):
            continue
        published = _to_date(m, t)
        if published:
            break
    return DateLine(published=published)


# ---------------------------------------------------------------- contributor notes and titles


def is_contributor_note(line: str, t: Tables) -> bool:
    stripped = line.strip()
    return len(words(stripped)) <= 60 and any(p.fullmatch(stripped) for p in t.contributor_notes)


def is_title_like(line: str, max_words: int = 20) -> bool:
    """A headline-shaped line: capitalised, short, and not ending like a sentence or a clause."""
    stripped = line.strip()
    n = len(words(stripped))
    if n == 0 or n > max_words or not _WORD.search(stripped):
        return False
    first_letter = next((ch for ch in stripped if ch.isalpha()), "")
    if not first_letter.isupper():
        return False
    return not stripped.rstrip(CLOSERS).endswith((".", ",", ";", ":", "…"))


_SMALL_WORDS = frozenset("a an and at by for in of on or the to with".split())


def is_site_name_like(line: str) -> bool:
    """A short Title Case line ("Global Wire Desk"): the look of an unknown outlet's name."""
    tokens = words(line.strip())
    if not 1 <= len(tokens) <= 5:
        return False
    return all(_is_capitalised(tok) or tok.lower() in _SMALL_WORDS for tok in tokens) and _is_capitalised(tokens[0])
