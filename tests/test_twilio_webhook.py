"""POST /webhooks/twilio: signatures, bad input, retries, TwiML."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.models import Contact, ConversationState, Message

from .conftest import PUBLIC_BASE_URL, TwilioSender, settings_with, twilio_signature


def bodies(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"
    return [element.text or "" for element in root.findall("Message")]


def count(vecino, model, *where) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_first_message_gets_the_bilingual_welcome(twilio: TwilioSender):
    [body] = bodies(twilio.post("hola"))
    assert "Hola" in body and "Hi" in body
    assert "1. Español\n2. English" in body


def test_forged_signature_is_refused_and_nothing_is_stored(twilio: TwilioSender, vecino):
    response = twilio.post("hola", signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403
    assert count(vecino, Message) == 0


def test_missing_signature_is_refused(twilio: TwilioSender):
    params = twilio.params("hola", "+12135550123")
    assert twilio.client.post("/webhooks/twilio", data=params).status_code == 403


def test_signature_for_another_url_is_refused(twilio: TwilioSender):
    params = twilio.params("hola", "+12135550123")
    signature = twilio_signature("https://attacker.example/webhooks/twilio", params)
    response = twilio.client.post(
        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_tampered_body_is_refused(twilio: TwilioSender):
    params = twilio.params("hola", "+12135550123")
    signature = twilio_signature(PUBLIC_BASE_URL + "/webhooks/twilio", params)
    params["Body"] = "STOP"
    response = twilio.client.post(
        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_without_an_auth_token_every_request_is_refused(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings_with(settings, twilio_auth_token=None), clock=clock)
    sender = TwilioSender(app.test_client())
    assert sender.post("hola").status_code == 403
    app.extensions["vecino"].db.dispose()


def test_behind_a_proxy_the_forwarded_url_is_validated(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings_with(settings, public_base_url=None, trusted_proxies=1), clock=clock)
    client = app.test_client()
    params = TwilioSender(client).params("hola", "+12135550123")
    public = "https://bot.example.net/webhooks/twilio"
    headers = {
        "X-Twilio-Signature": twilio_signature(public, params),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "bot.example.net",
    }
    assert client.post("/webhooks/twilio", data=params, headers=headers).status_code == 200
    headers["X-Forwarded-Host"] = "other.example.net"
    assert client.post("/webhooks/twilio", data=params, headers=headers).status_code == 403
    app.extensions["vecino"].db.dispose()


@pytest.mark.parametrize("missing", ["From", "MessageSid", "Body"])
def test_missing_fields_get_400_with_a_reason(twilio: TwilioSender, missing: str):
    params = twilio.params("hola", "+12135550123")
    del params[missing]
    signature = twilio_signature(PUBLIC_BASE_URL + "/webhooks/twilio", params)
    response = twilio.client.post(
        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 400
    assert missing in response.get_data(as_text=True)


def test_a_retried_message_sid_is_stored_once_and_answered_the_same(twilio: TwilioSender, vecino):
    twilio.post("hola", sid="SM-first")
    first = bodies(twilio.post("1", sid="SM-retry"))
    again = bodies(twilio.post("1", sid="SM-retry"))
    assert first == again
    assert "¿En qué te puedo ayudar?" in first[0]
    assert count(vecino, Message, Message.provider_id == "SM-retry") == 1
    with vecino.db.transaction() as session:
        state = session.scalars(select(ConversationState)).one()
        assert (state.flow_id, state.step_id) == ("main_menu", "menu")
        # The retry did not count as a second answer to the menu.
        assert state.invalid_count == 0
    assert count(vecino, Message, Message.direction == "out") == 2


def test_mms_without_text_gets_a_polite_answer(twilio: TwilioSender):
    twilio.post("hola")
    twilio.post("2")
    response = twilio.post(None, NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg")
    [body] = bodies(response)
    assert body.startswith("I can only read text.")


@pytest.mark.parametrize("text", ["", "🙂🙂🙂", "x" * 5000, "¿?", "Ñ" * 1600])
def test_odd_bodies_get_a_clear_answer_and_are_stored_whole(twilio: TwilioSender, vecino, text):
    twilio.post("hola")
    twilio.post("2")
    response = twilio.post(text, sid="SM-odd")
    [body] = bodies(response)
    if text == "¿?":  # asks for the question again: the whole menu
        assert body.startswith("What can I help you with? Reply with a number.\n1. ")
    else:  # one short line with the option numbers
        assert body in (
            "Sorry, I did not understand that. Reply 1, 2 or 3.",
            "Your message came through empty. Reply 1, 2 or 3.",
        )
    with vecino.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "SM-odd")).one()
        assert stored.body == text


def test_accented_mixed_case_keywords_work(twilio: TwilioSender, vecino):
    twilio.post("hola")
    [body] = bodies(twilio.post(" ¡ALTO! "))
    assert "ya no te mandaremos mensajes" in body
    with vecino.db.transaction() as session:
        assert session.scalars(select(Contact)).one().opted_out_at is not None
    assert bodies(twilio.post("hola")) == []
    [body] = bodies(twilio.post("Alta"))
    assert "qué bueno que volviste" in body


def test_unknown_keyword_from_a_known_contact_shows_the_menu(twilio: TwilioSender):
    twilio.post("hola")
    twilio.post("2")
    twilio.post("1")  # About: the flow ends
    [body] = bodies(twilio.post("BANANA"))
    assert body.startswith("What can I help you with?")


def test_whatsapp_is_its_own_channel(twilio: TwilioSender, vecino):
    twilio.post("hola", sender="+12135550123")
    twilio.post("hola", sender="whatsapp:+12135550123")
    with vecino.db.transaction() as session:
        contacts = session.scalars(select(Contact).order_by(Contact.channel)).all()
        assert [(c.channel, c.address) for c in contacts] == [
            ("sms", "+12135550123"),
            ("whatsapp", "+12135550123"),
        ]


def test_numbers_are_stored_in_e164(twilio: TwilioSender, vecino):
    twilio.post("hola", sender="(213) 555-0123")
    twilio.post("hola", sender="+12135550123")
    assert count(vecino, Contact) == 1


def test_long_replies_are_split_under_1600_characters(app, twilio: TwilioSender):  # type: ignore[no-untyped-def]
    from bot.channels.twilio import SmsRenderer
    from bot.engine import Outbound

    bodies_ = SmsRenderer().render([Outbound("word " * 700)])
    assert len(bodies_) == 3 and all(len(b) <= 1600 for b in bodies_)


def test_logs_hold_neither_numbers_nor_message_text(twilio: TwilioSender, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    twilio.post("my secret words", sender="+13235559876")
    twilio.post("STOP", sender="+13235559876")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "contact" in logged  # something was logged
    assert "5559876" not in logged and "13235559876" not in logged
    assert "secret words" not in logged


def test_healthz_reports_database_state(client, settings, clock):  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    # Nothing listens on port 1: the database "is down" for real.
    unreachable = "postgresql+psycopg://vecino@127.0.0.1:1/vecino?connect_timeout=2"
    broken = create_app(settings_with(settings, database_url=unreachable), clock=clock)
    vecino = broken.extensions["vecino"]
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    vecino.db.dispose()


def test_database_outage_gets_503_not_500(settings, clock):  # type: ignore[no-untyped-def]
    unreachable = "postgresql+psycopg://vecino@127.0.0.1:1/vecino?connect_timeout=2"
    app = create_app(settings_with(settings, database_url=unreachable), clock=clock)
    response = TwilioSender(app.test_client()).post("hola")
    assert response.status_code == 503
    assert "try again later" in response.get_data(as_text=True)
    app.extensions["vecino"].db.dispose()


def test_huge_request_is_refused_without_a_500(twilio: TwilioSender):
    response = twilio.post("x" * 400_000)
    assert response.status_code == 413


def test_on_sqlite_a_process_answers_one_message_at_a_time_and_waits_for_it_boundedly(
    twilio: TwilioSender, vecino, monkeypatch: pytest.MonkeyPatch
):
    # Another request of this process has the turn (``Database.one_at_a_time``) and keeps it:
    # on SQLite the message waits no longer than a writer would, then gets a 503 with nothing
    # stored (Twilio retries); on PostgreSQL it does not wait at all.
    import threading

    from bot import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    holding, done = threading.Event(), threading.Event()

    def keep_the_turn() -> None:
        with vecino.db.one_at_a_time():
            holding.set()
            done.wait(10)

    other = threading.Thread(target=keep_the_turn)
    other.start()
    assert holding.wait(10)
    try:
        response = twilio.post("hola")
    finally:
        done.set()
        other.join(10)
    if vecino.db.is_sqlite:
        assert response.status_code == 503
        assert count(vecino, Message) == 0
        assert bodies(twilio.post("hola"))  # the turn is free again
    else:
        assert bodies(response)
