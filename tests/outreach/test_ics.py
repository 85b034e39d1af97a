"""The calendar file: RFC 5545 text from a pure function, and the public route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.outreach import store
from bot.outreach.ics import CalendarEntry, build_ics, escape_text, fold

from ..conftest import START
from .helpers import make_contact, make_event

ENTRY = CalendarEntry(
    token="abc123",
    summary="Asamblea; comida, vivienda",
    description="Línea uno\nLínea dos",
    starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 2, 3, 30, tzinfo=UTC),
    stamp=datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
    sequence=2,
    cancelled=False,
    location="630 W 5th St, Los Angeles",
    url="https://meet.example.org/th",
)


def test_ics_lines_end_in_crlf_and_carry_the_fields():
    text = build_ics(ENTRY)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[:6] == [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Vecino//Events//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
    ]  # fmt: skip
    for line in (
        "UID:abc123@vecino.events",
        "DTSTAMP:20261124T180000Z",
        "DTSTART:20261202T020000Z",
        "DTEND:20261202T033000Z",
        "SEQUENCE:2",
        "STATUS:CONFIRMED",
        "SUMMARY:Asamblea\\; comida\\, vivienda",
        "DESCRIPTION:Línea uno\\nLínea dos",
        "LOCATION:630 W 5th St\\, Los Angeles",
        "URL:https://meet.example.org/th",
    ):
        assert line in lines


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "ñ" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
    assert fold("SHORT:x") == "SHORT:x"


def test_escaping_backslash_first():
    assert escape_text("a\\b;c,d\r\ne") == "a\\\\b\\;c\\,d\\ne"


def test_route_serves_a_stable_calendar_without_personal_data(client, vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        event = make_event(session)
        contact = make_contact(session)
        store.answer(session, event, contact.id, "yes", "text", START)
        token, event_id = event.token, event.id
    first = client.get(f"/events/{token}.ics")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = first.get_data(as_text=True)
    assert f"UID:{token}@vecino.events\r\n" in body
    assert "SUMMARY:Asamblea: comida y vivienda / Town hall: food and housing\r\n" in body
    assert "DTSTART:20261202T020000Z\r\n" in body and "SEQUENCE:0\r\n" in body
    assert "+1213" not in body and "ATTENDEE" not in body and "ORGANIZER" not in body
    assert client.get(f"/events/{token}.ics").get_data(as_text=True) == body  # stable
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        store.reschedule(session, event, START, starts_at=event.starts_at + timedelta(hours=1))
        store.cancel_event(session, event, START + timedelta(minutes=5))
    changed = client.get(f"/events/{token}.ics").get_data(as_text=True)
    assert "SEQUENCE:2\r\n" in changed and "STATUS:CANCELLED\r\n" in changed
    assert "DTSTART:20261202T030000Z\r\n" in changed
    assert "DTSTAMP:20261124T180500Z\r\n" in changed
    assert f"UID:{token}@vecino.events\r\n" in changed


def test_unknown_token_is_404(client):  # type: ignore[no-untyped-def]
    assert client.get("/events/nope.ics").status_code == 404
