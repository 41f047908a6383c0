"""The event stage: PLOVER-typed events with actors, recipients, dates, place and evidence.

See `communique.events.extract` for the method; the dictionaries live in `communique/data/events/`
and the sentence classifier in `communique/data/models/events/`.
"""

from __future__ import annotations

from communique.events.extract import extract_events

__all__ = ["extract_events"]
