"""Surveys through the real conversation service and database: what is stored, when, and what
is never stored (no consent, bad input, stale replies)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.channels import sms
from bot.config import PROJECT_ROOT
from bot.conversations import Envelope
from bot.engine import Inbound
from bot.models import Contact, Message, StaffFlag
from bot.surveys import store
from bot.surveys.definitions import load_surveys
from bot.surveys.models import ABANDONED, COMPLETED, IN_PROGRESS, SurveyAnswer, SurveyResponse
from tests.conftest import settings_with

ADDRESS = "+12135550123"
_ids = itertools.count()


class Resident:
    """A resident texting the bot; ``say`` returns the last turn's replies as SMS text."""

    def __init__(self, vecino, address: str = ADDRESS, channel: str = "sms") -> None:  # type: ignore[no-untyped-def]
        self.vecino, self.address, self.channel = vecino, address, channel

    def say(self, *texts: str) -> str:
        replies = ""
        for text in texts:
            replies = self.send(Inbound(text))
        return replies

    def send(self, inbound: Inbound) -> str:
        envelope = Envelope(self.channel, self.address, inbound, provider_id=f"t{next(_ids)}")
        delivery = self.vecino.conversations.receive(envelope)
        return "\n".join(sms.render(delivery.replies))  # texts with their numbered options


def open_survey(vecino, *keys: str) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        for key in keys:
            store.set_open(session, key, True, vecino.conversations.clock())


def responses(vecino) -> list[SurveyResponse]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        rows = session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        for row in rows:
            _ = row.answers  # load while the session is open
        session.expunge_all()
        return list(rows)


def answers(vecino) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        rows = session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id)).all()
        return {row.key: row.value for row in rows}


def count(vecino, model) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def resident(vecino) -> Resident:  # type: ignore[no-untyped-def]
    open_survey(vecino, "hunger_vital_sign", "housing_transport", "phq2", "family_checkin")
    return Resident(vecino)


def spanish(resident: Resident) -> Resident:
    resident.say("hola", "1")
    return resident


def test_each_answer_is_saved_as_it_arrives(vecino, resident, clock):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida")
    assert responses(vecino) == []  # asked for consent, nothing stored yet
    clock.advance(minutes=1)
    resident.say("sí")
    (response,) = responses(vecino)
    assert response.consent_at == clock.now
    assert response.status == IN_PROGRESS
    assert (response.survey_key, response.survey_version) == ("hunger_vital_sign", 2)
    surveys = load_surveys(PROJECT_ROOT / "flows")
    assert response.fingerprint == surveys["hunger_vital_sign"].fingerprint
    assert (response.language, response.channel) == ("es", "sms")
    resident.say("a veces")
    (response,) = responses(vecino)
    (answer,) = response.answers
    assert (answer.key, answer.value, answer.skipped, answer.language) == (
        "hvs_worried",
        "sometimes",
        False,
        "es",
    )
    with vecino.db.transaction() as session:
        message = session.get(Message, answer.message_id)
        assert message is not None and message.body == "a veces"
    clock.advance(minutes=1)
    resident.say("nunca")
    (response,) = responses(vecino)
    assert response.status == COMPLETED and response.completed_at == clock.now
    assert {a.key: a.value for a in response.answers} == {
        "hvs_worried": "sometimes",
        "hvs_ran_out": "never",
    }


def test_no_consent_no_answers(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta comida", "no")
    assert "no se guardó nada" in reply
    resident.say("1", "2")  # later texts are not survey answers
    assert count(vecino, SurveyResponse) == 0 and count(vecino, SurveyAnswer) == 0


def test_going_back_to_consent_and_saying_no_deletes_what_was_given(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    assert answers(vecino) == {"hvs_worried": "often"}
    reply = resident.say("atrás", "atrás")
    assert "¿Empezamos?" in reply
    resident.say("no")
    assert count(vecino, SurveyResponse) == 0 and count(vecino, SurveyAnswer) == 0


def test_back_replaces_the_stored_answer(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    resident.say("ATRÁS")
    assert answers(vecino) == {}
    resident.say("3")
    assert answers(vecino) == {"hvs_worried": "never"}


# Answers to the hunger survey's first question (a choice) and the housing survey's
# transportation question (yes/no), as residents really type them. None: nothing may be stored.
CHOICE_INPUTS = [
    ("3.", "never"),
    (" dos ", "sometimes"),
    ("2", "sometimes"),
    ("A VECES", "sometimes"),
    ("sometimes", "sometimes"),
    ("Frecuentemente cierto", "often"),
    ("🙂", None),
    ("👍👍", None),
    ("", None),
    ("1 2", None),
    ("a veces o nunca", None),
    ("4", None),
    ("0", None),
    ("-1", None),
    (
        "Pues mire, a veces nos preocupaba mucho, pero nunca nos quedamos sin comer gracias a "
        "la despensa de la escuela y a mi hermana que nos ayuda cuando puede",
        None,
    ),
]


@pytest.mark.parametrize(("text", "stored"), CHOICE_INPUTS)
def test_choice_answers_as_residents_type_them(vecino, resident, text: str, stored):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí")
    reply = resident.say(text)
    if stored is None:
        assert answers(vecino) == {}
        # One short line with the option numbers, not the whole question again.
        assert reply.endswith("Responde 1, 2 o 3. O escribe SALTAR.")
        assert "Frecuentemente cierto" not in reply
    else:
        assert answers(vecino) == {"hvs_worried": stored}


@pytest.mark.parametrize(
    ("text", "stored"),
    [("Sí", True), ("si", True), ("yes!", True), ("SI CLARO", True), ("no", False), ("2", False)],
)
def test_yes_no_answers_as_residents_type_them(vecino, resident, text: str, stored: bool):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta vivienda", "sí", "1")
    resident.say(text)
    assert answers(vecino)["transportation"] is stored


@pytest.mark.parametrize("text", ["0", "21", "cinco o seis", "🙂", "mil"])
def test_number_out_of_range_or_unclear_stores_nothing(vecino, resident, text: str):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí")
    reply = resident.say(text)
    assert "household_size" not in answers(vecino)
    assert "Por favor responde con un número del 1 al 20." in reply
    assert "¿Cuántas personas viven en tu casa" not in reply  # one short line


# How residents say how many live at home ("counting you"): what is stored.
HOUSEHOLDS = [
    ("4", 4),
    ("tres", 3),
    ("three", 3),
    ("somos 5", 5),
    ("somos cinco", 5),
    ("yo y mis 3 hijos", 4),
    ("Yo y mis tres hijos", 4),
    ("mi esposo y yo", 2),
    ("mi esposo, mis 2 hijos y yo", 4),
    ("my wife, 2 kids and me", 4),
    ("just me", 1),
    ("solo yo", 1),
    ("5 personas", 5),
    ("mi esposa y mis 2 hijos", 4),
]


@pytest.mark.parametrize(("text", "stored"), HOUSEHOLDS)
def test_household_size_counts_people_as_residents_say_it(vecino, resident, text, stored):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí", text)
    assert answers(vecino)["household_size"] == stored


@pytest.mark.parametrize("text", ["yo y mis hijos", "3 o 4", "muchos"])
def test_a_household_that_cannot_be_counted_is_asked_again(vecino, resident, text):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí")
    assert resident.say(text).startswith("Perdón, no entendí.")
    assert "household_size" not in answers(vecino)


# Hedges go to the nearest point of each scale that does not under-count (docs/surveys.md).
HEDGES = [
    ("encuesta comida", "casi nunca", "hvs_worried", "sometimes"),
    ("encuesta comida", "más o menos", "hvs_worried", "sometimes"),
    ("encuesta comida", "kind of", "hvs_worried", "sometimes"),
    ("encuesta comida", "casi siempre", "hvs_worried", "often"),
    ("encuesta comida", "no", "hvs_worried", "never"),
    ("encuesta animo", "casi nunca", "phq2_interest", "several_days"),
    ("encuesta animo", "más o menos", "phq2_interest", "several_days"),
    ("encuesta animo", "sometimes", "phq2_interest", "several_days"),
    ("encuesta animo", "no", "phq2_interest", "not_at_all"),
    ("encuesta animo", "muchas veces", "phq2_interest", "more_than_half"),
    ("encuesta animo", "casi siempre", "phq2_interest", "nearly_every_day"),
    ("encuesta animo", "ninguno", "phq2_interest", "not_at_all"),
]


@pytest.mark.parametrize(("start", "text", "key", "stored"), HEDGES)
def test_hedges_map_to_a_scale_point_that_does_not_under_count(
    vecino, resident, start, text, key, stored
):  # type: ignore[no-untyped-def]
    spanish(resident).say(start, "sí", text)
    assert answers(vecino) == {key: stored}


@pytest.mark.parametrize("text", ["a veces", "más o menos", "sometimes"])
def test_transportation_hedges_count_as_yes(vecino, resident, text):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta vivienda", "sí", "1", text)
    assert answers(vecino)["transportation"] is True


# "empezar" and "inicio" are yes too (tests/test_engine_questions.py), but are also the opt-in
# keyword, which the keyword layer answers first; the understanding layer lets them through
# when the resident has not opted out.
@pytest.mark.parametrize("text", ["dale", "ok", "sure", "sí, por favor", "claro que sí"])
def test_start_words_are_yes_at_consent(vecino, resident, text):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta comida", text)
    assert len(responses(vecino)) == 1  # consent stored
    assert "nos preocupaba que la comida se acabara" in reply


def test_mas_o_menos_at_consent_is_asked_again_not_more(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta comida", "más o menos")
    assert reply == "Perdón, no entendí. Responde SÍ o NO."
    assert resident.say("sí").startswith('"En los últimos 12 meses')


@pytest.mark.parametrize("text", ["más", "MAS", "comida", "more"])
def test_a_lone_word_inside_a_survey_is_an_answer_attempt(vecino, resident, text):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí")
    assert resident.say(text) == "Perdón, no entendí. Responde 1, 2 o 3. O escribe SALTAR."
    assert resident.say("2").startswith('"En los últimos 12 meses, la comida que compramos')


def test_another_surveys_words_still_switch_surveys(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí")
    assert resident.say("encuesta ánimo").startswith("2 preguntas sobre cómo te has sentido")


def test_skip_is_stored_as_a_skip(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "SALTAR")
    (response,) = responses(vecino)
    (answer,) = response.answers
    assert (answer.key, answer.value, answer.skipped) == ("hvs_worried", None, True)


def test_stale_replies_store_nothing(vecino, resident, clock):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    # A button from the consent question, pressed after the survey moved on.
    reply = resident.send(Inbound(choice="yes", choice_step="hunger_vital_sign/consent"))
    assert reply.startswith("Ese botón es de una pregunta anterior.")
    assert answers(vecino) == {"hvs_worried": "often"}
    # Days later, "2" was meant for a question asked long ago: it is not taken as an answer.
    clock.advance(days=4)
    reply = resident.say("2")
    assert "¿Qué quieres hacer?" in reply
    assert answers(vecino) == {"hvs_worried": "often"}
    # After the survey is done, a late reply is just a message.
    resident.say("1", "3")
    resident.say("2")
    (response,) = responses(vecino)
    assert response.status == COMPLETED
    assert {a.key: a.value for a in response.answers} == {
        "hvs_worried": "often",
        "hvs_ran_out": "never",
    }


def test_language_change_mid_survey_keeps_answers_and_records_their_language(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "a veces")
    reply = resident.say("english")
    assert "How true was that for your household?" in reply
    resident.say("often")
    (response,) = responses(vecino)
    assert response.language == "es"  # the language the resident consented in
    assert [(a.key, a.value, a.language) for a in response.answers] == [
        ("hvs_worried", "sometimes", "es"),
        ("hvs_ran_out", "often", "en"),
    ]


def test_an_answer_in_the_other_language_counts(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "sometimes")
    assert answers(vecino) == {"hvs_worried": "sometimes"}


def test_crisis_message_flags_the_response_and_staff(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "me quiero morir")
    assert "988" in reply and "1-800-854-7771" in reply
    (response,) = responses(vecino)
    assert response.flags == ["crisis"] and response.flagged_at is not None
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["crisis"]


def test_positive_phq2_gives_the_lines_at_once_and_flags_once(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "3")
    assert "988" not in reply  # 2 points so far
    reply = resident.say("2")  # 2 + 1 = 3: positive
    assert "988" in reply and "1-800-854-7771" in reply
    assert reply.index("988") < reply.index("Gracias por contarnos. Escribe MENU")
    (response,) = responses(vecino)
    assert response.flags == ["phq2_positive"]
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["survey_phq2_positive"]


def test_one_item_nearly_every_day_is_already_positive(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "casi todos los días")
    assert "988" in reply  # 3 points whatever the second answer will be
    assert "Se ha sentido decaído(a), deprimido(a) o sin esperanzas" in reply


def test_positive_phq2_after_back_is_not_flagged_or_told_twice(vecino, resident):  # type: ignore[no-untyped-def]
    assert "988" in spanish(resident).say("encuesta ánimo", "sí", "4")
    reply = resident.say("atrás", "4")
    assert "988" not in reply
    resident.say("1")
    assert count(vecino, StaffFlag) == 1
    (response,) = responses(vecino)
    assert response.flags == ["phq2_positive"] and response.status == COMPLETED


def test_negative_phq2_is_not_flagged(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "2", "2")
    assert "988" not in reply
    assert count(vecino, StaffFlag) == 0
    (response,) = responses(vecino)
    assert response.flagged_at is None and response.status == COMPLETED


def test_hard_week_and_a_call_request_flag_for_staff(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí", "3", "1", "sí")
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["survey_callback"]


def test_good_week_skips_the_call_question(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta familia", "sí", "3", "4")
    assert "¿Qué ayudaría más a tu familia ahora?" in reply
    assert "wants_call" not in answers(vecino)


def test_stop_in_the_middle_keeps_answers_and_resume_continues_the_same_response(
    vecino, resident, clock
):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí", "4", "5")
    resident.say("ALTO")
    (response,) = responses(vecino)
    assert response.status == IN_PROGRESS
    clock.advance(days=10)
    resident.say("ALTA")
    reply = resident.say("encuesta familia")
    assert "Seguir donde me quedé" in reply
    reply = resident.say("1")
    assert "¿Qué ayudaría más a tu familia ahora?" in reply
    resident.say("1 3")
    (same,) = responses(vecino)
    assert same.id == response.id
    assert {a.key: a.value for a in same.answers} == {
        "household_size": 4,
        "wellbeing": 5,
        "needs": ["food", "work"],
    }


def test_start_over_abandons_the_old_response(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta familia", "sí", "4", "menu", "encuesta familia")
    resident.say("volver a empezar", "sí", "2")
    old, new = responses(vecino)
    assert old.status == ABANDONED and new.status == IN_PROGRESS
    assert {a.key: a.value for a in old.answers} == {"household_size": 4}
    assert {a.key: a.value for a in new.answers} == {"household_size": 2}


def test_not_now_keeps_the_response_for_later(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1", "menu", "encuesta comida")
    reply = resident.say("ahora no")
    assert "ENCUESTA COMIDA" in reply
    (response,) = responses(vecino)
    assert response.status == IN_PROGRESS


def test_closed_survey_takes_no_answers_and_leaves_the_menu(vecino):  # type: ignore[no-untyped-def]
    resident = spanish(Resident(vecino))
    menu = resident.say("menu")
    assert "encuesta" not in menu.lower()
    reply = resident.say("encuesta comida")
    assert reply.startswith("Esta encuesta está cerrada por ahora.")
    assert "No hay ninguna encuesta abierta" in resident.say("encuesta")
    assert count(vecino, SurveyResponse) == 0
    open_survey(vecino, "phq2")
    assert "Contestar una encuesta" in resident.say("menu")


def test_survey_closed_while_a_resident_was_away(vecino, resident, clock):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    with vecino.db.transaction() as session:
        store.set_open(session, "hunger_vital_sign", False, clock.now)
    clock.advance(days=2)
    reply = resident.say("hola")
    assert "¿En qué te puedo ayudar?" in reply
    assert answers(vecino) == {"hvs_worried": "often"}


def test_deleting_a_contact_deletes_their_survey_data(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    with vecino.db.transaction() as session:
        session.delete(session.scalars(select(Contact)).one())
    assert count(vecino, SurveyResponse) == 0 and count(vecino, SurveyAnswer) == 0


SHIPPED_HVS_VERSION = 2  # survey.version in flows/surveys/hunger_vital_sign.yaml


def _changed_flows(tmp_path: Path, version: int, fingerprint: str | None = None) -> Path:
    flows = tmp_path / f"flows_v{version}"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    path = flows / "surveys" / "hunger_vital_sign.yaml"
    text = path.read_text().replace("How true was that for", "How true was it for")
    text = text.replace(f"  version: {SHIPPED_HVS_VERSION}\n", f"  version: {version}\n")
    if fingerprint:
        text = "\n".join(
            f"  fingerprint: {fingerprint}" if line.startswith("  fingerprint: ") else line
            for line in text.splitlines()
        )
    path.write_text(text)
    return flows


def test_changed_questions_need_a_new_version(tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    from bot.engine import InvalidFlows

    flows = _changed_flows(tmp_path, version=SHIPPED_HVS_VERSION)
    with pytest.raises(InvalidFlows) as error:
        create_app(settings_with(settings, flows_dir=flows), clock=clock)
    message = str(error.value)
    assert "hunger_vital_sign.yaml: the questions changed since version 2 was recorded" in message


def test_answers_keep_the_version_they_were_given_under(tmp_path, settings, clock, vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "hunger_vital_sign")
    spanish(Resident(vecino)).say("encuesta comida", "sí", "1")
    load_surveys.cache_clear()
    new = SHIPPED_HVS_VERSION + 1
    probe = load_surveys(_changed_flows(tmp_path, version=new))
    new_fingerprint = probe["hunger_vital_sign"].fingerprint
    flows = _changed_flows(tmp_path / "v2", version=new, fingerprint=new_fingerprint)
    app2 = create_app(settings_with(settings, flows_dir=flows), clock=clock)
    try:
        resident = Resident(app2.extensions["vecino"])
        reply = resident.say("encuesta comida")
        assert "¿Empezamos?" in reply  # the v1 response is not resumed under v2's questions
        resident.say("sí", "2")
        old, new = responses(vecino)
        assert (old.survey_version, old.status) == (SHIPPED_HVS_VERSION, ABANDONED)
        assert {a.key: a.value for a in old.answers} == {"hvs_worried": "often"}
        assert (new.survey_version, new.fingerprint) == (SHIPPED_HVS_VERSION + 1, new_fingerprint)
        assert {a.key: a.value for a in new.answers} == {"hvs_worried": "sometimes"}
    finally:
        app2.extensions["vecino"].db.dispose()


def test_two_residents_never_share_a_response(vecino, resident):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida", "sí", "1")
    other = spanish(Resident(vecino, "+13235550199"))
    other.say("encuesta comida", "sí", "3")
    first, second = responses(vecino)
    assert first.contact_id != second.contact_id
    assert [a.value for a in first.answers] == ["often"]
    assert [a.value for a in second.answers] == ["never"]


def test_expired_conversation_outside_a_survey_is_unchanged(vecino, resident, clock):  # type: ignore[no-untyped-def]
    spanish(resident).say("menu")
    clock.advance(hours=2)
    assert resident.say("1").startswith("¡Qué gusto verte! Nuestra conversación anterior se cerró")


def test_timeout_before_consent_goes_back_to_the_menu(vecino, resident, clock):  # type: ignore[no-untyped-def]
    spanish(resident).say("encuesta comida")
    clock.advance(hours=2)
    reply = resident.say("sí")
    assert reply.startswith("¡Qué gusto verte! Nuestra conversación anterior se cerró")
    assert count(vecino, SurveyResponse) == 0


def test_violence_at_home_inside_a_survey_gets_the_lines_and_a_staff_flag(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "mi esposo me pega")
    assert "1-800-799-7233" in reply and "1-800-978-3600" in reply and "911" in reply
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["safety"]
        contact = session.scalars(select(Contact)).one()
        assert contact.opted_out_at is None
    (response,) = responses(vecino)
    assert response.status == IN_PROGRESS  # the question still waits; nothing was answered
    assert response.answers == []
