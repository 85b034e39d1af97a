"""Template helpers: translation, local dates, masked numbers, the role's menu."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from flask import Flask, request

from bot.i18n import N_, locale_for
from bot.privacy import mask_address

from .context import current_user, language, services
from .context import gettext as _

ROLE_NAMES = (N_("admin"), N_("organizer"), N_("partner"))  # shown through _(user.role)
MENU = (
    # endpoint, label, roles
    ("admin.dashboard", N_("Dashboard"), ("admin", "organizer", "partner")),
    ("admin.flags", N_("Staff flags"), ("admin", "organizer")),
    ("admin.conversations", N_("Conversations"), ("admin", "organizer")),
    ("admin.surveys", N_("Surveys"), ("admin", "organizer")),
    ("admin.needs", N_("Needs"), ("admin", "organizer")),
    ("admin.resources", N_("Resources"), ("admin", "organizer", "partner")),
    ("admin.audit_log", N_("Audit log"), ("admin",)),
)


def when(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(services().settings.timezone)
    return format_datetime(value.astimezone(tz), format=format, locale=locale_for(language()))


def number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=locale_for(language()))


def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return format_percent(value, format="#,##0.0%", locale=locale_for(language()))


def menu() -> list[tuple[str, str]]:
    user = current_user()
    if user is None:
        return []
    return [(endpoint, _(label)) for endpoint, label, roles in MENU if user.role in roles]


def configure(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=_,
        lang=language,
        user=current_user,
        when=when,
        number=number,
        percent=percent,
        mask=mask_address,
        menu=menu,
        current_path=lambda: request.full_path.rstrip("?"),
    )
