"""What every admin request needs: the services, the clock, the signed-in user, the language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app, g, request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from .models import AdminUser

LANGUAGES = ("es", "en")
LANGUAGE_COOKIE = "vecino_admin_lang"


def services() -> Any:
    return current_app.extensions["vecino"]


def now() -> datetime:
    vecino = services()
    clock = getattr(vecino, "clock", None) or vecino.conversations.clock
    return clock()


@contextmanager
def transaction() -> Iterator[Session]:
    """For changes: one transaction, committed on success."""
    with services().db.transaction() as session:
        yield session


@contextmanager
def reading() -> Iterator[Session]:
    """For pages that only read.

    On SQLite the app's transactions take the write lock up front (``BEGIN IMMEDIATE``, see
    ``bot/db.py``): a dashboard holding it while its aggregates run would make residents'
    webhooks wait. Reads get their own engine instead, whose plain SELECTs take no lock that a
    writer waits for (WAL mode). PostgreSQL readers never block writers, so they share the
    app's database.
    """
    db = services().db
    if not db.is_sqlite:
        with db.transaction() as session:
            yield session
        return
    factory = current_app.extensions.get("admin_read_sessions")
    if factory is None:
        engine = create_engine(db.url, connect_args={"timeout": 15, "check_same_thread": False})
        factory = current_app.extensions["admin_read_sessions"] = sessionmaker(
            engine, expire_on_commit=False
        )
    with factory() as session:
        yield session


def current_user() -> AdminUser | None:
    return g.get("admin_user")


def client_ip() -> str:
    # ProxyFix (VECINO_TRUSTED_PROXIES) has already put the real address here when configured.
    return (request.remote_addr or "unknown")[:64]


def language() -> str:
    """The signed-in user's choice, else the cookie set on the login page, else the browser's."""
    user = current_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def gettext(message: str, **params: object) -> str:
    return services().catalogs.gettext(language(), message, **params)
