"""The pages' query parameters read leniently but never silently: a value outside what the record can
hold (an unknown event type, a date that is no date) becomes one sentence naming what is allowed,
shown on the page instead of an empty answer."""

from __future__ import annotations

from datetime import date
from typing import get_args

from communique.models import Event
from communique.serve import labels

STATUSES = get_args(Event.model_fields["status"].annotation)
PRECISIONS = get_args(Event.model_fields["date_precision"].annotation)
LEVELS = ("any", "minister", "leader")


class BadParameter(ValueError):
    """A page parameter the record cannot answer: the message says which values are allowed."""


def event_type(value: str | None) -> str | None:
    """A PLOVER type in upper case, None when not given; BadParameter naming the types otherwise."""
    value = (value or "").strip().upper()
    if not value:
        return None
    if value not in labels.EVENT_TYPES:
        raise BadParameter(f"type={value!r} is no PLOVER event type: choose one of {', '.join(labels.EVENT_TYPES)}")
    return value


def one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if value not in allowed:
        raise BadParameter(f"{name}={value!r} is not allowed: choose one of {', '.join(allowed)}")
    return value


def day(name: str, value: str | None) -> date | None:
    """A date written YYYY-MM-DD (a year or a year-month is read as its first day)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 4 and value.isdigit():
            return date(int(value), 1, 1)
        if len(value) == 7 and value[4] == "-":
            return date(int(value[:4]), int(value[5:]), 1)
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name}={value!r} is no date: write it as YYYY-MM-DD, e.g. 2022-04-04") from None
