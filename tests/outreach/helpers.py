"""Shared helpers for the outreach tests: an event in the database, a contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Contact
from bot.outreach import store
from bot.outreach.store import EventDraft

from ..conftest import START

TOWN_HALL_AT = START + timedelta(days=7, hours=8)  # Tuesday Dec 1 2026, 18:00 in Los Angeles


def draft(**changes: object) -> EventDraft:
    values: dict = {
        "kind": "town_hall",
        "title_en": "Town hall: food and housing",
        "title_es": "Asamblea: comida y vivienda",
        "starts_at": TOWN_HALL_AT,
        "timezone": "America/Los_Angeles",
        "place": "Central Library, 630 W 5th St",
        "link": "https://meet.example.org/th",
    }
    values.update(changes)
    return EventDraft(**values)


def make_event(session, now: datetime = START, **changes: object):  # type: ignore[no-untyped-def]
    return store.create_event(session, draft(**changes), now)


def make_contact(session, address: str = "+12135550123", language: str = "es") -> Contact:  # type: ignore[no-untyped-def]
    contact = Contact(channel="sms", address=address, language=language, first_seen_at=START)
    session.add(contact)
    session.flush()
    return contact
