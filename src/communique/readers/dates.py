"""Publication dates from metadata: "YYYY-MM-DD" or an ISO 8601 date-time."""

from __future__ import annotations

from datetime import date, datetime


def parse_date(value: object) -> date | None:
    """A date from metadata, or None when the value is missing or not an ISO date (never raises)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("z", "Z")).date()
    except ValueError:
        pass
    try:  # "2022-04-05 10:45" and other ISO-looking strings with a valid date part
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
