"""Names and sizes the command line needs before anything heavy is imported (its options' choices
and defaults are built when `communique --help` runs): the PLOVER event types with their labels,
quad codes and modes, and the size of a timeline page. Nothing here imports beyond the standard
library; the types are read from the one table of them, `data/events/plover_types.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class EventType:
    code: str  # "ASSAULT"
    label: str  # what the web pages call it: "Attack"
    quad: int  # PLOVER's quad category, 1-4 (`QUAD_CLASSES`)
    modes: tuple[str, ...]  # the modes an event of this type may carry


def _table() -> dict:
    return json.loads((resources.files("communique") / "data" / "events" / "plover_types.json").read_text(encoding="utf-8"))


_TABLE = _table()
PLOVER_TYPES = tuple(
    EventType(t["code"], t["label"], int(t["quad"]), tuple(t["modes"])) for t in _TABLE["types"]
)  # in the order pages, exports and option choices list them
TYPE_LABELS = {t.code: t.label for t in PLOVER_TYPES}
QUAD_CODES = {t.code: t.quad for t in PLOVER_TYPES}
QUAD_CLASSES = {int(k): v for k, v in _TABLE["quad_classes"].items()}

PAGE = 100  # events in a timeline page (the command's default --limit)
