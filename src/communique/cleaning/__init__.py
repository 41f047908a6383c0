"""Article cleaning: separate the article body from the page furniture around it.

A scraped page dump opens with a site name (sometimes glued to the outlet's slogan), a headline,
bylines, dates, photo captions and interface strings ("Placeholder while article actions load"),
and may carry ads, captions and share buttons between paragraphs and credits at the end. `clean`
reads the text line by line:

* the *top* of the page, up to the first body line, may hold a masthead (-> `publisher`), section
  labels, the headline (-> `headline`), bylines (-> `byline`), date lines, captions and UI strings;
* *between paragraphs*, lines of their own that are UI strings or captions are dropped;
* the *bottom* may also hold contributor notes ("Reporting by ...").

Only whole lines are dropped; text inside a paragraph is never touched. The body is the kept runs of
lines, each a verbatim slice of `text` recorded as a `Segment`, joined with blank lines. When nothing
looks like furniture (a single sentence, plain paragraphs), the body is the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from communique.cleaning import lines as line_tests
from communique.cleaning.tables import Masthead, Tables, fold, tables
from communique.models import Article, Segment

__all__ = ["clean", "publisher_for_domain", "Masthead", "tables"]

BODY_JOINER = "\n\n"
_LINE = re.compile(r"[^\r\n\u2028\u2029]+")


@dataclass
class _Line:
    start: int  # first non-space character, in article.text
    end: int  # after the last non-space character
    text: str
    kind: str = "body"  # body | masthead | site | section | headline | byline | date | caption | ui | note


def _split_lines(text: str) -> list[_Line]:
    out = []
    for m in _LINE.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        out.append(_Line(start=start, end=start + len(stripped), text=stripped))
    return out


@dataclass
class _Found:
    publisher: str | None = None
    headline: str | None = None
    byline: str | None = None
    published: object = None  # a date from a date line at the top of the page


def _furniture_kind(line: _Line, t: Tables) -> str | None:
    """What a line of its own is when it is not body text, wherever it stands."""
    if t.is_ui(line.text):
        return "ui"
    if line_tests.is_caption(line.text, t):
        return "caption"
    return None


def _scan_top(lines: list[_Line], t: Tables, article: Article, found: _Found) -> int:
    """Classify the lines above the body; returns the index of the first body line."""
    headline_at = None
    for i, line in enumerate(lines):
        kind = _furniture_kind(line, t)
        if kind:
            line.kind = kind
            continue
        if headline_at is None:
            masthead = line_tests.masthead_line(line.text, t)
            if masthead is not None or line_tests.is_domain_line(line.text):
                line.kind = "masthead"
                if masthead is not None and found.publisher is None:
                    found.publisher = masthead.name
                continue
            if line_tests.is_section_label(line.text, t):
                line.kind = "section"
                continue
        if i > 0 and lines[i - 1].kind == "byline" and fold(line.text).strip(" .") in t.byline_titles:
            line.kind = "byline"  # "Staff writer" under "By Jane Doe"
            continue
        byline = line_tests.byline_of(line.text, t)
        if byline:
            line.kind = "byline"
            found.byline = found.byline or byline
            continue
        dated = line_tests.date_line(line.text, t)
        if dated:
            line.kind = "date"
            found.published = found.published or dated.published
            continue
        if headline_at is None and line_tests.is_title_like(line.text):
            nxt = _next_content(lines, i + 1, t)
            if (
                nxt is not None
                and line_tests.is_site_name_like(line.text)
                and line_tests.is_title_like(lines[nxt].text)
                and not _same_headline(line.text, article.headline)
                and not any(lines[j].kind in ("masthead", "site") for j in range(i))
            ):
                line.kind = "site"  # an unknown outlet's name above the headline
                continue
            line.kind = "headline"
            headline_at = i
            continue
        return i
    return len(lines)


def _next_content(lines: list[_Line], start: int, t: Tables) -> int | None:
    """The index of the next line that is not a UI string, caption, byline or date line."""
    for j in range(start, len(lines)):
        text = lines[j].text
        if _furniture_kind(lines[j], t) or line_tests.byline_of(text, t) or line_tests.date_line(text, t):
            continue
        return j
    return None


def _same_headline(line: str, headline: str | None) -> bool:
    return bool(headline) and fold(line).strip(" .") == fold(headline).strip(" .")


# A standfirst may come above the byline and date ("Summary sentence.\nBy Jane Doe\nMay 2, 2023"):
# bylines and date lines this close below the first body line are still page furniture.
_LATE_BYLINE_LINES = 3


def _scan_rest(lines: list[_Line], first_body: int, t: Tables, found: _Found) -> None:
    """Drop UI strings and captions between paragraphs and notes and credits at the bottom."""
    for i, line in enumerate(lines[first_body:]):
        line.kind = _furniture_kind(line, t) or "body"
        if line.kind == "body" and 0 < i <= _LATE_BYLINE_LINES:
            byline = line_tests.byline_of(line.text, t) if t.byline_openings.match(line.text) else None
            dated = line_tests.date_line(line.text, t)
            if byline:
                line.kind = "byline"
                found.byline = found.byline or byline
            elif dated:
                line.kind = "date"
                found.published = found.published or dated.published
    for line in reversed(lines[first_body:]):
        if line.kind != "body":
            continue
        if line_tests.is_contributor_note(line.text, t):
            line.kind = "note"
            continue
        break


def _body_runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """The [start, end) text spans of maximal runs of body lines with no dropped line between them."""
    runs: list[tuple[int, int]] = []
    current: list[_Line] = []
    for line in lines:
        if line.kind == "body":
            current.append(line)
        elif current:
            runs.append((current[0].start, current[-1].end))
            current = []
    if current:
        runs.append((current[0].start, current[-1].end))
    return runs


def _is_prose(text: str) -> bool:
    """A line that reads as running text: a sentence end, or too long for a title."""
    return text.rstrip(line_tests.CLOSERS).endswith((".", "!", "?", ";", ":")) or not line_tests.is_title_like(text)


def _identity(article: Article) -> Article:
    article.body = article.text
    article.segments = [Segment(0, 0, len(article.text))] if article.text else []
    return article


def clean(article: Article) -> Article:
    """Fill `body`, `segments` and `captions`, and `publisher`, `headline`, `byline` (and a
    `published` date shown at the top of the page) where they are not already set.

    Never raises: on any internal failure the body is the whole text.
    """
    t = tables()  # a broken data table is a bug to report, not bad input: let it raise
    try:
        return _clean(article, t)
    except Exception:  # noqa: BLE001 - malformed input must yield fewer results, never an exception
        return _identity(article)


def _clean(article: Article, t: Tables) -> Article:
    text = article.text or ""
    lines = _split_lines(text)
    found = _Found()
    first_body = _scan_top(lines, t, article, found)
    if not any(_is_prose(line.text) for line in lines[first_body:]):
        # No body paragraph below (a lone title-like line, a list of short lines): nothing was a
        # headline after all. Keep only the unmistakable furniture out.
        found = _Found()
        for line in lines:
            if line.kind in ("headline", "site", "byline", "date", "section"):
                line.kind = "body"
            elif line.kind == "masthead":
                masthead = line_tests.masthead_line(line.text, t)
                found.publisher = found.publisher or (masthead.name if masthead else None)
        first_body = next((i for i, line in enumerate(lines) if line.kind == "body"), len(lines))
    _scan_rest(lines, first_body, t, found)

    runs = _body_runs(lines)
    dropped = [line for line in lines if line.kind != "body"]
    if not dropped or not runs:
        _identity(article)
        if not runs:  # all of it looked like furniture: keep it all as body, claim nothing
            for line in lines:
                line.kind = "body"
    else:
        segments: list[Segment] = []
        parts: list[str] = []
        offset = 0
        for start, end in runs:
            if parts:
                offset += len(BODY_JOINER)
            segments.append(Segment(body_start=offset, text_start=start, length=end - start))
            parts.append(text[start:end])
            offset += end - start
        article.body = BODY_JOINER.join(parts)
        article.segments = segments

    article.captions = [line.text for line in lines if line.kind == "caption"]
    headline_line = next((line for line in lines if line.kind == "headline"), None)
    if not article.headline and headline_line is not None:
        article.headline = headline_line.text
    site_line = next((line for line in lines if line.kind == "site"), None)
    if not article.publisher:
        article.publisher = found.publisher or (site_line.text if site_line else None)
    if not article.byline and found.byline:
        article.byline = found.byline
    if article.published is None and found.published is not None:
        article.published = found.published
    return article


def publisher_for_domain(host: str | None) -> str | None:
    """The publisher name of a known outlet's host name, e.g. "www.reuters.com" -> "Reuters"."""
    masthead = tables().masthead_for_domain(host)
    return masthead.name if masthead else None
