"""Checking claims of novelty ("the first high-level conversation between the countries since
March 1", "their first contact in several weeks") against the record.

A claim comes from an event report the events stage marked `refers_to_past` (its date is the date
the claim refers to), or from an event whose evidence matches a pattern of data/record/claims.yaml.
Its countries are its participants' (or else those of the article's event it is about); its
reference event is the report in the same article of the same type between the same countries that
the claim is about (the nearest one before it in the article, dated, not itself a reference to the
past); without one, the article's publication date stands in.

The verdict: `contradicted` when the record holds a fused contact (a CONSULT by default) between
the same countries dated wholly after the claimed date and before the reference event; else
`agree` when the record knows the dyad from some other article; else `no data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import yaml
from sqlalchemy import Connection, select

from communique.dates import resolve_date
from communique.datafile import load_yaml
from communique.query.record import event_records
from communique.store.fusion import participants_for, report_window
from communique.store.schema import articles, event_dyads, event_reports, events


@lru_cache(maxsize=1)
def _patterns() -> dict:
    try:
        raw = load_yaml((resources.files("communique") / "data" / "record" / "claims.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        raw = {}
    raw = raw or {}
    return {
        "since": re.compile(raw.get("since") or r"(?!x)x", re.I),
        "gap": re.compile(raw.get("gap") or r"(?!x)x", re.I),
        "counts": {str(k).lower(): int(v) for k, v in (raw.get("counts") or {}).items()},
        "contact_types": [t.upper() for t in raw.get("contact_types") or ["CONSULT"]],
    }


@dataclass
class Claim:
    article_id: str
    report_id: str
    event_id: str
    type: str
    text: str
    claimed: str | None  # ISO date the claim refers to
    claimed_precision: str
    countries: list[str] = field(default_factory=list)
    source: str = "refers_to_past"  # or "pattern"


def _count(word: str) -> int | None:
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    return _patterns()["counts"].get(word)


def _shift(day: date, count: int, unit: str) -> date:
    if unit == "day":
        return day - timedelta(days=count)
    if unit == "week":
        return day - timedelta(weeks=count)
    if unit == "month":
        month = day.month - count
        year = day.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return date(year, month, min(day.day, 28))
    return date(day.year - count, day.month, min(day.day, 28))


def _since_date(expression: str, published: date | None) -> tuple[str | None, str]:
    try:
        return resolve_date(expression, published)
    except Exception:  # noqa: BLE001  (an odd expression is no claim, never a crash)
        return None, "unknown"


def _countries(conn: Connection, report) -> list[str]:
    refs = [("actor", a) for a in (report.actors or []) if isinstance(a, str)]
    refs += [("recipient", r) for r in (report.recipients or []) if isinstance(r, str)]
    return sorted({p.country for p in participants_for(conn, refs) if p.country})


def find_claims(conn: Connection, article_id: str | None = None) -> list[tuple[Claim, object]]:
    """The claims in one article (or all), each with its report row."""
    pats = _patterns()
    query = select(event_reports, articles.c.published).join(articles, articles.c.id == event_reports.c.article_id)
    if article_id:
        query = query.where(event_reports.c.article_id == article_id)
    else:
        # refers_to_past reports, plus reports whose evidence mentions "first": the pattern decides
        query = query.where(
            (event_reports.c.refers_to_past.is_(True)) | event_reports.c.evidence.icontains("first")
        )
    query = query.order_by(event_reports.c.article_id, event_reports.c.position)
    out: list[tuple[Claim, object]] = []
    seen: set[tuple] = set()
    rows = conn.execute(query).all()
    # refers_to_past reports first: a sentence that is both a past reference and a pattern is one claim
    for r in sorted(rows, key=lambda r: (r.article_id, not r.refers_to_past, r.position)):
        key = (r.article_id, r.evidence_start, r.evidence)
        if key in seen:
            continue
        claim = None
        if r.refers_to_past:
            claim = Claim(r.article_id, r.id, r.event_id, r.type, r.evidence, r.date, r.date_precision)
        elif r.type in pats["contact_types"]:
            since = pats["since"].search(r.evidence or "")
            gap = pats["gap"].search(r.evidence or "")
            if since:
                when, precision = _since_date(since.group("when"), r.published)
                if when:
                    claim = Claim(r.article_id, r.id, r.event_id, r.type, r.evidence, when, precision, source="pattern")
            elif gap and _count(gap.group("count")) is not None:
                claim = Claim(r.article_id, r.id, r.event_id, r.type, r.evidence, None, "gap", source="pattern")
                claim.gap = (_count(gap.group("count")), gap.group("unit").lower())  # type: ignore[attr-defined]
        if claim is None:
            continue
        seen.add(key)
        claim.countries = _countries(conn, r)
        out.append((claim, r))
    return out


def _reference(conn: Connection, claim: Claim, report) -> object | None:
    """The report of the article's event the claim is about."""
    rows = conn.execute(
        select(event_reports)
        .where(
            event_reports.c.article_id == claim.article_id,
            event_reports.c.type == claim.type,
            event_reports.c.refers_to_past.is_(False),
            event_reports.c.date.is_not(None),
        )
        .order_by(event_reports.c.position)
    ).all()
    best = None
    for r in rows:
        if claim.source == "pattern" and r.id == claim.report_id:
            return r
        if r.id == claim.report_id:
            continue
        if claim.countries and len(claim.countries) >= 2 and not set(claim.countries) <= set(_countries(conn, r)):
            continue
        if r.date_precision in ("publication", "unknown") and best is not None:
            continue
        before = r.position <= report.position
        score = (not before, r.date_precision in ("publication", "unknown"), abs(r.position - report.position))
        if best is None or score < best[0]:
            best = (score, r)
    return best[1] if best else None


def check_claims(conn: Connection, article_id: str | None = None) -> list[dict]:
    """Every claim of novelty in the article (or the whole record) with a verdict."""
    out = []
    for claim, report in find_claims(conn, article_id):
        out.append(_check(conn, claim, report))
    return out


def _check(conn: Connection, claim: Claim, report) -> dict:
    reference = _reference(conn, claim, report)
    published = report.published
    if reference is not None:
        ref_event = conn.execute(
            select(events.c.id, events.c.date, events.c.date_start).where(events.c.id == reference.event_id)
        ).first()
        ref_date = ref_event.date_start or ref_event.date
        ref_event_id = ref_event.id
        countries = claim.countries if len(claim.countries) >= 2 else _countries(conn, reference)
    else:
        ref_date, ref_event_id, countries = published, None, claim.countries
    result = {
        "article_id": claim.article_id,
        "report_id": claim.report_id,
        "claim": claim.text,
        "source": claim.source,
        "type": claim.type,
        "countries": countries,
        "claimed_date": claim.claimed,
        "claimed_precision": claim.claimed_precision,
        "reference_event": ref_event_id,
        "reference_date": ref_date.isoformat() if ref_date else None,
        "verdict": "no data",
        "contradicting": [],
        "basis": "",
    }
    if claim.claimed_precision == "gap" and ref_date is not None:
        count, unit = claim.gap  # type: ignore[attr-defined]
        claimed = _shift(ref_date, count, unit)
        result["claimed_date"], result["claimed_precision"] = claimed.isoformat(), "day"
        claim.claimed, claim.claimed_precision = claimed.isoformat(), "day"
    window = report_window(claim.claimed, claim.claimed_precision, published) if claim.claimed else None
    if window is None or ref_date is None or len(countries) < 2:
        result["basis"] = "the claim gives no usable date or countries"
        return result
    lo, hi = window[1], ref_date
    a, b = countries[0], countries[1]
    exclude = {claim.event_id, ref_event_id}
    found = conn.execute(
        select(events.c.id)
        .join(event_dyads, event_dyads.c.event_id == events.c.id)
        .where(
            event_dyads.c.country_a == a,
            event_dyads.c.country_b == b,
            event_dyads.c.type == claim.type,
            event_dyads.c.date > lo,
            event_dyads.c.date < hi,
            events.c.date_start > lo,
            events.c.date_end < hi,
        )
        .order_by(events.c.date, events.c.id)
    ).scalars().all()
    contradicting = [e for e in dict.fromkeys(found) if e not in exclude]
    if contradicting:
        result["verdict"] = "contradicted"
        result["contradicting"] = event_records(conn, contradicting)
        result["basis"] = f"{len(contradicting)} {claim.type} event(s) between {a} and {b} after {lo} and before {hi}"
        return result
    other_articles = conn.execute(
        select(event_reports.c.article_id)
        .join(event_dyads, event_dyads.c.event_id == event_reports.c.event_id)
        .where(
            event_dyads.c.country_a == a,
            event_dyads.c.country_b == b,
            event_reports.c.article_id != claim.article_id,
        )
        .limit(1)
    ).first()
    if other_articles is None:
        result["basis"] = f"no other article in the record reports events between {a} and {b}"
        return result
    result["verdict"] = "agree"
    result["basis"] = f"no {claim.type} event between {a} and {b} after {lo} and before {hi} in the record"
    return result
