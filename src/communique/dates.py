"""Resolve the date expressions of news text ("on Monday", "last week", "since March 1", "in 2014")
against the publication date, with an honest precision.

`iso_date(value)` is the one reader of ISO-ish date text (metadata, stored values, command options
and query parameters); the rest of this module reads the dates of news prose.

This is the one date resolver of the pipeline: events (`communique.events.dating`) and quotes
(`communique.attribution`, through `resolve_day`) both read their dates here.

`resolve_date(expression, published)` returns `(iso_date, precision)`:

* precision is "day", "week", "month" or "year" when the text gives the date; the ISO date is then
  the first day of that period (the Monday of a week, the 1st of a month, 1 January of a year);
* `("<published>", "publication")` when the expression is empty and only the publication date is known
  (the caller is told it is a fallback, never a fact about the event);
* `(None, "unknown")` when nothing can be resolved (no publication date for a relative expression, or
  an expression this module does not understand).

Weekday names follow the news convention: the most recent such day on or before the publication date.
A month and day with no year take the publication year, or the year before when that would put the
date more than a week after publication.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta

Precision = str  # "day" | "week" | "month" | "year" | "publication" | "unknown"

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_ABBR["sept"] = 9
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": None, "few": None,
}

# Words around a date that do not change it: prepositions, times of day, filler.
_NOISE = re.compile(
    r"\b(on|in|at|since|from|until|till|by|during|as of|of|the|early|earlier|late|later|mid|"
    r"morning|afternoon|evening|night|overnight|local time|this past|past)\b",
    re.I,
)
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_DAY = re.compile(rf"^{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?$", re.I)
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}(?:,?\s+(\d{{4}}))?$", re.I)
_MONTH_YEAR = re.compile(rf"^{_MONTH_RE}(?:,?\s+(\d{{4}}))?$", re.I)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_AGO = re.compile(r"^(\w+)\s+(day|week|month|year)s?\s+ago$", re.I)


_ISO_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")


def iso_date(value: object, *, whole: bool = False, periods: bool = False) -> date | None:
    """The day an ISO-ish value names, or None when it names none (never raises).

    Reads a date, a datetime (its day), "2022-04-05" with spaces around it, an ISO date-time
    ("2022-04-05T10:45:00+02:00", "2022-04-05 10:45") and any text whose first ten characters are a
    date. `whole`: the text must be a date and nothing more (typed input: a command option, a query
    parameter), so "2022-04-05x" is no date. `periods`: also "2022-04", "2022" and "2022-W14", as the
    first day of the month, year or ISO week they cover (a date at a coarser precision)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if periods:
        week, period = _ISO_WEEK.match(text), _ISO_PERIOD.match(text)
        try:
            if week:
                return date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
            if period:
                return date(int(period.group(1)), int(period.group(2) or 1), 1)
        except ValueError:
            return None
    if whole:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _month_number(token: str) -> int | None:
    token = token.lower().rstrip(".")
    if token in MONTHS:
        return MONTHS.index(token) + 1
    return _MONTH_ABBR.get(token[:4] if token.startswith("sept") else token[:3])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _shift_month(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _infer_year(month: int, day: int, published: date | None, narrative_year: int | None = None) -> date | None:
    """A month-day without a year: the year of the story being told (`narrative_year`, when the text
    has just named an earlier year: "the army moved on November 15, 2017 ... his resignation on
    November 21"), else the publication year, unless that lands well after publication."""
    if narrative_year is not None and published is not None and narrative_year < published.year:
        return _safe_date(narrative_year, month, day)
    if published is None:
        return None
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return None
    if candidate > published + timedelta(days=7):
        return _safe_date(published.year - 1, month, day)
    return candidate


def normalise_expression(expression: str) -> str:
    text = expression.lower().replace("\u2019", "'").strip(" ,.;:()")
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())


def resolve_date(
    expression: str | None, published: date | None, narrative_year: int | None = None
) -> tuple[str | None, Precision]:
    """The ISO date and precision of a date expression, read against the publication date;
    `narrative_year` is the earlier year the text is telling of, for a month-day without a year."""
    if not expression or not expression.strip():
        return (published.isoformat(), "publication") if published else (None, "unknown")
    try:
        found = _resolve(expression, published, narrative_year)
    except (ValueError, OverflowError):  # absurd years and the like: not a date we can state
        found = None
    if found is None:
        return None, "unknown"
    value, precision = found
    return value.isoformat(), precision


def _resolve(expression: str, published: date | None, narrative_year: int | None = None) -> tuple[date, Precision] | None:
    raw = expression.lower().replace("\u2019", "'").strip(" ,.;:()")
    iso = _ISO.match(raw)
    if iso:
        d = _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        return (d, "day") if d else None
    text = normalise_expression(expression)
    if not text:
        return None

    # "Monday, April 4": the weekday only repeats what the calendar date says
    first, _, rest = text.partition(" ")
    if first.rstrip(",") in WEEKDAYS and rest and rest.split()[0] not in ("last", "next", "this"):
        dated = _resolve(rest, published, narrative_year)
        if dated is not None and dated[1] == "day":
            return dated

    # Absolute forms first: they need no publication date when they carry a year.
    m = _MONTH_DAY.match(text)
    if m:
        month, day = _month_number(m.group(1)), int(m.group(2))
        d = _safe_date(int(m.group(3)), month, day) if m.group(3) else _infer_year(month, day, published, narrative_year)
        return (d, "day") if d else None
    m = _DAY_MONTH.match(text)
    if m:
        month, day = _month_number(m.group(2)), int(m.group(1))
        d = _safe_date(int(m.group(3)), month, day) if m.group(3) else _infer_year(month, day, published, narrative_year)
        return (d, "day") if d else None
    m = _MONTH_YEAR.match(text)
    if m and _month_number(m.group(1)):
        month = _month_number(m.group(1))
        if m.group(2):
            return date(int(m.group(2)), month, 1), "month"
        if published is None:
            return None
        year = published.year if month <= published.month else published.year - 1
        return date(year, month, 1), "month"
    m = _YEAR.match(text)
    if m:
        return date(int(m.group(1)), 1, 1), "year"

    # Everything below is relative to the publication date.
    if published is None:
        return None
    words = text.split()
    if text in ("today", "tonight", "this day", "this"):  # "this" is what "this morning / evening" leaves
        return published, "day"
    if text in ("yesterday", "last night"):
        return published - timedelta(days=1), "day"
    if text == "tomorrow":
        return published + timedelta(days=1), "day"
    if text == "day before yesterday":
        return published - timedelta(days=2), "day"
    weekday = next((w for w in words if w in WEEKDAYS), None)
    if weekday and all(w in (weekday, "last", "this", "next", "coming") for w in words):
        target = WEEKDAYS.index(weekday)
        if "next" in words or "coming" in words:
            ahead = (target - published.weekday()) % 7 or 7
            return published + timedelta(days=ahead), "day"
        back = (published.weekday() - target) % 7
        if "last" in words and back == 0:
            back = 7
        return published - timedelta(days=back), "day"
    if text in ("last week", "previous week"):
        return _monday(published) - timedelta(days=7), "week"
    if text in ("this week", "week so far"):
        return _monday(published), "week"
    if text == "next week":
        return _monday(published) + timedelta(days=7), "week"
    if text in ("last weekend", "weekend"):
        saturday = published - timedelta(days=(published.weekday() - 5) % 7)
        return _monday(saturday), "week"
    if text in ("last month", "previous month"):
        return _shift_month(published, -1), "month"
    if text == "this month":
        return _shift_month(published, 0), "month"
    if text == "next month":
        return _shift_month(published, 1), "month"
    if text in ("last year", "previous year"):
        return date(published.year - 1, 1, 1), "year"
    if text == "this year":
        return date(published.year, 1, 1), "year"
    if text == "next year":
        return date(published.year + 1, 1, 1), "year"
    m = _AGO.match(text)
    if m:
        count = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS.get(m.group(1))
        if count is None:
            return None
        unit = m.group(2)
        if unit == "day":
            return published - timedelta(days=count), "day"
        if unit == "week":
            return _monday(published - timedelta(weeks=count)), "week"
        if unit == "month":
            return _shift_month(published, -count), "month"
        return date(published.year - count, 1, 1), "year"
    return None


def resolve_day(expression: str | None, published: date | None, narrative_year: int | None = None) -> str | None:
    """The single day an expression names, as an ISO date; None when it names a longer period, none,
    or only the publication date by default. Quotes and events both date through `resolve_date`, so
    the two can never disagree about a day."""
    iso, precision = resolve_date(expression, published, narrative_year)
    return iso if precision == "day" else None


# How far back a full date sets the year of a later "November 21": its sentence and the two before.
NARRATIVE_SENTENCES = 2
_FULL_DATE = re.compile(rf"\b{_MONTH_RE}\b.*?\b(1[89]\d\d|20\d\d)\b|\b(1[89]\d\d|20\d\d)-\d\d-\d\d\b", re.I)


def narrative_year(doc, before_char: int) -> int | None:
    """The year of the last full calendar date ("November 15, 2017") a spaCy Doc names before
    `before_char`, in the same sentence or the NARRATIVE_SENTENCES before it; None when there is none.
    Quotes and events pass it to `resolve_date` alike."""
    cache = doc.user_data.setdefault("communique_narrative", {})
    if not cache:
        marks = []
        for ent in doc.ents:
            m = _FULL_DATE.search(ent.text) if ent.label_ == "DATE" else None
            if m:
                marks.append((ent.start_char, int(m.group(2) or m.group(3))))
        cache["marks"] = marks
        cache["sents"] = [s.start_char for s in doc.sents]
    starts, marks = cache["sents"], cache["marks"]
    k = max(0, bisect_right(starts, before_char) - 1)
    since = starts[max(0, k - NARRATIVE_SENTENCES)] if starts else 0
    i = bisect_left(marks, (before_char,)) - 1
    return marks[i][1] if i >= 0 and marks[i][0] >= since else None


# Phrases that point at a date but are not one ("for weeks", "in recent days"): skipped by `find`.
_DATE_HINT = re.compile(
    rf"\b({'|'.join(WEEKDAYS)}|yesterday|today|tomorrow|last (?:week|month|year|night)|this (?:week|month|year)|"
    rf"next (?:week|month|year)|{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|"
    rf"\d{{1,2}}\s+{_MONTH_RE}(?:\s+\d{{4}})?|(?:in|since|during)\s+(?:1[89]|20)\d\d|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.I,
)


def find_date_expressions(text: str) -> list[tuple[int, int, str]]:
    """Date expressions in a text as (start, end, expression), by pattern; complements NER DATEs."""
    return [(m.start(), m.end(), m.group(0)) for m in _DATE_HINT.finditer(text)]


def record_date(value: str | None, precision: str | None, published: date | str | None) -> tuple[str | None, Precision]:
    """The date the record gives an event (or a report of one): its own when the text dates it;
    else the article's publication date at precision "publication" (the day it was reported: it
    happened then or before, never stated as the day it happened); else none, "unknown".

    The extractor leaves an event the text does not date undated; the store fuses it by the
    publication date (`store.fusion`). `communique extract`, `show`, `event` and the web pages
    show it through this one rule, so one event has one date wherever it is read."""
    if value:
        return value, precision or "unknown"
    if published:
        return (published.isoformat() if isinstance(published, date) else str(published)[:10]), "publication"
    return None, "unknown"


def date_label(value: str | date | None, precision: str | None) -> str:
    """A date at its precision, for tables: "2022-04-04", "week of 2022-04-04", "2022-04", "2022",
    "reported 2022-04-05" (a publication date, not the day it happened), or "undated"."""
    if not value:
        return "undated"
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {
        "week": f"week of {text[:10]}",
        "month": text[:7],
        "year": text[:4],
        "publication": f"reported {text[:10]}",
    }.get(precision or "day", text[:10])
