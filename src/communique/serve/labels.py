"""Plain-language labels for the web pages: country and organisation names for codes, event types in
words, dates as people write them."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from communique.datafile import load_yaml
from communique.dates import iso_date
from communique.vocabulary import TYPE_LABELS

# PLOVER event types, said the way a reader would say them
EVENT_TYPES = TYPE_LABELS  # code -> label, in the table's order (data/events/plover_types.json)

SECTORS = {
    "GOV": "government",
    "MIL": "military",
    "MED": "media",
    "IGO": "international organisation",
    "NGO": "non-governmental organisation",
    "LEG": "legislature",
    "JUD": "judiciary",
    "REB": "armed group",
    "OPP": "opposition",
    "BUS": "business",
    "CVL": "civilians",
    "POL": "police",
    "PTY": "political party",
    "EDU": "education",
    "REL": "religious group",
    "HLH": "health",
}

PRECISIONS = {
    "day": "",
    "week": "week of",
    "month": "",
    "year": "",
    "publication": "reported",
    "unknown": "date unknown",
}

# fixed colours for the timeline chart, one per event type (colour-blind-safe Tableau-like set)
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"]


def event_type(code: str | None) -> str:
    if not code:
        return "Event"
    return EVENT_TYPES.get(code.upper(), code.title())


def type_colour(code: str | None) -> str:
    keys = list(EVENT_TYPES)
    code = (code or "").upper()
    index = keys.index(code) if code in keys else sum(map(ord, code))
    return _PALETTE[index % len(_PALETTE)]


def sector(code: str | None) -> str:
    return SECTORS.get((code or "").upper(), (code or "").lower())


@lru_cache(maxsize=1)
def _kb_countries() -> dict[str, str]:
    """ISO alpha-3 code -> the short name the knowledge base uses (Russia, not Russian Federation)."""
    import csv

    out: dict[str, str] = {}
    for name in ("world_countries.csv", "countries.csv"):  # the hand-kept file wins
        try:
            text = (resources.files("communique") / "data" / "kb" / name).read_text("utf-8")
        except OSError:
            continue
        for row in csv.DictReader(text.splitlines()):
            if row.get("code") and row.get("name"):
                out[row["code"].strip().upper()] = row["name"].strip()
    return out


@lru_cache(maxsize=1)
def _organisations() -> dict[str, str]:
    """Organisation codes (EU, NATO, G20) -> the organisation's name, from the knowledge base."""
    try:
        raw = load_yaml((resources.files("communique") / "data" / "kb" / "organisations.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    out: dict[str, str] = {}
    for entry in (raw or {}).get("organisations") or []:
        code = str(entry.get("country") or "").upper()
        if code and code not in out and str(entry.get("id", "")).upper() == code:
            out[code] = str(entry.get("name") or code)
    return out


@lru_cache(maxsize=4096)
def country(code: str | None) -> str:
    """A country's (or organisation's) name for its code; the code itself when unknown."""
    if not code:
        return ""
    code = code.strip().upper()
    known = _kb_countries().get(code) or _organisations().get(code)
    if known:
        return known
    if len(code) in (2, 3) and code.isalpha():
        import pycountry

        found = pycountry.countries.get(alpha_3=code) if len(code) == 3 else pycountry.countries.get(alpha_2=code)
        if found is not None:
            return getattr(found, "common_name", None) or found.name
    return code


def day(value) -> str:
    """4 April 2022; the value unchanged when it is not a date."""
    parsed = iso_date(value)
    if parsed is None:
        return str(value or "")
    return f"{parsed.day} {parsed.strftime('%B')} {parsed.year}"


def event_date(value, precision: str | None) -> str:
    """An event's date at its precision: "4 April 2022", "April 2022", "week of 4 April 2022",
    "reported 5 April 2022" (only the publication date is known)."""
    parsed = iso_date(value)
    if parsed is None:
        return "date unknown"
    precision = (precision or "day").lower()
    if precision == "month":
        return f"{parsed.strftime('%B')} {parsed.year}"
    if precision == "year":
        return str(parsed.year)
    prefix = PRECISIONS.get(precision, "")
    return f"{prefix} {day(parsed)}".strip()


def reported_date(value, precision: str | None) -> str:
    """A report's own date: in words when it is an ISO date, else as the article gave it."""
    if iso_date(value) is None:
        return str(value) if value else "none given"
    return event_date(value, precision)


def highlight(text: str, query: str):
    """`text` (escaped) with the words of `query`, and longer words they begin, in <mark>."""
    import re

    from markupsafe import Markup, escape

    words = [w for w in re.findall(r"\w+", query or "") if len(w) > 1][:16]
    if not words:
        return escape(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text or ""):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


def who(person: dict | None) -> str:
    """"Wang Yi (China)" for a participant or actor dict."""
    if not person:
        return ""
    name = person.get("name") or person.get("id") or "someone"
    place = country(person.get("country"))
    return f"{name} ({place})" if place and place != name else name
