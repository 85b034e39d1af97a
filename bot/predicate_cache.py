"""Menu predicates ("is a survey open?", "does the directory have places?") remembered per
process, so rendering the menu costs no query inside the write lock.

A cached answer is dropped

- at once, in this process, when a session commits (or rolls back) a change to a table the
  predicate watches: ORM objects flushed, or ORM-enabled ``insert``/``update``/``delete``
  statements run through a session (how ``surveys.store`` and ``directory.search`` write);
- after ``TTL`` seconds otherwise, which bounds how long another process (the worker, the CLI,
  a second gunicorn worker) changing them goes unseen here.

So a survey closed from another process may still show in this process's menu for up to
``TTL`` seconds; choosing it then reads the database again and answers that none is open.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Table, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

TTL = 5.0  # seconds; see the module docstring
_STALE = "predicate_cache_stale"  # Session.info key: this transaction changed watched tables

Predicate = Callable[[Any], bool]


class _Cache:
    """Answers per engine and predicate, with a generation so that an answer computed while a
    change committed is not kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: weakref.WeakKeyDictionary[Engine, dict[str, tuple[bool, float]]] = (
            weakref.WeakKeyDictionary()
        )
        self.generation = 0
        self.watched: set[str] = set()

    def get(self, engine: Engine, name: str, now: float) -> bool | None:
        with self._lock:
            found = self._answers.get(engine, {}).get(name)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def put(self, engine: Engine, name: str, answer: bool, until: float, generation: int) -> None:
        with self._lock:
            if generation == self.generation:
                self._answers.setdefault(engine, {})[name] = (answer, until)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._answers.clear()


_cache = _Cache()


def cached(predicate: Predicate, *watching: Any) -> Predicate:
    """``predicate`` remembered for ``TTL`` seconds per database, forgotten when a session
    commits a change to one of the ``watching`` models' tables."""
    tables = {_table_of(model).name for model in watching}
    _cache.watched |= tables
    name = f"{predicate.__module__}.{predicate.__qualname__}"

    def remembered(deps: Any) -> bool:
        if deps is None:
            return predicate(deps)
        engine = _engine_of(deps)
        now = time.monotonic()
        answer = _cache.get(engine, name, now)
        if answer is None:
            generation = _cache.generation
            answer = bool(predicate(deps))
            _cache.put(engine, name, answer, now + TTL, generation)
        return answer

    remembered.__doc__ = predicate.__doc__
    remembered.__wrapped__ = predicate  # type: ignore[attr-defined]
    return remembered


def _engine_of(deps: Any) -> Engine:
    """The engine answers are kept for. ``bot.conversations.Deps`` knows it without opening
    its session; anything else with a ``session`` will do too (its bind may be a connection)."""
    database = getattr(deps, "database", None)
    return database if database is not None else deps.session.get_bind().engine


def _table_of(model: Any) -> Table:
    return model if isinstance(model, Table) else model.__table__


def _touches(session: Session, table_names: set[str]) -> None:
    if table_names & _cache.watched:
        session.info[_STALE] = True
        _cache.clear()  # this session's own reads must not see the old answer either


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    changed = {
        _table_of(type(obj)).name
        for obj in (*session.new, *session.dirty, *session.deleted)
        if hasattr(type(obj), "__table__")
    }
    _touches(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _touches(state.session, {table.name})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _after_end(session: Session, *_args: Any) -> None:
    # Again once the change is visible (or undone): an answer read before then is stale.
    if session.info.pop(_STALE, False):
        _cache.clear()
