"""Shared helpers for the outreach tests: an event in the database, a contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.conversations import Deps, conversation_of, save_turn
from bot.engine import Turn
from bot.models import Contact, Message
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


def start_for(vecino, session, contact: Contact, flow_id: str, params: dict, now: datetime) -> Turn:  # type: ignore[no-untyped-def]
    """What the outbox sender does for a flow row, without the provider: ``Engine.start``,
    the state and the messages stored."""
    state, conversation = conversation_of(contact)
    deps = Deps(session, contact, vecino.settings, now)
    turn = vecino.engine.start(conversation, flow_id, now, deps, params=params)
    if not turn.messages:
        return turn
    save_turn(session, contact, state, turn, now)
    for message in turn.messages:
        session.add(
            Message(
                contact_id=contact.id,
                channel=contact.channel,
                direction="out",
                body=message.text,
                payload=message.to_payload(),
                status="started",
                created_at=now,
            )
        )
    return turn
