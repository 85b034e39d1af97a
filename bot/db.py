"""Database engine and sessions, shared by the web app, the CLI and the worker.

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that two requests for the same
resident are serialised instead of interleaving their read-modify-write of conversation state.
PostgreSQL gets row locks (``SELECT ... FOR UPDATE``) in the services instead.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs for concurrent webhooks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        if parsed.database and parsed.database != ":memory:":
            _queue_writers(engine, Path(parsed.database + ".writelock"))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail with "database is locked" instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _queue_writers(engine: Engine, lock_path: Path) -> None:
    """Make SQLite writers wait in line on a lock file instead of in SQLite's busy handler.

    SQLite's busy handler sleeps 1-100 ms between tries, so under load the write lock sits idle
    while waiters sleep (the webhook benchmark saw 85% of request time there). A blocking
    ``flock`` on a file beside the database wakes the next writer the moment the lock is free,
    across threads (each connection holds its own descriptor) and processes (gunicorn workers)
    alike, and the kernel drops it if a process dies. Taken when a transaction begins, released
    when its connection goes back to the pool, after the commit or rollback.
    """
    held = threading.local()

    @event.listens_for(engine, "begin", insert=True)  # before BEGIN IMMEDIATE
    def _wait_turn(connection) -> None:  # type: ignore[no-untyped-def]
        record = connection.connection._connection_record
        if getattr(held, "depth", 0) and "writelock" not in record.info:
            # This thread already holds the lock through another connection (a nested
            # transaction): waiting on the file would wait on ourselves. Fall back to
            # SQLite's busy handler for this one.
            return
        if "writelock" not in record.info:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            record.info["writelock"] = descriptor
            held.depth = getattr(held, "depth", 0) + 1

    @event.listens_for(engine, "checkin")
    def _next_please(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        descriptor = record.info.pop("writelock", None)
        if descriptor is not None:
            os.close(descriptor)  # closing the descriptor releases the flock
            held.depth -= 1


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
