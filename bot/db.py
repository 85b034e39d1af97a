"""Database engine and sessions, shared by the web app, the CLI and the worker.

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that two requests for the same
resident are serialised instead of interleaving their read-modify-write of conversation state.
PostgreSQL gets row locks (``SELECT ... FOR UPDATE``) in the services instead.

Every wait is bounded, so a request answers (503 at worst) before Twilio gives up at 15 s:
an inbound message is tried up to 3 times (``conversations.ATTEMPTS``), so each wait is at most
3 s. See the README, "Worst-case answer time".
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 3_000  # waiting for another writer's lock
POSTGRES_CONNECT_TIMEOUT_S = 2  # libpq's minimum: a server that accepts TCP and never answers
POSTGRES_STATEMENT_TIMEOUT_MS = 3_000  # any one statement, row-lock waits included
POOL_TIMEOUT_S = 3  # waiting for a free connection from the pool
# SQLite writers checkpoint the WAL after this many turns, once out of the writer queue
# (a webhook turn writes about 8 pages, so about SQLite's default of 1,000 pages).
CHECKPOINT_EVERY_TURNS = 125
# A pooled PostgreSQL connection is pinged before use only when it sat idle this long (see
# ``_ping_when_idle``).
POSTGRES_PING_AFTER_IDLE_S = 10

# What a request answers 503 for: the database is down, locked, too slow, or not migrated
# (PostgreSQL reports a missing table as a ProgrammingError, SQLite as an OperationalError).
UNAVAILABLE = (OperationalError, ProgrammingError)


def conflict_insert(dialect: str) -> Any:
    """The dialect's ``insert``, which knows ``ON CONFLICT`` (PostgreSQL's, else SQLite's)."""
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def make_engine(url: str, *, statement_timeout: bool = True, writer: bool = True) -> Engine:
    """Create an engine with the settings each backend needs for concurrent webhooks.

    ``hide_parameters``: a failed statement's error (and so its log line) would otherwise
    carry its bound values: residents' numbers, chat ids and message text.
    ``statement_timeout=False`` is for migrations, whose ``CREATE INDEX`` on a big table may
    rightly take minutes. ``writer=False`` (SQLite only) is for pages that only read: their
    transactions begin deferred and skip the writer queue, so a slow aggregate never holds the
    write lock residents' webhooks wait for (WAL readers block no writer).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            hide_parameters=True,
        )
        synchronous = sqlite_synchronous()  # read now: a typo stops the start, not a turn
        queue = None
        if writer and parsed.database and parsed.database != ":memory:":
            queue = WriterQueue(Path(parsed.database + ".writelock"), SQLITE_BUSY_TIMEOUT_MS / 1000)
            _WRITER_QUEUES[engine] = queue
            weakref.finalize(engine, queue.close)  # an engine nobody disposed of
        _configure_sqlite(engine, writer, queue, synchronous)
        return engine
    engine = create_engine(
        url,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        pool_size=10,
        max_overflow=20,
        pool_timeout=POOL_TIMEOUT_S,
        hide_parameters=True,
    )
    _ping_when_idle(engine)
    if statement_timeout:
        _configure_postgresql(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round trip for each
    message. A connection used in the last few seconds is almost surely alive; when it is not
    (the server restarted just now), the statement fails as a disconnect, SQLAlchemy then
    replaces every older connection of the pool, and ``ConversationService.receive`` retries
    the message on a fresh one. A connection idle longer, which a restart or a firewall may
    have cut long ago, is pinged and quietly replaced when dead.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        idle_since = record.info.get("idle_since")  # None: connected just now
        if idle_since is None or time.monotonic() - idle_since < POSTGRES_PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("a pooled connection did not answer its ping") from error


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # A SET rather than a startup option, so it works through poolers that refuse those.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {POSTGRES_STATEMENT_TIMEOUT_MS}")
        dbapi_connection.autocommit = autocommit


def sqlite_synchronous() -> str:
    """``VECINO_SQLITE_SYNCHRONOUS``: NORMAL (the default) or FULL.

    In WAL mode NORMAL loses nothing committed when the application crashes or is killed;
    only a power cut or an operating-system crash can lose the commits since the WAL was
    last synced, at a checkpoint (never corrupting the database). FULL syncs the WAL at
    every commit, inside the write lock (README, *SQLite on one server*).
    """
    mode = os.environ.get("VECINO_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
    if mode not in ("NORMAL", "FULL"):
        raise ValueError(f"VECINO_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {mode!r}")
    return mode


def _configure_sqlite(
    engine: Engine, writer: bool, queue: WriterQueue | None, synchronous: str = "NORMAL"
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        if queue is not None:
            # No checkpoint inside COMMIT, where it held the write lock for 4-5 ms every few
            # hundred messages; ``_next_please`` runs it once the turn is over (see there).
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    if not writer:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # One listener, so the order cannot depend on how listeners were registered: first
        # the turn in the writer queue, then SQLite's write lock, which is then free at once.
        # (Two listeners with ``insert=True`` ran the other way round, and writers slept in
        # SQLite's busy handler, 15 ms per message on average under load.)
        if queue is not None:
            _wait_turn(connection, queue)
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail with "database is locked" instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    if queue is not None:

        @event.listens_for(engine, "checkin")
        def _next_please(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
            descriptor = record.info.pop("writer_queue", None)
            if descriptor is not None and queue.release(descriptor):
                _checkpoint(dbapi_connection)


def _checkpoint(dbapi_connection: Any) -> None:
    """Copy the WAL into the database file, outside any transaction and the writer queue.

    PASSIVE, as SQLite's own automatic checkpoint: it waits for nobody, and writers go on
    appending meanwhile. Only this process's turns are counted, so every writing process keeps
    the WAL bounded; a process's last connection closing checkpoints as well (SQLite does).
    """
    try:
        dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error as error:  # a later turn tries again; nothing is lost meanwhile
        log.warning("WAL checkpoint failed: %s", type(error).__name__)


class WriterQueue:
    """SQLite writers wait in line here instead of in SQLite's busy handler.

    The busy handler sleeps 1-100 ms between tries, so under load the write lock sits idle while
    waiters sleep (the webhook benchmark saw 85% of request time there). Threads of one process
    queue on a ``threading.Lock``, which wakes the next one the moment it is released; processes
    (gunicorn workers) then take an ``flock`` on a file beside the database, polled in steps of
    at most ``POLL_CAP`` (the kernel drops it if a process dies). Only the one thread at the head
    of its process's line polls. Waiting is bounded by the same timeout as SQLite's own, so a
    stuck writer still ends in "database is locked", never a hang.
    """

    POLL_CAP = 0.0005  # seconds; 2 ms left the lock idle between two workers' turns

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._in_process = threading.Lock()
        self._holder: int | None = None  # the thread whose turn it is in this process
        self._turns = 0  # since this process last checkpointed the WAL
        # One open file per process, kept between turns (opening and closing it cost two
        # system calls per message). A forked child must not share it: an flock belongs to
        # the open file, so parent and child would both hold it at once.
        self._descriptor: int | None = None
        self._opened_by: int | None = None

    def holding(self) -> bool:
        return self._holder == threading.get_ident()

    def acquire(self) -> int:
        deadline = time.monotonic() + self.timeout
        if not self._in_process.acquire(timeout=self.timeout):
            raise _locked()
        try:
            descriptor = self._open()
            pause = 0.00005
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _locked() from None
                    time.sleep(pause)
                    pause = min(pause * 2, self.POLL_CAP)
        except BaseException:
            self._in_process.release()
            raise
        self._holder = threading.get_ident()
        return descriptor

    def release(self, descriptor: int) -> bool:
        """End this turn; True when this process is due to checkpoint the WAL (every
        ``CHECKPOINT_EVERY_TURNS`` turns, about SQLite's default of 1,000 pages)."""
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        self._turns += 1
        due = self._turns >= CHECKPOINT_EVERY_TURNS
        if due:
            self._turns = 0
        self._holder = None
        self._in_process.release()
        return due

    def close(self) -> None:
        """Close this process's descriptor (the engine is disposed of or collected)."""
        # Bounded like a turn: a finalizer must never hang the thread it runs in.
        if not self._in_process.acquire(timeout=self.timeout):
            return
        try:
            if self._descriptor is not None and self._opened_by == os.getpid():
                os.close(self._descriptor)
            self._descriptor = None
        finally:
            self._in_process.release()

    def _open(self) -> int:
        """This process's descriptor of the lock file (called holding ``_in_process``)."""
        if self._descriptor is None or self._opened_by != os.getpid():
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._opened_by = os.getpid()
        return self._descriptor


_WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()


def _locked(waiting_for: str = "the writer queue") -> OperationalError:
    return OperationalError(
        f"BEGIN (waiting for {waiting_for})", None, Exception("database is locked")
    )


def _wait_turn(connection: Connection, queue: WriterQueue) -> None:
    """Take the writer queue as a transaction begins; it is left when the connection goes
    back to the pool, after its commit or rollback (the ``checkin`` listener)."""
    record = connection.connection._connection_record  # type: ignore[attr-defined]
    if "writer_queue" in record.info or queue.holding():
        # Either this connection already has its turn, or this thread holds the queue
        # through another connection (a nested transaction): waiting would wait on
        # ourselves, so SQLite's busy handler decides for this one.
        return
    record.info["writer_queue"] = queue.acquire()


class TurnConnection:
    """A connection in a write transaction (``Database.turn``), and an ORM session on the
    same connection and transaction, opened the first time it is asked for.

    Once opened, the session takes the transaction over: it commits (flushing what actions
    wrote through it, after the Core statements) or rolls it back, so its commit and rollback
    events fire as for any session (``predicate_cache`` listens to them).
    """

    def __init__(self, connection: Connection, sessions: sessionmaker[Session]) -> None:
        self.connection = connection
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def engine(self) -> Engine:
        return self.connection.engine

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._sessions(
                bind=self.connection, join_transaction_mode="control_fully"
            )
        return self._session

    def end(self, transaction: RootTransaction, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            transaction.commit() if commit else transaction.rollback()
            return
        try:
            session.commit() if commit else session.rollback()
        finally:
            session.close()


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions: sessionmaker[Session] | None = None
        self._one_at_a_time = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def one_at_a_time(self) -> Iterator[None]:
        """On SQLite, one webhook request of this process at a time, from its first byte of
        work to its answer; on PostgreSQL, no wait at all.

        SQLite takes one writer at a time anyway. With the request's other work (form,
        signature, rendering) done by the same thread, the writer no longer shares its
        process's GIL with three other requests' work while it holds the write lock: the hold
        per turn fell from 1.56-1.60 to 1.08-1.29 ms under wrk (README, benchmarks). Only for
        a request that waits on nothing else: the Telegram webhook calls the Bot API and is
        left out. The wait is bounded like a writer's; past it, ``OperationalError`` (a 503).
        PostgreSQL's row locks let turns run side by side, and its round trips leave the GIL
        to the others meanwhile.
        """
        if not self.is_sqlite:
            yield
            return
        if not self._one_at_a_time.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise _locked("this process's turn")
        try:
            yield
        finally:
            self._one_at_a_time.release()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def turn(self) -> Iterator[TurnConnection]:
        """A Core connection in one transaction, committed on success and rolled back on
        error, with an ORM session on it only if something asks for one (``TurnConnection``).

        For a resident's turn, whose few statements are Core: the session's own transaction
        bookkeeping cost more than they did (35 µs a turn), inside the write lock.
        """
        with self.engine.connect() as connection:
            transaction = connection.begin()
            work = TurnConnection(connection, self.sessions)
            try:
                yield work
            except BaseException:
                work.end(transaction, commit=False)
                raise
            work.end(transaction, commit=True)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (reports, admin pages); never commits.

        On SQLite it comes from a second engine whose transactions take no write lock; on
        PostgreSQL readers never block writers, so it is the same engine.
        """
        if not self.is_sqlite:
            with self.sessions() as session:
                yield session
            return
        if self._read_sessions is None:
            reader = make_engine(self.url, writer=False)
            self._read_sessions = sessionmaker(reader, expire_on_commit=False)
        with self._read_sessions() as session:
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
        queue = _WRITER_QUEUES.pop(self.engine, None)
        if queue is not None:
            queue.close()
        if self._read_sessions is not None:
            bind = self._read_sessions.kw["bind"]
            bind.dispose()
