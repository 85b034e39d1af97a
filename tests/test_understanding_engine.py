"""The engine acting on what the understanding layer reads: crisis, opt-out (sure, unclear,
someone else's), opt-in words in context, HELP with a person to reach."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Conversation, Engine, Inbound
from bot.engine import messages as m
from bot.segments import count_segments
from tests.test_engine import CATALOGS, NOW, make_engine, talk


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path)[0]


@pytest.mark.parametrize("language", ["es", "en"])
def test_crisis_reply_fits_three_sms_segments_and_gives_the_right_instructions(language: str):
    text = CATALOGS.gettext(language, m.CRISIS)
    assert count_segments(text).segments <= 3, count_segments(text)
    assert "1-800-854-7771" in text and "911" in text
    if language == "es":
        assert "llama al 988 y marca 2, o manda AYUDA al 988 por texto" in text
        assert "Línea 988 de Prevención del Suicidio y Crisis" in text
    else:
        assert "Call or text 988" in text


@pytest.mark.parametrize("language", ["es", "en"])
def test_safety_reply_fits_three_sms_segments_and_names_the_lines(language: str):
    text = CATALOGS.gettext(language, m.SAFETY)
    assert count_segments(text).segments <= 3, count_segments(text)
    for number in ("1-800-799-7233", "88788", "1-800-978-3600", "911"):
        assert number in text


def test_violence_at_home_gets_the_safety_lines_a_flag_and_never_an_opt_out(engine: Engine):
    turn = talk(engine, Conversation(language="es"), "mi esposo me pega, ya basta")
    assert [msg.text for msg in turn.messages] == [CATALOGS.gettext("es", m.SAFETY)]
    assert [e.kind for e in turn.events] == ["safety"]
    assert not turn.conversation.opted_out


def test_violence_at_home_inside_a_survey_keeps_the_question_waiting(engine: Engine):
    waiting = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(waiting, Inbound("mi esposo me pega"), NOW)
    assert [msg.text for msg in turn.messages] == [CATALOGS.gettext("es", m.SAFETY)]
    assert turn.conversation.step_id == waiting.step_id
    assert "kids" not in turn.conversation.data


def test_violence_at_home_while_opted_out_is_still_answered(engine: Engine):
    turn = engine.handle(Conversation(language="en", opted_out=True), Inbound("he hits me"), NOW)
    assert [msg.text for msg in turn.messages] == [CATALOGS.gettext("en", m.SAFETY)]
    assert turn.conversation.opted_out


def test_crisis_from_a_new_contact_is_answered_in_both_languages(engine: Engine):
    turn = engine.handle(Conversation(), Inbound("I can't go on"), NOW)
    assert [msg.text for msg in turn.messages] == [
        CATALOGS.gettext("es", m.CRISIS),
        CATALOGS.gettext("en", m.CRISIS),
    ]
    assert [e.kind for e in turn.events] == ["crisis"]


def test_crisis_wins_and_never_opts_out(engine: Engine):
    turn = talk(engine, Conversation(language="en"), "stop. I want to die")
    assert not turn.conversation.opted_out
    assert [e.kind for e in turn.events] == ["crisis"]


def test_a_new_contact_who_sends_stop_is_answered_in_both_languages(engine: Engine):
    turn = engine.handle(Conversation(), Inbound("STOP"), NOW)
    assert turn.conversation.opted_out
    assert turn.messages[0].text == "\n".join(
        CATALOGS.gettext(lang, m.OPTED_OUT, program="Vecino") for lang in ("es", "en")
    )


def test_an_unclear_wish_to_stop_is_asked_once_and_the_question_waits(engine: Engine):
    waiting = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(waiting, Inbound("déjame en paz"), NOW)
    assert not turn.conversation.opted_out
    assert turn.messages[0].text == "¿Quieres dejar de recibir nuestros mensajes? Responde ALTO."
    assert turn.conversation.step_id == "kids"
    # Any other answer goes on with the question, and the offer is gone.
    after = engine.handle(turn.conversation, Inbound("2"), NOW)
    assert after.conversation.data["kids"] == 2 and not after.conversation.opted_out
    assert "_confirm_opt_out" not in after.conversation.data


@pytest.mark.parametrize("second", ["ALTO", "sí", "ya basta", "yes"])
def test_saying_it_again_or_yes_after_the_question_opts_out(engine: Engine, second: str):
    turn = talk(engine, Conversation(language="es"), "chequeo", "ya no", second)
    assert turn.conversation.opted_out
    assert [e.kind for e in turn.events] == ["opted_out"]


def test_an_unclear_wish_to_stop_from_a_new_contact_is_asked_in_both_languages(engine: Engine):
    turn = engine.handle(Conversation(), Inbound("leave me alone"), NOW)
    assert turn.messages[0].text == (
        "¿Quieres dejar de recibir nuestros mensajes? Responde ALTO.\n"
        "Do you want to stop getting our messages? Reply STOP."
    )


@pytest.mark.parametrize(
    "text",
    [
        "my ex won't leave me alone, I need a shelter",
        "mi casero no deja de mandarme mensajes, me quiere sacar",
        "can you take me off the waitlist",
        "no quiero recibir ayuda del gobierno por mi estatus, ¿es seguro?",
        "cancel my appointment at the clinic",
    ],
)
def test_someone_describing_a_problem_is_not_opted_out(engine: Engine, text: str):
    # Inside a question, so the message stays with the engine (the finder needs a database).
    turn = talk(engine, Conversation(language="en"), "checkin", text)
    assert not turn.conversation.opted_out
    assert "opted_out" not in [e.kind for e in turn.events]
    assert m.CONFIRM_OPT_OUT not in [msg.text for msg in turn.messages]


@pytest.mark.parametrize("word", ["empezar", "inicio", "start"])
def test_opt_in_words_go_to_a_waiting_question(engine: Engine, word: str):
    waiting = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(waiting, Inbound(word), NOW)
    # The number question re-asks: the word was its answer, not a subscription.
    assert turn.conversation.step_id == "kids"
    assert turn.messages[0].text.startswith("Perdón, no entendí.")


def test_opt_in_words_bring_an_opted_out_contact_back(engine: Engine):
    turn = talk(engine, Conversation(language="es", opted_out=True), "empezar")
    assert not turn.conversation.opted_out
    assert [e.kind for e in turn.events] == ["opted_in"]


def test_help_in_a_question_answers_the_notice_and_asks_again(engine: Engine):
    waiting = talk(engine, Conversation(language="es"), "chequeo").conversation
    turn = engine.handle(waiting, Inbound("AYUDA"), NOW)
    assert turn.messages[0].text.startswith("Vecino: ayuda de tu comunidad")
    assert turn.messages[1].text == "¿Cuántos niños viven contigo?"
    assert turn.conversation.step_id == "kids"


def test_help_names_a_person_to_reach_when_configured(engine: Engine):
    engine.settings = replace(engine.settings, help_contact="(213) 555-0199")
    turn = talk(engine, Conversation(language="en"), "help")
    assert "To talk to a person: (213) 555-0199." in turn.messages[0].text
    assert "Msg & data rates may apply." in turn.messages[0].text
    assert turn.conversation.flow_id == "main_menu"  # the menu follows, with the finder


@pytest.mark.parametrize("answer", ["no", "No gracias", "nope"])
def test_no_to_the_stop_question_carries_on_with_the_waiting_question(engine: Engine, answer):
    turn = talk(engine, Conversation(language="es"), "chequeo", "leave me alone", answer)
    assert not turn.conversation.opted_out
    assert turn.messages[-1].text == "¿Cuántos niños viven contigo?"
    assert turn.conversation.step_id == "kids"
