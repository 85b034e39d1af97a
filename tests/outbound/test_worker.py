"""The worker's jobs, its lock and its loop, through the outbox to a loopback fake of Twilio's
REST API, in both languages. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from bot.cli import main
from bot.conversations import Envelope, lock_contact
from bot.directory.models import Referral, ResourceSearch
from bot.engine import Inbound
from bot.models import ConversationState, Message, OutboxMessage, StaffFlag
from bot.outbound.status import OutboxStatus
from scheduler import jobs
from scheduler.lock import SchedulerLock
from scheduler.worker import JOBS, Worker

from ..test_surveys import open_survey
from .conftest import NUMBER, dispatcher, enqueue


@pytest.fixture(autouse=True)
def job_services(vecino):  # type: ignore[no-untyped-def]
    jobs.use_services(vecino)
    yield
    jobs.use_services(None)


def searched(vecino, clock, address: str = NUMBER, language: str = "es") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A resident who got two places for food: (contact id, search id)."""
    with vecino.db.transaction() as session:
        contact = lock_contact(session, "sms", address, clock())
        contact.language = language
        search = ResourceSearch(
            contact_id=contact.id,
            category="food",
            zip_code="90057",
            via="zip",
            shown=2,
            created_at=clock(),
        )
        session.add(search)
        session.flush()
        for rank in (1, 2):
            session.add(
                Referral(
                    search_id=search.id,
                    contact_id=contact.id,
                    resource_name=f"Place {rank}",
                    rank=rank,
                    distance_miles=0.5 * rank,
                    created_at=clock(),
                )
            )
        return contact.id, search.id


def say(vecino, text_: str, address: str = NUMBER):  # type: ignore[no-untyped-def]
    envelope = Envelope("sms", address, Inbound(text_), provider_id=f"SM{time.monotonic_ns()}")
    return [reply.text for reply in vecino.conversations.receive(envelope).replies]


def outcomes(vecino, search_id: int) -> list[str | None]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return list(
            session.scalars(select(Referral.outcome).where(Referral.search_id == search_id))
        )


def test_the_followup_asks_in_spanish_once_and_no_offers_a_person(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id, search_id = searched(vecino, clock)
    clock.advance(days=2, hours=23)
    assert jobs.followup_scan() == 0  # not yet 3 days
    clock.advance(hours=1)
    assert jobs.followup_scan() == 1
    assert jobs.followup_scan() == 0  # once per search, however often the job runs
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.bodies() == [
        "Hola, soy Vecino. Hace unos días te mandamos lugares para pedir ayuda. "
        "¿Recibiste la ayuda que necesitabas?\n1. Sí\n2. No\n3. No fui"
    ]
    assert say(vecino, "2") == ["Lo sentimos. ¿Qué quieres hacer?"]
    assert outcomes(vecino, search_id) == ["no_help", "no_help"]
    assert say(vecino, "2") == ["Gracias. Alguien de nuestro equipo te va a escribir pronto."]
    with vecino.db.transaction() as session:
        flag = session.scalars(select(StaffFlag)).one()
        assert (flag.contact_id, flag.reason) == (contact_id, "followup_no_help")


def test_the_followup_in_english_stores_yes_against_the_search(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    _, search_id = searched(vecino, clock, language="en")
    clock.advance(days=3)
    jobs.followup_scan()
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.bodies()[0].startswith("Hi, it's Vecino. A few days ago we sent you places")
    assert say(vecino, "yes") == ["We're so glad! Reply MENU any time you need something else."]
    assert outcomes(vecino, search_id) == ["got_help", "got_help"]


def test_no_followup_for_someone_who_opted_out_or_for_old_searches(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    searched(vecino, clock)
    say(vecino, "ALTO")
    searched(vecino, clock, address="+12135550124")
    clock.advance(days=6)  # past the lookback: a worker that was off for days sends nothing stale
    assert jobs.followup_scan() == 0


def test_an_unfinished_survey_is_nudged_once(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    open_survey(vecino, "phq2")
    say(vecino, "hi")
    say(vecino, "2")  # English
    assert say(vecino, "mood survey")[0].startswith("2 questions about how you've been feeling")
    question = say(vecino, "yes")
    clock.advance(hours=23)
    assert jobs.survey_nudge_scan() == 0
    clock.advance(hours=2)
    assert jobs.survey_nudge_scan() == 1
    dispatcher(vecino, clock).run_once()
    assert fake_twilio.bodies() == [
        "Welcome back! You started the survey about how you've been feeling. What would you "
        "like to do?\n1. Continue where I left off\n2. Start over\n3. Not now"
    ]
    assert say(vecino, "1") == question  # the same question, where they left off
    clock.advance(days=1, hours=1)
    assert jobs.survey_nudge_scan() == 0  # never twice


def test_a_nudge_for_a_survey_answered_meanwhile_is_dropped(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id, _ = searched(vecino, clock, language="en")
    with vecino.db.transaction() as session:
        session.add(
            ConversationState(
                contact_id=contact_id,
                flow_id="phq2",
                step_id="interest",
                data={},
                invalid_count=0,
                updated_at=clock() - timedelta(hours=25),
            )
        )
    jobs.survey_nudge_scan()
    say(vecino, "MENU")
    dispatcher(vecino, clock).run_once()
    with vecino.db.transaction() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.last_error) == (OutboxStatus.SUPPRESSED, "moved on")
    assert fake_twilio.calls == []


def test_housekeeping_job(vecino, clock):  # type: ignore[no-untyped-def]
    expected = {"expired": 0, "taken_back": 0, "pruned": 0, "messages_blanked": 0}
    assert jobs.housekeeping() == expected


def test_housekeeping_blanks_message_text_past_the_retention_period(vecino, clock):  # type: ignore[no-untyped-def]
    vecino.conversations.receive(Envelope("sms", NUMBER, Inbound("necesito comida"), "SMold"))
    clock.advance(days=vecino.settings.retention_days + 1)
    vecino.conversations.receive(Envelope("sms", NUMBER, Inbound("hola"), "SMnew"))
    assert jobs.housekeeping()["messages_blanked"] >= 2  # the old message and its reply
    with vecino.db.transaction() as session:
        bodies = dict(session.execute(select(Message.provider_id, Message.body)).all())
    assert bodies["SMold"] == "" and bodies["SMnew"] == "hola"


def test_one_scheduler_lock_at_a_time(vecino):  # type: ignore[no-untyped-def]
    first, second = SchedulerLock(vecino.db.engine), SchedulerLock(vecino.db.engine)
    assert first.try_acquire() is True
    try:
        assert second.try_acquire() is False
    finally:
        first.release()
    assert second.try_acquire() is True
    second.release()


def test_a_worker_sends_and_a_standby_takes_over(vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    contact_id, _ = searched(vecino, clock)
    enqueue(vecino, clock, contact_id)
    leader, standby = Worker(vecino, name="one"), Worker(vecino, name="two")
    thread = threading.Thread(target=leader.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not fake_twilio.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_twilio.bodies() == ["Hola, vecino"]
    assert leader.leading
    with vecino.db.engine.connect() as connection:
        stored = set(connection.scalars(text("SELECT id FROM apscheduler_jobs")))
    assert stored == {name for name, _, _ in JOBS}  # every registered job, in the store
    standby._try_to_lead()
    assert not standby.leading
    leader.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    standby._try_to_lead()
    assert standby.leading
    standby._step_down()


def test_outbox_cli_status_and_retry_failed(vecino, clock, monkeypatch):  # type: ignore[no-untyped-def]
    contact_id, _ = searched(vecino, clock)
    enqueue(vecino, clock, contact_id)
    with vecino.db.transaction() as session:
        session.scalars(select(OutboxMessage)).one().status = OutboxStatus.FAILED
    monkeypatch.setenv("DATABASE_URL", vecino.settings.database_url)
    runner = CliRunner()
    status = runner.invoke(main, ["outbox", "status"])
    assert status.exit_code == 0, status.output
    assert "failed      test                   1" in status.output
    assert "Send rate: 1 segment(s)/s per sender; quiet hours 21:00-08:00" in status.output
    retried = runner.invoke(main, ["outbox", "retry-failed", "--reason", "test"])
    assert retried.output.strip() == "1 message(s) queued again."
    with vecino.db.transaction() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == OutboxStatus.PENDING
