"""What every admin request needs: the services, the clock, the signed-in user, the language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app, g, request
from sqlalchemy.orm import Session

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
    """For pages that only read: on SQLite a session that never takes the write lock
    residents' webhooks wait for (``Database.reading``)."""
    with services().db.reading() as session:
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
