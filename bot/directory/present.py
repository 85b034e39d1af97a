"""Result pages: at most three places, each whole, in at most three SMS segments.

Every entry has the name (in the resident's language when we have it), address, phone, today's
hours or the next opening, and the distance. A page takes three entries when they fit in three
segments, else two, else one: an entry is never cut. SMS pages are written in GSM-7 characters
(á -> a, and so on), because one accented letter would switch the whole message to UCS-2 and
fit less than half as much in the same three segments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import local_number, local_pattern
from ..segments import GSM7_BASIC, GSM7_EXTENSION, count_segments
from . import messages as m
from . import schedules
from .models import DirectoryPoint, Location, Phone, Service, ServiceAtLocation, localized
from .search import Hit

PAGE_SIZE = 3
MAX_SEGMENTS = 3
STALE_AFTER_DAYS = 365

Gettext = Callable[..., str]


@dataclass(frozen=True)
class Entry:
    hit: Hit
    name: str
    address: str
    phone: str | None
    rules: tuple[schedules.Rule, ...]
    verified: date | None


def load_entries(session: Session, hits: Sequence[Hit], language: str | None) -> list[Entry]:
    """What each hit needs on screen; hits whose record has gone are dropped."""
    ids = [hit.service_at_location_id for hit in hits]
    rows = {
        sal.id: (sal, service, location)
        for sal, service, location in session.execute(
            select(ServiceAtLocation, Service, Location)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.id.in_(ids))
        )
    }
    hours = dict(
        session.execute(
            select(DirectoryPoint.service_at_location_id, DirectoryPoint.hours).where(
                DirectoryPoint.service_at_location_id.in_(ids)
            )
        ).all()
    )
    entries = []
    for hit in hits:
        if hit.service_at_location_id not in rows:
            continue
        sal, service, location = rows[hit.service_at_location_id]
        organization = service.organization
        name = service.display_name(language)
        if organization is not None and not name:
            name = localized(
                organization.name, organization.name_en, organization.name_es, language
            )
        address = ", ".join(p for p in (location.address_1, location.city) if p)
        entries.append(
            Entry(
                hit,
                name,
                address,
                _phone(session, sal, service, location),
                tuple(schedules.decode(hours.get(sal.id, ""))),
                service.last_verified_on
                or (organization.last_verified_on if organization else None),
            )
        )
    return entries


def _phone(
    session: Session, sal: ServiceAtLocation, service: Service, location: Location
) -> str | None:
    for column, key in (
        (Phone.service_at_location_id, sal.id),
        (Phone.service_id, service.id),
        (Phone.location_id, location.id),
        (Phone.organization_id, service.organization_id),
    ):
        if key is None:
            continue
        number = session.scalar(select(Phone.number).where(column == key).order_by(Phone.id))
        if number:
            return number
    return None


def short_time(value: time) -> str:
    """``9am``, ``8:30am``, ``12pm``: how LA writes hours in both languages, and short."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


def short_span(opens: time, closes: time) -> str:
    start, end = short_time(opens), short_time(closes)
    if start[-2:] == end[-2:]:
        start = start[:-2]  # "12-5pm", "8:30-9am"
    return f"{start}-{end}"


def hours_line(entry: Entry, now: datetime, tz: str, language: str | None, gettext: Gettext) -> str:
    status = schedules.status(entry.rules, now, tz)
    if not status.known:
        return gettext(m.CALL_FOR_HOURS)
    today = ", ".join(short_span(o, c) for o, c in status.today)
    if status.open_now:
        return gettext(m.OPEN_NOW_TODAY, hours=today)
    if status.next_opening is None:
        return gettext(m.NO_UPCOMING_HOURS)
    local_now = now.astimezone(status.next_opening.tzinfo)
    if status.next_opening.date() == local_now.date():
        return gettext(m.TODAY, hours=today)
    when = _when(status.next_opening, local_now, language, gettext)
    return gettext(m.CLOSED_NOW_NEXT, when=when)


def _when(moment: datetime, now: datetime, language: str | None, gettext: Gettext) -> str:
    clock = short_time(moment.time())
    days = (moment.date() - now.date()).days
    if days == 1:
        return gettext(m.TOMORROW_AT, time=clock)
    day = local_pattern(moment, "EEE", language)  # "Wed" / "mié", from CLDR
    if days < 7:
        return gettext(m.DAY_AT, day=day, time=clock)
    month = local_pattern(moment, "MMM", language)
    return gettext(m.DATE_AT, day=day, month=month, date=moment.day, time=clock)


def entry_text(
    number: int, entry: Entry, now: datetime, tz: str, language: str | None, gettext: Gettext
) -> str:
    # "0 mi" reads like a mistake; a place on the resident's own block is "<0.1 mi".
    miles = (
        "<" + local_number(0.1, language, 1)
        if entry.hit.miles < 0.05
        else (local_number(entry.hit.miles, language, 1))
    )
    lines = [f"{number}. {entry.name} ({miles} mi)"]
    if entry.address:
        lines.append(entry.address)
    if entry.phone:
        lines.append(entry.phone)
    lines.append(hours_line(entry, now, tz, language, gettext))
    return "\n".join(lines)


def gsm_friendly(text: str) -> str:
    """Replace characters outside GSM-7 with their closest GSM-7 letter when there is one."""
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        replacement = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}.get(ch)
        out.append(replacement or (base if base and all(c in GSM7_BASIC for c in base) else ch))
    return "".join(out)


@dataclass(frozen=True)
class Page:
    text: str
    shown: list[Entry]


def build_page(
    header: str,
    entries: Sequence[Entry],
    more_after: Callable[[int], bool],
    now: datetime,
    tz: str,
    language: str | None,
    gettext: Gettext,
    sms: bool,
    first_number: int = 1,
) -> Page:
    """The longest page (3, 2 or 1 entries) that fits ``MAX_SEGMENTS`` of SMS; never a partial
    entry. Other channels have no segments and always get up to three entries.

    ``more_after(n)``: whether results remain after showing ``n`` of these entries. Numbers
    continue across pages (4, 5, 6 after MORE), so "number 4" means one place in the chat.
    """
    texts = [
        entry_text(n, entry, now, tz, language, gettext)
        for n, entry in enumerate(entries[:PAGE_SIZE], start=first_number)
    ]
    for count in range(len(texts), 0, -1):
        footer = []
        shown_oldest = min((e.verified for e in entries[:count] if e.verified), default=None)
        if shown_oldest and (now.date() - shown_oldest) > timedelta(days=STALE_AFTER_DAYS):
            footer.append(gettext(m.VERIFIED_LONG_AGO, year=shown_oldest.year))
        footer.append(gettext(m.REPLY_MORE if more_after(count) else m.NO_MORE_RESULTS))
        text = "\n".join([header, *texts[:count], *footer])
        if sms:
            text = gsm_friendly(text)
        # Segments are an SMS cost; Telegram and WhatsApp show three entries whatever.
        if not sms or count == 1 or count_segments(text).segments <= MAX_SEGMENTS:
            return Page(text, list(entries[:count]))
    return Page(gsm_friendly(header) if sms else header, [])
