"""Talking to a person, on the resident's side: staff hours, the pause rules in the engine,
the staff flag, and the quiet-hours rule for a person's reply. (Staff side: tests/admin.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.capabilities import build_capabilities
from bot.config import PROJECT_ROOT, Settings
from bot.conversations import Envelope
from bot.engine import HANDOFF_KEY, Conversation, Engine, Inbound, load_flows
from bot.handoff import StaffHours
from bot.i18n import Catalogs
from bot.models import ConversationState, Message, StaffFlag
from bot.outbound.policy import answers_at_once

from .conftest import settings_with

TUESDAY_10AM = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles
CATALOGS = Catalogs(PROJECT_ROOT / "locales")
HOURS = StaffHours.parse("mon-fri 09:00-17:00", "America/Los_Angeles")


def la(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Los Angeles in the week of 23 November 2026 (Monday the 23rd)."""
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.mark.parametrize(
    ("moment", "opens"),
    [
        (la(24, 10), la(24, 10)),  # Tuesday morning: in hours, answered "within N hours"
        (la(24, 16, 30), la(25, 9)),  # half an hour before closing: tomorrow
        (la(24, 7), la(24, 9)),  # before opening: today at 9
        (la(27, 18), la(30, 9)),  # Friday evening: Monday
        (la(29, 12), la(30, 9)),  # Sunday: Monday
    ],
)
def test_staff_hours_say_when_a_person_can_answer(moment: datetime, opens: datetime):
    assert HOURS.next_open(moment) == opens


def test_staff_hours_read_ranges_lists_and_every_day():
    weekend = StaffHours.parse("sat-sun 10:00-14:00", "America/Los_Angeles")
    assert weekend.days == {5, 6}
    assert StaffHours.parse("09:00-17:00", "UTC").days == set(range(7))
    assert StaffHours.parse("mon,wed,fri 10:00-14:00", "UTC").days == {0, 2, 4}
    assert StaffHours.parse("fri-mon 10:00-14:00", "UTC").days == {4, 5, 6, 0}


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("9 to 5", "must look like mon-fri 09:00-17:00"),
        ("mon-fri 17:00-09:00", "must end after it starts"),
        ("lun-vie 09:00-17:00", "unknown day"),
    ],
)
def test_a_mistyped_staff_hours_setting_stops_the_start_with_a_reason(
    settings: Settings, spec: str, reason: str
):
    with pytest.raises(ValueError, match=reason):
        create_app(settings_with(settings, staff_hours=spec))


def engine() -> Engine:
    return Engine(load_flows(PROJECT_ROOT / "flows"), CATALOGS, build_capabilities())


def paused(language: str = "es") -> Conversation:
    return Conversation(language=language, data={HANDOFF_KEY: {"since": "x"}})


def test_while_paused_ordinary_messages_are_held_and_nothing_vecino_starts_interrupts():
    bot = engine()
    turn = bot.handle(paused(), Inbound("tengo una pregunta"), TUESDAY_10AM)
    assert turn.messages == [] and [e.kind for e in turn.events] == ["held"]
    assert HANDOFF_KEY in turn.conversation.data
    # An hour or a week later: still paused (no session timeout while waiting for a person).
    later = bot.handle(turn.conversation, Inbound("hola?"), TUESDAY_10AM + timedelta(days=7))
    assert later.messages == [] and HANDOFF_KEY in later.conversation.data
    assert [e.kind for e in bot.start(paused(), "followup", TUESDAY_10AM).events] == ["busy"]
    woken = bot.resume(paused(), TUESDAY_10AM)  # no question waits: nothing to wake up
    assert woken.messages == [] and HANDOFF_KEY in woken.conversation.data


@pytest.mark.parametrize(
    ("text", "events", "still_paused"),
    [
        ("MENU", ["handoff_ended"], False),
        ("ALTO", ["opted_out"], False),
        ("me quiero morir", ["crisis"], True),
        ("mi esposo me pega, necesito un albergue en 90011", ["safety"], True),
        ("AYUDA", [], True),
        ("EN", ["language_set"], True),
        ("quiero hablar con alguien", [], True),
    ],
)
def test_what_still_works_while_paused(text: str, events: list[str], still_paused: bool):
    turn = engine().handle(paused(), Inbound(text), TUESDAY_10AM)
    kinds = [e.kind for e in turn.events]
    assert all(kind in kinds for kind in events), kinds
    assert "held" not in kinds and turn.messages
    assert (HANDOFF_KEY in turn.conversation.data) is still_paused
    if text == "ALTO":
        assert "handoff_ended" in kinds and turn.conversation.opted_out


def test_with_handoff_turned_off_asking_for_a_person_is_an_ordinary_message(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings_with(settings, handoff_enabled=False), clock=clock)
    vecino = app.extensions["vecino"]
    receive = vecino.conversations.receive
    receive(Envelope("sms", "+12135550777", Inbound("hola")))
    menu = receive(Envelope("sms", "+12135550777", Inbound("1"))).replies[0]
    assert [o.value for o in menu.options] == ["about", "language"]
    again = receive(Envelope("sms", "+12135550777", Inbound("agente"))).replies[0]
    assert again.text.startswith("Perdón, no entendí.")
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag)).all() == []
    vecino.db.dispose()


def test_the_request_flags_staff_on_the_message_and_menu_closes_the_flag(vecino, clock):  # type: ignore[no-untyped-def]
    receive = vecino.conversations.receive
    receive(Envelope("telegram", "42", Inbound("I want to talk to a person")))
    receive(Envelope("telegram", "42", Inbound("I want to talk to a person")))  # no second flag
    with vecino.db.transaction() as session:
        flag = session.scalars(select(StaffFlag)).one()
        message = session.get(Message, flag.message_id)
        assert (flag.reason, message.body) == ("handoff", "I want to talk to a person")
        state = session.get(ConversationState, flag.contact_id)
        assert state.data[HANDOFF_KEY]["flag_id"] == flag.id
    clock.advance(minutes=3)
    receive(Envelope("telegram", "42", Inbound("menu")))
    with vecino.db.transaction() as session:
        assert session.get(StaffFlag, flag.id).resolved_at == clock()
        assert HANDOFF_KEY not in session.get(ConversationState, flag.contact_id).data


def test_a_persons_reply_skips_quiet_hours_only_in_a_live_conversation():
    now = TUESDAY_10AM
    assert answers_at_once("staff_reply", now - timedelta(minutes=90), now)
    assert answers_at_once("handed_back", now - timedelta(hours=2), now)
    assert not answers_at_once("staff_reply", now - timedelta(hours=3), now)
    assert not answers_at_once("staff_reply", None, now)
    assert not answers_at_once("followup", now, now)  # what Vecino starts always waits
