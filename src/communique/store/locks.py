"""Locks that let concurrent PostgreSQL writers store articles without deadlocks or duplicates.

Every item is written in its own transaction. Left alone, two such transactions deadlock as soon as
each inserts an actor the other is about to insert (PostgreSQL waits on the other's uncommitted
unique-index entry), and two writers that both miss an identity key in `actor_keys` would each
create the actor. So before touching a row, a transaction takes transaction-scoped advisory locks on
everything it may write, always in one global order, (namespace, key) ascending:

0. GLOBAL: shared by every item; taken exclusively instead of the fine locks below by an item that
   would need more than MAX_FINE_LOCKS of them (a huge article), so that no transaction holds an
   unbounded number of locks (they live in a fixed-size shared table).
1. IDENTITY: the article id and every identity key (`kb:...`, `name:...|country`) of its actors.
   Whoever holds a key is the only one creating, resolving or completing an actor through it, so
   resolution sees every committed actor and creates none twice.
2. FUSION: taken once the actors are resolved, before quotes and events are placed: one lock per
   quote speaker (quotes only group with quotes of the same speaker) and one per event type.
   Fusion needs exclusivity per type, not per dyad: a report can join a fused event through a
   participant's country (a government standing for its country), an unresolved name or an actor,
   and the event it joins carries the union of every earlier report's participants, so no narrower
   key both covers every event a report might join and is known before the search.

Row locks taken under these (actor rows completed in `ActorResolver.flush`, in id order; fused event
rows of one type) are then only ever waited for by a transaction that holds no lock the holder
wants, so a cycle cannot form. What is left (a serialization failure, or a deadlock through
something unforeseen) is retried as a whole item by `Store.ingest`.

SQLite needs none of this: a writing transaction begins with BEGIN IMMEDIATE, one at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, text

GLOBAL, IDENTITY, FUSION = 0, 1, 2
MAX_FINE_LOCKS = 200  # per transaction (the lock table is shared: 64 per connection by default)

_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, :key)")
_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(:namespace, :key)")


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for a lock name (the same in every process, unlike hash())."""
    digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


class ItemLocks:
    """The advisory locks of one item's transaction (no-ops outside PostgreSQL)."""

    def __init__(self, conn: Connection, expected: int):
        """Take the GLOBAL lock: shared, or exclusive when the item expects more than
        MAX_FINE_LOCKS fine locks (then `take` has nothing left to do)."""
        self.conn = conn
        self.enabled = conn.dialect.name == "postgresql"
        self.exclusive = expected > MAX_FINE_LOCKS
        self._last: tuple[int, int] = (GLOBAL, 0)
        if self.enabled:
            conn.execute(_LOCK if self.exclusive else _LOCK_SHARED, {"namespace": GLOBAL, "key": 0})

    def take(self, namespace: int, names: Iterable[str]) -> None:
        """Lock `names` in `namespace`, in key order. Namespaces must be taken in ascending order."""
        if not self.enabled or self.exclusive:
            return
        for key in sorted({lock_key(name) for name in names}):
            if (namespace, key) <= self._last:
                # already held, or out of order: taking it now could close a cycle
                if (namespace, key) == self._last:
                    continue
                raise RuntimeError(f"advisory lock ({namespace}, {key}) taken out of order")
            self.conn.execute(_LOCK, {"namespace": namespace, "key": key})
            self._last = (namespace, key)
