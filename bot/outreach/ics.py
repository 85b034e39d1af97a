"""An event as an RFC 5545 calendar file: pure text from the event's public fields.

No personal data goes in (no organizer address, no attendees). The UID comes from the event's
public token, so re-downloading the file updates the same calendar entry; SEQUENCE tells the
calendar which version is newer, and a cancelled event carries ``STATUS:CANCELLED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Vecino//Events//EN"
UID_DOMAIN = "vecino.events"
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEntry:
    """The public part of an event, bilingual text already joined by the caller."""

    token: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    stamp: datetime  # DTSTAMP: when this version of the event was last changed
    sequence: int
    cancelled: bool
    location: str | None = None
    url: str | None = None


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (3.1), never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    limit = MAX_LINE_OCTETS
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = ""
            limit = MAX_LINE_OCTETS - 1  # continuation lines start with one space
        current += char
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_ics(entry: CalendarEntry) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{entry.token}@{UID_DOMAIN}",
        f"DTSTAMP:{utc_stamp(entry.stamp)}",
        f"DTSTART:{utc_stamp(entry.starts_at)}",
        f"DTEND:{utc_stamp(entry.ends_at)}",
        f"SEQUENCE:{entry.sequence}",
        f"STATUS:{'CANCELLED' if entry.cancelled else 'CONFIRMED'}",
        f"SUMMARY:{escape_text(entry.summary)}",
        f"DESCRIPTION:{escape_text(entry.description)}",
    ]
    if entry.location:
        lines.append(f"LOCATION:{escape_text(entry.location)}")
    if entry.url:
        lines.append(f"URL:{entry.url}")  # a URI value: not TEXT-escaped (3.3.13)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
