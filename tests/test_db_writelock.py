"""SQLite writers queue on a lock file beside the database (bot.db.WriterQueue)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from bot import db
from bot.db import Database


def test_a_second_writer_waits_its_turn_and_then_commits(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)"))
    first_holds = threading.Event()
    first_may_commit = threading.Event()
    order: list[str] = []

    def first() -> None:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (who) VALUES ('first')"))
            first_holds.set()
            first_may_commit.wait(10)
            order.append("first committed")

    def second() -> None:
        first_holds.wait(10)
        with database.engine.begin() as connection:
            order.append("second began")
            connection.execute(text("INSERT INTO notes (who) VALUES ('second')"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds.wait(10)
    # The second writer is now waiting on the lock file, not inside a transaction.
    threads[1].join(0.3)
    assert order == []
    first_may_commit.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first committed", "second began"]
    assert (tmp_path / "queue.sqlite3.writelock").exists()
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT who FROM notes ORDER BY id")).scalars().all()
    assert rows == ["first", "second"]
    database.dispose()


def test_begin_immediate_is_sent_only_once_the_connection_has_its_turn(tmp_path: Path) -> None:
    # Taken the other way round, a writer waits for SQLite's lock inside BEGIN IMMEDIATE, in
    # the busy handler's 1-100 ms sleeps, which is what the queue exists to avoid (the webhook
    # benchmark saw BEGIN take 15 ms on average and up to 1.3 s).
    database = Database(f"sqlite:///{tmp_path / 'order.sqlite3'}")
    seen: list[tuple[str, bool]] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _sent(connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        has_turn = "writer_queue" in connection.connection._connection_record.info
        seen.append((statement, has_turn))

    with database.engine.begin() as connection:
        connection.execute(text("SELECT 1"))
    assert seen == [("BEGIN IMMEDIATE", True), ("SELECT 1", True)]
    database.dispose()


def test_a_nested_transaction_on_the_same_thread_does_not_wait_on_itself(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested.sqlite3'}")
    with database.engine.connect() as outer:
        outer.execute(text("SELECT 1"))  # outer holds the lock file (autobegin)
        outer.rollback()  # ... and SQLite's lock is free again, the lock file still held
        with database.engine.begin() as inner:  # would wait forever on the lock file
            assert inner.execute(text("SELECT 2")).scalar() == 2
    database.dispose()


def test_waiting_in_line_is_bounded_like_sqlites_own_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    database = Database(f"sqlite:///{tmp_path / 'bounded.sqlite3'}")
    holding = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with database.engine.begin() as connection:
            connection.execute(text("SELECT 1"))
            holding.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    try:
        with (
            pytest.raises(OperationalError, match="database is locked"),
            database.engine.begin() as connection,
        ):
            connection.execute(text("SELECT 1"))
    finally:
        done.set()
        holder.join(10)
    with database.engine.begin() as connection:  # the queue is free again afterwards
        assert connection.execute(text("SELECT 3")).scalar() == 3
    database.dispose()


def test_reading_sessions_never_wait_for_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    database = Database(f"sqlite:///{tmp_path / 'reads.sqlite3'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)"))
        connection.execute(text("INSERT INTO notes (who) VALUES ('before')"))
    holding, done = threading.Event(), threading.Event()

    def write() -> None:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (who) VALUES ('uncommitted')"))
            holding.set()
            done.wait(10)

    writer = threading.Thread(target=write)
    writer.start()
    holding.wait(10)
    try:
        # A writer's transaction would time out here (200 ms); a reader sees the last commit.
        with database.reading() as session:
            rows = session.execute(text("SELECT who FROM notes")).scalars().all()
        assert rows == ["before"]
    finally:
        done.set()
        writer.join(10)
    database.dispose()


def test_the_queue_keeps_one_lock_file_open_per_process(tmp_path: Path) -> None:
    queue = db.WriterQueue(tmp_path / "kept.writelock", timeout=0.2)
    first = queue.acquire()
    queue.release(first)
    second = queue.acquire()
    queue.release(second)
    assert first == second  # no open and close per transaction
    queue.close()


def test_a_forked_worker_does_not_share_the_parents_turn(tmp_path: Path) -> None:
    # gunicorn --preload forks workers from a process that may have opened the lock file: an
    # flock belongs to the open file, so a shared descriptor would let both hold it at once.
    import multiprocessing

    queue = db.WriterQueue(tmp_path / "forked.writelock", timeout=0.3)
    queue.release(queue.acquire())  # the parent's descriptor is open now
    context = multiprocessing.get_context("fork")
    child_holds, parent_done = context.Event(), context.Event()

    def hold_in_child() -> None:
        descriptor = queue.acquire()
        child_holds.set()
        parent_done.wait(10)
        queue.release(descriptor)

    child = context.Process(target=hold_in_child)
    child.start()
    try:
        assert child_holds.wait(10)
        with pytest.raises(OperationalError, match="database is locked"):
            queue.acquire()
    finally:
        parent_done.set()
        child.join(10)
    queue.release(queue.acquire())  # free again once the child let go
    queue.close()


def test_the_wal_is_checkpointed_after_the_turn_not_inside_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's automatic checkpoint runs inside COMMIT, holding the write lock 4-5 ms every few
    # hundred messages while every other writer waits; the writer engine turns it off and
    # checkpoints once the turn has left the queue.
    monkeypatch.setattr(db, "CHECKPOINT_EVERY_TURNS", 5)
    path = tmp_path / "wal.sqlite3"
    database = Database(f"sqlite:///{path}")
    with database.engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)"))

    def frames_in_wal() -> int:
        import sqlite3

        with sqlite3.connect(path) as side:  # PASSIVE: (busy, frames in the WAL, copied)
            return side.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]

    for turn in range(4):  # the turns 2-5; the checkpoint follows the fifth
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (who) VALUES (:who)"), {"who": str(turn)})
    with database.engine.begin() as connection:  # the sixth writes from the WAL's start again
        connection.execute(text("INSERT INTO notes (who) VALUES ('after')"))
    assert frames_in_wal() <= 2  # the sixth turn's pages only, not all six turns'
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar() == 5
    database.dispose()


@pytest.mark.parametrize(("given", "level"), [(None, 1), ("full", 2), ("NORMAL", 1)])
def test_sqlite_durability_is_normal_unless_full_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str | None, level: int
) -> None:
    if given is None:
        monkeypatch.delenv("VECINO_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("VECINO_SQLITE_SYNCHRONOUS", given)
    database = Database(f"sqlite:///{tmp_path / 'durable.sqlite3'}")
    with database.engine.connect() as connection:  # PRAGMA synchronous: 1 NORMAL, 2 FULL
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == level
    database.dispose()


def test_a_mistyped_durability_setting_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VECINO_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        Database(f"sqlite:///{tmp_path / 'typo.sqlite3'}")
