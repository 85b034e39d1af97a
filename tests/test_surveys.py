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
    assert (response.survey_key, response.survey_version) == ("hunger_vital_sign", 1)
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
        # The re-prompt shows the options again.
        assert "Frecuentemente cierto" in reply and "Nunca cierto" in reply
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
    assert "¿Cuántas personas viven en tu casa" in reply


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
    assert "how true was this?" in reply
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
    assert reply.index("988") < reply.index("Gracias por compartir")
    (response,) = responses(vecino)
    assert response.flags == ["phq2_positive"]
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["survey_phq2_positive"]


def test_one_item_nearly_every_day_is_already_positive(vecino, resident):  # type: ignore[no-untyped-def]
    reply = spanish(resident).say("encuesta ánimo", "sí", "casi todos los días")
    assert "988" in reply  # 3 points whatever the second answer will be
    assert "¿con qué frecuencia te has sentido decaído/a" in reply


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


def _changed_flows(tmp_path: Path, version: int, fingerprint: str | None = None) -> Path:
    flows = tmp_path / f"flows_v{version}"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    path = flows / "surveys" / "hunger_vital_sign.yaml"
    text = path.read_text().replace("how true was this?", "how true was it?")
    text = text.replace("  version: 1\n", f"  version: {version}\n")
    if fingerprint:
        text = "\n".join(
            f"  fingerprint: {fingerprint}" if line.startswith("  fingerprint: ") else line
            for line in text.splitlines()
        )
    path.write_text(text)
    return flows


def test_changed_questions_need_a_new_version(tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    from bot.engine import InvalidFlows

    flows = _changed_flows(tmp_path, version=1)
    with pytest.raises(InvalidFlows) as error:
        create_app(settings_with(settings, flows_dir=flows), clock=clock)
    message = str(error.value)
    assert "hunger_vital_sign.yaml: the questions changed since version 1 was recorded" in message


def test_answers_keep_the_version_they_were_given_under(tmp_path, settings, clock, vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "hunger_vital_sign")
    spanish(Resident(vecino)).say("encuesta comida", "sí", "1")
    load_surveys.cache_clear()
    probe = load_surveys(_changed_flows(tmp_path, version=2))
    new_fingerprint = probe["hunger_vital_sign"].fingerprint
    flows = _changed_flows(tmp_path / "v2", version=2, fingerprint=new_fingerprint)
    app2 = create_app(settings_with(settings, flows_dir=flows), clock=clock)
    try:
        resident = Resident(app2.extensions["vecino"])
        reply = resident.say("encuesta comida")
        assert "¿Empezamos?" in reply  # the v1 response is not resumed under v2's questions
        resident.say("sí", "2")
        old, new = responses(vecino)
        assert (old.survey_version, old.status) == (1, ABANDONED)
        assert {a.key: a.value for a in old.answers} == {"hvs_worried": "often"}
        assert (new.survey_version, new.fingerprint) == (2, new_fingerprint)
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
