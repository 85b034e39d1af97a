"""Fixtures for the outbox and the worker: the app pointed at a loopback fake of Twilio's REST
API, a dispatcher, and a few helpers."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.channels.senders import build_senders
from bot.channels.twilio_rest import TwilioRestSender
from bot.conversations import lock_contact
from bot.engine import Outbound
from bot.models import Contact, OutboxMessage
from bot.outbound import outbox
from bot.outbound.dispatch import Dispatcher
from bot.outbound.pacing import Pacer

from ..conftest import _empty_all_tables, settings_with
from ..fake_twilio_api import FakeTwilioApi

NUMBER = "+12135550123"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


@pytest.fixture
def vecino(settings, clock, fake_twilio):  # type: ignore[no-untyped-def]
    app = create_app(settings_with(settings, twilio_api_base_url=fake_twilio.base_url), clock)
    yield app.extensions["vecino"]
    app.extensions["vecino"].db.dispose()
    _empty_all_tables(settings.database_url)


def dispatcher(vecino, clock, worker: str = "w1", timeout: float | None = None) -> Dispatcher:  # type: ignore[no-untyped-def]
    senders, _ = build_senders(vecino)
    if timeout is not None:
        senders["sms"] = TwilioRestSender(vecino.settings, timeout=timeout)
    pacers = {name: Pacer(vecino.db, name, 1000.0) for name in ("twilio", "console", "telegram")}
    return Dispatcher(
        vecino.db, vecino.engine, vecino.settings, senders, pacers, worker, clock, random.Random(1)
    )


def add_contact(vecino, clock, address: str = NUMBER, language: str | None = "es") -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        contact = lock_contact(session, "sms", address, clock())
        contact.language = language
        return contact.id


def enqueue(vecino, clock, contact_id: int, key: str = "k1", **options) -> bool:  # type: ignore[no-untyped-def]
    options.setdefault("messages", [Outbound("Hola, vecino")])
    with vecino.db.transaction() as session:
        contact = session.get(Contact, contact_id)
        return outbox.enqueue(session, contact, reason="test", key=key, now=clock(), **options)


def row(vecino, key: str = "k1") -> OutboxMessage:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        ).one()


def contact_of(vecino, contact_id: int) -> Contact:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        found = session.get(Contact, contact_id)
        assert found is not None
        return found
