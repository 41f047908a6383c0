"""An article's text cut into pieces for the article page: each piece knows which actor mentions,
quotes and event sentences cover it, so overlapping spans (a name inside a quote inside an event's
evidence) are shown together without crossing HTML tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise


@dataclass(frozen=True)
class Mark:
    kind: str  # "actor", "quote", "event" or "evidence"
    start: int
    end: int
    ref: str  # what it links to: an actor id, a quote id, an event id
    label: str = ""
    anchor: str = ""  # an element id for the first piece, so other pages can link to the place


@dataclass
class Piece:
    text: str
    marks: list[Mark] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # anchors that start here
    ends: list[Mark] = field(default_factory=list)  # event marks that end here (a link follows the piece)

    def of(self, kind: str) -> Mark | None:
        return next((m for m in self.marks if m.kind == kind), None)

    @property
    def classes(self) -> str:
        return " ".join(sorted({m.kind for m in self.marks}))


def _valid(mark: Mark, size: int) -> bool:
    return 0 <= mark.start < mark.end <= size


def pieces(text: str, marks: list[Mark]) -> list[Piece]:
    """`text` cut at every mark boundary; each piece with the marks covering it."""
    marks = [m for m in marks if _valid(m, len(text))]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for start, end in pairwise(cuts):
        covering = [m for m in marks if m.start <= start and end <= m.end]
        piece = Piece(text[start:end], covering)
        piece.anchors = [m.anchor for m in covering if m.start == start and m.anchor]
        piece.ends = [m for m in covering if m.end == end and m.kind == "event"]
        out.append(piece)
    return out


def article_marks(found: dict) -> list[Mark]:
    """The marks of a stored article (`RecordReader.article`): actor mentions, quotes, event evidence."""
    marks: list[Mark] = []
    for actor in found.get("actors") or []:
        for span in actor.get("mentions") or []:
            marks.append(Mark("actor", span[0], span[1], actor["id"], actor.get("name") or ""))
    for quote in found.get("quotes") or []:
        span = quote.get("content_span")
        if span:
            speaker = quote.get("speaker_name") or quote.get("speaker_text") or "unknown speaker"
            marks.append(Mark("quote", span[0], span[1], quote["id"], f"Quote from {speaker}", f"q-{quote['id']}"))
    for event in found.get("events") or []:
        span = event.get("evidence_span")
        if span:
            marks.append(Mark("event", span[0], span[1], event["id"], event.get("type") or "", f"r-{event.get('report_id')}"))
    return marks


def excerpt(text: str, span: list[int] | None, around: int = 500) -> tuple[str, str, str]:
    """(before, evidence, after): the evidence sentence with up to `around` characters either side,
    cut at a paragraph or sentence boundary where one is near."""
    if not span or not (0 <= span[0] < span[1] <= len(text)):
        return text[: around * 2], "", ""
    start, end = span
    lo = max(0, start - around)
    para = text.rfind("\n\n", lo, start)
    lo = para + 2 if para >= 0 else lo
    hi = min(len(text), end + around)
    para = text.find("\n\n", end, hi)
    hi = para if para >= 0 else hi
    before = ("… " if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + (" …" if hi < len(text) else "")
    return before, text[start:end], after


def report_columns(reports: list[dict], text_of) -> list[dict]:
    """Reports with their evidence cut out of their article's text (`text_of(article_id)`, read
    once per article): the columns of the event and last-contact pages."""
    texts: dict[str, str] = {}
    for report in reports:
        if report["article_id"] not in texts:
            texts[report["article_id"]] = text_of(report["article_id"])
    return [{**r, "excerpt": excerpt(texts[r["article_id"]], r.get("evidence_span"))} for r in reports]
