"""How an event reads to a resident (SMS, Telegram) and in a calendar, in their language."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from ..i18n import local_date, local_pattern, local_time
from . import messages as m
from .ics import CalendarEntry
from .models import CANCELLED, OutreachEvent

Gettext = Callable[..., str]


def when(event: OutreachEvent, language: str | None, gettext: Gettext) -> str:
    """``When: Tuesday, December 3, 6:00 PM to 7:30 PM``, in the event's time zone."""
    return gettext(
        m.WHEN,
        date=local_date(event.starts_at, language, event.timezone, format="full"),
        start=local_time(event.starts_at, language, event.timezone),
        end=local_time(event.ends_at, language, event.timezone),
    )


def card(
    event: OutreachEvent, language: str | None, gettext: Gettext, calendar_url: str | None = None
) -> str:
    """The event as an SMS: title, when, where, link, details, calendar link."""
    lines = [event.title(language), when(event, language, gettext)]
    if event.place:
        lines.append(gettext(m.WHERE, place=event.place))
    if event.link:
        lines.append(gettext(m.ONLINE, link=event.link))
    details = event.sms_details(language)
    if details:
        lines.append(details)
    if calendar_url:
        lines.append(gettext(m.CALENDAR, url=calendar_url))
    return "\n".join(lines)


def short_label(event: OutreachEvent, language: str | None) -> str:
    """``Tue Dec 3, 6:00 PM: Town hall``, to tell two events apart by date."""
    return f"{short_when(event, language)}: {event.title(language)}"


def short_when(event: OutreachEvent, language: str | None) -> str:
    """``Tue Dec 3, 6:00 PM`` in the event's time zone: interview slots differ by this alone."""
    local = event.starts_at.astimezone(ZoneInfo(event.timezone))
    day = local_pattern(local, "EEE d MMM" if language == "es" else "EEE MMM d", language)
    return f"{day}, {local_time(event.starts_at, language, event.timezone)}"


def calendar_url(base_url: str | None, event: OutreachEvent) -> str | None:
    return f"{base_url.rstrip('/')}/events/{event.token}.ics" if base_url else None


def calendar_entry(event: OutreachEvent) -> CalendarEntry:
    """Both languages in one entry: the file is public, and families read either."""
    summary = event.title_es
    if event.title_en != event.title_es:
        summary = f"{event.title_es} / {event.title_en}"
    description = "\n\n".join(text for text in (event.description_es, event.description_en) if text)
    return CalendarEntry(
        token=event.token,
        summary=summary,
        description=description or summary,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        stamp=event.updated_at,
        sequence=event.sequence,
        cancelled=event.status == CANCELLED,
        location=event.place,
        url=event.link,
    )
