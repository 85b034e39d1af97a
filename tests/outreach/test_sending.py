"""Invitations, reminders, notices and waitlist promotions through the outbox and the worker,
to a loopback fake of Twilio's REST API, in both languages. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from bot.cli import main
from bot.conversations import Envelope, lock_contact
from bot.engine import Inbound
from bot.models import OutboxMessage
from bot.outbound.status import OutboxStatus
from bot.outreach import sending, store
from scheduler import jobs

from ..outbound.conftest import dispatcher
from .helpers import TOWN_HALL_AT, make_event

ANA = "+12135550123"  # Spanish
BEN = "+12135550124"  # English


def contact(vecino, address: str, language: str) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        found = lock_contact(session, "sms", address, vecino.conversations.clock())
        found.language = language
        return found.id


def event(vecino, **changes: object) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return make_event(session, now=vecino.conversations.clock(), **changes).id


def invite(vecino, event_id: int, *contact_ids: int) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        found = store.get(session, event_id)
        return sending.invite(session, found, contact_ids, vecino.conversations.clock())


def say(vecino, text: str, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    envelope = Envelope("sms", address, Inbound(text), provider_id=f"SM{time.monotonic_ns()}")
    return [reply.text for reply in vecino.conversations.receive(envelope).replies]


def sent(fake_twilio, since: int = 0) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(call["To"], call["Body"]) for call in fake_twilio.calls[since:]]


def rows(vecino, reason: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.reason == reason)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def invited_and_answered(vecino, clock, fake_twilio, **changes: object) -> int:  # type: ignore[no-untyped-def]
    """Ana (es) and Ben (en) invited through the worker; Ana says sí, Ben says no."""
    event_id = event(vecino, **changes)
    invite(vecino, event_id, contact(vecino, ANA, "es"), contact(vecino, BEN, "en"))
    dispatcher(vecino, clock).run_once()
    say(vecino, "sí", ANA)
    say(vecino, "no", BEN)
    return event_id


def test_an_invitation_goes_out_once_in_each_language(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = event(vecino)
    ana, ben = contact(vecino, ANA, "es"), contact(vecino, BEN, "en")
    assert invite(vecino, event_id, ana, ben) == 2
    assert invite(vecino, event_id, ana, ben) == 0  # a second run queues nothing
    assert dispatcher(vecino, clock).run_once() == 2
    bodies = dict(sent(fake_twilio))
    assert bodies[ANA].startswith("Asamblea: comida y vivienda\nCuándo: martes, 1 de diciembre")
    assert "¿Puedes venir? Responde con un número." in bodies[ANA]
    assert bodies[BEN].startswith("Town hall: food and housing\nWhen: Tuesday, December 1")
    assert "Can you come? Reply with a number." in bodies[BEN]
    assert [r.status for r in rows(vecino, "event_invite")] == [OutboxStatus.SENT] * 2
    with vecino.db.transaction() as session:
        assert store.counts(session, event_id)["invited"] == 2
    assert say(vecino, "1", ANA) and say(vecino, "2", BEN)
    with vecino.db.transaction() as session:
        assert (store.counts(session, event_id)["yes"], store.counts(session, event_id)["no"]) == (
            1,
            1,
        )


def test_reminders_go_to_yes_only_when_due_and_never_after_the_start(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = invited_and_answered(vecino, clock, fake_twilio)
    before = len(fake_twilio.calls)
    clock.now = TOWN_HALL_AT - timedelta(minutes=1441)
    assert jobs.event_scan() == {"reminders": 0, "notices": 0}  # not due yet
    clock.advance(minutes=2)
    assert jobs.event_scan() == {"reminders": 1, "notices": 0}  # Ana only: Ben said no
    assert jobs.event_scan()["reminders"] == 0  # once, however often the job runs
    dispatcher(vecino, clock).run_once()
    [(to, body)] = sent(fake_twilio, before)
    assert to == ANA
    assert body.startswith(
        "Recordatorio de un evento al que dijiste que sí:\nAsamblea: comida y vivienda"
    )
    # The two-hour reminder is queued when due, but the worker only gets to it after the start.
    clock.now = TOWN_HALL_AT - timedelta(minutes=119)
    assert jobs.event_scan()["reminders"] == 1
    clock.now = TOWN_HALL_AT + timedelta(minutes=1)
    assert jobs.event_scan()["reminders"] == 0
    before = len(fake_twilio.calls)
    dispatcher(vecino, clock).run_once()
    assert sent(fake_twilio, before) == []
    assert [r.status for r in rows(vecino, "event_reminder")] == [
        OutboxStatus.SENT,
        OutboxStatus.EXPIRED,
    ]
    assert event_id


def test_a_worker_back_after_an_outage_sends_only_the_latest_due_reminder(
    vecino, clock, fake_twilio
):  # type: ignore[no-untyped-def]
    invited_and_answered(vecino, clock, fake_twilio)
    clock.now = TOWN_HALL_AT - timedelta(minutes=60)  # both the 1-day and 2-hour ones are due
    assert jobs.event_scan()["reminders"] == 1
    assert [r.idempotency_key.split(":")[3] for r in rows(vecino, "event_reminder")] == ["120"]


def test_cancel_tells_those_who_said_yes_once(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = invited_and_answered(vecino, clock, fake_twilio)
    clock.advance(hours=1)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["events", "cancel", str(event_id)])
    assert result.output == f"Event {event_id} cancelled.\n"
    assert jobs.event_scan() == {"reminders": 0, "notices": 1}
    assert jobs.event_scan() == {"reminders": 0, "notices": 0}
    before = len(fake_twilio.calls)
    dispatcher(vecino, clock).run_once()
    [(to, body)] = sent(fake_twilio, before)
    assert to == ANA
    assert body.startswith("Lo sentimos, este evento se canceló:\nAsamblea: comida y vivienda")
    assert runner.invoke(main, ["events", "cancel", str(event_id)]).output.endswith(
        "was cancelled.\n"
    )
    clock.now = TOWN_HALL_AT - timedelta(minutes=100)  # no reminder for a cancelled event
    assert jobs.event_scan() == {"reminders": 0, "notices": 0}


def test_a_change_is_not_announced_to_a_yes_given_after_it(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = event(vecino)
    invite(vecino, event_id, contact(vecino, ANA, "es"), contact(vecino, BEN, "en"))
    dispatcher(vecino, clock).run_once()
    say(vecino, "sí", ANA)
    clock.advance(hours=1)
    with vecino.db.transaction() as session:
        store.reschedule(session, store.get(session, event_id), clock(), place="Echo Park Library")
    clock.advance(minutes=5)
    say(vecino, "yes", BEN)  # heard of it after the change: the new place is what they saw
    assert jobs.event_scan()["notices"] == 1
    assert [r.contact_id for r in rows(vecino, "event_notice")] == [contact(vecino, ANA, "es")]


def test_a_freed_seat_queues_the_promotion_with_the_turn(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = event(vecino, capacity=1)
    invite(vecino, event_id, contact(vecino, ANA, "es"), contact(vecino, BEN, "en"))
    dispatcher(vecino, clock).run_once()
    say(vecino, "sí", ANA)
    say(vecino, "yes", BEN)  # waitlisted
    assert rows(vecino, "event_promoted") == []
    clock.advance(minutes=10)
    say(vecino, "ya no puedo ir", ANA)
    [row] = rows(vecino, "event_promoted")
    assert (row.contact_id, row.expires_at) == (contact(vecino, BEN, "en"), TOWN_HALL_AT)
    before = len(fake_twilio.calls)
    dispatcher(vecino, clock).run_once()
    [(to, body)] = sent(fake_twilio, before)
    assert (to, body.splitlines()[0]) == (BEN, "Good news: a seat opened up, and it is yours!")
    with vecino.db.transaction() as session:
        assert store.counts(session, event_id)["yes"] == 1
