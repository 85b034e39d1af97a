"""After an event: the one-question feedback to attendees through the outbox, and the session's
notes, both shown by ``vecino events show``. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.cli import main
from bot.models import Contact
from bot.outreach import store
from bot.outreach.models import EventFeedback

from ..outbound.conftest import dispatcher
from .helpers import TOWN_HALL_AT, start_for
from .test_sending import ANA, BEN, contact, event, rows, say, sent

ENDED = TOWN_HALL_AT + timedelta(hours=1, minutes=40)  # 19:40 in Los Angeles, ten minutes after


def _run(app, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, list(args), input=input)


def _show(app, event_id: int) -> str:  # type: ignore[no-untyped-def]
    result = _run(app, "events", "show", str(event_id))
    assert result.exit_code == 0, result.output
    return result.output


def test_attendees_get_one_question_after_the_event_and_answers_are_counted(
    app, vecino, clock, fake_twilio
):  # type: ignore[no-untyped-def]
    contact(vecino, ANA, "es")
    contact(vecino, BEN, "en")
    contact(vecino, "+12135550125", "en")  # invited, did not come: never asked
    event_id = event(vecino)
    marked = _run(app, "events", "attendance", str(event_id), "--present", ANA, "--present", BEN)
    assert marked.exit_code == 0, marked.output
    assert "Feedback question queued for 2 (sent after the event ends)." in marked.output
    again = _run(app, "events", "attendance", str(event_id), "--present", ANA)
    assert "Feedback question queued" not in again.output  # once per attendee
    queued = rows(vecino, "event_feedback")
    ends = TOWN_HALL_AT + timedelta(hours=1, minutes=30)
    assert [(r.not_before, r.expires_at) for r in queued] == [(ends, ends + timedelta(days=3))] * 2

    dispatcher(vecino, clock).run_once()
    assert sent(fake_twilio) == []  # not before the event has ended
    clock.advance(seconds=(ENDED - clock()).total_seconds())
    dispatcher(vecino, clock).run_once()
    assert sorted(sent(fake_twilio)) == [
        (ANA, "¡Gracias por venir a Asamblea: comida y vivienda!\n\n¿Qué tan útil fue para ti?"
              "\n1. Muy útil\n2. Algo\n3. Poco"),
        (BEN, "Thank you for coming to Town hall: food and housing!\n\nHow useful was it for "
              "you?\n1. Very useful\n2. Somewhat\n3. Not much"),
    ]  # fmt: skip
    assert say(vecino, "1", ANA) == [
        "Gracias por contarnos. ¡Nos ayuda a planear el próximo! Responde MENU para ver opciones."
    ]
    assert say(vecino, "not really", BEN) == [
        "Thank you for telling us. It helps us plan the next one! Reply MENU for options."
    ]
    shown = _show(app, event_id)
    assert "present   2\n" in shown
    assert "feedback  very useful 1, somewhat 0, not much 1 (2 answers)\n" in shown
    with vecino.db.transaction() as session:
        answers = session.execute(select(EventFeedback.answer, EventFeedback.language)).all()
        assert sorted(answers) == [("not", "en"), ("very", "es")]


def test_no_feedback_for_a_cancelled_event_nor_for_someone_not_present(app, vecino, clock):  # type: ignore[no-untyped-def]
    contact(vecino, ANA, "es")
    cancelled = event(vecino)
    assert _run(app, "events", "cancel", str(cancelled)).exit_code == 0
    marked = _run(app, "events", "attendance", str(cancelled), "--present", ANA)
    assert "Feedback question queued" not in marked.output
    assert rows(vecino, "event_feedback") == []

    other = event(vecino)
    with vecino.db.transaction() as session:
        ana = session.scalar(select(Contact).where(Contact.address == ANA))
        turn = start_for(vecino, session, ana, "event_feedback", {"event_id": other}, ENDED)
        assert turn.messages == []  # invited or not, only those marked present are asked


def test_feedback_is_not_queued_long_after_the_event(app, vecino, clock):  # type: ignore[no-untyped-def]
    contact(vecino, ANA, "es")
    event_id = event(vecino)
    clock.advance(days=11)
    marked = _run(app, "events", "attendance", str(event_id), "--present", ANA)
    assert marked.exit_code == 0, marked.output
    assert rows(vecino, "event_feedback") == []


def test_session_notes_from_a_file_or_stdin_shown_with_the_event(app, vecino, tmp_path):  # type: ignore[no-untyped-def]
    event_id = event(vecino, kind="sense_making")
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Families read the food figure as rent squeezing groceries.\n"
        "Next: ask the pantry about Saturday hours; call 213-555-0199 or x@y.org.\n",
        encoding="utf-8",
    )
    recorded = _run(app, "events", "notes", str(event_id), "--file", str(notes))
    assert recorded.exit_code == 0, recorded.output
    assert recorded.output.startswith(f"Notes recorded for event {event_id} (")
    piped = _run(app, "events", "notes", str(event_id), input="Second table: transport first.\n")
    assert piped.exit_code == 0, piped.output
    shown = _show(app, event_id)
    assert shown.endswith(
        "--- notes 2026-11-24 10:00 ---\n"
        "Families read the food figure as rent squeezing groceries.\n"
        "Next: ask the pantry about Saturday hours; call [phone] or [email].\n"
        "--- notes 2026-11-24 10:00 ---\n"
        "Second table: transport first.\n"
    )
    with vecino.db.transaction() as session:
        assert len(store.notes(session, event_id)) == 2


def test_empty_notes_and_unknown_events_are_refused(app, vecino):  # type: ignore[no-untyped-def]
    event_id = event(vecino)
    empty = _run(app, "events", "notes", str(event_id), input="  \n\n")
    assert empty.exit_code == 1
    assert "the note is empty: nothing was recorded" in empty.output
    unknown = _run(app, "events", "notes", "99", input="Something")
    assert unknown.exit_code == 1 and "no event 99" in unknown.output
    help_text = _run(app, "events", "notes", "--help").output
    assert "write no names, phone numbers or other personal details" in " ".join(help_text.split())
    with vecino.db.transaction() as session:
        assert store.notes(session, event_id) == []


def _feedback_sent_then_quiet(app, vecino, clock, fake_twilio) -> int:  # type: ignore[no-untyped-def]
    contact(vecino, BEN, "en")
    event_id = event(vecino)
    _run(app, "events", "attendance", str(event_id), "--present", BEN)
    clock.advance(seconds=(ENDED - clock()).total_seconds())
    dispatcher(vecino, clock).run_once()
    assert len(sent(fake_twilio)) == 1
    clock.advance(hours=14)  # long after the conversation timed out
    return event_id


def test_an_answer_the_next_morning_still_counts(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = _feedback_sent_then_quiet(app, vecino, clock, fake_twilio)
    assert say(vecino, "2", BEN) == [
        "Thank you for telling us. It helps us plan the next one! Reply MENU for options."
    ]
    assert "feedback  very useful 0, somewhat 1, not much 0 (1 answers)\n" in _show(app, event_id)


def test_something_else_the_next_morning_is_not_an_answer(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    event_id = _feedback_sent_then_quiet(app, vecino, clock, fake_twilio)
    replies = say(vecino, "hello?", BEN)
    assert replies[0] == "Welcome back! Our last conversation timed out, so let's start again."
    assert "(0 answers)" in _show(app, event_id)
