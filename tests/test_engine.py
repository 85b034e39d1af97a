"""The engine on its own: no database, no HTTP. State in, replies and events out."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import pytest

from bot.capabilities import build_capabilities
from bot.channels import sms
from bot.config import PROJECT_ROOT
from bot.engine import Conversation, Engine, Inbound, InvalidFlows, load_flows, validate
from bot.engine.actions import ActionResult
from bot.i18n import Catalogs

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
CATALOGS = Catalogs(PROJECT_ROOT / "locales")

TEST_FLOW = dedent(
    """
    id: checkin
    start: kids
    triggers: {en: [checkin, check in], es: [chequeo]}
    steps:
      kids:
        ask: number
        min: 0
        max: 15
        text: {en: "How many children live with you?", es: "¿Cuántos niños viven contigo?"}
        next: has_car
      has_car:
        ask: yesno
        text: {en: "Do you have a car?", es: "¿Tienes carro?"}
        next: route
      route:
        branch:
          - when: {answer: has_car, equals: false}
            next: where
          - next: thanks
      where:
        ask: zip
        text: {en: "What is your ZIP code?", es: "¿Cuál es tu código postal?"}
        next: record
      record:
        action: record_checkin
        outcomes: {far: far}
        next: thanks
      far:
        say: {en: That is far., es: Eso está lejos.}
        next: end
      thanks:
        say: {en: "Thank you!", es: "¡Gracias!"}
    """
)


def shipped_flows(tmp_path: Path) -> Path:
    flows_dir = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows_dir)
    return flows_dir


def make_engine(tmp_path: Path, extra: str | None = TEST_FLOW) -> tuple[Engine, list]:
    # Every shipped flow, with the app's capabilities: the menu names flows and predicates
    # that domain modules provide.
    flows_dir = shipped_flows(tmp_path)
    if extra:
        (flows_dir / "checkin.yaml").write_text(extra)
    seen: list = []
    capabilities = build_capabilities()

    @capabilities.action("record_checkin")
    def record(context):  # type: ignore[no-untyped-def]
        seen.append(dict(context.conversation.data))
        return ActionResult(outcome="far" if context.conversation.data["where"] > "91000" else None)

    return Engine(load_flows(flows_dir), CATALOGS, capabilities), seen


def talk(engine: Engine, conversation: Conversation, *texts: str, now: datetime = NOW):
    turn = None
    for text in texts:
        turn = engine.handle(conversation, Inbound(text), now)
        conversation = turn.conversation
    return turn


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path)[0]


def test_first_contact_gets_one_bilingual_welcome(engine: Engine):
    turn = engine.handle(Conversation(), Inbound("hola"), NOW)
    assert len(turn.messages) == 1
    welcome = turn.messages[0]
    assert "Hola" in welcome.text and "Hi" in welcome.text
    assert [o.label for o in welcome.options] == ["Español", "English"]
    assert turn.conversation.flow_id == "welcome"


@pytest.mark.parametrize(
    ("answer", "language"),
    [("1", "es"), ("2", "en"), ("español", "es"), ("English", "en"), ("ingles", "en")],
)
def test_language_choice_is_remembered(engine: Engine, answer: str, language: str):
    turn = talk(engine, Conversation(), "hi", answer)
    assert turn.conversation.language == language
    assert turn.conversation.flow_id == "main_menu"
    menu = turn.messages[-1]
    expected = "¿En qué te puedo ayudar?" if language == "es" else "What can I help you with?"
    assert menu.text.startswith(expected)


def test_language_switches_any_time_and_repeats_the_open_question(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "checkin").conversation
    assert conversation.step_id == "kids"
    turn = engine.handle(conversation, Inbound("ESPAÑOL"), NOW)
    assert turn.conversation.language == "es"
    assert turn.conversation.step_id == "kids"
    assert turn.messages[0].text == "Listo, te escribiré en español."
    assert turn.messages[1].text == "¿Cuántos niños viven contigo?"
    assert [e.kind for e in turn.events] == ["language_set"]


def test_a_waiting_question_never_swallows_stop(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(conversation, Inbound("  Stop. "), NOW)
    assert turn.conversation.opted_out
    assert turn.conversation.step_id is None
    assert [e.kind for e in turn.events] == ["opted_out"]
    # The confirmation is in the resident's language, even for the English keyword.
    assert "ya no te mandaremos mensajes" in turn.messages[0].text


def test_opted_out_contact_hears_nothing_until_start(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "STOP").conversation
    for text in ("hello", "menu", "1", "checkin"):
        turn = engine.handle(conversation, Inbound(text), NOW)
        assert turn.messages == []
        conversation = turn.conversation
    turn = engine.handle(conversation, Inbound("START"), NOW)
    assert not turn.conversation.opted_out
    assert [e.kind for e in turn.events] == ["opted_in"]
    assert "welcome back!" in turn.messages[0].text
    assert turn.conversation.flow_id == "main_menu"


def test_help_is_answered_even_while_opted_out(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "ALTO").conversation
    turn = engine.handle(conversation, Inbound("ayuda"), NOW)
    assert "ALTA" in turn.messages[0].text
    assert turn.conversation.opted_out


def test_help_names_program_stop_and_rates(engine: Engine):
    turn = talk(engine, Conversation(language="en"), "HELP")
    text = turn.messages[0].text
    assert text.startswith("Vecino:")
    assert "STOP" in text and "Msg & data rates may apply" in text


def test_crisis_message_gets_988_and_county_line_at_once_and_is_flagged(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(conversation, Inbound("ya no puedo, me quiero morir"), NOW)
    assert "988" in turn.messages[0].text and "1-800-854-7771" in turn.messages[0].text
    assert "llama al 988 y marca 2, o manda AYUDA al 988 por texto" in turn.messages[0].text
    assert [e.kind for e in turn.events] == ["crisis"]
    assert turn.conversation.step_id == "kids"  # the survey question is still there after


def test_crisis_in_the_other_language_is_answered_in_both(engine: Engine):
    turn = talk(engine, Conversation(language="en"), "me quiero morir")
    # One message per language, each within 3 SMS segments.
    assert turn.messages[0].text.startswith("Hay ayuda: llama al 988")
    assert turn.messages[1].text.startswith("You are not alone. Call or text 988")
    assert len(turn.messages) == 2


def test_invalid_answers_reprompt_in_language_and_offer_menu_after_three(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "chequeo").conversation
    texts = []
    for answer in ("muchos", "🙂", "mil"):
        turn = engine.handle(conversation, Inbound(answer), NOW)
        conversation = turn.conversation
        texts.append(turn.messages[-1].text)
    assert all(t.startswith("Perdón, no entendí.") for t in texts[:2])
    assert "MENU" not in texts[0] and "MENU" not in texts[1]
    assert "Responde MENU para ver todas las opciones." in texts[2]
    assert conversation.step_id == "kids"
    turn = engine.handle(conversation, Inbound("99"), NOW)
    assert turn.messages[-1].text.startswith("Por favor responde con un número del 0 al 15.")


def test_answers_advance_branch_and_call_actions(tmp_path: Path):
    engine, seen = make_engine(tmp_path)
    turn = talk(engine, Conversation(language="en"), "check in", "3 kids", "no", "my zip is 90057")
    assert seen == [{"_trigger_text": "check in", "kids": 3, "has_car": False, "where": "90057"}]
    assert [m.text for m in turn.messages] == ["Thank you!"]
    assert turn.conversation.step_id is None
    turn = talk(engine, Conversation(language="en"), "checkin", "2", "si", "x")
    assert [m.text for m in turn.messages][-1].startswith("What can I help you with?")


def test_action_outcome_chooses_the_next_step(tmp_path: Path):
    engine, _ = make_engine(tmp_path)
    turn = talk(engine, Conversation(language="en"), "checkin", "1", "nope", "93534")
    assert [m.text for m in turn.messages] == ["That is far."]


def test_zip_question_asks_again_for_two_zips(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "checkin", "1", "no").conversation
    turn = engine.handle(conversation, Inbound("90057 or 90006"), NOW)
    assert "just one ZIP code" in turn.messages[0].text


def test_trigger_word_sets_language_of_a_new_contact(engine: Engine):
    turn = engine.handle(Conversation(), Inbound("CHEQUEO"), NOW)
    assert turn.conversation.language == "es"
    assert turn.messages[0].text == "¿Cuántos niños viven contigo?"


def test_conversation_expires_after_inactivity_with_a_friendly_restart(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "checkin").conversation
    later = NOW + timedelta(minutes=61)
    turn = engine.handle(conversation, Inbound("4"), later)
    assert turn.messages[0].text.startswith("Welcome back!")
    assert turn.conversation.flow_id == "main_menu"
    assert [e.kind for e in turn.events] == ["expired"]
    # Within the timeout the answer counts.
    turn = engine.handle(conversation, Inbound("4"), NOW + timedelta(minutes=59))
    assert turn.conversation.data["kids"] == 4


def test_stale_button_is_told_where_we_are(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "checkin").conversation
    turn = engine.handle(conversation, Inbound(choice="about", choice_step="main_menu/menu"), NOW)
    assert turn.messages[0].text.startswith("That button belongs to an earlier question.")
    assert turn.conversation.step_id == "kids"


def test_button_press_answers_the_current_question(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "menu").conversation
    turn = engine.handle(conversation, Inbound(choice="about", choice_step="main_menu/menu"), NOW)
    assert turn.messages[0].text.startswith("Vecino is run by parents")


def test_media_only_message_gets_a_polite_text_answer(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "menu").conversation
    turn = engine.handle(conversation, Inbound("", media_count=1), NOW)
    assert turn.messages[0].text.startswith("Solo puedo leer texto.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Your message came through empty. Reply 1, 2 or 3."),
        ("   ", "Your message came through empty. Reply 1, 2 or 3."),
        ("🙂🙂🙂", "Sorry, I did not understand that. Reply 1, 2 or 3."),
        ("x" * 5000, "Sorry, I did not understand that. Reply 1, 2 or 3."),
        # Question marks ask for the question again: the whole of it.
        ("¿¿¿???", "What can I help you with? Reply with a number."),
    ],
)
def test_odd_input_gets_a_clear_answer(engine: Engine, text: str, expected: str):
    conversation = talk(engine, Conversation(language="en"), "menu").conversation
    turn = engine.handle(conversation, Inbound(text), NOW)
    assert [m.text for m in turn.messages] == [expected]
    assert len(turn.messages[0].options) == 3  # Telegram still draws the buttons


def test_a_short_reprompt_lists_no_options_on_sms_but_keeps_the_buttons(engine: Engine):
    conversation = talk(engine, Conversation(language="es"), "menu").conversation
    reply = engine.handle(conversation, Inbound("pizza"), NOW).messages[0]
    assert reply.text == "Perdón, no entendí. Responde 1, 2 o 3."
    assert not reply.list_options and len(reply.options) == 3
    assert sms.render([reply]) == ["Perdón, no entendí. Responde 1, 2 o 3."]


def test_the_whole_question_comes_back_after_repeated_misses(engine: Engine):
    conversation = talk(engine, Conversation(language="en"), "menu").conversation
    texts = []
    for _ in range(4):
        turn = engine.handle(conversation, Inbound("pizza"), NOW)
        conversation = turn.conversation
        texts.append(sms.render(turn.messages)[0])
    miss = "Sorry, I did not understand that. Reply 1, 2 or 3."
    assert texts[0] == texts[1] == texts[3] == miss
    assert texts[2] == (
        f"{miss}\nReply MENU to see all the options.\n"
        "What can I help you with? Reply with a number.\n1. About Vecino\n2. En español\n"
        "3. Talk to a person"
    )


def test_invalid_flows_refuse_to_start(tmp_path: Path):
    broken = TEST_FLOW.replace("next: has_car", "next: nowhere")
    with pytest.raises(InvalidFlows) as error:
        make_engine(tmp_path, broken)
    assert "checkin.yaml: step 'kids': goes to step 'nowhere', which does not exist" in str(
        error.value
    )


def test_only_one_flow_may_take_unasked_locations(tmp_path: Path):
    located = TEST_FLOW.replace("start: kids", "start: kids\nlocation_answer: where")
    flows_dir = shipped_flows(tmp_path)
    (flows_dir / "checkin.yaml").write_text(located)
    faults = validate(load_flows(flows_dir), actions=build_capabilities().actions)
    assert any("only one flow may set location_answer" in str(f) for f in faults)
