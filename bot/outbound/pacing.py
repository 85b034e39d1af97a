"""The send rate: a sender never goes above its configured segments per second.

Each send reserves the next free slot of its sender in the database (``outbox_pacing``), so
the rate holds for all workers together, not per worker: two workers on PostgreSQL share one
Twilio number's 1 segment/s. There is no burst allowance: a message of ``n`` segments takes
``n / rate`` seconds of slots, and the sender waits for its slot outside the transaction. This
is a token bucket of depth one message, which is what carriers ask of a sender (Twilio
queues, then drops, what arrives faster).

To spare a transaction per message at high rates, a worker reserves a block of slots at a
time (``BLOCK`` seconds' worth) and hands them out locally. Slots are exclusive, so the sum
over all workers still never exceeds the rate; slots a worker does not use in time are lost,
which can only make it slower.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from ..db import Database, conflict_insert
from ..models import SendPacing, utcnow

BLOCK = 0.2  # seconds of slots reserved per database round trip


class Pacer:
    """Paces one sender (``name``) at ``rate`` units a second (SMS segments, Telegram messages)."""

    def __init__(
        self,
        db: Database,
        name: str,
        rate: float,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be above 0")
        self.db = db
        self.name = name
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        # The block of slots this worker holds: [next free, end).
        self._next: datetime | None = None
        self._end: datetime | None = None
        self._lock = threading.Lock()  # the dispatcher's sending threads share one pacer

    def take(self, units: int) -> float:
        """Wait for this sender's next slot for ``units``; returns the seconds waited."""
        with self._lock:
            wait = self._slot(max(units, 1))
        if wait > 0:
            self.sleep(wait)
        return wait

    def _slot(self, units: int) -> float:
        now = self.clock()
        need = timedelta(seconds=units / self.rate)
        if self._next is not None and self._end is not None:
            start = max(now, self._next)
            if start + need <= self._end:
                self._next = start + need
                return (start - now).total_seconds()
        block = max(units, round(self.rate * BLOCK))
        start = self._reserve(block, now)
        self._next, self._end = start + need, start + timedelta(seconds=block / self.rate)
        return (start - now).total_seconds()

    def _reserve(self, units: int, now: datetime) -> datetime:
        """Reserve ``units`` of slots in the database; returns when the first one starts."""
        with self.db.transaction() as session:
            session.execute(
                conflict_insert(self.db.engine.dialect.name)(SendPacing)
                .values(sender=self.name, next_free_at=now)
                .on_conflict_do_nothing(index_elements=["sender"])
            )
            row = session.get(SendPacing, self.name, with_for_update=True, populate_existing=True)
            assert row is not None
            slot = max(now, row.next_free_at)
            row.next_free_at = slot + timedelta(seconds=units / self.rate)
            return slot
