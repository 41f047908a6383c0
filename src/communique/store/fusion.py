"""Event and quote fusion: several reports of one event (or one quote) become one record.

A new event report joins an existing fused event when
- the type and the status are the same;
- the participants overlap: every participant of one side matches one of the other, and at least one
  matches. Two participants match when they are the same global actor, the same unresolved name,
  or when one of them stands for a whole country (a government, a state, a country's group) and
  both are of that country;
- the dates are compatible: each report allows a window of days (a day: that day; a week, month or
  year: the whole period; a date that only repeats the publication date, or an unknown one: the
  few days up to it), and the report's window must overlap the window every report of the event
  allows (so a day and the week containing it fuse; two different days do not).

The candidates are found through indexes (participants' actor ids; the `event_dyads` countries;
type and date), scored (participants matched, then the closest date), and ties go to the smallest
event id, so the grouping does not depend on ingest order when reports are pairwise compatible.
Each report keeps the date it gave; the fused event takes the most precise one; dates, modes and
locations on which reports disagree are listed in `events.conflicts`. Every report records why it
joined (`merge_reason`).

Quotes fuse the same way: the same speaker (global actor, or the same speaker text when neither is
resolved) and the same words (normalised text equal, a rapidfuzz ratio of at least
QUOTE_MIN_RATIO, or one a long fragment of the other), reported within QUOTE_WINDOW_DAYS.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from communique.store import identity
from communique.store.schema import (
    actors,
    articles,
    event_dyads,
    event_participants,
    event_reports,
    events,
    quotes,
)

PUBLICATION_SLACK_DAYS = 3  # a date that only repeats the publication date: the event was up to 3 days before
MAX_WINDOW_DAYS = 366  # the longest window one report gives (a year): bounds the search by date
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3, "publication": 4, "unknown": 5}
CALENDAR = ("day", "week", "month", "year")
COUNTRY_LEVEL_KINDS = ("government", "group", "organisation")
LEVEL_MINISTER, LEVEL_LEADER = 1, 2
QUOTE_MIN_RATIO = 90.0
QUOTE_FRAGMENT_WORDS = 6  # a quote this long that another contains (partial ratio >= 97) is the same quote
QUOTE_WINDOW_DAYS = 30


# ---------------------------------------------------------------- dates


def _month_end(day: date) -> date:
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def report_window(value: str | None, precision: str | None, published: date | None) -> tuple[date, date] | None:
    """The days a report's date allows, [first, last]; None when it gives no usable date."""
    day = identity.parse_date(value) if value else None
    precision = precision or "unknown"
    if precision in ("publication", "unknown"):
        anchor = day or published
        if anchor is None:
            return None
        return anchor - timedelta(days=PUBLICATION_SLACK_DAYS), anchor
    if day is None:
        return None
    if precision == "day":
        return day, day
    if precision == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if precision == "month":
        first = day.replace(day=1)
        return first, _month_end(first)
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return None


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> tuple[date, date] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


def describe_date(value: str | None, precision: str | None) -> str:
    return f"{value or 'no date'} ({precision or 'unknown'})"


def refines(a: tuple[str | None, str], b: tuple[str | None, str], published: date | None = None) -> bool:
    """Whether two (date, precision) pairs say the same thing at different precisions: equal, or
    calendar periods one of which contains the other ("2022-04-04" day within "2022-04" month)."""
    if a == b:
        return True
    if a[1] not in CALENDAR or b[1] not in CALENDAR:
        return False
    wa, wb = report_window(a[0], a[1], published), report_window(b[0], b[1], published)
    if wa is None or wb is None:
        return False
    return (wa[0] <= wb[0] and wb[1] <= wa[1]) or (wb[0] <= wa[0] and wa[1] <= wb[1])


# ---------------------------------------------------------------- participants


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Normalised country names, aliases and demonyms -> ISO code (data/kb/countries.csv)."""
    out: dict[str, str] = {}
    path = resources.files("communique") / "data" / "kb" / "countries.csv"
    try:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = (row.get("code") or "").strip().upper()
                if not code:
                    continue
                names = [row.get("name") or ""] + (row.get("aliases") or "").split("|")
                for name in names:
                    if name.strip():
                        out.setdefault(identity.normalise_name(name), code)
    except (OSError, csv.Error):
        return {}
    return out


@lru_cache(maxsize=1)
def _levels() -> dict[str, list[re.Pattern]]:
    try:
        raw = yaml.safe_load((resources.files("communique") / "data" / "record" / "levels.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        raw = {}
    return {
        key: [re.compile(rf"\b{re.escape(p.lower())}\b") for p in (raw or {}).get(key) or []]
        for key in ("minister", "leader", "not_leader")
    }


def role_level(role: str | None) -> int:
    """The rank bits of a role: LEVEL_MINISTER, LEVEL_LEADER, both or neither."""
    if not role:
        return 0
    role = role.lower()
    levels = _levels()
    bits = LEVEL_MINISTER if any(p.search(role) for p in levels["minister"]) else 0
    if any(p.search(role) for p in levels["leader"]) and not any(p.search(role) for p in levels["not_leader"]):
        bits |= LEVEL_LEADER
    return bits


@dataclass(frozen=True)
class Participant:
    """One side of an event as fusion compares it."""

    actor_id: str | None  # None for a name the extractor could not resolve
    name: str
    country: str | None
    country_level: bool  # a government, state or group standing for its whole country
    level: int = 0
    role: str = "actor"

    @property
    def key(self) -> str:
        return self.actor_id or "name:" + identity.normalise_name(self.name)

    def matches(self, other: Participant) -> bool:
        if self.key == other.key:
            return True
        return bool(self.country) and self.country == other.country and (self.country_level or other.country_level)


def participants_for(conn: Connection, refs: list[tuple[str, str]]) -> list[Participant]:
    """Participants for (role, ref) pairs, ref a global actor id or an unresolved name."""
    ids = [ref for _, ref in refs if ref]
    known: dict[str, object] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in conn.execute(
            select(actors.c.id, actors.c.name, actors.c.country, actors.c.kind, actors.c.role).where(
                actors.c.id.in_(chunk)
            )
        ):
            known[row.id] = row
    out: list[Participant] = []
    seen: set[str] = set()
    for role, ref in refs:
        if not ref:
            continue
        row = known.get(ref)
        if row is not None:
            p = Participant(
                actor_id=row.id,
                name=row.name,
                country=row.country,
                country_level=row.kind in COUNTRY_LEVEL_KINDS,
                level=role_level(row.role),
                role=role,
            )
        else:
            code = _country_names().get(identity.normalise_name(ref))
            p = Participant(actor_id=None, name=ref, country=code, country_level=code is not None, role=role)
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


def overlap(new: list[Participant], old: list[Participant]) -> list[tuple[Participant, Participant]] | None:
    """The matched pairs when one side's participants are all matched by the other's; else None."""
    pairs = [(p, next(q for q in old if p.matches(q))) for p in new if any(p.matches(q) for q in old)]
    if not pairs:
        return None
    covered_old = all(any(q.matches(p) for p in new) for q in old)
    if len(pairs) == len(new) or covered_old:
        return pairs
    return None


# ---------------------------------------------------------------- placing a report


@dataclass
class Placement:
    event_id: str | None  # None: the report starts a new event
    reason: str


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def event_lock_name(event_type: str) -> str:
    """The lock a writer holds while placing reports of this type (`store.locks` says why per type)."""
    return "event:" + event_type


def quote_lock_name(speaker_id: str | None, speaker_text: str | None) -> str | None:
    """The lock a writer holds while grouping quotes of this speaker: `group_quote` only looks at
    quotes with the same speaker id, or the same speaker text when unresolved. None: not grouped."""
    if speaker_id:
        return "quote:" + speaker_id
    if (speaker_text or "").strip():
        return "quote-text:" + speaker_text.strip().lower()
    return None


def place_report(
    conn: Connection,
    event_type: str,
    status: str,
    participants: list[Participant],
    window: tuple[date, date] | None,
    given: tuple[str | None, str],
) -> Placement:
    """Which fused event a new report joins (and why), or a new one."""
    if window is None or not participants:
        why = "no usable date" if window is None else "no participants"
        return Placement(None, f"first report ({why}: not fused)")
    lo, hi = window
    in_window = and_(
        events.c.type == event_type,
        events.c.status == status,
        events.c.date_start <= hi,
        events.c.date_end >= lo,
    )
    candidates: set[str] = set()
    actor_ids = sorted({p.actor_id for p in participants if p.actor_id})
    names = sorted({p.name for p in participants if not p.actor_id})
    if actor_ids or names:
        who = []
        if actor_ids:
            who.append(event_participants.c.actor_id.in_(actor_ids))
        if names:
            who.append(event_participants.c.name.in_(names))
        candidates.update(
            conn.execute(
                select(events.c.id)
                .join(event_participants, event_participants.c.event_id == events.c.id)
                .where(or_(*who), in_window)
            ).scalars()
        )
    countries = sorted({p.country for p in participants if p.country})
    if countries:
        candidates.update(
            conn.execute(
                select(events.c.id)
                .join(event_dyads, event_dyads.c.event_id == events.c.id)
                .where(
                    event_dyads.c.country_a.in_(countries),
                    event_dyads.c.type == event_type,
                    event_dyads.c.date >= lo - timedelta(days=MAX_WINDOW_DAYS),
                    event_dyads.c.date <= hi,
                    in_window,
                )
            ).scalars()
        )
    if not candidates:
        return Placement(None, "first report")

    rows = {
        r.id: r
        for r in conn.execute(
            select(events.c.id, events.c.date, events.c.date_precision, events.c.date_start, events.c.date_end).where(
                events.c.id.in_(sorted(candidates))
            )
        )
    }
    stored = _event_participants(conn, sorted(rows))
    best: tuple | None = None
    for event_id in sorted(rows):
        row = rows[event_id]
        pairs = overlap(participants, stored.get(event_id, []))
        if pairs is None:
            continue
        shared = _overlap(window, (row.date_start, row.date_end))
        if shared is None:
            continue
        distance = abs((row.date_start - lo).days) if row.date_start else MAX_WINDOW_DAYS
        score = (-len(pairs), distance, event_id)
        if best is None or score < best[0]:
            best = (score, event_id, pairs, row)
    if best is None:
        return Placement(None, "first report")
    _, event_id, pairs, row = best
    who = ", ".join(sorted({(p.name if p.key == q.key else f"{p.name}~{q.name} ({p.country})") for p, q in pairs}))
    reason = (
        f"same type {event_type}; participants {{{who}}} overlap; dates "
        f"{describe_date(*given)} ~ {describe_date(row.date.isoformat() if row.date else None, row.date_precision)}"
    )
    return Placement(event_id, reason)


def _event_participants(conn: Connection, event_ids: list[str]) -> dict[str, list[Participant]]:
    out: dict[str, list[Participant]] = {}
    for chunk in _chunks(event_ids):
        rows = conn.execute(
            select(
                event_participants.c.event_id,
                event_participants.c.role,
                event_participants.c.actor_id,
                event_participants.c.name,
                actors.c.name.label("actor_name"),
                actors.c.country,
                actors.c.kind,
                actors.c.role.label("actor_role"),
            )
            .outerjoin(actors, actors.c.id == event_participants.c.actor_id)
            .where(event_participants.c.event_id.in_(chunk))
            .order_by(event_participants.c.event_id, event_participants.c.role, event_participants.c.position)
        )
        for r in rows:
            if r.actor_id:
                p = Participant(
                    r.actor_id, r.actor_name or r.actor_id, r.country, r.kind in COUNTRY_LEVEL_KINDS, role_level(r.actor_role), r.role
                )
            else:
                code = _country_names().get(identity.normalise_name(r.name or ""))
                p = Participant(None, r.name or "", code, code is not None, 0, r.role)
            out.setdefault(r.event_id, []).append(p)
    return out


# ---------------------------------------------------------------- rebuilding a fused event from its reports


def refresh_event(conn: Connection, event_id: str) -> None:
    """Recompute a fused event from all its reports: date (the most precise), window, mode,
    location, conflicts, counts, participants and dyad rows."""
    reports = conn.execute(
        select(event_reports, articles.c.published)
        .join(articles, articles.c.id == event_reports.c.article_id)
        .where(event_reports.c.event_id == event_id)
        .order_by(articles.c.published.asc().nulls_last(), event_reports.c.id)
    ).all()
    if not reports:
        conn.execute(delete(events).where(events.c.id == event_id))
        return

    def rank(r):
        return (PRECISION_RANK.get(r.date_precision, 9), r.date is None, r.id)

    chosen = min(reports, key=rank)
    window = None
    for r in reports:
        w = report_window(r.date, r.date_precision, r.published)
        if w is not None:
            window = w if window is None else (_overlap(window, w) or window)
    mode = chosen.mode or next((r.mode for r in reports if r.mode), None)
    location = chosen.location or next((r.location for r in reports if r.location), None)
    conflicts = _conflicts(reports, chosen, mode, location)
    published = [r.published for r in reports if r.published]
    conn.execute(
        update(events)
        .where(events.c.id == event_id)
        .values(
            type=chosen.type,
            mode=mode,
            context=chosen.context or next((r.context for r in reports if r.context), None),
            status=chosen.status,
            date=identity.parse_date(chosen.date) if chosen.date else (window[1] if window else None),
            date_precision=chosen.date_precision if (chosen.date or window is None) else "publication",
            location=location,
            first_seen=min(published) if published else None,
            date_start=window[0] if window else None,
            date_end=window[1] if window else None,
            report_count=len(reports),
            conflicts=conflicts or None,
        )
    )
    refs: list[tuple[str, str]] = []
    for r in reports:
        refs += [("actor", a) for a in (r.actors or []) if isinstance(a, str)]
        refs += [("recipient", a) for a in (r.recipients or []) if isinstance(a, str)]
    participants = participants_for(conn, refs)
    conn.execute(delete(event_participants).where(event_participants.c.event_id == event_id))
    positions = {"actor": 0, "recipient": 0}
    rows = []
    for p in participants:
        rows.append(
            {
                "event_id": event_id,
                "role": p.role,
                "position": positions[p.role],
                "actor_id": p.actor_id,
                "name": None if p.actor_id else p.name,
            }
        )
        positions[p.role] += 1
    if rows:
        conn.execute(insert(event_participants), [identity.safe_row(event_participants, row) for row in rows])
    event_date = conn.execute(select(events.c.date).where(events.c.id == event_id)).scalar()
    write_dyads(conn, event_id, chosen.type, event_date, participants)


def dyad_rows(event_id: str, event_type: str, event_date, participants: list[Participant]) -> list[dict]:
    countries = sorted({p.country for p in participants if p.country})
    level = 0
    for p in participants:
        level |= p.level
    pairs = [(a, b) for a in countries for b in countries if a != b] or [(c, c) for c in countries]
    return [
        {"event_id": event_id, "country_a": a, "country_b": b, "type": event_type, "date": event_date, "level": level}
        for a, b in pairs
    ]


def write_dyads(conn: Connection, event_id: str, event_type: str, event_date, participants: list[Participant]) -> None:
    conn.execute(delete(event_dyads).where(event_dyads.c.event_id == event_id))
    rows = dyad_rows(event_id, event_type, event_date, participants)
    if rows:
        conn.execute(insert(event_dyads), rows)


def _conflicts(reports, chosen, mode, location) -> list[dict]:
    out: list[dict] = []
    dates: dict[tuple, list[str]] = {}
    for r in reports:
        if r.date:
            dates.setdefault((r.date, r.date_precision), []).append(r.id)
    keys = list(dates)
    disagree = any(
        not refines(a, b, chosen.published) for i, a in enumerate(keys) for b in keys[i + 1 :]
    )
    if disagree:
        out.append(
            {
                "field": "date",
                "kept": describe_date(chosen.date, chosen.date_precision),
                "values": [{"value": describe_date(*k), "reports": ids} for k, ids in dates.items()],
            }
        )
    for field, kept, normalise in (
        ("mode", mode, lambda v: (v or "").strip().lower()),
        ("location", location, lambda v: identity.normalise_name(v or "")),
    ):
        values: dict[str, tuple[str, list[str]]] = {}
        for r in reports:
            raw = getattr(r, field)
            if raw and normalise(raw):
                values.setdefault(normalise(raw), (raw, []))[1].append(r.id)
        if len(values) > 1:
            out.append(
                {"field": field, "kept": kept, "values": [{"value": v, "reports": ids} for v, ids in values.values()]}
            )
    return out


# ---------------------------------------------------------------- quotes


def normalise_quote(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", value).split())


def quote_similarity(a: str, b: str) -> float:
    """How far two quote texts are the same words: 100 for equal normal forms."""
    na, nb = normalise_quote(a), normalise_quote(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    score = fuzz.ratio(na, nb)
    shorter = min(na, nb, key=len)
    if len(shorter.split()) >= QUOTE_FRAGMENT_WORDS and fuzz.partial_ratio(na, nb) >= 97:
        score = max(score, fuzz.partial_ratio(na, nb))
    return float(score)


@dataclass
class QuoteKey:
    speaker_id: str | None
    speaker_text: str | None
    text: str
    published: date | None


def group_quote(conn: Connection, quote: QuoteKey, pending: list[tuple[str, QuoteKey, str]]) -> tuple[str | None, str]:
    """The group a new quote joins: (group id, reason), or (None, reason) to start its own.

    `pending` holds this article's quotes placed before it: (id, key, group id)."""
    if not quote.speaker_id and not (quote.speaker_text or "").strip():
        return None, "first report (no speaker: not fused)"
    if not normalise_quote(quote.text):
        return None, "first report (no text)"
    candidates: list[tuple[str, str, str]] = []  # (group id, text, speaker name)
    query = select(quotes.c.id, quotes.c.text, quotes.c.speaker_text).join(articles, articles.c.id == quotes.c.article_id)
    if quote.speaker_id:
        query = query.where(quotes.c.speaker_id == quote.speaker_id)
    else:
        query = query.where(
            quotes.c.speaker_id.is_(None), func.lower(quotes.c.speaker_text) == quote.speaker_text.strip().lower()
        )
    query = query.where(quotes.c.group_id == quotes.c.id)
    if quote.published:
        window = timedelta(days=QUOTE_WINDOW_DAYS)
        query = query.where(
            or_(
                articles.c.published.is_(None),
                articles.c.published.between(quote.published - window, quote.published + window),
            )
        )
    candidates += [(r.id, r.text, r.speaker_text or "") for r in conn.execute(query)]
    for quote_id, key, group in pending:
        same_speaker = (
            key.speaker_id == quote.speaker_id
            if quote.speaker_id
            else (not key.speaker_id and (key.speaker_text or "").strip().lower() == quote.speaker_text.strip().lower())
        )
        if same_speaker and group == quote_id:
            candidates.append((quote_id, key.text, key.speaker_text or ""))
    best = None
    for group_id, other_text, _ in candidates:
        score = quote_similarity(quote.text, other_text)
        if score >= QUOTE_MIN_RATIO and (best is None or (-score, group_id) < (-best[0], best[1])):
            best = (score, group_id)
    if best is None:
        return None, "first report"
    who = quote.speaker_id or quote.speaker_text
    return best[1], f"same speaker {who}; text {best[0]:.0f}% similar to quote {best[1]}"
