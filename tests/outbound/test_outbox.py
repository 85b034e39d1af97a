"""The outbox end to end: enqueue, send-time checks, a real HTTP round trip to a loopback fake
of Twilio's REST API, errors, claims and leases. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.console import ConsoleSender
from bot.channels.senders import build_senders
from bot.conversations import Envelope
from bot.engine import Inbound, Outbound
from bot.models import Contact, ConversationState, Message, OutboxMessage
from bot.outbound import outbox
from bot.outbound.dispatch import Dispatcher
from bot.outbound.pacing import Pacer
from bot.outbound.receipts import record_status
from bot.outbound.sender import Sender
from bot.outbound.status import OutboxStatus

from ..conftest import PUBLIC_BASE_URL, settings_with
from ..fake_twilio_api import error, hang
from .conftest import NUMBER, add_contact, contact_of, dispatcher, enqueue, row


def test_a_message_goes_out_once_through_twilios_rest_api(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    assert enqueue(vecino, clock, contact_id) is True
    assert enqueue(vecino, clock, contact_id) is False  # the same key: a job that ran twice
    sender = dispatcher(vecino, clock)
    assert sender.run_once() == 1
    assert sender.run_once() == 0
    assert fake_twilio.bodies() == ["Hola, vecino"]
    call = fake_twilio.calls[0]
    assert (call["To"], call["From"]) == (NUMBER, "+12135550000")
    assert call["StatusCallback"] == f"{PUBLIC_BASE_URL}/webhooks/twilio/status"
    sent = row(vecino)
    assert (sent.status, sent.attempts, sent.sent_at) == (OutboxStatus.SENT, 1, clock())
    with vecino.db.transaction() as session:
        message = session.scalars(select(Message).where(Message.outbox_id == sent.id)).one()
        assert (message.provider_id, message.body, message.status) == (
            sent.provider_id,
            "Hola, vecino",
            "sent",
        )


def test_a_messaging_service_replaces_from(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    vecino.settings = settings_with(vecino.settings, twilio_messaging_service_sid="MG" + "1" * 32)
    enqueue(vecino, clock, add_contact(vecino, clock))
    dispatcher(vecino, clock).run_once()
    call = fake_twilio.calls[0]
    assert call["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in call


def test_a_flow_started_by_the_outbox_speaks_the_contacts_language(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock, language="en")
    enqueue(vecino, clock, contact_id, messages=None, flow_id="main_menu")
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.bodies()[0].startswith("What can I help you with?")
    with vecino.db.transaction() as session:
        state = session.get(Contact, contact_id).conversation
        assert (state.flow_id, state.step_id) == ("main_menu", "menu")


def test_opted_out_between_enqueue_and_send_is_suppressed(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    enqueue(vecino, clock, contact_id)
    vecino.conversations.receive(Envelope("sms", NUMBER, Inbound("ALTO"), provider_id="SMstop"))
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.calls == []
    assert (row(vecino).status, row(vecino).last_error) == (OutboxStatus.SUPPRESSED, "opted_out")


def test_quiet_hours_defer_to_8am_local_and_never_drop(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    clock.advance(hours=12, minutes=30)  # 22:30 in Los Angeles
    enqueue(vecino, clock, contact_id)
    sender = dispatcher(vecino, clock)
    sender.run_once()
    deferred = row(vecino)
    assert (deferred.status, deferred.last_error) == (OutboxStatus.PENDING, "quiet_hours")
    assert deferred.not_before == clock() + timedelta(hours=9, minutes=30)  # 08:00 local
    clock.advance(hours=9, minutes=29)
    assert sender.run_once() == 0 and fake_twilio.calls == []
    clock.advance(minutes=1)  # the clock may also jump far past it: the row is just due
    assert sender.run_once() == 1 and fake_twilio.bodies() == ["Hola, vecino"]


def test_a_message_past_its_expiry_is_never_sent(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock), expires_at=clock() + timedelta(hours=1))
    clock.advance(hours=2)
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.calls == [] and row(vecino).status == OutboxStatus.EXPIRED


@pytest.mark.parametrize("reply", [error(500, 20500), error(429, 20429), error(400, 30003)])
def test_server_errors_and_rate_limits_retry_with_backoff(vecino, clock, fake_twilio, reply):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock))
    fake_twilio.script(reply)
    sender = dispatcher(vecino, clock)
    sender.run_once()
    waiting = row(vecino)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert timedelta(seconds=15) <= waiting.not_before - clock() <= timedelta(seconds=30)
    assert sender.run_once() == 0  # not before the backoff
    clock.advance(seconds=30)
    sender.run_once()
    assert row(vecino).status == OutboxStatus.SENT and fake_twilio.bodies() == ["Hola, vecino"]


def test_retries_stop_at_the_limit_with_the_error_kept(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock))
    fake_twilio.script(*[error(503, None)] * 6)
    sender = dispatcher(vecino, clock)
    for _ in range(6):
        sender.run_once()
        clock.advance(hours=1)
    failed = row(vecino)
    assert (failed.status, failed.attempts, failed.last_error) == (
        OutboxStatus.FAILED,
        6,
        "twilio 503",
    )
    with vecino.db.transaction() as session:
        assert outbox.retry_failed(session, clock(), reason="other") == 0
        assert outbox.retry_failed(session, clock(), reason="test") == 1
    sender.run_once()
    assert row(vecino).status == OutboxStatus.SENT


def test_a_provider_that_hangs_is_a_timeout_and_retried(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock))
    fake_twilio.script(hang(2.0))
    sender = dispatcher(vecino, clock, timeout=0.5)
    sender.run_once()
    assert (row(vecino).status, row(vecino).last_error) == (OutboxStatus.PENDING, "timeout")


def test_carrier_opt_out_21610_opts_the_contact_out(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    enqueue(vecino, clock, contact_id)
    fake_twilio.script(error(400, 21610, "Attempt to send to unsubscribed recipient"))
    dispatcher(vecino, clock).run_once()
    failed = row(vecino)
    assert (failed.status, failed.error_code) == (OutboxStatus.FAILED, "21610")
    assert contact_of(vecino, contact_id).opted_out


@pytest.mark.parametrize("code", [21211, 21614, 30005, 30006])
def test_a_number_twilio_rejects_is_unreachable_until_the_resident_writes(
    vecino, clock, fake_twilio, code
):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    enqueue(vecino, clock, contact_id)
    fake_twilio.script(error(400, code))
    sender = dispatcher(vecino, clock)
    sender.run_once()
    assert (row(vecino).status, row(vecino).attempts) == (OutboxStatus.FAILED, 1)
    assert contact_of(vecino, contact_id).unreachable_at == clock()
    enqueue(vecino, clock, contact_id, key="k2")
    sender.run_once()
    assert (row(vecino, "k2").status, row(vecino, "k2").last_error) == (
        OutboxStatus.SUPPRESSED,
        "unreachable",
    )
    vecino.conversations.receive(Envelope("sms", NUMBER, Inbound("hola"), provider_id="SMhi"))
    assert contact_of(vecino, contact_id).unreachable_at is None


def test_a_contact_busy_in_a_survey_is_not_interrupted(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock, language="en")
    with vecino.db.transaction() as session:
        session.add(
            ConversationState(
                contact_id=contact_id,
                flow_id="phq2",
                step_id="interest",
                data={},
                invalid_count=0,
                updated_at=clock(),
            )
        )
    enqueue(vecino, clock, contact_id, messages=None, flow_id="main_menu")
    sender = dispatcher(vecino, clock)
    sender.run_once()
    assert fake_twilio.calls == []
    assert (row(vecino).status, row(vecino).last_error) == (OutboxStatus.PENDING, "busy")
    clock.advance(minutes=16)
    sender.run_once()
    assert len(fake_twilio.calls) == 1


def test_a_claim_is_taken_back_after_its_lease_when_the_worker_died(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock))
    with vecino.db.transaction() as session:
        assert len(outbox.claim(session, "dead-worker", clock(), 10)) == 1
    other = dispatcher(vecino, clock, worker="w2")
    assert other.run_once() == 0  # leased
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    assert other.run_once() == 1
    assert row(vecino).status == OutboxStatus.SENT and len(fake_twilio.calls) == 1
    # The dead worker's late bookkeeping cannot send it again.
    dispatcher(vecino, clock, worker="dead-worker").process(row(vecino).id)
    assert len(fake_twilio.calls) == 1


def test_two_claimers_never_share_a_row(vecino, clock):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    for n in range(10):
        enqueue(vecino, clock, contact_id, key=f"k{n}")
    with vecino.db.transaction() as first:
        mine = outbox.claim(first, "a", clock(), 6)
        if vecino.db.is_sqlite:  # one writer at a time: the second claim waits for the first
            theirs: list[int] = []
        else:
            with vecino.db.transaction() as second:
                theirs = outbox.claim(second, "b", clock(), 10)
    assert len(mine) == 6 and not set(mine) & set(theirs)
    if not vecino.db.is_sqlite:
        assert len(theirs) == 4


def test_a_status_callback_updates_a_message_the_outbox_sent(vecino, clock, fake_twilio, settings):  # type: ignore[no-untyped-def]
    enqueue(vecino, clock, add_contact(vecino, clock))
    dispatcher(vecino, clock).run_once()
    sid = row(vecino).provider_id
    with vecino.db.transaction() as session:
        assert record_status(session, "sms", sid, "delivered", None, clock())
    with vecino.db.transaction() as session:
        assert (
            session.scalars(select(Message.status).where(Message.provider_id == sid)).one()
            == "delivered"
        )


def test_pacing_is_shared_and_never_above_the_rate(vecino, clock):  # type: ignore[no-untyped-def]
    slept: list[float] = []
    first = Pacer(vecino.db, "twilio", 2.0, clock=clock, sleep=slept.append)
    second = Pacer(vecino.db, "twilio", 2.0, clock=clock, sleep=slept.append)  # another worker
    # At 2 segments/s: 1 segment now, 3 segments half a second later, then 1 more after 2 s.
    assert [first.take(1), second.take(3), first.take(1)] == [0.0, 0.5, 2.0]
    assert slept == [0.5, 2.0]
    clock.advance(seconds=10)  # idle time is not saved up for a burst later
    assert [first.take(1), first.take(1)] == [0.0, 0.5]


def test_housekeeping_expires_takes_back_and_prunes(vecino, clock):  # type: ignore[no-untyped-def]
    contact_id = add_contact(vecino, clock)
    enqueue(vecino, clock, contact_id, key="old", expires_at=clock() + timedelta(minutes=1))
    enqueue(vecino, clock, contact_id, key="claimed")
    with vecino.db.transaction() as session:
        outbox.claim(session, "dead", clock(), 1)  # "old" is due first and gets claimed
    clock.advance(days=1)
    with vecino.db.transaction() as session:
        assert outbox.take_back_stale(session, clock()) == 1
        assert outbox.expire_overdue(session, clock()) == 1  # "old", back in the queue
        assert outbox.prune(session, clock() - timedelta(seconds=1)) == 0  # kept a while
        assert outbox.prune(session, clock() + timedelta(seconds=1)) == 1
        assert outbox.counts(session) == {("pending", "test"): 1}


def test_the_console_sender_logs_what_would_go_out_masked(caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    report = ConsoleSender().send_replies(
        "+12135550123", [Outbound("Hola, un secreto", step="referral_followup/ask")], "es"
    )
    assert report.ok and report.sent == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "+12135550123" not in logged and "secreto" not in logged
    assert "would send 1 segment(s) to +1******0123 (es, step referral_followup/ask)" in logged


def test_every_sender_implements_the_sender_protocol(vecino):  # type: ignore[no-untyped-def]
    senders, pacers = build_senders(vecino)
    assert {type(s).__name__ for s in senders.values()} == {
        "TwilioRestSender",
        "TelegramOutboxSender",
    }
    assert all(isinstance(s, Sender) for s in [*senders.values(), ConsoleSender()])
    assert set(pacers) == {"twilio", "telegram", "console"}
    assert pacers["twilio"].rate == vecino.settings.send_rate


def test_two_workers_at_once_send_each_message_exactly_once(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    for n in range(40):
        contact_id = add_contact(vecino, clock, address=f"+1213555{n:04d}")
        enqueue(vecino, clock, contact_id, key=f"k{n}")
    workers = [dispatcher(vecino, clock, worker=name) for name in ("a", "b")]

    def drain(worker: Dispatcher) -> None:
        while worker.run_once(limit=3):
            pass

    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    numbers = [call["To"] for call in fake_twilio.calls]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    with vecino.db.transaction() as session:
        assert outbox.counts(session) == {("sent", "test"): 40}


def test_enqueue_many_counts_only_the_new_keys_and_queues_each_once(vecino, clock):  # type: ignore[no-untyped-def]
    ids = [add_contact(vecino, clock, f"+1213555{n:04d}") for n in range(4)]
    assert enqueue(vecino, clock, ids[0], key="many:0")

    def rows() -> list[dict]:
        return [
            outbox.values(contact_id, "sms", reason="test", key=f"many:{n}", now=clock(),
                          flow_id="broadcast", params={"broadcast_id": 1})
            for n, contact_id in enumerate(ids)
        ]  # fmt: skip

    with vecino.db.transaction() as session:
        assert outbox.enqueue_many(session, rows()) == 3  # many:0 was queued before
    with vecino.db.transaction() as session:
        assert outbox.enqueue_many(session, rows()) == 0
        keys = session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like("many:%")
            )
        ).all()
    assert sorted(keys) == [f"many:{n}" for n in range(4)]
    assert row(vecino, "many:2").params == {"broadcast_id": 1}
