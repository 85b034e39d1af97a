"""Flows Vecino starts (``Engine.start``) and wake-ups (``Engine.resume``): no database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from textwrap import dedent

import pytest

from bot.engine import MAIN_FLOW, Conversation, Engine, Inbound, load_flows
from bot.engine.actions import ActionResult

from .test_engine import NOW, TEST_FLOW, make_engine

NUDGE_FLOW = dedent(
    """
    id: nudge
    start: hello
    on_expire: welcome_back
    steps:
      hello:
        action: remember_param
        next: ask
      ask:
        ask: yesno
        text: {en: "Did you get help?", es: "¿Recibiste ayuda?"}
        next: thanks
      thanks:
        say: {en: "Thanks!", es: "¡Gracias!"}
      welcome_back:
        say: {en: "Still there?", es: "¿Sigues ahí?"}
        next: end
    """
)


@pytest.fixture
def engine(tmp_path: Path) -> tuple[Engine, list]:
    engine, _ = make_engine(tmp_path, TEST_FLOW)
    (tmp_path / "flows" / "nudge.yaml").write_text(NUDGE_FLOW)
    capabilities = engine.capabilities
    params_seen: list = []

    @capabilities.action("remember_param")
    def remember(context):  # type: ignore[no-untyped-def]
        params_seen.append(context.conversation.data.get("search_id"))
        return ActionResult()

    return Engine(load_flows(tmp_path / "flows"), engine.translator, capabilities), params_seen


def test_start_asks_the_flow_in_the_contacts_language_with_params(engine):  # type: ignore[no-untyped-def]
    engine, params_seen = engine
    turn = engine.start(Conversation(language="es"), "nudge", NOW, params={"search_id": 7})
    assert [m.text for m in turn.messages] == ["¿Recibiste ayuda?"]
    assert [o.value for o in turn.messages[0].options] == ["yes", "no"]
    assert (turn.conversation.flow_id, turn.conversation.step_id) == ("nudge", "ask")
    assert params_seen == [7]
    assert turn.conversation.updated_at == NOW
    # The reply is understood in context, as any answer.
    answered = engine.handle(turn.conversation, Inbound("si"), NOW + timedelta(hours=1))
    assert [m.text for m in answered.messages] == ["¡Gracias!"]


def test_start_says_nothing_to_an_opted_out_contact(engine):  # type: ignore[no-untyped-def]
    engine, _ = engine
    turn = engine.start(Conversation(language="en", opted_out=True), "nudge", NOW)
    assert turn.messages == []
    assert [e.kind for e in turn.events] == ["suppressed"]


def test_start_never_hijacks_a_flow_in_progress(engine):  # type: ignore[no-untyped-def]
    engine, _ = engine
    busy = Conversation(language="en", flow_id="checkin", step_id="kids", updated_at=NOW)
    for minutes in (0, 14):
        turn = engine.start(busy, "nudge", NOW + timedelta(minutes=minutes))
        assert turn.messages == [] and [e.kind for e in turn.events] == ["busy"]
        assert turn.conversation == busy
    # Quiet for 15 minutes: no longer busy.
    later = engine.start(busy, "nudge", NOW + timedelta(minutes=15))
    assert [m.text for m in later.messages] == ["Did you get help?"]


@pytest.mark.parametrize(
    ("flow_id", "step_id"), [(MAIN_FLOW, "menu"), ("welcome", "choose_language"), (None, None)]
)
def test_the_menu_or_a_finished_flow_is_not_busy(engine, flow_id, step_id):  # type: ignore[no-untyped-def]
    engine, _ = engine
    idle = Conversation(language="en", flow_id=flow_id, step_id=step_id, updated_at=NOW)
    turn = engine.start(idle, "nudge", NOW + timedelta(minutes=1))
    assert [m.text for m in turn.messages] == ["Did you get help?"]


def test_resume_goes_where_the_flow_picks_up_a_quiet_resident(engine):  # type: ignore[no-untyped-def]
    engine, _ = engine
    waiting = Conversation(
        language="en", flow_id="nudge", step_id="ask", data={"x": 1}, updated_at=NOW
    )
    assert [e.kind for e in engine.resume(waiting, NOW + timedelta(minutes=5)).events] == ["busy"]
    turn = engine.resume(waiting, NOW + timedelta(days=1))
    assert [m.text for m in turn.messages] == ["Still there?"]
    assert [e.kind for e in turn.events] == ["expired"]
    assert not turn.conversation.waiting and turn.conversation.data == {}


def test_resume_of_a_flow_without_on_expire_ends_it_silently(engine):  # type: ignore[no-untyped-def]
    engine, _ = engine
    waiting = Conversation(language="en", flow_id="checkin", step_id="kids", updated_at=NOW)
    turn = engine.resume(waiting, NOW + timedelta(days=1))
    assert turn.messages == [] and not turn.conversation.waiting
    # Nothing waiting, nothing to resume; opted out, nothing said.
    assert engine.resume(turn.conversation, NOW + timedelta(days=2)).events == []
    gone = Conversation(language="en", opted_out=True, flow_id="nudge", step_id="ask")
    assert engine.resume(gone, NOW + timedelta(days=1)).messages == []
