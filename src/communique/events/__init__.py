"""The event stage: PLOVER-typed events with actors, recipients, dates, place and evidence."""

from __future__ import annotations

from communique.actors import ActorTable
from communique.models import Event, Quote
from communique.nlp import AnnotatedDoc


def extract_events(annotated: AnnotatedDoc, actors: ActorTable, quotes: list[Quote]) -> list[Event]:
    return []
