"""The typed records `Record` returns: actors, quotes, fused events (with their participants and
reports) and search hits, and `Results`, a list of them with `to_dataframe()`.

Each record has three views:
- its attributes, with real types (`datetime.date`, lists, ints);
- `to_dict()`: the JSON shape the command line prints (dates as ISO text, nested lists of dicts);
- `flat()`: one row of scalars and lists of scalars with real types, the row of `to_dataframe()`
  and of the csv / jsonl / parquet exports (`FLAT_TYPES` names every column's type).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from communique.dates import iso_date as as_date
from communique.vocabulary import QUAD_CLASSES, QUAD_CODES  # noqa: F401  (re-exported)


def quad_code(event_type: str | None) -> int | None:
    return QUAD_CODES.get((event_type or "").upper())


def jsonable(value: Any) -> Any:
    """Dates as ISO text, records as dicts, containers recursively."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _span(value) -> list[int] | None:
    return list(value) if value else None


class _Record:
    """What every record shares: `to_dict()`, `from_dict()`, `flat()`, and `record["field"]`
    for code written against the earlier plain-dict results."""

    FLAT_TYPES: ClassVar[dict[str, str]] = {}

    def to_dict(self) -> dict:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        try:
            return self.to_dict()[key]
        except KeyError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __iter__(self):
        return iter(self.to_dict())

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def keys(self):
        return self.to_dict().keys()

    @classmethod
    def from_dict(cls, data: dict):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    def flat(self) -> dict:
        raise NotImplementedError


@dataclass(slots=True)
class Actor(_Record):
    id: str
    name: str
    country: str | None = None
    sector: str | None = None
    role: str | None = None
    kind: str | None = None
    kb_id: str | None = None
    mention_count: int = 0
    article_count: int = 0

    FLAT_TYPES: ClassVar[dict[str, str]] = {
        "actor_id": "string", "name": "string", "country": "string", "sector": "string", "role": "string",
        "kind": "string", "kb_id": "string", "mention_count": "int", "article_count": "int",
    }  # fmt: skip

    def flat(self) -> dict:
        return {
            "actor_id": self.id, "name": self.name, "country": self.country, "sector": self.sector,
            "role": self.role, "kind": self.kind, "kb_id": self.kb_id,
            "mention_count": int(self.mention_count or 0), "article_count": int(self.article_count or 0),
        }  # fmt: skip


@dataclass(slots=True)
class Quote(_Record):
    id: str
    article_id: str
    kind: str
    text: str
    speaker: str | None = None  # the speaker's global actor id
    speaker_name: str | None = None
    speaker_country: str | None = None
    speaker_text: str | None = None  # the words the article used for the speaker
    cue: str | None = None
    via: list[str] = field(default_factory=list)  # intermediaries' actor ids (names when unresolved), innermost first
    via_names: list[str] = field(default_factory=list)
    channel: str | None = None
    date: str | None = None  # as the article gave it
    content_span: list[int] | None = None
    source_span: list[int] | None = None
    cue_span: list[int] | None = None
    headline: str | None = None
    publisher: str | None = None
    published: date | None = None
    url: str | None = None

    FLAT_TYPES: ClassVar[dict[str, str]] = {
        "quote_id": "string", "article_id": "string", "published": "date", "publisher": "string",
        "headline": "string", "url": "string", "kind": "string", "text": "string", "speaker_id": "string",
        "speaker_name": "string", "speaker_country": "string", "speaker_text": "string", "cue": "string",
        "via": "list", "via_names": "list", "channel": "string", "date_text": "string",
        "content_start": "int", "content_end": "int",
    }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Quote:
        article = data.get("article") or {}
        merged = {**{k: article.get(k) for k in ("headline", "publisher", "published", "url")}, **data}
        merged["published"] = as_date(merged.get("published"))
        merged["via"] = list(merged.get("via") or [])
        merged["via_names"] = list(merged.get("via_names") or [])
        return _Record.from_dict.__func__(cls, merged)

    def flat(self) -> dict:
        start, end = (self.content_span or [None, None])[:2]
        return {
            "quote_id": self.id, "article_id": self.article_id, "published": self.published,
            "publisher": self.publisher, "headline": self.headline, "url": self.url, "kind": self.kind,
            "text": self.text, "speaker_id": self.speaker, "speaker_name": self.speaker_name or self.speaker_text,
            "speaker_country": self.speaker_country, "speaker_text": self.speaker_text, "cue": self.cue,
            "via": [str(v) for v in self.via], "via_names": [str(v) for v in self.via_names],
            "channel": self.channel, "date_text": self.date, "content_start": start, "content_end": end,
        }  # fmt: skip


@dataclass(slots=True)
class Participant(_Record):
    """An actor or recipient of a fused event; `id` is None for a name the knowledge base did not resolve."""

    name: str
    side: str  # "actor" or "recipient"
    id: str | None = None
    country: str | None = None
    sector: str | None = None
    title: str | None = None  # the actor's office or position, when known

    def to_dict(self) -> dict:
        # `role` is the side, as the command line's JSON has always called it
        return {"id": self.id, "name": self.name, "country": self.country, "sector": self.sector,
                "title": self.title, "role": self.side}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Participant:
        return cls(
            name=data.get("name") or "", side=data.get("side") or data.get("role") or "actor", id=data.get("id"),
            country=data.get("country"), sector=data.get("sector"), title=data.get("title"),
        )  # fmt: skip


@dataclass(slots=True)
class Report(_Record):
    """What one article said about a fused event, and why it was merged into it."""

    id: str
    article_id: str
    evidence: str = ""
    evidence_span: list[int] | None = None
    publisher: str | None = None
    published: date | None = None
    reported_by: list[str] = field(default_factory=list)
    reported_by_names: list[str] = field(default_factory=list)
    date: str | None = None  # as reported
    date_precision: str | None = None
    mode: str | None = None
    refers_to_past: bool = False
    merge_reason: str | None = None
    # the single-event view (`Record.event`) adds these
    headline: str | None = None
    url: str | None = None
    type: str | None = None
    status: str | None = None
    actors: list[str] | None = None
    recipients: list[str] | None = None
    location: str | None = None

    def to_dict(self) -> dict:
        out = _Record.to_dict(self)
        if self.type is None:  # not the detailed view: leave its fields out, as before
            for key in ("headline", "url", "type", "status", "actors", "recipients", "location"):
                out.pop(key)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        merged = {**data, "published": as_date(data.get("published"))}
        return _Record.from_dict.__func__(cls, merged)


@dataclass(slots=True)
class Event(_Record):
    """A fused event: what every report of it agrees on, the reports, and the conflicts between them."""

    id: str
    type: str
    status: str
    date_precision: str
    mode: str | None = None
    context: str | None = None
    date: date | None = None  # the first day of the period when the precision is coarser than a day
    location: str | None = None
    actors: list[str] = field(default_factory=list)  # actor ids (names when unresolved)
    recipients: list[str] = field(default_factory=list)
    evidence: str = ""  # of the report the date came from
    evidence_span: list[int] | None = None
    reported_by: list[str] = field(default_factory=list)
    refers_to_past: bool = False
    first_seen: date | None = None
    report_count: int = 0
    participants: list[Participant] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    FLAT_TYPES: ClassVar[dict[str, str]] = {
        "event_id": "string", "type": "string", "quad_code": "int", "quad_class": "string",
        "mode": "string", "context": "string", "status": "string", "date": "date", "date_precision": "string",
        "location": "string", "first_seen": "date", "report_count": "int", "actors": "list",
        "actor_ids": "list", "actor_countries": "list", "actor_sectors": "list", "recipients": "list",
        "recipient_ids": "list", "recipient_countries": "list", "recipient_sectors": "list",
        "evidence": "string", "refers_to_past": "bool", "article_ids": "list", "publishers": "list",
        "conflicts": "json",
    }  # fmt: skip

    @property
    def quad_code(self) -> int | None:
        return quad_code(self.type)

    @property
    def quad_class(self) -> str | None:
        return QUAD_CLASSES.get(self.quad_code or 0)

    def side(self, side: str) -> list[Participant]:
        return [p for p in self.participants if p.side == side]

    def to_dict(self) -> dict:
        out = _Record.to_dict(self)
        out["quad_code"] = self.quad_code
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Event:
        merged = {
            **data,
            "date": as_date(data.get("date")),
            "first_seen": as_date(data.get("first_seen")),
            "participants": [Participant.from_dict(p) for p in data.get("participants") or []],
            "reports": [Report.from_dict(r) for r in data.get("reports") or []],
            "report_count": int(data.get("report_count") or len(data.get("reports") or [])),
        }
        return _Record.from_dict.__func__(cls, merged)

    def flat(self) -> dict:
        acting, receiving = self.side("actor"), self.side("recipient")
        return {
            "event_id": self.id, "type": self.type, "quad_code": self.quad_code, "quad_class": self.quad_class,
            "mode": self.mode, "context": self.context, "status": self.status, "date": self.date,
            "date_precision": self.date_precision, "location": self.location, "first_seen": self.first_seen,
            "report_count": self.report_count,
            "actors": [p.name for p in acting], "actor_ids": [p.id for p in acting],
            "actor_countries": [p.country for p in acting], "actor_sectors": [p.sector for p in acting],
            "recipients": [p.name for p in receiving], "recipient_ids": [p.id for p in receiving],
            "recipient_countries": [p.country for p in receiving],
            "recipient_sectors": [p.sector for p in receiving],
            "evidence": self.evidence, "refers_to_past": bool(self.refers_to_past),
            "article_ids": list(dict.fromkeys(r.article_id for r in self.reports)),
            "publishers": list(dict.fromkeys(r.publisher for r in self.reports if r.publisher)),
            "conflicts": json.dumps(jsonable(self.conflicts), ensure_ascii=False) if self.conflicts else None,
        }  # fmt: skip


@dataclass(slots=True)
class SearchHit(_Record):
    """A quote or a report's evidence sentence that matched a full-text search."""

    kind: str  # "quote" or "event"
    id: str
    article_id: str
    text: str
    score: float = 0.0
    publisher: str | None = None
    published: date | None = None
    span: list[int] | None = None
    group_id: str | None = None  # quotes: the group of the same words by the same speaker
    speaker: str | None = None
    speaker_text: str | None = None
    speaker_name: str | None = None  # quotes: the speaker's name (the actor's, else as the text gives it)
    event_id: str | None = None  # evidence: the fused event and its type and date as reported
    actor_names: list[str] = field(default_factory=list)  # evidence: who acted, by name
    recipient_names: list[str] = field(default_factory=list)  # ... and towards whom
    type: str | None = None
    date: str | None = None
    date_precision: str | None = None  # evidence: day, week, month, year, publication (only the article's date) or unknown

    FLAT_TYPES: ClassVar[dict[str, str]] = {
        "kind": "string", "id": "string", "article_id": "string", "text": "string", "score": "float",
        "publisher": "string", "published": "date", "event_id": "string", "type": "string",
        "speaker_id": "string", "speaker_text": "string",
    }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> SearchHit:
        return _Record.from_dict.__func__(cls, {**data, "published": as_date(data.get("published"))})

    def flat(self) -> dict:
        return {
            "kind": self.kind, "id": self.id, "article_id": self.article_id, "text": self.text,
            "score": float(self.score), "publisher": self.publisher, "published": self.published,
            "event_id": self.event_id, "type": self.type, "speaker_id": self.speaker,
            "speaker_text": self.speaker_text,
        }  # fmt: skip


T = TypeVar("T")


class Results(list, Generic[T]):
    """A list of records with `to_dataframe()` and `to_dicts()`; `next` is the cursor of the next
    page where the query pages (a timeline's older events: pass it as `before=`), else None."""

    def __init__(self, items=(), kind: type | None = None, next: str | None = None):
        super().__init__(items)
        self.kind = kind
        self.next = next

    def to_dicts(self) -> list[dict]:
        return [r.to_dict() if isinstance(r, _Record) else jsonable(r) for r in self]

    def to_dataframe(self):
        """A pandas DataFrame, one flat row per record: dates as datetime64, lists as lists, counts
        as integers. Needs pandas (`pip install 'communique[pandas]'`)."""
        return to_dataframe(self, self.kind)


def to_dataframe(rows, kind: type | None = None):
    """A pandas DataFrame of records (or of plain dicts)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install 'communique[pandas]'") from None
    rows = list(rows)
    kind = kind or (type(rows[0]) if rows and isinstance(rows[0], _Record) else None)
    if kind is None or not issubclass(kind, _Record) or not kind.FLAT_TYPES:
        return pd.DataFrame([jsonable(r) if not isinstance(r, _Record) else r.to_dict() for r in rows])
    frame = pd.DataFrame([r.flat() for r in rows], columns=list(kind.FLAT_TYPES))
    for column, kind_name in kind.FLAT_TYPES.items():
        if kind_name == "date":
            frame[column] = pd.to_datetime(frame[column])
        elif kind_name == "int":
            frame[column] = frame[column].astype("Int64")
        elif kind_name == "bool":
            frame[column] = frame[column].astype("boolean")
        elif kind_name == "float":
            frame[column] = frame[column].astype("Float64")
    return frame


__all__ = [
    "QUAD_CLASSES", "QUAD_CODES", "Actor", "Event", "Participant", "Quote", "Report", "Results",
    "SearchHit", "as_date", "jsonable", "quad_code", "to_dataframe",
]  # fmt: skip
