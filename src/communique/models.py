"""The typed records that flow between pipeline stages, and the `extract` JSON contract.

Data flows one way: a reader yields `Article`s (or `Rejection`s); cleaning fills the article's
body / captions / headline and the body-to-text offset map; the NLP stage wraps the article and a
spaCy `Doc` over the body in an `AnnotatedDoc`; actors, attribution and events each return their
records; `Extraction` is what `communique extract` prints and what the store ingests.

Every span in these records is a `[start, end)` pair of character offsets into `Article.text`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Span = tuple[int, int]


def normalise_for_id(text: str) -> str:
    """The normal form an article id is hashed from: NFKC, straight quotes, single spaces, lower case.

    Two copies of one article that differ only in whitespace, quote style or case get one id.
    """
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        text = text.replace(curly, straight)
    return " ".join(text.split()).lower()


def content_id(text: str, prefix: str = "") -> str:
    """A short, stable hex id of a normalised text."""
    digest = hashlib.sha256(normalise_for_id(text).encode("utf-8", "surrogatepass")).hexdigest()
    return prefix + digest[:16]


@dataclass(frozen=True)
class Segment:
    """One stretch of the body copied verbatim from `Article.text`: body[body_start:body_start+length]
    == text[text_start:text_start+length]."""

    body_start: int
    text_start: int
    length: int


@dataclass
class Article:
    """One news article as read and cleaned.

    `text` is the text as read (the decoded file for plain text, the JSONL `text` field verbatim, the
    extracted main text for HTML); every span in the pipeline points into it. `body` is the article
    proper with mastheads, page furniture, captions, headline and byline removed; `segments` map body
    offsets back to `text` offsets.
    """

    text: str
    source: str  # where it came from: a path, "path:line", "path#record", or "-"
    external_id: str | None = None  # the JSONL `id` or WARC record id, echoed in output
    url: str | None = None
    publisher: str | None = None
    headline: str | None = None
    byline: str | None = None
    published: date | None = None
    language: str | None = None
    body: str = ""
    captions: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs made to the input while reading it, one line each
    # (the string hashed, its id): stages ask for the id once per quote, and hashing is linear in length
    _id_cache: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        source = self.body or self.text
        cached = self._id_cache
        if cached is None or cached[0] is not source:
            cached = self._id_cache = (source, content_id(source))
        return cached[1]

    def to_text_offset(self, body_offset: int) -> int:
        """Map an offset in `body` to the matching offset in `text`."""
        if not self.segments:
            return body_offset
        i = max(0, bisect_right(self.segments, body_offset, key=lambda s: s.body_start) - 1)
        seg = self.segments[i]
        return seg.text_start + min(body_offset - seg.body_start, seg.length)

    def text_span(self, body_start: int, body_end: int) -> Span:
        """A body span as a `[start, end)` span of `text`. An end that falls on a segment boundary maps
        to the end of the earlier segment, not the start of the next one."""
        if body_end <= body_start:
            start = self.to_text_offset(body_start)
            return (start, start)
        return (self.to_text_offset(body_start), self.to_text_offset(body_end - 1) + 1)


@dataclass(frozen=True)
class Rejection:
    """An input item that could not be read, with a one-line reason."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


# ---------------------------------------------------------------- the extract contract


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class ArticleOut(_Record):
    id: str
    url: str | None = None
    publisher: str | None = None
    headline: str | None = None
    byline: str | None = None
    published: str | None = None
    language: str | None = None
    text: str
    body: str
    captions: list[str] = Field(default_factory=list)
    source: str | None = None  # the input path or JSONL / WARC record id it came from

    @classmethod
    def from_article(cls, article: Article) -> "ArticleOut":
        return cls(
            id=article.external_id or article.id,
            url=article.url,
            publisher=article.publisher,
            headline=article.headline,
            byline=article.byline,
            published=article.published.isoformat() if article.published else None,
            language=article.language,
            text=article.text,
            body=article.body,
            captions=list(article.captions),
            source=article.source,
        )


class Actor(_Record):
    """A canonical actor of one article: a person, government, group or outlet."""

    id: str
    name: str
    country: str | None = None  # ISO 3166 alpha-3, or an organisation code (EU, UN, NATO, ...)
    sector: str | None = None  # PLOVER sector: GOV, MIL, MED, ...
    role: str | None = None
    kind: Literal["person", "group", "organisation", "government", "outlet", "location", "other"] = "other"
    kb_id: str | None = None
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Span] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # e.g. text-vs-KB disagreements


class Quote(_Record):
    """An attribution: who said what, through whom."""

    id: str
    kind: Literal["direct", "indirect", "mixed", "according_to"]
    text: str
    speaker: str | None = None  # actor id
    speaker_text: str | None = None
    cue: str | None = None
    via: list[str] = Field(default_factory=list)  # actor ids (or names when unresolved), innermost first
    channel: str | None = None
    date: str | None = None
    content_span: Span | None = None
    source_span: Span | None = None
    cue_span: Span | None = None


class Event(_Record):
    """A PLOVER event."""

    id: str
    type: str
    mode: str | None = None
    context: str | None = None
    status: Literal["occurred", "denied", "planned", "requested", "hypothetical"] = "occurred"
    actors: list[str] = Field(default_factory=list)  # actor ids
    recipients: list[str] = Field(default_factory=list)
    date: str | None = None
    date_precision: Literal["day", "week", "month", "year", "publication", "unknown"] = "unknown"
    # where the date was read: the trigger's clause, its sentence, the narrative before it, or the
    # publication date (no date in the text); None when undated
    date_source: Literal["clause", "sentence", "narrative", "publication"] | None = None
    location: str | None = None
    location_span: Span | None = None
    evidence: str = ""
    evidence_span: Span | None = None
    reported_by: list[str] = Field(default_factory=list)  # actor ids or names, innermost first
    refers_to_past: bool = False


class Extraction(_Record):
    """Everything `communique extract` reports for one article."""

    article: ArticleOut
    actors: list[Actor] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")

    def with_record_dates(self) -> Extraction:
        """This extraction with each event dated as the record dates it (`dates.record_date`): an
        event the text does not date takes the publication date at precision "publication". What
        `communique extract` and `communique.extract` give, so that `extract` and the stored record
        show one date for one event, and what the real-news evaluations score (the acceptance scorer reads
        `communique extract`); the pipeline's own output is unchanged."""
        from communique.dates import record_date

        published = self.article.published
        events = []
        for event in self.events:
            value, precision = record_date(event.date, event.date_precision, published)
            same = (value, precision) == (event.date, event.date_precision)
            filled = {"date": value, "date_precision": precision, "date_source": "publication" if value else None}
            events.append(event if same else event.model_copy(update=filled))
        return self.model_copy(update={"events": events})
