"""Answers over much of the record (the facets of every event, the counts of every month) take a
scan of the event tables, seconds on a large store: they are kept until the record changes. A
change is seen as a change of the record's version: its events and reports counted and its last
participant row (fusion rewrites an event's participants when a report joins it), a few
milliseconds to read. Small answers are not kept: they are quick to compute again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import Connection, func, select

from communique.store.schema import event_participants, event_reports, events

KEEP_FROM = 5_000  # events an answer covers before it is worth keeping
KEPT = 64  # answers kept, the least recently used dropped first

T = TypeVar("T")
_kept: OrderedDict[tuple, tuple[tuple, object]] = OrderedDict()
_lock = threading.Lock()


def version(conn: Connection) -> tuple:
    return (
        conn.execute(select(func.count()).select_from(events)).scalar(),
        conn.execute(select(func.count()).select_from(event_reports)).scalar(),
        conn.execute(select(func.max(event_participants.c.id))).scalar(),
    )


def kept(conn: Connection, key: Hashable, size: int, compute: Callable[[], T]) -> T:
    """`compute()`, or its answer from before when the record has not changed since; `size` is how
    many events the answer covers (answers under KEEP_FROM are always computed)."""
    if size < KEEP_FROM:
        return compute()
    full_key = (conn.engine.url.render_as_string(hide_password=False), key)
    now = version(conn)
    with _lock:
        found = _kept.get(full_key)
        if found is not None and found[0] == now:
            _kept.move_to_end(full_key)
            return found[1]  # type: ignore[return-value]
    answer = compute()
    with _lock:
        _kept[full_key] = (now, answer)
        _kept.move_to_end(full_key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return answer
