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
    ("admin.events", N_("Events"), ("admin", "organizer", "partner")),
    ("admin.broadcasts_list", N_("Broadcasts"), ("admin", "organizer")),
    ("admin.votes_page", N_("Votes"), ("admin", "organizer")),
    ("admin.comments_page", N_("Public comment"), ("admin", "organizer")),
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


LANGUAGE_NAMES = {"es": N_("Spanish"), "en": N_("English"), "none": N_("Not chosen yet")}


def language_name(code: str | None) -> str:
    """A contact's language as a word (``none``: they have not chosen one yet)."""
    return _(LANGUAGE_NAMES.get(code or "none", code or ""))


def org_timezone() -> str:
    return services().settings.timezone


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
        language_name=language_name,
        org_timezone=org_timezone,
        current_path=lambda: request.full_path.rstrip("?"),
    )
