"""Reports, articles and outlets counted apart: one article may give an event in several sentences
(several reports), and one outlet may run several articles, so "5 reports" can be one outlet. The
pages say all three, and the timeline sizes a dot by its distinct outlets."""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN_OUTLET = "(outlet unknown)"


@dataclass(frozen=True)
class Tally:
    reports: int
    articles: int
    outlets: int


def tally(event: dict) -> Tally:
    """An event's reports, the distinct articles they come from, and the distinct outlets (an article
    without a publisher counts as its own outlet: it cannot be shown to be the same as another)."""
    reports = event.get("reports") or []
    if not reports:
        n = int(event.get("report_count") or 0)
        return Tally(n, n, n)
    articles = {r.get("article_id") for r in reports}
    outlets = {r.get("publisher") or f"{UNKNOWN_OUTLET}:{r.get('article_id')}" for r in reports}
    return Tally(max(len(reports), int(event.get("report_count") or 0)), len(articles), len(outlets))


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def tally_text(t: Tally) -> str:
    """ "3 reports in 2 articles from 1 outlet"; shorter when the counts agree."""
    if t.reports == t.articles == t.outlets:
        return f"{_n(t.reports, 'report')}, each from another outlet" if t.reports > 1 else _n(t.reports, "report")
    if t.reports == t.articles:
        return f"{_n(t.reports, 'report')} from {_n(t.outlets, 'outlet')}"
    return f"{_n(t.reports, 'report')} in {_n(t.articles, 'article')} from {_n(t.outlets, 'outlet')}"
