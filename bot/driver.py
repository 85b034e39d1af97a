"""SQLite statements compiled once by SQLAlchemy and run on the driver's own cursor.

A resident's turn runs a handful of small statements holding SQLite's write lock, the one
lock every turn of every gunicorn worker waits for. SQLAlchemy's execution path (context,
result, events) costs about 15 µs a statement there, where ``sqlite3`` takes 1 µs for the same
call. So ``bot.turn_storage`` sends its SQLite statements this way, inside the transaction
SQLAlchemy began (``BEGIN IMMEDIATE``, the writer queue) and commits.

Everything else stays SQLAlchemy's: the SQL comes from the same Core statements and table
definitions, values go through each column type's own bind and result processors (dates, JSON),
and a driver error is raised as SQLAlchemy's exception for it, so callers that retry on
``OperationalError`` or answer 503 see what they always saw. SQLAlchemy's cursor events do not
hear these statements: count them at the driver (``bench.statements.driver_statements``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class DriverStatement:
    """One Core statement, compiled for SQLite once, run with ``sqlite3`` directly."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        if dialect.name != "sqlite":
            raise ValueError("driver statements are for SQLite")
        compiled = statement.compile(dialect=dialect)
        self.dialect = dialect
        self.sql = compiled.string
        names = compiled.positiontup or []
        binds = compiled.binds
        # (name, constant, processor): a bind the statement fixed itself (``unreachable_at =
        # NULL``) has no name to look up and keeps its own value; every other one comes from
        # the caller.
        self._binds = [
            (
                name if binds[name].required else None,
                None if binds[name].required else binds[name].value,
                binds[name].type.dialect_impl(dialect).bind_processor(dialect),
            )
            for name in names
        ]
        returned = getattr(statement, "exported_columns", ())
        self._results: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
        ]

    def run(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute with ``values`` (by bind name); the rows it returns, processed."""
        parameters = self._parameters(values)
        cursor = self._execute(connection, parameters)
        rows = cursor.fetchall() if self._results else []
        cursor.close()
        return [self._row(row) for row in rows]

    def _parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            _processed(constant if name is None else values[name], processor)
            for name, constant, processor in self._binds
        )

    def _row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        processed = zip(row, self._results, strict=True)
        return tuple(_processed(value, processor) for value, processor in processed)

    def _execute(self, connection: Connection, parameters: tuple[Any, ...]) -> sqlite3.Cursor:
        driver = connection.connection.driver_connection
        if not isinstance(driver, sqlite3.Connection):
            raise TypeError("driver statements run on a sqlite3 connection")
        try:
            return driver.execute(self.sql, parameters)
        except sqlite3.Error as error:
            # SQLAlchemy's own exception (OperationalError for "database is locked", ...), with
            # the values hidden as the engine's ``hide_parameters`` hides them.
            raise exc.DBAPIError.instance(
                self.sql,
                parameters,
                error,
                sqlite3.Error,
                hide_parameters=True,
                dialect=self.dialect,
            ) from error


def run(connection: Connection, statement: Executable, values: Mapping[str, Any]) -> list[Any]:
    """``statement`` with ``values`` on ``connection``: on SQLite through the driver (compiled
    the first time), elsewhere through SQLAlchemy. The rows it returns."""
    if connection.dialect.name != "sqlite":
        return list(connection.execute(statement, dict(values)))
    return _compiled(statement, connection.dialect).run(connection, values)


_COMPILED: dict[tuple[Executable, str], DriverStatement] = {}


def _compiled(statement: Executable, dialect: Dialect) -> DriverStatement:
    # Keyed by the dialect's name, not the object (one per engine): every SQLite engine here
    # is made by bot.db.make_engine with the same settings, so they compile alike. The
    # statements are module constants, so the cache stays as small as they are.
    key = (statement, dialect.name)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = DriverStatement(statement, dialect)
    return found


def _processed(value: Any, processor: Processor) -> Any:
    # None goes through too, as SQLAlchemy sends it: JSON stores it as 'null', say.
    return value if processor is None else processor(value)
