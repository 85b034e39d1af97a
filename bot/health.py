"""``GET /healthz``: 200 when the database answers and its schema is the code's; 503 with the
reason otherwise (down, too slow, or not migrated: every webhook would fail)."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from .db import UNAVAILABLE, Database

blueprint = Blueprint("health", __name__)


@cache
def expected_revisions() -> frozenset[str]:
    """The migration heads this code was written for (read from ``migrations/`` once)."""
    from alembic.script import ScriptDirectory

    from .schema import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def problem(db: Database) -> str | None:
    """Why the database cannot serve requests, or None when it can."""
    try:
        connection = db.engine.connect()
    except Exception:
        return "database did not answer"
    try:
        found = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except UNAVAILABLE as error:
        if _missing_table(error):
            return "database is not migrated: run vecino db upgrade"
        return f"database did not answer in time ({type(error.orig).__name__})"
    finally:
        connection.close()
    expected = expected_revisions()
    if found != expected:
        have = ", ".join(sorted(found)) or "none"
        return f"database schema is at {have}, the code needs {', '.join(sorted(expected))}"
    return None


def _missing_table(error: Exception) -> bool:
    # PostgreSQL: UndefinedTable (a ProgrammingError); SQLite: an OperationalError that says so.
    return type(error).__name__ == "ProgrammingError" or "no such table" in str(error)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    reason = problem(current_app.extensions["vecino"].db)
    if reason is None:
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason=reason), 503
