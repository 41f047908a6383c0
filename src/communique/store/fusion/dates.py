"""The days a report's date allows, and how two reported dates compare."""

from __future__ import annotations

from datetime import date, timedelta

from communique.dates import iso_date

PUBLICATION_SLACK_DAYS = 3  # a date that only repeats the publication date: the event was up to 3 days before
MAX_WINDOW_DAYS = 366  # the longest window one report gives (a year): bounds the search by date
SHORT_WINDOW_DAYS = 7  # the longest window of a day, a week or a publication date (month and year are longer)
LONG_PRECISIONS = ("month", "year")
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3, "publication": 4, "unknown": 5}
CALENDAR = ("day", "week", "month", "year")


def _month_end(day: date) -> date:
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def report_window(value: str | None, precision: str | None, published: date | None) -> tuple[date, date] | None:
    """The days a report's date allows, [first, last]; None when it gives no usable date."""
    day = iso_date(value, periods=True) if value else None
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


def overlap(a: tuple[date, date], b: tuple[date, date]) -> tuple[date, date] | None:
    """The days two windows share, or None."""
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
