"""Question types and navigation the engine offers every flow: multiple choice, scale, date,
SKIP / SALTAR, BACK / ATRÁS, the ``on_event`` hook, ``on_expire``, prefilled answers and
``goto``. Pure engine: no database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from textwrap import dedent

import pytest

from bot.capabilities import build_capabilities
from bot.engine import Capabilities, Conversation, Engine, Inbound, InvalidFlows, load_flows
from bot.engine.actions import ActionResult
from bot.engine.answers import parse_date
from bot.engine.flows import FlowFault, Target
from bot.engine.runner import HISTORY_KEY, PREFILL_KEY
from tests.test_engine import CATALOGS, NOW, shipped_flows

POLL = dedent(
    """
    id: poll
    start: often
    allow_back: true
    on_event: note
    on_expire: resume
    triggers: {en: [poll], es: [sondeo]}
    steps:
      often:
        ask: choice
        skippable: true
        text: {en: "How often?", es: "¿Con qué frecuencia?"}
        choices:
          - value: often
            label: {en: Often true, es: Con frecuencia es cierto}
            words: {en: [often], es: [con frecuencia, seguido]}
          - value: sometimes
            label: {en: Sometimes true, es: A veces es cierto}
            words: {en: [sometimes], es: [a veces]}
          - value: never
            label: {en: Never true, es: Nunca es cierto}
            words: {en: [never], es: [nunca]}
        next: needs
      needs:
        ask: multi
        skippable: true
        text: {en: "What do you need?", es: "¿Qué necesitas?"}
        choices:
          - {value: food, label: {en: Food, es: Comida}}
          - {value: rent, label: {en: Rent, es: Renta}}
          - {value: school, label: {en: School and childcare, es: Escuela y guardería}}
          - {value: none, label: {en: None of these, es: Nada de esto}, exclusive: true}
        next: mood
      mood:
        ask: scale
        min: 1
        max: 5
        text: {en: "From 1 to 5, how are you?", es: "Del 1 al 5, ¿cómo estás?"}
        next: route
      route:
        branch:
          - when: {answer: mood, lte: 2}
            next: call
          - next: moved
      call:
        ask: yesno
        text: {en: "Want a call?", es: "¿Quieres una llamada?"}
        next: moved
      moved:
        ask: date
        min: 1950-01-01
        max: 2026-12-31
        text: {en: "When did you move in?", es: "¿Cuándo te mudaste?"}
        next: done
      done:
        say: {en: "Thanks!", es: "¡Gracias!"}
      resume:
        action: resume_poll
        next: often
    """
)


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    flows_dir = shipped_flows(tmp_path)
    (flows_dir / "poll.yaml").write_text(POLL)
    events: list = []
    saved: dict = {}
    capabilities = build_capabilities()

    @capabilities.action("note")
    def note(context):  # type: ignore[no-untyped-def]
        events.append((context.event.kind, context.event.key, context.event.value))
        if context.event.kind in ("answer", "skip"):
            saved[context.event.key] = context.event.value
        elif context.event.kind == "back":
            saved.pop(context.event.key, None)
        return ActionResult()

    @capabilities.action("resume_poll")
    def resume(context):  # type: ignore[no-untyped-def]
        return ActionResult(data={PREFILL_KEY: dict(saved)})

    engine = Engine(load_flows(flows_dir), CATALOGS, capabilities)
    return engine, events, saved


def talk(engine: Engine, conversation: Conversation, *texts: str):  # type: ignore[no-untyped-def]
    turn = None
    for text in texts:
        turn = engine.handle(conversation, Inbound(text), NOW)
        conversation = turn.conversation
    return turn


def at(engine: Engine, *answers: str, language: str = "en") -> Conversation:
    return talk(engine, Conversation(language=language), "poll", *answers).conversation


@pytest.mark.parametrize(
    "text", ["2", "2.", " dos ", "SOMETIMES", "a veces", "A VECES ES CIERTO", "sometimes, I guess"]
)
def test_choice_words_in_either_language(setup, text: str):  # type: ignore[no-untyped-def]
    engine, events, _ = setup
    conversation = at(engine, text, language="es")
    assert conversation.data["often"] == "sometimes"
    assert ("answer", "often", "sometimes") in events


@pytest.mark.parametrize("text", ["1 2", "often, sometimes", "a veces o nunca"])
def test_two_answers_to_a_one_answer_question_store_nothing(setup, text: str):  # type: ignore[no-untyped-def]
    engine, events, _ = setup
    turn = engine.handle(at(engine), Inbound(text), NOW)
    assert "often" not in turn.conversation.data
    assert turn.conversation.step_id == "often"
    assert turn.messages[0].text.startswith("Please choose just one option.")
    assert [o.label for o in turn.messages[0].options] == [
        "Often true",
        "Sometimes true",
        "Never true",
    ]
    assert events == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 3", ["food", "school"]),
        ("3, 1", ["food", "school"]),
        ("1 y 2", ["food", "rent"]),
        ("comida y escuela", ["food", "school"]),
        ("Escuela y guardería", ["school"]),
        ("rent", ["rent"]),
        ("4", ["none"]),
        ("2 2", ["rent"]),
    ],
)
def test_multiple_choice(setup, text: str, expected: list[str]):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = at(engine, "1", text)
    assert conversation.data["needs"] == expected
    assert conversation.step_id == "mood"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "1 4",
            "That option cannot go with the others. Please choose again. "
            "Reply one or more numbers (like 1 3).",
        ),
        ("1 9", "Sorry, I did not understand that. Reply one or more numbers (like 1 3)."),
        ("pizza", "Sorry, I did not understand that. Reply one or more numbers (like 1 3)."),
    ],
)
def test_multiple_choice_reprompts_in_one_short_line(setup, text: str, expected: str):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    turn = engine.handle(at(engine, "1"), Inbound(text), NOW)
    message = turn.messages[0]
    assert message.text == expected + " Or reply SKIP."
    assert len(message.options) == 4 and not message.list_options  # buttons, no SMS list
    assert "needs" not in turn.conversation.data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pizza", "Sorry, I did not understand that. Reply 1, 2 or 3. Or reply SKIP."),
        ("often and never", "Please choose just one option. Reply 1, 2 or 3. Or reply SKIP."),
        ("", "Your message came through empty. Reply 1, 2 or 3. Or reply SKIP."),
    ],
)
def test_choice_reprompt_names_the_option_numbers(setup, text: str, expected: str):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = engine.handle(Conversation(language="en"), Inbound("poll"), NOW).conversation
    turn = engine.handle(conversation, Inbound(text), NOW)
    assert [m.text for m in turn.messages] == [expected]


@pytest.mark.parametrize("text", ["?", "¿?", "repite", "what?", "¿qué?"])
def test_asking_again_gets_the_whole_question(setup, text: str):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = engine.handle(Conversation(language="en"), Inbound("poll"), NOW).conversation
    turn = engine.handle(conversation, Inbound(text), NOW)
    assert turn.messages[0].text == "How often?" and turn.messages[0].list_options
    assert turn.conversation.step_id == "often"


@pytest.mark.parametrize(("text", "value"), [("4", 4), ("cuatro", 4), ("5!", 5), ("1", 1)])
def test_scale_takes_whole_numbers_in_range(setup, text: str, value: int):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    assert at(engine, "1", "2", text).data["mood"] == value


@pytest.mark.parametrize("text", ["7", "0", "3.5", "muy bien", "🙂"])
def test_scale_out_of_range_or_unclear_names_the_range(setup, text: str):  # type: ignore[no-untyped-def]
    engine, events, _ = setup
    conversation = at(engine, "1", "2", language="es")
    turn = engine.handle(conversation, Inbound(text), NOW)
    assert "Por favor responde con un número del 1 al 5." in turn.messages[0].text
    assert "mood" not in turn.conversation.data
    assert [kind for kind, *_ in events] == ["answer", "answer"]


def test_scale_is_not_skippable_unless_the_flow_says_so(setup):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    turn = engine.handle(at(engine, "1", "2"), Inbound("skip"), NOW)
    assert turn.conversation.step_id == "mood"
    assert "mood" not in turn.conversation.data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/15/2025", ("2025-03-15", None)),
        ("15/3/2025", ("2025-03-15", None)),
        ("2025-03-15", ("2025-03-15", None)),
        ("March 15, 2025", ("2025-03-15", None)),
        ("15 de marzo de 2025", ("2025-03-15", None)),
        ("marzo 2025", ("2025-03", None)),
        ("3/2021", ("2021-03", None)),
        ("12/12/12", ("2012-12-12", None)),
        ("3/4/2025", (None, "ambiguous")),
        ("2/30/2025", (None, None)),
        ("3/21", (None, None)),
        ("ayer", (None, None)),
        ("marzo abril 2025", (None, None)),
    ],
)
def test_parse_date(text: str, expected: tuple):
    assert parse_date(text) == expected


def test_date_question_asks_for_the_month_in_words_when_ambiguous(setup):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = at(engine, "1", "2", "4")
    turn = engine.handle(conversation, Inbound("3/4/2020"), NOW)
    assert turn.messages[0].text.startswith("Please write the month as a word")
    turn = engine.handle(turn.conversation, Inbound("1/1/1900"), NOW)  # before min
    assert "Please send a date" in turn.messages[0].text
    turn = engine.handle(turn.conversation, Inbound("4 de marzo de 2020"), NOW)
    assert turn.conversation.data["moved"] == "2020-03-04"
    assert [m.text for m in turn.messages] == ["Thanks!"]


def test_skip_stores_none_and_tells_the_hook(setup):  # type: ignore[no-untyped-def]
    engine, events, _ = setup
    conversation = at(engine, "SALTAR", "prefiero no decir", language="es")
    assert conversation.data["often"] is None and conversation.data["needs"] is None
    assert conversation.step_id == "mood"
    assert events == [("skip", "often", None), ("skip", "needs", None)]


def test_back_withdraws_the_last_answer_and_asks_it_again(setup):  # type: ignore[no-untyped-def]
    engine, events, saved = setup
    conversation = at(engine, "1", "1 2", language="es")
    assert conversation.step_id == "mood"
    turn = engine.handle(conversation, Inbound("ATRÁS"), NOW)
    assert turn.conversation.step_id == "needs"
    assert "needs" not in turn.conversation.data
    assert turn.messages[-1].text == "¿Qué necesitas?"
    assert events[-1] == ("back", "needs", None)
    assert saved == {"often": "often"}
    turn = engine.handle(turn.conversation, Inbound("back"), NOW)
    assert turn.conversation.step_id == "often"
    turn = engine.handle(turn.conversation, Inbound("atras"), NOW)
    assert turn.messages[0].text.startswith("Esta es la primera pregunta")
    turn = talk(engine, turn.conversation, "3", "2")
    assert turn.conversation.data["often"] == "never"
    assert turn.conversation.data["needs"] == ["rent"]
    assert turn.conversation.data[HISTORY_KEY] == ["often", "needs"]


def test_back_after_a_branch_returns_to_the_question_actually_asked(setup):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = at(engine, "1", "1", "5")  # mood 5: the call question is skipped
    assert conversation.step_id == "moved"
    turn = engine.handle(conversation, Inbound("back"), NOW)
    assert turn.conversation.step_id == "mood"
    turn = talk(engine, turn.conversation, "1")  # now the branch asks about a call
    assert turn.conversation.step_id == "call"


def test_back_is_an_ordinary_answer_in_flows_without_allow_back(setup):  # type: ignore[no-untyped-def]
    engine, _, _ = setup
    conversation = talk(engine, Conversation(language="en"), "menu").conversation
    turn = engine.handle(conversation, Inbound("back"), NOW)
    assert turn.messages[0].text.startswith("Sorry, I did not understand that.")


def test_crisis_inside_a_flow_reaches_the_hook_and_keeps_the_question(setup):  # type: ignore[no-untyped-def]
    engine, events, _ = setup
    conversation = at(engine, "1")
    turn = engine.handle(conversation, Inbound("I want to die"), NOW)
    assert "988" in turn.messages[0].text
    assert events[-1] == ("crisis", None, None)
    assert turn.conversation.step_id == "needs"


def test_expired_flow_resumes_through_on_expire_and_prefilled_answers(setup):  # type: ignore[no-untyped-def]
    engine, _, saved = setup
    conversation = at(engine, "2", "skip", "1")  # mood 1: the call question comes next
    assert conversation.step_id == "call"
    assert saved == {"often": "sometimes", "needs": None, "mood": 1}
    later = NOW + timedelta(days=3)
    turn = engine.handle(conversation, Inbound("yes"), later)
    # The stale "yes" is not taken as the answer; the flow picks up where it was.
    assert [m.text for m in turn.messages] == ["Want a call?"]
    assert turn.conversation.step_id == "call"
    assert turn.conversation.data["often"] == "sometimes"
    assert turn.conversation.data["needs"] is None
    assert turn.conversation.data[HISTORY_KEY] == ["often", "needs", "mood"]
    assert PREFILL_KEY not in turn.conversation.data


def test_action_goto_continues_in_the_flow_it_names(tmp_path: Path):
    flows_dir = shipped_flows(tmp_path)
    (flows_dir / "jump.yaml").write_text(
        "id: jump\nstart: go\ntriggers: {en: [jump], es: [salta]}\nsteps:\n"
        "  go: {action: pick, next: nowhere}\n"
        "  nowhere: {say: {en: Wrong, es: Mal}}\n"
    )
    capabilities = build_capabilities()
    capabilities.action("pick")(lambda context: ActionResult(goto=Target(flow="main_menu")))
    engine = Engine(load_flows(flows_dir), CATALOGS, capabilities)
    turn = talk(engine, Conversation(language="en"), "jump")
    assert turn.conversation.flow_id == "main_menu"
    assert turn.messages[0].text.startswith("What can I help you with?")


def test_validators_and_new_question_rules_fail_the_check(tmp_path: Path):
    flows_dir = shipped_flows(tmp_path)
    (flows_dir / "bad.yaml").write_text(
        dedent(
            """
            id: bad
            start: a
            on_event: missing_hook
            on_expire: nowhere
            steps:
              a: {ask: multi, text: {en: Pick, es: Elige}, next: b}
              b: {ask: scale, min: 1, text: {en: Rate, es: Califica}, next: c}
              c: {ask: date, min: yesterday, text: {en: When, es: Cuándo}}
            """
        )
    )
    capabilities = Capabilities()
    capabilities.validators.append(lambda flows: [FlowFault("bad.yaml", None, "domain says no")])
    with pytest.raises(InvalidFlows) as error:
        Engine(load_flows(flows_dir), CATALOGS, capabilities)
    text = str(error.value)
    assert "bad.yaml: unknown on_event action 'missing_hook'" in text
    assert "bad.yaml: on_expire goes to step 'nowhere' of flow 'bad', which does not exist" in text
    assert "step 'a': a choice question needs choices" in text
    assert "step 'b': a scale needs whole-number min and max" in text
    assert "step 'c': date min 'yesterday' is not a date like 2020-01-31" in text
    assert "bad.yaml: domain says no" in text
