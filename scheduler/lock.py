"""One scheduler at a time: APScheduler's FAQ says a job store cannot be shared by several
schedulers (each would run every job). The lock is held for the life of the process, so a
worker killed with ``kill -9`` releases it with its connection or file descriptor, and a
standby takes over at its next try.

- PostgreSQL: a session-level advisory lock on a connection kept open for the purpose;
- SQLite: ``flock`` on a file beside the database (SQLite means one machine anyway).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

# Any fixed 64-bit number, the same in every worker: "the Vecino scheduler".
ADVISORY_KEY = 0x7665636E6F  # "vecno"


class SchedulerLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            return self._try_advisory()
        return self._try_file()

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _try_advisory(self) -> bool:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _try_file(self) -> bool:
        handle = open(lock_path(self.engine), "a+")  # noqa: SIM115 (held open while locked)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True


def lock_path(engine: Engine) -> Path:
    database = make_url(str(engine.url)).database or ""
    if database in ("", ":memory:"):
        return Path(os.environ.get("TMPDIR", "/tmp")) / "vecino-scheduler.lock"
    return Path(database).with_suffix(".scheduler.lock")
